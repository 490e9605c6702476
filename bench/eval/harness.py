"""Evidence quality on real speech: `make eval`.

For each of the eight real podcast transcripts in ``../shared/evalset/`` this ingests the episode
through joeladr's own pipeline and evaluates four ADRs against it (ADR-0064 and the three
evaluation ADRs in ``bench/eval/adrs/``), then scores every criterion's findings against the
relevance labels in ``bench/eval/labels/`` (written by reading, before any retrieval ran).

Two modes:
- voice (default): the episode voiced offline by Piper (``voice.py``), ingested as a local audio
  file (faster-whisper, chunking, embeddings, Qdrant Edge): the whole product path. Also reports
  the transcript's word error rate against the reference text and domain-term recall.
- ``--text``: the reference paragraphs with synthetic times (2.6 words a second), no voice, no
  recognizer: retrieval alone, in seconds.

The labelled set is split by episode: ``dev`` (RabbitMQ #258, JS Party #230) is where retrieval
parameters were tuned; ``held`` (José Valim #439, Gleam #588) was held aside and is reported
separately, so a tuned parameter can be seen to generalize; ``fresh`` (Oban, Backstage #23; Bun,
JS Party #295; Elixir on Fly, Ship It #51; Broadway, #402) came later, labelled before any retrieval
ran on it, and nothing was ever tuned on it.

Metrics per criterion (relevant = a paragraph labelled "cite" (gain 2) or "related" (gain 1);
a finding's paragraph is the one under the midpoint of its quoted time):
- top-1: the first finding is relevant; where the episode has nothing relevant for the criterion,
  top-1 is right when joeladr shows no finding (it says nothing relevant was found).
- P@3: three slots per criterion; a slot is right when it holds a relevant finding, or when it is
  empty and fewer relevant paragraphs than its rank exist (so saying "nothing more" is right only
  when there is nothing more). ``P@3 std`` is the textbook figure (empty slots count wrong).
- MRR and nDCG@5 over the criteria that have relevant paragraphs (a paragraph's gain counts once).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from paragraphs import TRANSCRIPTS, paragraphs  # noqa: E402

import joeladr.retrieve as retrieval  # noqa: E402

_DEFAULT_WEIGHTS = (retrieval.NEIGHBOUR_WEIGHT, retrieval.KEYWORD_WEIGHT)
_DEFAULT_SILENCE = (
    dict(retrieval.SUBJECT_FLOORS),
    retrieval.DEFAULT_SUBJECT_FLOOR,
    retrieval.FIRST_FLOOR,
    retrieval.OFF_SUBJECT_FLOOR,
    retrieval.WORDS_STAND_OUT,
)

CACHE = HERE / ".cache"
LABELS = HERE / "labels"
SPLITS = {  # dev: where retrieval was tuned; held: set aside from the start; fresh: added later, never tuned on
    "the-changelog-258": "dev",
    "js-party-230": "dev",
    "the-changelog-439": "held",
    "the-changelog-588": "held",
    "backstage-23": "fresh",
    "js-party-295": "fresh",
    "ship-it-51": "fresh",
    "the-changelog-402": "fresh",
}
SPLIT_NAMES = ("dev", "held", "fresh")
ADRS = {
    "0064": ROOT / "adrs" / "0064-elixir-beam-evaluation.md",
    "0901": HERE / "adrs" / "0901-message-broker-for-the-event-bus.md",
    "0902": HERE / "adrs" / "0902-language-for-new-backend-services.md",
    "0903": HERE / "adrs" / "0903-durable-workflow-engine.md",
}
TITLES = {  # what each episode is about (the evalset README): a voiced episode's file is named so, as a
    # download is titled; joeladr primes the recognizer with a source's title words
    "the-changelog-439": "José Valim on Elixir, LiveView, Nx, the BEAM",
    "the-changelog-258": "Ten years of RabbitMQ - Erlang OTP in production, supervision, clients in many languages",
    "the-changelog-588": "Gleam on the BEAM - types, OTP, compiling to JavaScript",
    "js-party-230": "A JS and TS panel on TypeScript in practice",
    "backstage-23": "Parker Selbert on Oban - durable background jobs, retries and workflows in Elixir",
    "js-party-295": "Jarred Sumner on Bun - the TypeScript runtime",
    "ship-it-51": "Running an Elixir app on Fly - clustering, deploys, operations",
    "the-changelog-402": "José Valim on Dashbit, Broadway data pipelines and Elixir's direction",
}
PIPELINE = "2"  # bump when joeladr's ingest changes what a cached workspace holds (2: titles prime whisper)
WORDS_PER_SECOND = 2.6
PAUSE = 0.6
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


# -- the episodes as joeladr sees them -------------------------------------------------
def reference_transcript(episode: str) -> tuple[Any, list[tuple[float, float]]]:
    """The reference text as a transcript with synthetic times, and each paragraph's span."""
    from joeladr.transcript import Segment, Transcript

    segments: list[Segment] = []
    spans: list[tuple[float, float]] = []
    clock = 0.0
    for paragraph in paragraphs(TRANSCRIPTS / f"{episode}.md"):
        start = clock
        for sentence in _SENTENCE.split(paragraph.text):
            words = len(sentence.split())
            if not words:
                continue
            end = clock + words / WORDS_PER_SECOND
            segments.append(Segment(round(clock, 3), round(end, 3), sentence.strip()))
            clock = end
        spans.append((round(start, 3), round(clock, 3)))
        clock += PAUSE
    return Transcript(tuple(segments), "reference", "reference", "en", clock), spans


@dataclass
class Config:
    """What a run measures: the text mode or a voiced episode through a recognizer, and the embedder."""

    text: bool = False
    whisper: str | None = None  # a model name/folder; None = joeladr's default
    vocabulary: str | None = None  # "adr:NNNN" (terms from that ADR), "none", or literal terms
    prompt: bool = False  # prime with initial_prompt instead of hotwords
    embedding: str | None = None
    top_k: int = 5
    chunk_words: int | None = None  # None: joeladr's default chunking
    min_score: float | None = None  # None: joeladr's relevance floor for the model
    judge_candidates: int = 20  # candidates per criterion the judge reads (the judge modes)

    def transcript_key(self) -> str:
        return "text" if self.text else f"{self.whisper or 'default'}|{self.vocabulary}|{int(self.prompt)}"

    def workspace_key(self, episode: str) -> str:
        raw = f"{episode}|{self.transcript_key()}|{self.embedding or 'default'}|{PIPELINE}"
        if self.chunk_words:
            raw += f"|chunks={self.chunk_words}"
        return f"{episode}-{hashlib.sha256(raw.encode()).hexdigest()[:10]}"


def workspace(episode: str, config: Config) -> Any:
    from joeladr.settings import resolve_settings

    root = CACHE / "workspaces" / config.workspace_key(episode)
    root.mkdir(parents=True, exist_ok=True)
    overrides: dict[str, Any] = {"home": root / "home", "vault": root / "vault", "adr_dir": root / "adrs"}
    env = {"JOELADR_EMBEDDING_MODEL": config.embedding} if config.embedding else {}
    if config.whisper:
        env["JOELADR_WHISPER_MODEL"] = config.whisper
    return resolve_settings(cwd=root, env=env, overrides=overrides)


def ingest(episode: str, config: Config) -> tuple[Any, list[tuple[float, float]], dict[str, Any]]:
    """The episode indexed in its own workspace (cached); paragraph spans; facts about the transcript."""
    from joeladr.catalog import Catalog
    from joeladr.embed.transformer import SentenceTransformerEmbedder
    from joeladr.engines import export_query_model, make_transcriber, store_on_demand
    from joeladr.ingest.download import YtDlpDownloader
    from joeladr.ingest.inputs import SourceRef
    from joeladr.ingest.pipeline import Ingestor
    from joeladr.vault.source_notes import SourceInfo

    settings = workspace(episode, config)
    facts_path = settings.home / "eval-facts.json"
    if config.text:
        transcript, spans = reference_transcript(episode)
    else:
        from voice import voiced

        audio, spans = voiced(episode)
        titled = audio.with_name(f"{TITLES[episode]}.wav")
        if not titled.exists():
            titled.hardlink_to(audio)
        audio = titled
    if facts_path.is_file() and Catalog(settings.home).all():
        return settings, spans, json.loads(facts_path.read_text())
    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    transcriber = make_transcriber(
        settings, vocabulary=_vocabulary(config), prompt=config.prompt, priming=config.vocabulary != "none"
    )
    facts: dict[str, Any] = {}
    with store_on_demand(settings, lambda: embedder.dimension) as store:
        ingestor = Ingestor(
            settings,
            downloader=YtDlpDownloader(),
            transcriber=transcriber,
            embedder=embedder,
            store=store,
            captions="never",
            chunking=_chunking(config),
        )
        started = time.perf_counter()
        if config.text:
            info = SourceInfo(episode, episode, None, None, None, None, transcript.duration or 0.0)
            ingestor.index(info, transcript)
        else:
            _, failures = ingestor.run([SourceRef("file", str(audio))])
            if failures:
                raise SystemExit(f"{episode}: {failures[0].error.message}")
            facts["ingest_seconds"] = round(time.perf_counter() - started, 1)
            facts["audio_seconds"] = spans[-1][1]
    export_query_model(settings, embedder)
    if not config.text:
        facts.update(transcript_quality(episode, settings))
    facts_path.write_text(json.dumps(facts))
    return settings, spans, facts


def _chunking(config: Config) -> Any:
    from joeladr.ingest.chunking import ChunkSpec

    if not config.chunk_words:
        return None
    return ChunkSpec(config.chunk_words, max(6, config.chunk_words // 4))


def _vocabulary(config: Config) -> str | None:
    """The words to prime the recognizer with, as joeladr derives them (an ADR's, or given)."""
    if config.text or not config.vocabulary or config.vocabulary == "none":
        return None
    if config.vocabulary.startswith("adr:"):
        from joeladr.adr.parse import load_adr
        from joeladr.vocabulary import adr_vocabulary, join_terms

        return join_terms(adr_vocabulary(load_adr(ADRS[config.vocabulary[4:]])))  # as `ingest --adr` primes
    return config.vocabulary


# -- transcript quality ----------------------------------------------------------------
def _words(text: str) -> str:
    text = text.lower().replace("’", "'").replace("--", " ")
    text = re.sub(r"[^a-z0-9'+#. ]+", " ", text)
    text = re.sub(r"(?<![0-9])\.|\.(?![0-9])", " ", text)
    return " ".join(text.split())


def domain_terms(episode: str) -> list[str]:
    return list(json.loads((LABELS / f"{episode}.json").read_text())["domain_terms"])


def term_counts(text: str, terms: Sequence[str]) -> dict[str, int]:
    flat = " " + _words(text) + " "
    return {term: flat.count(" " + _words(term) + " ") for term in terms if _words(term)}


def transcript_quality(episode: str, settings: Any) -> dict[str, Any]:
    """Word error rate against the reference text and recall of the episode's domain terms."""
    import jiwer

    from joeladr.cache import read_entry
    from joeladr.catalog import Catalog
    from joeladr.transcript import Transcript

    record = Catalog(settings.home).all()[0]
    folder = Catalog(settings.home).folder(record.source_id)
    hypothesis = Transcript.from_json(read_entry(next(folder.glob("transcript-*.json")))).text
    reference = " ".join(p.text for p in paragraphs(TRANSCRIPTS / f"{episode}.md"))
    wer = jiwer.wer(_words(reference), _words(hypothesis))
    glossary = recall(reference, hypothesis, domain_terms(episode))
    adr_terms = recall(reference, hypothesis, _adr_terms())
    return {
        "wer": round(wer, 4),
        "term_recall": glossary["recall"],
        "missed": glossary["missed"],
        "adr_term_recall": adr_terms["recall"],
        "adr_terms_missed": adr_terms["missed"],
    }


def _adr_terms() -> list[str]:
    """ADR-0064's domain terms as joeladr derives them (what the outside trial measured)."""
    from joeladr.adr.parse import load_adr
    from joeladr.vocabulary import adr_vocabulary

    return adr_vocabulary(load_adr(ADRS["0064"]))


def recall(reference: str, hypothesis: str, terms: Sequence[str]) -> dict[str, Any]:
    """How many of the terms' occurrences in the reference the hypothesis has too."""
    wanted, heard = term_counts(reference, terms), term_counts(hypothesis, terms)
    total = sum(wanted.values())
    found = sum(min(heard[t], n) for t, n in wanted.items())
    missed = sorted(((n - min(heard[t], n), t) for t, n in wanted.items() if heard[t] < n), reverse=True)
    return {"recall": round(found / total, 4) if total else 1.0, "missed": missed[:12]}


# -- scoring findings against the labels -------------------------------------------------
@dataclass
class Scored:
    adr: str
    episode: str
    criterion: str
    grades: list[int]  # per finding shown, best first
    paragraphs: list[int | None]
    relevant: dict[int, int]  # paragraph -> gain
    quotes: list[str] = field(default_factory=list)

    @property
    def has_relevant(self) -> bool:
        return bool(self.relevant)

    def top1(self) -> int:
        if not self.has_relevant:
            return int(not self.grades)
        return int(bool(self.grades) and self.grades[0] > 0)

    def p3(self) -> int:
        right = 0
        for rank in range(3):
            if rank < len(self.grades):
                right += self.grades[rank] > 0
            else:
                right += len(self.relevant) <= rank
        return right

    def p3_standard(self) -> int:
        return sum(g > 0 for g in self.grades[:3])

    def reciprocal_rank(self) -> float:
        return next((1.0 / (i + 1) for i, g in enumerate(self.grades) if g > 0), 0.0)

    def ndcg5(self) -> float:
        seen: set[int] = set()
        dcg = 0.0
        for rank, (grade, paragraph) in enumerate(zip(self.grades[:5], self.paragraphs[:5], strict=True)):
            if grade and paragraph is not None and paragraph not in seen:
                seen.add(paragraph)
                dcg += grade / math.log2(rank + 2)
        ideal = sorted(self.relevant.values(), reverse=True)[:5]
        best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        return dcg / best if best else 0.0


def labels_of(episode: str, adr: str) -> dict[str, dict[int, int]]:
    data = json.loads((LABELS / f"{episode}.json").read_text())["labels"][adr]
    return {
        criterion: {**{p: 1 for p in entry["related"]}, **{p: 2 for p in entry["cite"]}}
        for criterion, entry in data.items()
    }


def paragraph_at(spans: Sequence[tuple[float, float]], second: float) -> int | None:
    """The paragraph whose span holds ``second`` (or the nearest one within a pause)."""
    best, distance = None, PAUSE + 0.5
    for index, (start, end) in enumerate(spans):
        if start <= second <= end:
            return index
        gap = min(abs(second - start), abs(second - end))
        if gap < distance:
            best, distance = index, gap
    return best


def evaluate_episode(
    episode: str,
    config: Config,
    adrs: Sequence[str],
    *,
    judge: Any = None,
    picks: Mapping[str, Any] | None = None,
) -> tuple[list[Scored], dict[str, Any]]:
    """Every criterion of ``adrs`` scored against the labels, and the facts about the episode's transcript.

    Offline by default; ``judge`` (a :class:`joeladr.evaluate.judge.Judge`): the judge stage decides each
    criterion it answers for (the offline findings stand where it fails, as in the product); ``picks``:
    packet key -> the picks a reader (or any outside judge) made from the exported packets.
    """
    from joeladr.adr.parse import load_adr
    from joeladr.engines import make_query_embedder, opened_store
    from joeladr.evaluate.run import findings_of, retrieve

    settings, spans, facts = ingest(episode, config)
    embedder = make_query_embedder(settings)
    scored = []
    with opened_store(settings, embedder.dimension) as store:
        for number in adrs:
            adr = load_adr(ADRS[number])
            labels = labels_of(episode, number)
            found = retrieve(
                settings, adr, store, embedder, top_k=config.top_k, min_score=config.min_score, judge=False
            )
            findings = {c.id: found.findings.get(c.id, []) for c in adr.criteria}
            if judge is not None or picks is not None:
                pools = criterion_packets(settings, adr, store, embedder, config, episode)
                decided = _judged(pools, judge, picks)
                targets = [pools[c].target for c in decided]
                vectors = [pools[c].vector for c in decided]
                chosen = {c: [pools[c].passages[p.number - 1] for p in decided[c]] for c in decided}
                findings |= findings_of(settings, targets, vectors, chosen, embedder, decided)
            for criterion in adr.criteria:
                shown = findings[criterion.id]
                where = [paragraph_at(spans, (f.start + f.end) / 2) for f in shown]
                relevant = labels[criterion.id]
                grades = [relevant.get(p, 0) if p is not None else 0 for p in where]
                quotes = [f.text for f in shown]
                scored.append(Scored(number, episode, criterion.id, grades, where, relevant, quotes))
    return scored, facts


# -- the judge: packets out, picks in ------------------------------------------------------------
@dataclass
class Pool:
    """One criterion's candidates as the judge stage reads them (evaluate/judge.py), and its packet."""

    key: str  # episode/ADR/criterion: how a picks file names it
    target: Any
    vector: list[float]
    passages: list[Any]
    packet: Any


def criterion_packets(
    settings: Any, adr: Any, store: Any, embedder: Any, config: Config, episode: str
) -> dict[str, Pool]:
    """Each criterion's packet, exactly as the judge stage builds it (no scores, no labels)."""
    from joeladr.evaluate.judge import candidate_pool
    from joeladr.evaluate.targets import targets_of

    criteria = [t for t in targets_of(adr) if t.kind == "criterion"]
    vectors = embedder.embed([t.query for t in criteria])
    pools = {}
    for target, vector in zip(criteria, vectors, strict=True):
        passages, packet = candidate_pool(
            adr, target, vector, store, candidates=config.judge_candidates, top_k=config.top_k
        )
        pools[target.id] = Pool(f"{episode}/{adr.number_text}/{target.id}", target, vector, passages, packet)
    return pools


def _judged(pools: Mapping[str, Pool], judge: Any, picks: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """Criterion id -> the checked picks, for the criteria the judge (or the picks file) decided."""
    from joeladr.evaluate.judge import check_picks

    decided: dict[str, list[Any]] = {}
    if picks is not None:
        for criterion, pool in pools.items():
            if pool.key not in picks:
                raise SystemExit(f"the picks file has nothing for {pool.key}: judge every packet of what is scored")
            entry = picks[pool.key]
            if entry.get("packet_id") not in (None, pool.packet.packet_id):
                raise SystemExit(f"{pool.key}: its candidates changed since the packet was exported; export again")
            raw = [p if isinstance(p, dict) else {"candidate": p} for p in entry["picks"]]
            decided[criterion] = check_picks(pool.packet, {"picks": raw})
        return decided
    verdicts = judge.verdicts([pool.packet for pool in pools.values()])
    for (criterion, pool), verdict in zip(pools.items(), verdicts, strict=True):
        if verdict.picks is None:
            print(f"{pool.key}: {verdict.message}; the offline findings stand", file=sys.stderr)
            continue
        decided[criterion] = verdict.picks
    return decided


def export_packets(episodes: Sequence[str], config: Config, adrs: Sequence[str], folder: Path) -> int:
    """Every criterion's packet for a reader to judge: ``packets.jsonl`` (data), one Markdown file per episode
    and ADR (the prompt exactly as a model reads it), and ``picks-template.json`` to fill in."""
    from joeladr.adr.parse import load_adr
    from joeladr.engines import make_query_embedder, opened_store

    folder.mkdir(parents=True, exist_ok=True)
    template: dict[str, Any] = {"judge": "who judged (a reader's name, or a model)", "picks": {}}
    count = 0
    with (folder / "packets.jsonl").open("w", encoding="utf-8") as data:
        for episode in episodes:
            settings, _, _ = ingest(episode, config)
            embedder = make_query_embedder(settings)
            with opened_store(settings, embedder.dimension) as store:
                for number in adrs:
                    adr = load_adr(ADRS[number])
                    pools = criterion_packets(settings, adr, store, embedder, config, episode)
                    pages = [f"# {episode}, ADR-{number}: {len(pools)} criteria", "", JUDGING_GUIDE, ""]
                    for pool in pools.values():
                        data.write(json.dumps({"key": pool.key, **pool.packet.to_json()}, ensure_ascii=False) + "\n")
                        template["picks"][pool.key] = {"packet_id": pool.packet.packet_id, "picks": []}
                        pages += [
                            f"## {pool.key} ({pool.packet.packet_id})",
                            "",
                            "```text",
                            pool.packet.prompt(),
                            "```",
                            "",
                        ]
                        count += 1
                    (folder / f"{episode}-{number}.md").write_text("\n".join(pages), encoding="utf-8")
    (folder / "picks-template.json").write_text(json.dumps(template, indent=1, ensure_ascii=False) + "\n")
    return count


JUDGING_GUIDE = """Judge each criterion below as the prompt asks, without looking at bench/eval/labels/: the
candidate numbers you would cite, best first (at most the number asked), or none. Write them into
picks-template.json under the criterion's key (`"picks": [3, 1]`, or with stances:
`[{"candidate": 3, "supports": ["B"], "weakens": [], "why": "..."}]`; `[]` for none), then score the
file with `python bench/eval/harness.py --text --score-picks FILE` (the same episodes and ADRs)."""


SCORED = HERE / "scored-picks.json"  # picks file name -> its sha256 when first scored


def read_picks(path: Path) -> dict[str, Any]:
    """A picks file, refused if it changed since it was first scored (its hash is kept in scored-picks.json)."""
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    ledger = json.loads(SCORED.read_text()) if SCORED.is_file() else {}
    first = ledger.get(path.name)
    if first is not None and first["sha256"] != digest:
        raise SystemExit(
            f"{path.name} changed after it was first scored ({first['scored']}, sha256 {first['sha256'][:12]}): "
            "picks are frozen once scored; judge again into a new file"
        )
    data = json.loads(raw)
    if first is None:
        ledger[path.name] = {"sha256": digest, "scored": time.strftime("%Y-%m-%d"), "judge": data.get("judge", "")}
        SCORED.write_text(json.dumps(ledger, indent=1, sort_keys=True) + "\n")
    return dict(data["picks"])


# -- reporting ------------------------------------------------------------------------------
def summarize(rows: Sequence[Scored]) -> dict[str, Any]:
    with_rel = [r for r in rows if r.has_relevant]
    episodes = sorted({r.episode for r in rows})
    return {
        "criteria": len(rows),
        "top1": sum(r.top1() for r in rows),
        "p3": sum(r.p3() for r in rows),
        "p3_std": sum(r.p3_standard() for r in rows),
        "slots": 3 * len(rows),
        "mrr": round(statistics.fmean(r.reciprocal_rank() for r in with_rel), 3) if with_rel else None,
        "ndcg5": round(statistics.fmean(r.ndcg5() for r in with_rel), 3) if with_rel else None,
        "abstain_right": sum(r.top1() for r in rows if not r.has_relevant),
        "abstain_cases": sum(not r.has_relevant for r in rows),
        "per_talk_top1": round(sum(r.top1() for r in rows) / max(len(episodes), 1), 2),
        "per_talk_p3": round(sum(r.p3() for r in rows) / max(len(episodes), 1), 2),
    }


def table(rows: Sequence[Scored], facts: dict[str, dict[str, Any]], config: Config) -> str:
    lines = [f"### {'text only' if config.text else 'voiced + ' + (config.whisper or 'default whisper')}", ""]
    lines.append("| split | ADR | talks | top-1 | P@3 | P@3 std | MRR | nDCG@5 | abstained right |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    adrs = sorted({r.adr for r in rows})
    for split in SPLIT_NAMES:
        for adr in [*adrs, "all"] if len(adrs) > 1 else adrs:
            part = [r for r in rows if SPLITS[r.episode] == split and adr in (r.adr, "all")]
            if not part:
                continue
            s = summarize(part)
            talks = len({r.episode for r in part})
            lines.append(
                f"| {split} | {adr} | {talks} | {s['top1']}/{s['criteria']} ({s['per_talk_top1']}/talk) "
                f"| {s['p3']}/{s['slots']} ({s['per_talk_p3']}/talk) | {s['p3_std']}/{s['slots']} "
                f"| {s['mrr']} | {s['ndcg5']} | {s['abstain_right']}/{s['abstain_cases']} |"
            )
    lines += ["", "| episode | ADR | criterion | relevant | findings (grade@paragraph) | top-1 | P@3 |"]
    lines.append("|---|---|---|---|---|---|---|")
    for r in rows:
        shown = " ".join(f"{g}@{p}" for g, p in zip(r.grades, r.paragraphs, strict=True)) or "none"
        lines.append(
            f"| {r.episode} ({SPLITS[r.episode]}) | {r.adr} | {r.criterion} | {len(r.relevant)} | {shown} "
            f"| {r.top1()} | {r.p3()}/3 |"
        )
    voiced = {episode: f for episode, f in facts.items() if "wer" in f}  # text mode has no transcript to score
    if voiced:
        lines += [
            "",
            "| episode | audio min | ingest s | x real time | WER | ADR-term recall | glossary recall | most missed |",
        ]
        lines.append("|---|---|---|---|---|---|---|---|")
        for episode, f in voiced.items():
            rtf = f["audio_seconds"] / f["ingest_seconds"] if f.get("ingest_seconds") else 0
            missed = ", ".join(f"{t} ({n})" for n, t in f["missed"][:5])
            lines.append(
                f"| {episode} | {f['audio_seconds'] / 60:.1f} | {f['ingest_seconds']} | {rtf:.1f} "
                f"| {f['wer']:.1%} | {f.get('adr_term_recall', float('nan')):.2f} | {f['term_recall']:.2f} | {missed} |"
            )
    return "\n".join(lines)


def _model(name: str | None) -> str | None:
    """``base`` and ``mpnet``: the split PyPI packages joined (bench/eval/models.py); else the name as given."""
    if name not in ("base", "mpnet"):
        return name
    import models

    joined = models.whisper_base() if name == "base" else models.mpnet()
    if not joined.verified:
        print(f"note: {joined.path} does not match its published checksum: measured, not relied on", file=sys.stderr)
    return str(joined.path)


def _judge(model: str, config: Config) -> Any:
    """The judge stage for ``model``; its answers cached in bench/eval/.cache/judge (per model, prompt, candidates)."""
    from joeladr.evaluate.judge import Judge, JudgeProgress, LlmModel

    def show(step: JudgeProgress) -> None:
        if step.state != "asking":
            tokens = f" ({step.input_tokens} in, {step.output_tokens} out)" if step.input_tokens else ""
            print(f"  judge {step.done}/{step.total} {step.target}: {step.state}{tokens}", file=sys.stderr)

    return Judge(LlmModel(model), CACHE / "judge", candidates=config.judge_candidates, progress=show)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", action="store_true", help="reference text with synthetic times (no voice, no ASR)")
    parser.add_argument("--split", choices=[*SPLIT_NAMES, "all"], default="all")
    parser.add_argument("--episodes", nargs="*", help="only these episodes")
    parser.add_argument("--adrs", nargs="*", default=list(ADRS), help="ADR numbers to evaluate")
    parser.add_argument("--whisper", help="whisper model (name, folder, or base: the joined PyPI parts)")
    parser.add_argument("--vocabulary", default="adr:0064", help="adr:NNNN, none, or terms (default adr:0064)")
    parser.add_argument("--prompt", action="store_true", help="prime with initial_prompt instead of hotwords")
    parser.add_argument("--embedding", help="embedding model (name, folder, or mpnet: the joined PyPI parts)")
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--min-score", type=float, help="relevance floor (default: joeladr's for the model)")
    parser.add_argument("--chunk-words", type=int, help="chunk size in words (default: joeladr's, 25)")
    parser.add_argument("--neighbour-weight", type=float, help="retrieval ablation: joeladr's NEIGHBOUR_WEIGHT")
    parser.add_argument("--keyword-weight", type=float, help="retrieval ablation: joeladr's KEYWORD_WEIGHT")
    parser.add_argument("--subject-floor", type=float, help="silence ablation: a talk's closeness to the ADR's subject")
    parser.add_argument(
        "--first-floor", type=float, help="silence ablation: a criterion's best passage, on-subject talk"
    )
    parser.add_argument("--off-subject-floor", type=float, help="silence ablation: any passage of an off-subject talk")
    parser.add_argument("--words-stand-out", type=float, help="silence ablation: BM25 z that earns the first floor")
    parser.add_argument("--json", type=Path, help="write the rows and facts here")
    judging = parser.add_mutually_exclusive_group()
    judging.add_argument("--judge", metavar="MODEL", help="the judge stage with this `llm` model (its key from llm)")
    judging.add_argument("--export-judging", metavar="DIR", type=Path, help="write the packets a judge reads, stop")
    judging.add_argument("--score-picks", metavar="FILE", type=Path, help="score a reader's picks of those packets")
    parser.add_argument("--judge-candidates", type=int, default=20, help="candidates per criterion a judge reads")
    args = parser.parse_args(argv)
    # retrieval only, so the cached ingest stays valid; set on every call (run.py calls main() repeatedly)
    retrieval.NEIGHBOUR_WEIGHT = _DEFAULT_WEIGHTS[0] if args.neighbour_weight is None else args.neighbour_weight
    retrieval.KEYWORD_WEIGHT = _DEFAULT_WEIGHTS[1] if args.keyword_weight is None else args.keyword_weight
    subject_floors, default_subject, first, off_subject, words = _DEFAULT_SILENCE
    retrieval.SUBJECT_FLOORS = {} if args.subject_floor is not None else dict(subject_floors)
    retrieval.DEFAULT_SUBJECT_FLOOR = default_subject if args.subject_floor is None else args.subject_floor
    retrieval.FIRST_FLOOR = first if args.first_floor is None else args.first_floor
    retrieval.OFF_SUBJECT_FLOOR = off_subject if args.off_subject_floor is None else args.off_subject_floor
    retrieval.WORDS_STAND_OUT = words if args.words_stand_out is None else args.words_stand_out
    config = Config(
        args.text,
        _model(args.whisper),
        args.vocabulary,
        args.prompt,
        _model(args.embedding),
        args.top_k,
        chunk_words=args.chunk_words,
        min_score=args.min_score,
        judge_candidates=args.judge_candidates,
    )
    episodes = args.episodes or [e for e, s in SPLITS.items() if args.split in ("all", s)]
    if args.export_judging:
        count = export_packets(episodes, config, args.adrs, args.export_judging)
        print(f"{count} packets ({len(episodes)} episodes x ADRs {', '.join(args.adrs)}) in {args.export_judging}")
        return 0
    picks = read_picks(args.score_picks) if args.score_picks else None
    judge = _judge(args.judge, config) if args.judge else None
    rows: list[Scored] = []
    facts: dict[str, dict[str, Any]] = {}
    for episode in episodes:
        scored, facts[episode] = evaluate_episode(episode, config, args.adrs, judge=judge, picks=picks)
        rows += scored
    print(table(rows, facts, config))
    if judge is not None:
        print(f"\njudge {judge.model.model_id}: {judge.calls} answers asked (the rest from the cache)")
    if args.score_picks:
        digest = hashlib.sha256(args.score_picks.read_bytes()).hexdigest()
        print(f"\npicks: {args.score_picks.name} (sha256 {digest[:12]}), judged from the exported packets")
    if args.json:
        args.json.write_text(
            json.dumps({"config": config.__dict__, "rows": [r.__dict__ for r in rows], "facts": facts}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
