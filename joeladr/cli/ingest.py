"""`joeladr ingest`, `joeladr search`, `joeladr sources`: requests of :mod:`joeladr.app.evidence`, progress bars."""

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from joeladr.cli.common import JsonFlag, console, echo, print_json, run, stamp, styled

STILL_SECONDS = 3.0  # a download that has not moved for this long shows how long it has been stalled


class RichReport:
    """Progress bars per stage: bytes for download, audio seconds for transcription, chunks for embedding."""

    def __init__(self, quiet: bool) -> None:
        import sys

        self.quiet = quiet or not sys.stderr.isatty()  # no bars in logs and pipes
        self.progress: Any = None
        self.tasks: dict[str, Any] = {}
        self.last: dict[str, float] = {}

    def __enter__(self) -> "RichReport":
        return self

    def _start(self) -> None:
        """Start the display on the first report, so a run that fails early prints no empty bar."""
        if self.progress is None:
            from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
            from rich.text import Text

            class Waiting(ProgressColumn):
                """``stalled for 12 s`` when a download has brought nothing for a while."""

                def render(self, task: Any) -> Text:
                    quiet_for = time.monotonic() - task.fields.get("moved", time.monotonic())
                    if task.description != "download" or task.finished or quiet_for < STILL_SECONDS:
                        return Text("")
                    return Text(f"stalled for {quiet_for:.0f} s", style="yellow")

            self.progress = Progress(
                TextColumn("{task.description:<11}"),
                BarColumn(),
                TextColumn("{task.fields[done]}"),
                TimeRemainingColumn(),
                Waiting(),
                console=console(stderr=True),
                transient=True,
            )
            self.progress.start()

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, stage: str, completed: float, total: float | None) -> None:
        from joeladr.timecode import timestamp

        if self.quiet:
            return
        self._start()
        unit = {"download": _bytes, "transcribe": timestamp, "embed": _count}.get(stage, _count)
        done = f"{unit(completed)}/{unit(total) if total else '?'}"
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total, done=done, moved=time.monotonic())
            self.last[stage] = completed
        moved = {"moved": time.monotonic()} if completed != self.last.get(stage) else {}
        self.last[stage] = completed
        self.progress.update(self.tasks[stage], completed=completed, total=total, done=done, **moved)


def _bytes(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def _count(n: float) -> str:
    return str(int(n))


def ingest(
    ctx: typer.Context,
    inputs: Annotated[
        list[str] | None, typer.Argument(help="YouTube URLs or ids, playlists, other URLs, local files.")
    ] = None,
    adr: Annotated[
        str | None,
        typer.Option("--adr", help="Also ingest every source this ADR cites (Source Material, References, Links)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="At most N episodes of a podcast feed, newest first (1-1000).")
    ] = None,
    captions: Annotated[str, typer.Option(help="prefer | only | never: reuse the video's own captions.")] = "prefer",
    word_timestamps: Annotated[bool, typer.Option("--word-timestamps", help="Keep per-word times.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Redo every stage for these sources.")] = False,
    cookies: Annotated[Path | None, typer.Option(help="A cookies.txt file for yt-dlp.")] = None,
    cookies_from_browser: Annotated[
        str | None, typer.Option(help="Read cookies from a browser (e.g. firefox).")
    ] = None,
    allow_file_urls: Annotated[bool, typer.Option("--allow-file-urls", help="Accept file:// URLs.")] = False,
    vocabulary: Annotated[
        str | None,
        typer.Option(
            help="Words to prime the recognizer with, comma-separated (with --adr, the ADR's own terms are "
            "added; 'none' turns priming off)."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Download, transcribe, embed into Qdrant, and write a vault note per source.

    Example: joeladr ingest https://youtu.be/JvBT4XBdoUE ./talk.m4a
    """
    from joeladr.app.evidence import Ingest
    from joeladr.redact import redact

    request = Ingest(
        tuple(inputs or ()),
        adr,
        captions,
        word_timestamps,
        force,
        cookies,
        cookies_from_browser,
        allow_file_urls,
        vocabulary,
        limit,
    )
    with RichReport(quiet or as_json) as report:
        done = run(ctx, request, progress=report)
    if as_json:
        print_json(done.to_json())
    else:
        for result in done.results:
            what = ", ".join(result.steps) if result.steps else "unchanged"
            echo(f"{result.title}: {result.chunks} chunks ({result.transcript_origin}; {what}) -> {result.note}")
        for skipped in done.skipped:
            echo(f"skipped {skipped.target} ({skipped.reason})", err=True)
        for failure in done.failures:
            echo(redact(f"error: {failure.input}: {failure.error.message}"), err=True)
    if done.failed is not None:
        raise typer.Exit(done.failed.exit_code)
    if done.failures:
        raise typer.Exit(1)


def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What you are looking for, in your words.")],
    limit: Annotated[int, typer.Option(help="How many passages, 1-100.")] = 5,
    source: Annotated[list[str] | None, typer.Option(help="Only this source id (repeatable).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Find the best passages across every ingested talk.

    Example: joeladr search "supervisor restarts a crashed process" --limit 3
    """
    from joeladr.app.evidence import Search

    hits = run(ctx, Search(query, limit, tuple(source or ())))
    if as_json:
        print_json([h.to_json() for h in hits])
        return
    out = console()
    for hit in hits:
        out.print(styled((hit.title, "bold"), "  ", stamp(hit.at, hit.url), (f"  {hit.score:.3f}", "dim")))
        out.print(f"  {hit.text}\n")


def sources(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List ingested sources with their length, chunks and model.

    Example: joeladr sources --json
    """
    from joeladr.app.evidence import ListSources

    records = run(ctx, ListSources())
    if as_json:
        print_json([r.to_json() for r in records])
        return
    from rich.table import Table

    table = Table("Source", "Kind", "Title", "Length", "Chunks", "Text", "Ingested", box=None, header_style="bold")
    for r in records:
        table.add_row(r.source_id, r.kind, r.title, r.length, str(r.chunks), r.transcript, r.ingested)
    console().print(table)


def register(app: typer.Typer) -> None:
    """Add the ingest commands to ``app``."""
    app.command()(ingest)
    app.command()(search)
    app.command()(sources)
