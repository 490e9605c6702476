"""A full disk under the vector store ends an ingest in one line, and a rerun finishes (issue 24, item 13).

Real small disks: a tmpfs mounted for the test (the tests run as root here; elsewhere they are skipped,
as mounting needs it). Qdrant Edge writes its sparse files through mmap, so on a full disk it died of
SIGBUS (exit 135) with no word.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ingested import BEAM, TYPESCRIPT, start

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")


@contextlib.contextmanager
def small_disk(where: Path, size: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    """Take every free byte of ``disk`` with one file."""
    filler = disk / "filler"
    with open(filler, "wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()
    return filler


def _ingest(workspace: Path, source: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = start(["ingest", "--quiet", str(source)], env)
    out, err = proc.communicate(timeout=600)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_a_full_disk_under_the_store_is_one_line_and_a_rerun_finishes(workspace: Path) -> None:
    """The issue's case: the disk under the store fills up, the next ingest dies of SIGBUS (exit 135, no
    word). On a tmpfs it is the store's opening that needs room (loading maps its vector chunks in whole)."""
    with small_disk(workspace / ".joeladr" / "store", "48m") as disk:
        assert _ingest(workspace, TYPESCRIPT).returncode == 0
        filler = fill(disk)
        full = _ingest(workspace, BEAM)
        assert full.returncode == 1, (full.returncode, full.stderr[-3000:])
        assert full.stderr.splitlines() == [
            f"error: the vector store at {disk / 'joeladr'} could not be opened: the disk is full",
            "hint: free some space on that disk and run again; the store keeps every complete write",
        ]
        filler.unlink()
        again = _ingest(workspace, BEAM)
        assert again.returncode == 0, again.stderr
        result = subprocess.run(
            [sys.executable, "-m", "joeladr", "sources", "--json"], capture_output=True, text=True, check=True
        )
        records = json.loads(result.stdout)
        assert sorted(r["title"] for r in records) == ["beam-talk", "typescript-talk"]
        assert points_at(disk / "joeladr") == sum(r["chunks"] for r in records)


GROW = """
import contextlib, random, shutil, sys, uuid
from pathlib import Path
from joeladr.embed.keywords import keyword_vector
from joeladr.errors import StoreError
from joeladr.store import Point
from joeladr.store.edge import EdgeStore

path = Path(sys.argv[1])
text = "On the BEAM each agent is a GenServer, a lightweight process with its own mailbox and state."
def points(n):
    return [Point(str(uuid.uuid4()), [random.random() for _ in range(384)], keyword_vector(text),
                  {"source_id": "s", "text": text}) for _ in range(n)]
store = EdgeStore.open(path, 384)
store.upsert(points(10))
with open(path.parent / "filler", "wb") as out:  # leave 200 KB: 100 points need about 450 KB
    out.write(b"\\0" * (shutil.disk_usage(path).free - 200_000))
try:
    store.upsert(points(100))
except StoreError as exc:
    print(exc.message)
print(len(store.nearest([1.0] + [0.0] * 383, 1000)))
"""


def test_the_store_does_not_grow_past_the_free_space(tmp_path: Path) -> None:
    """Before it writes, the store checks the disk has room for the points (twice their vector and payload,
    as the WAL and the segment each keep them) and a margin; the old code wrote and died of SIGBUS."""
    with small_disk(tmp_path / "disk", "48m") as disk:
        proc = subprocess.run(
            [sys.executable, "-c", GROW, str(disk / "store")], capture_output=True, text=True, check=False
        )
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    refused, count = proc.stdout.splitlines()
    assert refused.startswith(f"no room to write the vector store at {disk / 'store'}: 0.2 MB free, 4.")
    assert count == "10"  # nothing of the refused write was kept, nothing before it was lost


def points_at(path: Path) -> int:
    """How many points the Qdrant Edge store at ``path`` holds (opened and closed here)."""
    from joeladr.store.edge import EdgeStore

    store = EdgeStore.open(path, 384)
    try:
        return len(store.nearest([1.0] + [0.0] * 383, 1_000_000))
    finally:
        store.close()


FILL = """
import random, sys, uuid
from pathlib import Path
from joeladr.embed.keywords import keyword_vector
from joeladr.store import Point
from joeladr.store.edge import EdgeStore, _bus_error_is_one_line

store = EdgeStore.open(Path(sys.argv[1]), 384)
text = "On the BEAM each agent is a GenServer, a lightweight process with its own mailbox and state."
written = 0
while True:  # past the free-space check, straight into the engine, as a disk filled by someone else would
    import qdrant_edge as q
    batch = [q.Point(str(uuid.uuid4()), {"dense": [random.random() for _ in range(384)],
             "bm25": q.SparseVector(keyword_vector(text).indices, keyword_vector(text).values)},
             {"source_id": "s", "text": text}) for _ in range(100)]
    with _bus_error_is_one_line(store.path):
        store.shard.update(q.UpdateOperation.upsert_points(batch))
    written += len(batch)
    print(written, flush=True)
"""


def test_sigbus_while_the_store_writes_is_one_line_and_the_store_survives(tmp_path: Path) -> None:
    """If the disk fills between the check and the write (another program), the signal still comes: it is
    mapped to the same kind of line, exit 1; every complete write is kept and the next run goes on."""
    with small_disk(tmp_path / "disk", "8m") as disk:
        proc = subprocess.run(
            [sys.executable, "-c", FILL, str(disk / "store")], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
        assert proc.stderr.splitlines() == [
            f"error: the vector store at {disk / 'store'} could not be written: the disk is full",
            "hint: free some space on that disk and run again; the store keeps every complete write",
        ]
        written = int(proc.stdout.split()[-1])
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        assert points_at(disk / "store") >= written
