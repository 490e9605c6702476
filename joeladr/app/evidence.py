"""Evidence commands: ingest, search, sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joeladr.app import checks
from joeladr.app.workspace import Workspace
from joeladr.errors import IngestError, InvalidRequest, JoeladrError, UsageError

if TYPE_CHECKING:
    from joeladr.adr.model import Adr
    from joeladr.catalog import SourceRecord
    from joeladr.ingest.citations import Skipped
    from joeladr.ingest.inputs import SourceRef
    from joeladr.ingest.pipeline import IngestFailure, IngestResult
    from joeladr.retrieve import SearchHit

CAPTION_MODES = ("prefer", "only", "never")
FEED_LIMIT = (1, 1000)


def known_sources(workspace: Workspace, source_ids: tuple[str, ...]) -> None:
    """Refuse a source id nobody ingested (a filter on it would silently find nothing)."""
    catalog = workspace.catalog
    for source_id in source_ids:
        if catalog.get(source_id) is None:
            raise InvalidRequest(
                "source_ids", f"names '{source_id}', which has not been ingested", hint="list the sources to see them"
            )


# -- ingest ------------------------------------------------------------------------------------
@dataclass
class IngestRun:
    """What an ingest did: each source ingested, each input that failed, each citation it skipped (and why)."""

    results: list[IngestResult]
    failures: list[IngestFailure]
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def failed(self) -> JoeladrError | None:
        """The error to end with when every input failed (the first one's, when it was the only one)."""
        if self.results or not self.failures:
            return None
        first = self.failures[0].error
        if len(self.failures) == 1:
            return first
        error = IngestError(f"every input failed ({len(self.failures)}); the first: {first.message}", hint=first.hint)
        error.exit_code = first.exit_code
        return error

    def to_json(self) -> dict[str, Any]:
        """The object ``joeladr ingest --json`` prints."""
        return {
            "ingested": [
                {
                    "source_id": r.source_id,
                    "title": r.title,
                    "note": str(r.note),
                    "chunks": r.chunks,
                    "transcript": r.transcript_origin,
                    "changed": r.changed,
                    "steps": r.steps,
                }
                for r in self.results
            ],
            "failed": [
                {"input": f.input, "error": f.error.message, **({"hint": f.error.hint} if f.error.hint else {})}
                for f in self.failures
            ],
            "skipped": [s.to_json() for s in self.skipped],
        }


@dataclass(frozen=True)
class Ingest:
    """``ingest``: download, transcribe, embed into the store and write a vault note, per source.

    ``inputs``: URLs, video ids, files (relative to the workspace's base); ``adr``: also every
    source its Source Material names, and its domain words prime the recognizer. Each source
    stands alone: one failing does not stop the rest (:attr:`IngestRun.failed` says when all did).
    """

    inputs: tuple[str, ...] = ()
    adr: str | None = None
    captions: str = "prefer"
    word_timestamps: bool = False
    force: bool = False
    cookies: Path | None = None
    cookies_from_browser: str | None = None
    allow_file_urls: bool = False
    vocabulary: str | None = None
    limit: int | None = None  # episodes of a podcast feed, newest first (None: every one)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(self.inputs))
        if self.adr is not None:
            object.__setattr__(self, "adr", checks.adr_ref(self.adr))
        checks.choice("captions", self.captions, CAPTION_MODES)
        if self.limit is not None:
            checks.whole_number("limit", self.limit, *FEED_LIMIT)
        if not self.inputs and self.adr is None:
            raise UsageError("nothing to ingest", hint="give a URL, a video id or a file, or an ADR")

    def run(self, workspace: Workspace) -> IngestRun:
        from joeladr.engines import export_query_model, make_transcriber
        from joeladr.ingest.download import DownloadLimits, YtDlpDownloader
        from joeladr.ingest.pipeline import IngestFailure, Ingestor
        from joeladr.vocabulary import primed_vocabulary, priming_off

        settings = workspace.settings
        adr = workspace.adr(self.adr) if self.adr else None
        refs, skipped = self.sources(workspace, adr)
        embedder = workspace.engines.embedder
        with workspace.engines.store_on_demand() as get_store:
            ingestor = Ingestor(
                settings,
                downloader=YtDlpDownloader(
                    cookies=self.cookies,
                    cookies_from_browser=self.cookies_from_browser,
                    allow_file_urls=self.allow_file_urls,
                    limits=DownloadLimits.of(settings),
                    cache_dir=settings.home / "yt-dlp",
                    warn=workspace.warn,
                ),
                transcriber=make_transcriber(
                    settings,
                    word_timestamps=self.word_timestamps,
                    vocabulary=primed_vocabulary(settings, adr, self.vocabulary),
                    priming=not priming_off(settings, self.vocabulary),
                ),
                embedder=embedder,
                store=get_store,
                captions="only" if self.captions == "only" else "never" if self.captions == "never" else "prefer",
                force=self.force,
                report=workspace.progress,
                allow_file_urls=self.allow_file_urls,
                feed_limit=self.limit,
                warn=workspace.warn,
            )
            results, failures = [], []
            outcomes = ingestor.each(refs)
            while True:
                with workspace.ingest_turn():  # one source at a time, then the next session's turn
                    outcome = next(outcomes, None)
                if outcome is None:
                    break
                if isinstance(outcome, IngestFailure):
                    failures.append(outcome)
                else:
                    results.append(outcome)
        if results:
            export_query_model(settings, embedder.loaded)  # torch is loaded now anyway: later runs skip it
        return IngestRun(results, failures, skipped)

    def sources(self, workspace: Workspace, adr: Adr | None) -> tuple[list[SourceRef], list[Skipped]]:
        """The sources named by the inputs (URLs, video ids, files) and every source the ADR cites (its Source
        Material, References and Links), with the citations that are not ingested and why."""
        from joeladr.ingest.citations import cited_sources
        from joeladr.ingest.inputs import parse_input

        refs = [parse_input(i, allow_file_urls=self.allow_file_urls, cwd=workspace.base) for i in self.inputs]
        if adr is None:
            return refs, []
        cited = cited_sources(adr, allow_file_urls=self.allow_file_urls)
        return refs + [r for r in cited.refs if r not in refs], cited.skipped


# -- search and sources ----------------------------------------------------------------------
@dataclass(frozen=True)
class Search:
    """``search``: the best passages across every ingested source (no relevance floor: the user asked)."""

    query: str
    limit: int = 5
    source_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.query.strip():
            raise InvalidRequest("query", "is empty: say what you are looking for")
        checks.whole_number("limit", self.limit, *checks.TOP_K)
        object.__setattr__(self, "source_ids", checks.names(self.source_ids))

    def run(self, workspace: Workspace) -> list[SearchHit]:
        from joeladr.retrieve import search

        known_sources(workspace, self.source_ids)
        with workspace.engines.store() as store:
            return search(store, workspace.engines.embedder, self.query, limit=self.limit, source_ids=self.source_ids)


@dataclass(frozen=True)
class ListSources:
    """``sources``: every ingested source, with its length, chunks and model."""

    def run(self, workspace: Workspace) -> list[SourceRecord]:
        return workspace.catalog.all()
