"""A test hook: ``JOELADR_PAUSE_AT=<step>`` makes a process stop at a named step so a test can kill it there.

``JOELADR_PAUSE_SECONDS`` pauses for that long instead, and ``JOELADR_PAUSE_UNTIL`` (seconds since
the epoch) until that moment, so several processes can leave the same step together.
Unset (always, for users) it costs one dictionary lookup.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "JOELADR_PAUSE_AT"


def checkpoint(step: str) -> None:
    """Pause at ``step`` when asked: forever (to be killed), for a while, or until a given moment."""
    if os.environ.get(ENV) == step:
        sys.stderr.write(f"joeladr: paused at {step}\n")
        sys.stderr.flush()
        until = float(os.environ.get("JOELADR_PAUSE_UNTIL", "0") or 0)
        if until > 0:
            time.sleep(max(0.0, until - time.time()))
            return
        seconds = float(os.environ.get("JOELADR_PAUSE_SECONDS", "0") or 0)
        if seconds > 0:
            time.sleep(seconds)
            return
        while True:  # wait to be killed
            time.sleep(60)
