"""SIGTERM stops an ingest the way Ctrl-C does, at the next step of a long stage (issue 24, item 9).

Real processes: a small program that installs :func:`joeladr.interrupt.stop_on_sigterm` and runs the
ingest request, as the CLI does (its main installs the handler; its boundary turns KeyboardInterrupt into
`interrupted`, 130).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

from joeladr.ingest.media import decode_pieces
from tests.ingested import BEAM
from tests.loopback import hostile

PROGRAM = """
import sys
from joeladr.app.evidence import Ingest
from joeladr.app.workspace import Workspace
from joeladr.interrupt import stop_on_sigterm
from joeladr.settings import resolve_settings

stop_on_sigterm()
settings = resolve_settings()


def report(stage, done, total):
    if stage == "download" or (stage == "transcribe" and done > 0):
        print(stage, done, flush=True)


try:
    Workspace.for_command(settings, progress=report).run(Ingest((sys.argv[1],), captions="never"))
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
print("finished", flush=True)
"""


def _run_until(source: str, stage: str) -> tuple[list[str], int, str]:
    """Start the program, send SIGTERM once it reports ``stage``; what it printed, its exit code, its errors."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", PROGRAM, source], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line.strip())
        if line.startswith(stage):
            proc.send_signal(signal.SIGTERM)
            break
    try:
        rest, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"still running after SIGTERM: {lines[-3:]}") from None
    return lines + rest.splitlines(), proc.returncode, err[-2000:]


def test_sigterm_stops_transcription_within_one_window(workspace: Path) -> None:
    """15 minutes of speech are 30-odd units, heard 8 a window; SIGTERM after the first window's report ends
    the run before a third window is heard, cleanly, with nothing half-cached."""
    talk = np.concatenate(list(decode_pieces(BEAM)))
    audio = workspace / "long-talk.wav"
    with wave.open(str(audio), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(np.tile(talk, 8)[: 16000 * 60 * 15].tobytes())
    lines, code, err = _run_until(str(audio), "transcribe")
    assert code == 130 and lines[-1] == "interrupted", (lines, err)
    heard = [line for line in lines if line.startswith("transcribe")]
    assert 1 <= len(heard) <= 16, heard  # the window reported, and at most the one under way when it came
    assert not list((workspace / ".joeladr" / "sources").rglob("transcript-*.json"))


def test_sigterm_stops_a_download_that_waits_for_bytes(workspace: Path) -> None:
    """A server sending a byte every half second: SIGTERM ends the wait at once, not after the stall timeout."""
    with hostile() as base:
        lines, code, err = _run_until(f"{base}/trickle.webm", "download")
    assert code == 130 and lines[-1] == "interrupted", (lines, err)
