"""A test hook: ``JOELADR_PAUSE_AT=<step>`` makes a process stop at a named step so a test can kill it there.

Unset (always, for users) it costs one dictionary lookup.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "JOELADR_PAUSE_AT"


def checkpoint(step: str) -> None:
    """Pause at ``step`` when asked: forever (to be killed), or ``JOELADR_PAUSE_SECONDS`` then go on."""
    if os.environ.get(ENV) == step:
        sys.stderr.write(f"joeladr: paused at {step}\n")
        sys.stderr.flush()
        seconds = float(os.environ.get("JOELADR_PAUSE_SECONDS", "0") or 0)
        if seconds > 0:
            time.sleep(seconds)
            return
        while True:  # wait to be killed
            time.sleep(60)
