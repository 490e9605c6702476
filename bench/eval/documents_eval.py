"""Evidence quality on documents: the evalset's episodes as an HTML article and an arXiv-style PDF.

Each episode is published by ``bench/eval/documents.py`` (every labelled paragraph one paragraph of the
article, in order, whole; numbered sections; the PDF printed from it by Chromium), ingested as a local file
through joeladr's own pipeline (trafilatura or pypdf, paragraph chunks, all-MiniLM-L6-v2, Qdrant Edge), and
evaluated for the bench ADRs (0064 in adrs/, 0901-0903 in bench/eval/adrs/) with evaluate's retrieval. Each
finding's quote is mapped back to the labelled paragraph it is from (``documents.paragraph_of``: the one that
holds its middle word, as the harness takes the paragraph under a finding's midpoint) and scored with the
labels and the metrics of ``bench/eval/harness.py`` (``Scored``, ``summarize``, ``labels_of``: imported,
not copied). Beside it, the same episodes in the harness's text mode (the reference paragraphs as a talk
with synthetic times, chunked as speech), so speech and documents are compared on the same labels.

    python bench/eval/documents_eval.py --split dev --formats html pdf --target-words 20 30 60 \
        --max-words 30 45 60 90 180                                   # choose the chunk size, on dev only
    python bench/eval/documents_eval.py --split dev held fresh          # then report, at joeladr's default

The document chunk size (``DocumentChunkSpec``: short paragraphs join until ``target_words``, a paragraph
over ``max_words`` is cut at sentences into runs of about equal size) is chosen on ``dev`` only; ``held``
and ``fresh`` are reported at joeladr's default. Everything is cached in ``bench/eval/.cache/documents/`` (the
published files, one workspace per episode, format and chunk size); the text mode's workspaces are the
harness's own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import harness  # noqa: E402
from documents import Published, paragraph_of, publish  # noqa: E402
from paragraphs import TRANSCRIPTS, paragraphs  # noqa: E402

CACHE = HERE / ".cache" / "documents"
SPLITS = {
    "dev": ["the-changelog-258", "js-party-230"],
    "held": ["the-changelog-439", "the-changelog-588"],
    "fresh": ["backstage-23", "js-party-295", "ship-it-51", "the-changelog-402"],
}
ADRS = {
    "0064": ROOT / "adrs" / "0064-elixir-beam-evaluation.md",
    "0901": HERE / "adrs" / "0901-message-broker-for-the-event-bus.md",
    "0902": HERE / "adrs" / "0902-language-for-new-backend-services.md",
    "0903": HERE / "adrs" / "0903-durable-workflow-engine.md",
}
FORMATS = ("text", "html", "pdf")
PIPELINE = "1"  # bump when joeladr's document ingest changes what a cached workspace holds
SECTION_SIZE = 10  # paragraphs per numbered section (the PDF's outline entries)

Locate = Callable[[Any], int | None]  # a finding -> the labelled paragraph it is from


# -- the episodes as documents ---------------------------------------------------------------------
def published(episode: str) -> Published:
    """The episode as ``EPISODE.html`` and ``EPISODE.pdf`` (cached: printing takes Chromium a few seconds)."""
    out = CACHE / "published"
    page, pdf = out / f"{episode}.html", out / f"{episode}.pdf"
    if page.is_file() and pdf.is_file():
        return Published(page, pdf, paragraphs(TRANSCRIPTS / f"{episode}.md"))
    return publish(episode, out, section_size=SECTION_SIZE)


def _settings(root: Path) -> Any:
    from joeladr.settings import resolve_settings

    root.mkdir(parents=True, exist_ok=True)
    return resolve_settings(
        cwd=root, env={}, overrides={"home": root / "home", "vault": root / "vault", "adr_dir": root / "adrs"}
    )


def document_workspace(episode: str, form: str, spec: Any, embedder: Any) -> Any:
    """A workspace holding the episode as one document (``form``: html or pdf), ingested as a local file."""
    from joeladr.catalog import Catalog
    from joeladr.ingest.download import YtDlpDownloader
    from joeladr.ingest.inputs import SourceRef
    from joeladr.ingest.pipeline import Ingestor

    key = hashlib.sha256(f"{episode}|{form}|{spec.key}|{PIPELINE}".encode()).hexdigest()[:10]
    settings = _settings(CACHE / "workspaces" / f"{episode}-{form}-{spec.target_words}-{spec.max_words}-{key}")
    if Catalog(settings.home).all():
        return settings
    done = published(episode)
    path = done.html if form == "html" else done.pdf
    assert path is not None
    from joeladr.engines import make_transcriber, store_on_demand

    with store_on_demand(settings, lambda: embedder.dimension) as store:
        ingestor = Ingestor(
            settings,
            downloader=YtDlpDownloader(),
            transcriber=make_transcriber(settings),  # never loaded: a document is read, not transcribed
            embedder=embedder,
            store=store,
            document_chunking=spec,
        )
        results, failures = ingestor.run([SourceRef("file", str(path))])
    if failures:
        raise SystemExit(f"{episode} ({form}): {failures[0].error.message}")
    print(f"  ingested {episode} as {form}: {results[0].chunks} chunks", file=sys.stderr)
    return settings


# -- retrieval, scored against the labels --------------------------------------------------------------
def query_embedder() -> Any:
    """Evaluate's query path: the ONNX export of all-MiniLM-L6-v2 (one export for every workspace)."""
    from joeladr.embed.onnx import load
    from joeladr.embed.transformer import SentenceTransformerEmbedder
    from joeladr.engines import export_query_model

    settings = _settings(CACHE / "query")
    model = Path(SentenceTransformerEmbedder(settings.embedding_model).model)
    exported = load(settings.home, model)
    if exported is None:
        export_query_model(settings, SentenceTransformerEmbedder(settings.embedding_model))
        exported = load(settings.home, model)
    if exported is None:
        raise SystemExit("the ONNX export of the embedding model failed")
    return exported


def scored(
    settings: Any, episode: str, adrs: Sequence[str], embedder: Any, locate: Locate, min_score: float | None = None
) -> list[harness.Scored]:
    """Every criterion of ``adrs``: evaluate's findings in this workspace, graded by the episode's labels."""
    from joeladr.adr.parse import load_adr
    from joeladr.engines import opened_store
    from joeladr.evaluate.run import retrieve

    rows = []
    with opened_store(settings, embedder.dimension) as store:
        for number in adrs:
            adr = load_adr(ADRS[number])
            labels = harness.labels_of(episode, number)
            found = retrieve(settings, adr, store, embedder, top_k=5, min_score=min_score)
            for criterion in adr.criteria:
                findings = found.findings.get(criterion.id, [])
                where = [locate(f) for f in findings]
                relevant = labels[criterion.id]
                grades = [relevant.get(p, 0) if p is not None else 0 for p in where]
                rows.append(
                    harness.Scored(number, episode, criterion.id, grades, where, relevant, [f.text for f in findings])
                )
    return rows


def run_episode(
    episode: str,
    form: str,
    spec: Any,
    adrs: Sequence[str],
    ingest_embedder: Any,
    embedder: Any,
    min_score: float | None = None,
) -> list[harness.Scored]:
    if form == "text":  # the harness's text mode, its own cached workspace
        settings, spans, _ = harness.ingest(episode, harness.Config(text=True))
        return scored(
            settings, episode, adrs, embedder, lambda f: harness.paragraph_at(spans, (f.start + f.end) / 2), min_score
        )
    items = paragraphs(TRANSCRIPTS / f"{episode}.md")
    settings = document_workspace(episode, form, spec, ingest_embedder)
    document = _document(settings)

    def locate(finding: Any) -> int | None:
        """The paragraph the quote is from; a quote too short to tell (three "Yeah."s) by the paragraph it sits in."""
        found = paragraph_of(finding.text, items)
        if found is None and finding.location is not None:
            found = paragraph_of(document.paragraphs[finding.location.paragraph - 1].text, items)
        return found

    return scored(settings, episode, adrs, embedder, locate, min_score)


def _document(settings: Any) -> Any:
    """The document as the ingest read it (cached in its source folder)."""
    from joeladr.cache import read_entry
    from joeladr.catalog import Catalog
    from joeladr.document import Document

    catalog = Catalog(settings.home)
    folder = catalog.folder(catalog.all()[0].source_id)
    entry = read_entry(next(folder.glob("document-*.json")))
    if not isinstance(entry, dict):
        raise SystemExit(f"{folder}: the cached document is unreadable: delete the workspace and run again")
    return Document.from_json(entry)


# -- reporting -----------------------------------------------------------------------------------------
def _cell(rows: Sequence[harness.Scored]) -> str:
    s = harness.summarize(rows)
    found = s["top1"] - s["abstain_right"]
    return (
        f"{s['top1']}/{s['criteria']} | {found}/{s['criteria'] - s['abstain_cases']} "
        f"| {s['abstain_right']}/{s['abstain_cases']} | {s['p3']}/{s['slots']} | {s['p3_std']}/{s['slots']} "
        f"| {s['mrr']} | {s['ndcg5']} | {sum(len(r.grades) for r in rows) / max(len(rows), 1):.2f} |"
    )


def table(results: dict[tuple[str, str, str], list[harness.Scored]], adrs: Sequence[str]) -> str:
    """One line per split, chunk size, format and ADR (and all ADRs together). top-1 is split into its two
    halves: a relevant first finding where the episode has relevant paragraphs, silence where it has none."""
    lines = [
        "| split | chunk words (join to / cut over) | as | ADR | top-1 | relevant first | silent right "
        "| P@3 | P@3 std | MRR | nDCG@5 | findings per criterion |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (split, form, size), rows in results.items():
        for number in adrs:
            lines.append(f"| {split} | {size} | {form} | {number} | {_cell([r for r in rows if r.adr == number])}")
        lines.append(f"| {split} | {size} | {form} | **all** | {_cell(rows)}")
    return "\n".join(lines)


def _size(spec: Any) -> str:
    return "speech: 25" if spec is None else f"{spec.target_words}/{spec.max_words}"


def main(argv: Sequence[str] | None = None) -> int:
    from joeladr.embed.transformer import SentenceTransformerEmbedder
    from joeladr.ingest.chunking import DocumentChunkSpec

    default = DocumentChunkSpec()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", nargs="+", choices=list(SPLITS), default=["dev"])
    parser.add_argument("--episodes", nargs="*", help="only these episodes")
    parser.add_argument("--adrs", nargs="*", default=list(ADRS), choices=list(ADRS))
    parser.add_argument("--formats", nargs="*", default=list(FORMATS), choices=FORMATS)
    parser.add_argument(
        "--target-words", nargs="+", type=int, default=[default.target_words], help="join short paragraphs to N words"
    )
    parser.add_argument(
        "--max-words", nargs="+", type=int, default=[default.max_words], help="cut a paragraph over N words"
    )
    parser.add_argument("--min-score", type=float, help="relevance floor (default: joeladr's for the model)")
    parser.add_argument("--json", type=Path, help="write every row here")
    args = parser.parse_args(argv)
    specs = [
        DocumentChunkSpec(target, most) for most in args.max_words for target in args.target_words if target <= most
    ]
    ingest_embedder = SentenceTransformerEmbedder(_settings(CACHE / "query").embedding_model)
    embedder = query_embedder()
    results: dict[tuple[str, str, str], list[harness.Scored]] = {}
    for split in args.split:
        episodes = [e for e in SPLITS[split] if not args.episodes or e in args.episodes]
        for form in args.formats:
            for spec in [None] if form == "text" else specs:
                results[(split, form, _size(spec))] = [
                    row
                    for episode in episodes
                    for row in run_episode(episode, form, spec, args.adrs, ingest_embedder, embedder, args.min_score)
                ]
    print(table(results, args.adrs))
    if args.json:
        rows = [
            {"split": s, "as": f, "chunks": c, "rows": [r.__dict__ for r in rows]}
            for (s, f, c), rows in results.items()
        ]
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
