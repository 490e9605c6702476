"""Qdrant Edge: Qdrant's engine in-process, no server. The default store.

Facts this adapter designs around (qdrant-edge-py 0.9.0, pinned):
- one process at a time: a second open fails on the WAL lock (``WouldBlock``). We keep
  the WAL on (without it there is no lock), retry for ``wait_seconds`` and then fail
  naming the holder (pid and command, written beside the shard).
- nothing is indexed until ``optimize()``, which takes minutes at 300k points on two
  cores; exact search is fast enough at joeladr's sizes (37 ms at 300k), so the normal
  path never optimizes. See bench/ for the numbers.
- data survives SIGKILL without ``flush()`` (the WAL replays).
- its files are sparse (32 MB WAL segments, vector chunks and payload pages) and written through
  mmap: a block is taken when a page is first written (on a tmpfs, loading a store takes its
  vector chunks whole), so a full disk is not an error but SIGBUS (exit 135, no message). Every
  write first checks that the disk has room for it (:func:`room_needed`), and while the store is
  opened or written SIGBUS prints one line and exits 1 instead (:func:`_bus_error_is_one_line`);
  the WAL replays on the next open, so a rerun finishes.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from joeladr.errors import StoreError, StoreLockedError
from joeladr.store import DENSE, SPARSE, Hit, Point, SparseVector, all_pages, check_dimension

T = TypeVar("T")

HOLDER = "holder.json"
# Room a write needs besides its points: opening a new shard takes 1.1 MB (a 1 MB deleted-flags file is
# allocated whole), and each of its ~20 mmap'd files takes its next 4 KB page as it grows. Measured with
# qdrant-edge-py 0.9.0 (tests/test_full_disk.py).
ROOM_MARGIN = 4_000_000


class EdgeStore:
    def __init__(self, shard: Any, path: Path, dimension: int) -> None:
        self.shard = shard
        self.path = path
        self.dimension = dimension

    @classmethod
    def open(cls, path: Path, dimension: int, *, wait_seconds: float = 30.0) -> EdgeStore:
        import qdrant_edge as q

        path = Path(path)
        config = q.EdgeConfig(
            vectors={DENSE: q.EdgeVectorParams(size=dimension, distance=q.Distance.Cosine)},
            sparse_vectors={SPARSE: q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)},
        )
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                if (path / "wal").exists() or (path / "segments").exists():
                    with _bus_error_is_one_line(path, "opened"):  # on tmpfs, loading fills the vector chunks
                        shard = q.EdgeShard.load(str(path), config)  # the config is checked against the data
                else:
                    path.mkdir(parents=True, exist_ok=True)
                    _check_room(path, ROOM_MARGIN, "create")
                    with _bus_error_is_one_line(path, "created"):
                        shard = q.EdgeShard.create(str(path), config)
                break
            except StoreError:
                raise
            except Exception as exc:
                if "WouldBlock" not in str(exc):
                    raise StoreError(f"cannot open the vector store at {path}: {str(exc).splitlines()[0]}") from exc
                if time.monotonic() >= deadline:
                    raise StoreLockedError(
                        f"the vector store at {path} is in use by {_holder(path)}",
                        hint="wait for it to finish, or stop it; Qdrant Edge allows one process at a time",
                    ) from exc
                time.sleep(0.2)
        with contextlib.suppress(OSError):
            (path / HOLDER).write_text(json.dumps({"pid": os.getpid(), "command": " ".join(sys.argv[:3])}))
        return cls(shard, path, dimension)

    def upsert(self, points: Sequence[Point]) -> None:
        import qdrant_edge as q

        if not points:
            return
        for point in points:
            check_dimension(point.dense, self.dimension)

        def write() -> None:
            batch = [
                q.Point(p.id, {DENSE: p.dense, SPARSE: q.SparseVector(p.sparse.indices, p.sparse.values)}, p.payload)
                for p in points
            ]
            _check_room(self.path, room_needed(points) + ROOM_MARGIN, "write")
            with _bus_error_is_one_line(self.path):
                self.shard.update(q.UpdateOperation.upsert_points(batch))

        self._call(write)

    def nearest(self, dense: list[float], limit: int, source_ids: Sequence[str] | None = None) -> list[Hit]:
        import qdrant_edge as q

        check_dimension(dense, self.dimension)
        return self._query(q.Query.Nearest(dense, using=DENSE), limit, source_ids)

    def keyword(self, sparse: SparseVector, limit: int, source_ids: Sequence[str] | None = None) -> list[Hit]:
        import qdrant_edge as q

        if not sparse.indices:
            return []
        vector = q.SparseVector(sparse.indices, sparse.values)
        return self._query(q.Query.Nearest(vector, using=SPARSE), limit, source_ids)

    def _query(self, query: Any, limit: int, source_ids: Sequence[str] | None) -> list[Hit]:
        import qdrant_edge as q

        request = q.QueryRequest(limit=limit, query=query, filter=_source_filter(source_ids), with_payload=True)
        found = self._call(lambda: self.shard.query(request))
        return [Hit(str(p.id), float(p.score), dict(p.payload or {})) for p in found]

    def similarity(self, dense: list[float], ids: Sequence[str]) -> dict[str, float]:
        import uuid

        import qdrant_edge as q

        check_dimension(dense, self.dimension)
        if not ids:
            return {}
        flt = q.Filter(must=[q.HasIdCondition({uuid.UUID(i) for i in ids})])
        request = q.QueryRequest(
            limit=len(ids), query=q.Query.Nearest(dense, using=DENSE), filter=flt, with_payload=False
        )
        return {str(p.id): float(p.score) for p in self._call(lambda: self.shard.query(request))}

    def source_points(self, source_id: str) -> dict[str, dict[str, Any]]:
        import qdrant_edge as q

        flt = _source_filter([source_id])
        return all_pages(
            lambda at: self._call(
                lambda: self.shard.scroll(q.ScrollRequest(offset=at, limit=1000, filter=flt, with_payload=True))
            )
        )

    def delete(self, ids: Sequence[str]) -> None:
        import qdrant_edge as q

        if ids:
            _check_room(self.path, 64 * len(ids) + ROOM_MARGIN, "write")

            def drop() -> None:
                with _bus_error_is_one_line(self.path):
                    self.shard.update(q.UpdateOperation.delete_points(list(ids)))

            self._call(drop)

    def _call(self, action: Callable[[], T]) -> T:
        """Run one engine call; its failure reaches the caller as one :class:`StoreError` line."""
        if self.shard is None:
            raise StoreError(f"the vector store at {self.path} is closed")
        try:
            return action()
        except StoreError:
            raise
        except Exception as exc:
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise StoreError(f"the vector store at {self.path} failed: {detail}") from exc

    def close(self) -> None:
        if self.shard is not None:
            with contextlib.suppress(OSError):
                (self.path / HOLDER).unlink()
            self.shard.close()
            self.shard = None


def _source_filter(source_ids: Sequence[str] | None) -> Any:
    import qdrant_edge as q

    if not source_ids:
        return None
    if len(source_ids) == 1:
        return q.Filter(must=[q.FieldCondition(key="source_id", match=q.MatchValue(source_ids[0]))])
    return q.Filter(must=[q.FieldCondition(key="source_id", match=q.MatchAny(list(source_ids)))])


def _holder(path: Path) -> str:
    try:
        data = json.loads((path / HOLDER).read_text())
        return f"pid {data['pid']} ({data['command']})"
    except (OSError, ValueError, KeyError):
        return "another process"


def room_needed(points: Sequence[Point]) -> int:
    """Bytes of disk an upsert of ``points`` takes: each point is written twice (the WAL and the segment:
    its dense vector as float32, its payload as JSON, its sparse vector), plus 512 bytes of bookkeeping.
    Measured: a 384-dimension point with a 300-character payload took 4.2 KB; this says 4.3 KB."""
    total = 0
    for point in points:
        payload = len(json.dumps(point.payload, ensure_ascii=False).encode())
        total += 2 * (4 * len(point.dense) + payload + 8 * len(point.sparse.indices)) + 512
    return total


def _check_room(path: Path, needed: int, doing: str) -> None:
    """Raise StoreError, before anything is written, when the disk under ``path`` has less than ``needed`` free."""
    import shutil

    try:
        free = shutil.disk_usage(path).free
    except OSError:
        return  # not there yet: opening will say why
    if free < needed:
        raise StoreError(
            f"no room to {doing} the vector store at {path}: {_mb(free)} free, {_mb(needed)} needed",
            hint="free some space on that disk (or set JOELADR_HOME to a larger one) and run again; "
            "the store is as it was",
        )


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


_bus: dict[str, Any] = {"depth": 0}  # the C-level SIGBUS handler (made once, kept alive), its line, its nesting
_bus_lock = threading.Lock()


@contextlib.contextmanager
def _bus_error_is_one_line(path: Path, doing: str = "written") -> Iterator[None]:
    """While the store is opened or written, SIGBUS (a page of a sparse mmap'd file that the full disk
    cannot back) prints one error line and a hint, and exits 1, instead of dying with exit 135 and no word.

    Python cannot catch SIGBUS (its handler would run after the faulting instruction, which faults
    again), so a C-level handler is installed through ctypes while any thread is inside, and the
    previous one (faulthandler's, or the default) is put back after. The WAL keeps every complete
    write: the next run replays it and finishes.
    """
    import signal

    if not hasattr(signal, "SIGBUS"):
        yield
        return
    import ctypes

    with _bus_lock:
        if "handler" not in _bus:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.signal.restype = ctypes.c_void_p
            libc.signal.argtypes = [ctypes.c_int, ctypes.c_void_p]

            def on_bus_error(signum: int) -> None:
                os.write(2, _bus["message"])
                os._exit(1)

            _bus["libc"] = libc
            _bus["handler"] = ctypes.CFUNCTYPE(None, ctypes.c_int)(on_bus_error)
        _bus["message"] = (
            f"error: the vector store at {path} could not be {doing}: the disk is full\n"
            "hint: free some space on that disk and run again; the store keeps every complete write\n"
        ).encode()
        if _bus["depth"] == 0:
            _bus["previous"] = _bus["libc"].signal(signal.SIGBUS, ctypes.cast(_bus["handler"], ctypes.c_void_p))
        _bus["depth"] += 1
    try:
        yield
    finally:
        with _bus_lock:
            _bus["depth"] -= 1
            if _bus["depth"] == 0:
                _bus["libc"].signal(signal.SIGBUS, _bus["previous"])
