"""Evaluate in three explicit steps: retrieve findings, merge them into the note, score the note.

``joeladr evaluate`` runs :func:`retrieve` then :func:`update_note`; ``joeladr finding``
edits a line through :func:`update_note`; ``decide`` reads :func:`current_evaluation`,
which writes nothing. The note is the user's: what they ticked, rejected and annotated
there is what gets scored.

The note lists findings by id; what each finding *is* (its source, time, quote and score) is
kept beside the note in the vault, ``ADR-NNNN evaluation.json`` (:func:`state_path_for`), so a
teammate who clones the ADRs and the vault gets the same matrix with the same curated findings,
whether or not they have the cache. A line whose finding that file does not know is reported,
never dropped silently from the matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from joeladr.adr.model import Adr
from joeladr.atomic import Snapshot, atomic_write_text, read_text
from joeladr.cache import read_entry
from joeladr.catalog import Catalog
from joeladr.embed import Embedder
from joeladr.errors import EvaluationError, WriteConflict
from joeladr.evaluate import matrix as mx
from joeladr.evaluate.findings import Evaluation, Finding
from joeladr.evaluate.judge import Judge, Pick, candidate_pool, summary
from joeladr.evaluate.note import (
    FindingMark,
    NoteContent,
    TargetSettings,
    finish_note,
    merge_findings,
    relocate_marks,
)
from joeladr.evaluate.targets import Target, targets_of
from joeladr.faults import checkpoint
from joeladr.location import Location, link_to
from joeladr.locking import workspace_lock
from joeladr.retrieve import (
    Passage,
    find_passages,
    learned_silence,
    relevance_floor,
    subject_text,
    trim_quotes,
)
from joeladr.settings import Settings
from joeladr.store import VectorStore

STATE_FORMAT = "joeladr-evaluation"


class ChartHook(Protocol):
    """The note's charts, drawn by the report package (passed in, so evaluate never imports it)."""

    def embeds(self, evaluation: Evaluation) -> str:
        """The note's charts block: an embed per chart (cheap: nothing is drawn)."""
        ...

    def refresh(self, evaluation: Evaluation) -> None:
        """Draw the chart files, after the note is written (a failure is the hook's to report)."""
        ...


def note_path_for(settings: Settings, adr: Adr) -> Path:
    return settings.decisions_dir / f"{adr.label} evaluation.md"


def state_path_for(settings: Settings, adr: Adr) -> Path:
    """What each finding of the note is (source, time, quote, score), beside the note: it travels with the vault."""
    return settings.decisions_dir / f"{adr.label} evaluation.json"


def _cached_state_path(settings: Settings, adr: Adr) -> Path:
    """Where joeladr 0.1 kept the same, in the cache (read when the vault has none yet)."""
    return settings.home / "evaluations" / f"{adr.label}.json"


def read_state(settings: Settings, adr: Adr) -> dict[str, Any]:
    """The finding records and the ids ever listed; empty when there are none yet."""
    import json

    path = state_path_for(settings, adr)
    if path.exists():
        try:
            data = json.loads(read_text(path))
        except ValueError as exc:
            raise EvaluationError(
                f"{path} is not valid JSON: {exc}",
                hint="restore it from git (it holds what each finding of the note is), or delete it and evaluate again",
                path=path,
            ) from None
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise EvaluationError(f"{path} is not joeladr's evaluation record", path=path)
        return {"findings": dict(data.get("findings") or {}), "known": list(data.get("known") or [])}
    legacy = read_entry(_cached_state_path(settings, adr))
    return legacy if isinstance(legacy, dict) else {}


def _write_state(settings: Settings, adr: Adr, state: dict[str, Any]) -> None:
    import json

    data = {"format": STATE_FORMAT, "version": 1, "adr": adr.label, **state}
    atomic_write_text(
        state_path_for(settings, adr), json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    )


class Unread:
    """Marks a note the caller has not read (``None`` means there is no note)."""


UNREAD = Unread()


@dataclass
class Retrieved:
    """Step 1's result: the best findings per target, and what the user should know about them."""

    findings: dict[str, list[Finding]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def retrieve(
    settings: Settings,
    adr: Adr,
    store: VectorStore,
    embedder: Embedder,
    *,
    top_k: int | None = None,
    min_score: float | None = None,
    source_ids: Sequence[str] | None = None,
    judge: Judge | Literal[False] | None = None,
) -> Retrieved:
    """Step 1: the best passages of the ingested talks for every target of the ADR.

    ``judge``: the judge stage (None: the one ``[evaluate] judge`` names, if any; False: none). Where it
    gives a usable answer its picks are the target's findings, each with its suggested stance; where it
    does not, the offline findings stand for that target and a message says why.
    """
    if not adr.criteria:
        raise EvaluationError(
            f"{adr.label} has no evaluation criteria (an 'Evaluation Criteria' or 'Decision Drivers' list)",
            hint="add the criteria to the ADR, then run evaluate again",
        )
    if judge is None:
        judge = Judge.of(settings)  # before the retrieval: an unknown model fails at once
    targets = targets_of(adr)
    vectors = embedder.embed([t.query for t in targets])
    if not store.nearest(vectors[0], 1):
        return Retrieved(
            messages=[
                "nothing has been ingested yet: run `joeladr ingest --adr "
                f"{adr.number_text}` (or ingest any talk), then evaluate again"
            ]
        )
    limit = top_k or settings.top_k
    chosen: dict[str, list[Passage]] = {}
    picks: dict[str, list[Pick]] = {}
    messages: list[str] = []
    if judge:
        pools = [
            candidate_pool(adr, target, vector, store, candidates=judge.candidates, top_k=limit, source_ids=source_ids)
            for target, vector in zip(targets, vectors, strict=True)
        ]
        verdicts = judge.verdicts([packet for _, packet in pools])
        for target, (passages, _), verdict in zip(targets, pools, verdicts, strict=True):
            if verdict.picks is None:
                messages.append(f"judge: '{target.name}': {verdict.message}; the offline findings stand for it")
                continue
            picks[target.id] = verdict.picks
            chosen[target.id] = [passages[pick.number - 1] for pick in verdict.picks]
            if not verdict.picks and target.kind == "criterion":
                messages.append(
                    f"nothing relevant found for '{target.name}': the judge cited none of its "
                    f"{len(passages)} candidates"
                )
        messages.append(summary(judge.model.model_id, verdicts))
    offline = [(t, v) for t, v in zip(targets, vectors, strict=True) if t.id not in picks]  # the judge's unjudged
    explicit = min_score if min_score is not None else settings.min_score
    floor = explicit if explicit is not None else relevance_floor(embedder.model_name)
    silence = None  # a floor the user set decides alone; else silence is learned from the talks (retrieve.py)
    if explicit is None and offline:
        subject = embedder.embed([subject_text(adr.title, adr.context)])[0]
        silence = learned_silence(store, subject, embedder.model_name)
    for target, vector in offline:
        chosen[target.id] = find_passages(
            store,
            vector,
            target.query,
            limit=limit,
            min_score=floor,
            source_ids=source_ids,
            silence=silence if target.kind == "criterion" else None,
        )
    found = findings_of(settings, targets, vectors, chosen, embedder, picks)
    why = (
        f"no passage reached the relevance floor ({floor:.2f})"
        if silence is None
        else "no passage of the ingested talks comes close enough to it"
    )
    messages[:0] = [
        f"nothing relevant found for '{t.name}': {why}"
        for t in targets
        if t.kind == "criterion" and not found[t.id] and t.id not in picks
    ]
    checkpoint("retrieved")
    return Retrieved(found, messages)


def findings_of(
    settings: Settings,
    targets: Sequence[Target],
    vectors: Sequence[list[float]],
    chosen: Mapping[str, Sequence[Passage]],
    embedder: Embedder,
    picks: Mapping[str, Sequence[Pick]] | None = None,
) -> dict[str, list[Finding]]:
    """Each target's passages as findings: the quote cut for its query, and a judge's suggestion if it picked them."""
    notes = {r.source_id: r.note_name for r in Catalog(settings.home).all()}
    items = [(p, vector) for target, vector in zip(targets, vectors, strict=True) for p in chosen.get(target.id, [])]
    quotes = iter(trim_quotes(items, embedder))
    found: dict[str, list[Finding]] = {}
    for target in targets:
        judged = (picks or {}).get(target.id)
        found[target.id] = []
        for rank, passage in enumerate(chosen.get(target.id, []), start=1):
            quote = next(quotes)
            pick = judged[rank - 1] if judged is not None else None
            found[target.id].append(
                Finding(
                    id=passage.finding_id(target.id),
                    target=target.id,
                    source_id=passage.source_id,
                    title=passage.title,
                    note_name=notes.get(passage.source_id),
                    url=link_to(passage.url, passage.video_id, quote.start, quote.location, quote.text),
                    start=quote.start,
                    end=quote.end,
                    text=quote.text,
                    score=passage.score,
                    location=quote.location,
                    note=pick.why if pick else "",
                    suggests_supports=list(pick.supports) if pick else [],
                    suggests_weakens=list(pick.weakens) if pick else [],
                    rank=rank if pick else None,
                )
            )
    return found


def evaluate(
    settings: Settings,
    adr: Adr,
    store: VectorStore,
    embedder: Embedder,
    *,
    top_k: int | None = None,
    min_score: float | None = None,
    source_ids: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    must_have: Sequence[str] = (),
    charts: ChartHook | None = None,
    judge: Judge | Literal[False] | None = None,
) -> Evaluation:
    """What ``joeladr evaluate`` does: :func:`retrieve` (``judge`` as there), then :func:`update_note` (which
    scores)."""
    check_criteria_names(adr, [*(weights or {}), *must_have])  # before the retrieval, not after
    found = retrieve(
        settings, adr, store, embedder, top_k=top_k, min_score=min_score, source_ids=source_ids, judge=judge
    )
    return update_note(settings, adr, found, weights=weights, must_have=must_have, charts=charts)


def update_note(
    settings: Settings,
    adr: Adr,
    retrieved: Retrieved | None = None,
    *,
    weights: Mapping[str, float] | None = None,
    must_have: Sequence[str] = (),
    edit: Callable[[str], str] | None = None,
    charts: ChartHook | None = None,
) -> Evaluation:
    """Step 2: merge new findings (and ``edit``, a change to the note's text) into the note; score; write.

    Holds the workspace lock from reading to writing, so two writers never lose each other's
    edit; if another program (the user's editor) saves the note in between, the merge starts
    again from their version. ``charts`` (weights and must-haves are checked by the caller's
    request) adds the chart embeds to the note and draws the files once the note is written.
    """
    check_criteria_names(adr, [*(weights or {}), *must_have])
    targets = targets_of(adr)
    note_path = note_path_for(settings, adr)
    with workspace_lock(settings):
        state = read_state(settings, adr)
        records: dict[str, dict[str, Any]] = dict(state.get("findings", {}))
        fresh = retrieved.findings if retrieved else {}
        for target_findings in fresh.values():
            for finding in target_findings:
                records[finding.id] = finding.record()
        known = set(state.get("known", []))
        for _attempt in range(3):
            existing = read_text(note_path) if note_path.exists() else None
            start = edit(existing) if edit is not None and existing is not None else existing
            text, content = merge_findings(
                start, adr, targets, fresh, known=known, weights=weights, must_have=must_have, where=str(note_path)
            )
            evaluation = score(adr, targets, content, records, note_path)
            text = finish_note(text, evaluation, str(note_path), charts.embeds(evaluation) if charts else "")
            if relocate_marks(content, text):  # the matrix above grew or shrank: name the lines as written
                evaluation.messages = note_messages(targets, content, records, note_path)
            if text == existing:
                break
            checkpoint("merged")
            try:
                atomic_write_text(note_path, text, expected=Snapshot.of_text(existing))
            except WriteConflict:
                continue  # the user saved the note meanwhile: merge again, from their version
            break
        else:
            raise EvaluationError(
                f"{note_path.name} kept changing while joeladr updated it",
                hint="save your edits, then run the command again",
            )
        listed = known | {f.id for fs in evaluation.findings.values() for f in fs}
        new_state = {"findings": records, "known": sorted(listed)}
        if new_state != state or not state_path_for(settings, adr).exists():
            _write_state(settings, adr, new_state)
        if charts is not None:
            charts.refresh(evaluation)  # after the note and the state: a chart that fails to draw loses no curation
    if retrieved:
        evaluation.messages = [*retrieved.messages, *evaluation.messages]
    return evaluation


def current_evaluation(settings: Settings, adr: Adr, *, note: str | Unread | None = UNREAD) -> Evaluation:
    """Step 3 alone: the evaluation as the note says it now (writes nothing; ``decide`` reads this).
    ``note``: the note's text when the caller has read it already (None: there is no note)."""
    targets = targets_of(adr)
    note_path = note_path_for(settings, adr)
    state = read_state(settings, adr)
    if isinstance(note, Unread):
        note = read_text(note_path) if note_path.exists() else None
    known = set(state.get("known", []))
    _, content = merge_findings(note, adr, targets, {}, known=known, where=str(note_path))
    return score(adr, targets, content, state.get("findings", {}), note_path)


def score(
    adr: Adr,
    targets: Sequence[Target],
    content: NoteContent,
    records: Mapping[str, Mapping[str, Any]],
    note_path: Path,
) -> Evaluation:
    """Step 3: the findings as the note marks them, and the matrix their curation implies."""
    options = [o.id for o in adr.options]
    findings = {t.id: _findings_for(t, content.marks.get(t.id, []), records) for t in targets}
    criteria = [t.id for t in targets if t.kind == "criterion"]
    settings = {c: content.settings.get(c) or TargetSettings() for c in criteria}
    matrix = mx.build(
        options,
        criteria,
        {c: settings[c].weight for c in criteria},
        {c: derived_scores(findings[c], settings[c], options) for c in criteria},
        [c for c in criteria if settings[c].must_have],
    )
    return Evaluation(
        adr, note_path, list(targets), findings, matrix, note_messages(targets, content, records, note_path)
    )


def note_messages(
    targets: Sequence[Target], content: NoteContent, records: Mapping[str, Any], note_path: Path
) -> list[str]:
    """What the user should fix in the note, naming the line: a finding joeladr has no record of, an option
    list that is not one."""
    marks = [mark for t in targets for mark in content.marks.get(t.id, [])]
    unknown = [
        f"{note_path.name}, line {mark.line + 1}: joeladr has no record of finding {mark.id} "
        f"(not in {note_path.with_suffix('.json').name}), so it is not scored"
        for mark in marks
        if mark.id not in records
    ]
    return unknown + [f"{note_path.name}, line {mark.line + 1}: {mark.problem}" for mark in marks if mark.problem]


def derived_scores(findings: Sequence[Finding], settings: TargetSettings, options: Sequence[str]) -> dict[str, int]:
    """A score the user set wins; else +1 per accepted finding that supports, -1 per one that weakens."""
    accepted = [f for f in findings if f.status == "accepted"]
    return {
        option: settings.scores[option]
        if option in settings.scores
        else mx.derive_score(sum(option in f.supports for f in accepted), sum(option in f.weakens for f in accepted))
        for option in options
    }


def _findings_for(target: Target, marks: list[FindingMark], records: Mapping[str, Mapping[str, Any]]) -> list[Finding]:
    found = []
    for mark in marks:
        record = records.get(mark.id)
        if record is None:
            continue  # reported by score(): a line copied from elsewhere, or a record file lost
        found.append(
            Finding(
                id=mark.id,
                target=target.id,
                source_id=record["source_id"],
                title=record["title"],
                note_name=record.get("note_name"),
                url=record.get("url"),
                start=record["start"],
                end=record["end"],
                text=record["text"],
                score=record["score"],
                status=mark.status,
                supports=mark.supports,
                weakens=mark.weakens,
                note=mark.note,
                location=Location.from_json(record.get("location")),
                suggests_supports=mark.suggests_supports,
                suggests_weakens=mark.suggests_weakens,
                rank=record.get("rank"),
            )
        )
    return sorted(found, key=lambda f: (f.rank is None, f.rank or 0, -f.score, f.source_id, f.start))


def check_criteria_names(adr: Adr, names: Sequence[str]) -> None:
    """Refuse a weight or must-have for a criterion the ADR does not have."""
    criterion_ids = {c.id for c in adr.criteria}
    for name in names:
        if name not in criterion_ids:
            raise EvaluationError(
                f"{adr.label} has no criterion '{name}'", hint="criteria: " + ", ".join(c.id for c in adr.criteria)
            )
