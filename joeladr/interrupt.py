"""Stopping long work cleanly: SIGTERM as Ctrl-C, and the check long stages make between steps.

A front end calls :func:`stop_on_sigterm` once at start (in the main thread). SIGTERM then raises
``KeyboardInterrupt`` in the main thread, the same clean stop as Ctrl-C (every stage finished
before it is cached; running again resumes), and marks the process as stopping. Long stages
(each download progress report, each transcription window, each embedding batch) call
:func:`check`, which raises as soon as a stop was asked for: ``KeyboardInterrupt`` in the main
thread, :class:`joeladr.errors.Interrupted` in a worker thread (a server's), so a library that
swallowed the first exception, or work running off the main thread, stops at its next step.
A server that stops its workers itself calls :func:`request_stop`.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from joeladr.errors import Interrupted

_stopping = threading.Event()


def stop_on_sigterm() -> None:
    """Make SIGTERM stop this process the way Ctrl-C does. Call it from the main thread."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    _stopping.set()
    raise KeyboardInterrupt


def request_stop() -> None:
    """Ask every long stage in this process to stop at its next check."""
    _stopping.set()


def stopping() -> bool:
    return _stopping.is_set()


def check() -> None:
    """Raise if a stop was asked for: KeyboardInterrupt in the main thread, Interrupted in any other."""
    if _stopping.is_set():
        if threading.current_thread() is threading.main_thread():
            raise KeyboardInterrupt
        raise Interrupted()
