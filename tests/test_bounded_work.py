"""Work with a bound: what a hostile page, caption track, download or vault can cost an ingest (issue 24)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.ingested import BEAM, Ingested, copy_of, start


def test_a_fifo_named_like_a_note_does_not_block_an_ingest(ingested: Ingested, tmp_path: Path) -> None:
    """A FIFO (any file that is not a regular one) named `*.md` in the vault is skipped when the vault is
    searched for a source's note; opening it would wait forever for a writer. The BEAM talk's note is moved
    away first, so the rerun has to search the vault for it (a real process: a hang must not hang the suite)."""
    copy = copy_of(ingested, tmp_path / "copy")
    sources = copy.root / "vault" / "sources"
    note = next(p for p in sources.glob("beam-talk*.md"))
    (copy.root / "vault" / "Talks").mkdir()
    moved = note.rename(copy.root / "vault" / "Talks" / note.name)
    os.mkfifo(copy.root / "vault" / "0-pipe.md")
    os.mkfifo(sources / "0-pipe.md")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = start([*copy.args(), "ingest", "--quiet", str(BEAM)], env)
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("the ingest blocked on a FIFO in the vault") from None
    assert proc.returncode == 0, err
    assert moved.is_file() and not any(p.name.startswith("beam-talk") for p in sources.iterdir())  # found again
