"""Qdrant Edge: Qdrant's engine in-process, no server. The default store.

Facts this adapter designs around (qdrant-edge-py 0.9.0, pinned):
- one process at a time: a second open fails on the WAL lock (``WouldBlock``). We keep
  the WAL on (without it there is no lock), retry for ``wait_seconds`` and then fail
  naming the holder (pid and command, written beside the shard).
- nothing is indexed until ``optimize()``, which takes minutes at 300k points on two
  cores; exact search is fast enough at joeladr's sizes (37 ms at 300k), so the normal
  path never optimizes. See bench/ for the numbers.
- data survives SIGKILL without ``flush()`` (the WAL replays).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from joeladr.errors import StoreError, StoreLockedError
from joeladr.store import DENSE, SPARSE, Hit, Point, SparseVector, all_pages, check_dimension

T = TypeVar("T")

HOLDER = "holder.json"


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
                    shard = q.EdgeShard.load(str(path), config)  # the config is checked against the data
                else:
                    path.mkdir(parents=True, exist_ok=True)
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
            self._call(lambda: self.shard.update(q.UpdateOperation.delete_points(list(ids))))

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
