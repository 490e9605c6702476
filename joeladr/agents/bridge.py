"""Between the async MCP server and the blocking core: threads, progress, cancellation, error text."""

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Literal, TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread

from joeladr.errors import Interrupted, InvalidRequest, JoeladrError
from joeladr.redact import redact
from joeladr.timecode import timestamp

T = TypeVar("T")


async def run_blocking(work: Callable[[], T], cancel: threading.Event) -> T:
    """Run ``work`` on a worker thread. If the caller is cancelled, set ``cancel`` (the work stops at its
    next progress report) and wait for the thread to end before re-raising, so the next call finds the
    caches and the store settled."""
    phase: list[Literal["queued", "running", "abandoned"]] = ["queued"]
    guard = threading.Lock()
    finished = threading.Event()

    def runner() -> T | None:
        with guard:
            if phase[0] == "abandoned":  # cancelled before a worker picked it up
                return None
            phase[0] = "running"
        try:
            return work()
        finally:
            finished.set()

    try:
        result = await anyio.to_thread.run_sync(runner, abandon_on_cancel=True)
    except anyio.get_cancelled_exc_class():
        cancel.set()
        with guard:
            running = phase[0] == "running"
            phase[0] = "abandoned"
        if running:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(finished.wait)
        raise
    assert phase[0] == "running"
    return result  # type: ignore[return-value]  # runner returned work()'s value


class TakingTurns:
    """A lock that threads get in the order they asked for it (a plain lock lets the thread that just
    released it take it again at once: one session's long ingest would starve the others)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._issued = 0
        self._serving = 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._changed:
            ticket = self._issued
            self._issued += 1
            while self._serving != ticket:
                self._changed.wait()
        try:
            yield
        finally:
            with self._changed:
                self._serving += 1
                self._changed.notify_all()


class ProgressBridge:
    """The pipeline's ``report(stage, completed, total)`` as MCP progress: one number that grows with
    every notification, as the protocol requires (each stage of each source counts 1), and the stage
    in words ("transcribe 00:42 of 02:05 of audio"). At most one notification per ``interval``.

    Called on the worker thread; raises :class:`Interrupted` once ``cancel`` is set, which stops the
    ingest between two reports (everything finished before is cached; a stage that has reported all
    its work, such as a download's last byte, is let finish).
    """

    def __init__(self, send: Callable[[float, str], None], cancel: threading.Event, interval: float = 0.25) -> None:
        self.send = send
        self.cancel = cancel
        self.interval = interval
        self.stage: str | None = None
        self.stage_complete = False
        self.stages_done = 0
        self.value: float | None = None
        self.sent_at = 0.0

    def __call__(self, stage: str, completed: float, total: float | None) -> None:
        if self.cancel.is_set() and not (stage == self.stage and self.stage_complete):
            raise Interrupted()  # a stage that has reported all its work finishes, so its result is cached
        new_stage = stage != self.stage
        if new_stage:
            self.stages_done += self.stage is not None
            self.stage = stage
        fraction = min(1.0, completed / total) if total else 0.0
        self.stage_complete = fraction >= 1.0
        value = self.stages_done + fraction
        now = time.monotonic()
        if self.value is not None and (value <= self.value or (fraction < 1.0 and now - self.sent_at < self.interval)):
            return
        self.value = value
        self.sent_at = now
        self.send(value, describe(stage, completed, total))


def describe(stage: str, completed: float, total: float | None) -> str:
    if stage == "download":
        of = f" of {total / 1e6:.1f}" if total else ""
        return f"download {completed / 1e6:.1f}{of} MB"
    if stage == "transcribe":
        of = f" of {timestamp(total)}" if total else ""
        return f"transcribe {timestamp(completed)}{of} of audio"
    of = f" of {int(total)}" if total else ""
    return f"{stage} {int(completed)}{of} chunks" if stage == "embed" else f"{stage} {completed:g}{of}"


def error_text(exc: JoeladrError, names: Mapping[str, str] | None = None) -> str:
    """``error: <first line>`` and ``hint: ...``, secrets masked, in a tool's words: a request's field by its
    argument name (``names``), and the CLI commands and flags a hint suggests as tools and arguments."""
    message = exc.message
    if isinstance(exc, InvalidRequest):
        message = f"{(names or {}).get(exc.field, exc.field)} {exc.problem}"
    lines = [f"error: {message.splitlines()[0] if message else 'error'}"]
    if exc.hint:
        lines.append(f"hint: {for_agents(exc.hint)}")
    return redact("\n".join(lines))


TOOLS = {  # `joeladr COMMAND` in a hint -> the tool an agent calls instead
    "adr list": "list_adrs",
    "adr show": "show_adr",
    "adr status": "set_adr_status",
    "adr lint": "lint_adrs",
    "adr new": "new_adr",
    "sources": "list_sources",
    "search": "search_evidence",
    "ingest": "ingest",
    "evaluate": "evaluate_adr",
    "finding": "curate_finding",
    "decide": "decide",
    "candidates": "evidence_candidates",
    "picks": "submit_picks",
}
ADR_TOOLS = {
    "show_adr",
    "set_adr_status",
    "evaluate_adr",
    "curate_finding",
    "decide",
    "evidence_candidates",
    "submit_picks",
}
_COMMAND = re.compile(r"`?joeladr ((?:adr )?[a-z]+)((?: [^`]*)?)`?")
_FLAG = re.compile(r"--([a-z][a-z-]*)(?:[ =]([A-Z]\b|'[^']*'|\d+))?")


def for_agents(hint: str) -> str:
    """A hint written for the command line, told to an agent: ``run `joeladr evaluate 0064```
    becomes ``call evaluate_adr (number 0064)``; ``pass --revise`` becomes ``pass revise``."""

    def command(match: re.Match[str]) -> str:
        tool = TOOLS.get(match.group(1))
        if tool is None:
            return match.group(0)
        rest = match.group(2).strip()
        number, _, flags = rest.partition(" ")
        if number and not number.startswith("-") and tool in ADR_TOOLS:
            rest = f"number={number} {flags}".strip()
        args = _FLAG.sub(lambda m: m.group(1).replace("-", "_") + (f"={m.group(2)}" if m.group(2) else "=true"), rest)
        return f"the {tool} tool" + (f" ({args})" if args else "")

    text = _COMMAND.sub(command, hint)
    return _FLAG.sub(lambda m: m.group(1).replace("-", "_") + (f"={m.group(2)}" if m.group(2) else "=true"), text)
