"""Work with a bound: what a hostile page, caption track, download or vault can cost an ingest (issue 24)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from joeladr.cli import app
from tests.ingested import BEAM, Ingested, copy_of, start
from tests.loopback import serve

runner = CliRunner()


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


def test_an_undecodable_download_is_removed_from_the_cache(workspace: Path, tmp_path: Path) -> None:
    """A download that is not audio or video is refused, and the bytes are not kept in the cache."""
    served = tmp_path / "served"
    served.mkdir()
    (served / "junk.webm").write_bytes(b"\x1a\x45\xdf\xa3" + os.urandom(3_000_000))
    with serve(served) as base:
        result = runner.invoke(app, ["ingest", "--quiet", f"{base}/junk.webm"])
    assert result.exit_code == 1 and "is not audio or video that can be decoded" in result.output, result.output
    cached = [p for p in (workspace / ".joeladr" / "sources").rglob("*") if p.is_file()]
    assert not [p for p in cached if p.stat().st_size > 100_000], cached
