"""What an ingest request does, for every front end: inputs -> sources, the real engines, the pipeline.

``joeladr ingest`` and the MCP ``ingest`` tool both call :func:`sources_to_ingest` and
:func:`ingest`; they differ only in how they show progress and where the embedder and the
store come from (opened for one run, or kept by a server).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joeladr.engines import LazyEmbedder, export_query_model, make_transcriber, store_on_demand
from joeladr.errors import UsageError
from joeladr.ingest.inputs import SourceRef, parse_input, refs_for_adr
from joeladr.ingest.pipeline import CaptionMode, IngestFailure, IngestResult, Report, quiet_report
from joeladr.settings import Settings
from joeladr.store import VectorStore

CAPTION_MODES = ("prefer", "only", "never")


@dataclass
class IngestRun:
    results: list[IngestResult]
    failures: list[IngestFailure]

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
        }


def sources_to_ingest(
    settings: Settings,
    inputs: Sequence[str] = (),
    *,
    adr: str | None = None,
    allow_file_urls: bool = False,
    cwd: Path | None = None,
) -> list[SourceRef]:
    """The sources named by ``inputs`` (URLs, video ids, files) and by ``adr``'s Source Material."""
    refs = [parse_input(i, allow_file_urls=allow_file_urls, cwd=cwd) for i in inputs]
    if adr:
        from joeladr.adr.repo import AdrRepository

        refs += refs_for_adr(AdrRepository.of(settings).get(adr).sources)
    if not refs:
        raise UsageError("nothing to ingest", hint="give a URL, a video id or a file, or --adr N")
    return refs


def ingest(
    settings: Settings,
    refs: Sequence[SourceRef],
    *,
    captions: str = "prefer",
    word_timestamps: bool = False,
    force: bool = False,
    cookies: Path | None = None,
    cookies_from_browser: str | None = None,
    allow_file_urls: bool = False,
    report: Report | None = None,
    embedder: LazyEmbedder | None = None,
    store: Callable[[], VectorStore] | None = None,
    adr: str | None = None,
    vocabulary: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> IngestRun:
    """Ingest ``refs`` with the real engines; each source on its own (one failing does not stop the rest).

    The recognizer is primed with :func:`primed_vocabulary` (``adr``'s domain terms, ``vocabulary``,
    the setting). ``embedder`` and ``store`` default to ones opened for this run (the embedder and
    the store load after transcription, so whisper has the CPU to itself); a server passes its own.
    Downloads are bounded by the ``[download]`` settings; ``warn`` hears what the user should know
    (a malformed cookie line, by number).
    """
    from joeladr.ingest.download import DownloadLimits, YtDlpDownloader
    from joeladr.ingest.pipeline import Ingestor

    if captions not in CAPTION_MODES:
        raise UsageError(f"--captions must be prefer, only or never, not '{captions}'")
    embedder = embedder or LazyEmbedder(settings)
    with _store_getter(settings, embedder, store) as get_store:
        ingestor = Ingestor(
            settings,
            downloader=YtDlpDownloader(
                cookies=cookies,
                cookies_from_browser=cookies_from_browser,
                allow_file_urls=allow_file_urls,
                limits=DownloadLimits.of(settings),
                cache_dir=settings.home / "yt-dlp",
                warn=warn,
            ),
            transcriber=make_transcriber(
                settings,
                word_timestamps=word_timestamps,
                vocabulary=primed_vocabulary(settings, adr, vocabulary),
                priming=not _priming_off(settings, vocabulary),
            ),
            embedder=embedder,
            store=get_store,
            captions=_caption_mode(captions),
            force=force,
            report=report or quiet_report,
            allow_file_urls=allow_file_urls,
        )
        results, failures = ingestor.run(refs)
    if results:
        export_query_model(settings, embedder.loaded)  # torch is loaded now anyway: later runs skip it
    return IngestRun(results, failures)


def _priming_off(settings: Settings, given: str | None) -> bool:
    chosen = settings.vocabulary if given is None else given
    return chosen is not None and chosen.strip().lower() == "none"


def primed_vocabulary(settings: Settings, adr: str | None, given: str | None) -> str | None:
    """The words the recognizer is primed with: ``given`` (``none`` turns priming off), else the setting,
    plus the domain terms of ``adr`` when one is named (measured in bench/eval: README, "Evidence quality")."""
    from joeladr.vocabulary import join_terms

    if _priming_off(settings, given):
        return None
    chosen = settings.vocabulary if given is None else given
    terms = [t.strip() for t in (chosen or "").split(",") if t.strip()]
    if adr:
        from joeladr.adr.repo import AdrRepository
        from joeladr.vocabulary import adr_vocabulary

        terms += adr_vocabulary(AdrRepository.of(settings).get(adr))
    return join_terms(terms)


@contextmanager
def _store_getter(
    settings: Settings, embedder: LazyEmbedder, given: Callable[[], VectorStore] | None
) -> Iterator[Callable[[], VectorStore]]:
    if given is not None:
        yield given
        return
    with store_on_demand(settings, lambda: embedder.dimension) as get:
        yield get


def _caption_mode(value: str) -> CaptionMode:
    if value == "only":
        return "only"
    return "never" if value == "never" else "prefer"
