"""Between the async MCP server and the blocking core: threads, progress, cancellation, error text."""

import threading
import time
from collections.abc import Callable
from typing import Literal, TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread

from joeladr.errors import Interrupted, JoeladrError
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


def error_text(exc: JoeladrError) -> str:
    """What the CLI prints for ``exc``: ``error: <first line>`` and ``hint: ...``, secrets masked."""
    lines = [f"error: {exc.message.splitlines()[0] if exc.message else 'error'}"]
    if exc.hint:
        lines.append(f"hint: {exc.hint}")
    return redact("\n".join(lines))
