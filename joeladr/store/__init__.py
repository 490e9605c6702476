"""The vector store contract: what joeladr needs from Qdrant, whichever way it runs.

Two adapters keep it: :mod:`joeladr.store.edge` (Qdrant Edge, in-process, the default)
and :mod:`joeladr.store.server` (a Qdrant server or cluster through qdrant-client).
Both pass ``tests/test_store_contract.py``. Which one to open is decided from the
settings in :mod:`joeladr.engines`; nothing here imports either adapter.

A point has a dense vector (cosine), a BM25 sparse vector (IDF applied by the store)
and a payload. Point ids are deterministic UUIDs of (source, chunk, model, chunking),
so re-ingesting the same thing writes the same points. Every payload records the
embedding model; the ingest pipeline asks :func:`check_model` before it adds vectors, so one
store never mixes two models (the store itself does not look at payloads). Fusing dense and
keyword results is retrieval's business (:mod:`joeladr.retrieve`), not the store's.

What every implementation does alike (the contract test runs them all):
- a vector of another size than the store's is refused with :class:`StoreError`
  (:func:`check_dimension`), before the engine sees it;
- ``source_ids`` of ``None`` or ``[]`` means every source;
- every failure of the engine reaches the caller as :class:`StoreError`, one line, no raw body.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from joeladr.errors import StoreError

DENSE = "dense"
SPARSE = "bm25"
NAMESPACE = uuid.UUID("0b6f2b1e-3c7a-4c55-9a43-6a0d5e1f2c11")


def point_id(source_id: str, chunk_index: int, model: str, chunking: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{source_id}\x1f{chunk_index}\x1f{model}\x1f{chunking}"))


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]


@dataclass
class Point:
    id: str
    dense: list[float]
    sparse: SparseVector
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    payload: dict[str, Any]


class VectorStore(Protocol):
    """What joeladr asks of a vector store."""

    def upsert(self, points: Sequence[Point]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def nearest(self, dense: list[float], limit: int, source_ids: Sequence[str] | None = None) -> list[Hit]:
        """The closest points by cosine, best first (optionally only from these sources)."""
        ...

    def keyword(self, sparse: SparseVector, limit: int, source_ids: Sequence[str] | None = None) -> list[Hit]:
        """The best points by BM25 (term weights x IDF), best first."""
        ...

    def similarity(self, dense: list[float], ids: Sequence[str]) -> dict[str, float]:
        """Cosine of ``dense`` with each of these points (no vectors leave the store)."""
        ...

    def source_points(self, source_id: str) -> dict[str, dict[str, Any]]:
        """Point id -> payload for every point of one source."""
        ...

    def close(self) -> None: ...


def check_dimension(vector: Sequence[float], dimension: int) -> None:
    """Refuse a vector that does not fit the store (``dimension`` numbers)."""
    if len(vector) != dimension:
        raise StoreError(
            f"a vector of {len(vector)} numbers does not fit this vector store ({dimension})",
            hint="use the store's embedding model, or point JOELADR_HOME or the collection elsewhere",
        )


def all_pages(fetch: Callable[[Any], tuple[Iterable[Any], Any]]) -> dict[str, dict[str, Any]]:
    """Point id -> payload over every page of a scroll (``fetch(offset)`` returns records and the next offset)."""
    found: dict[str, dict[str, Any]] = {}
    offset = None
    while True:
        records, offset = fetch(offset)
        for record in records:
            found[str(record.id)] = dict(record.payload or {})
        if offset is None:
            return found


def check_model(store: VectorStore, model: str, probe: list[float]) -> None:
    """Refuse to mix embedding models in one store (``probe``: any vector of the right size)."""
    sample = store.nearest(probe, 1)
    stored = sample[0].payload.get("model") if sample else None
    if stored not in (None, model):
        raise StoreError(
            f"the vector store was filled by embedding model '{stored}', not '{model}'",
            hint="use that model (JOELADR_EMBEDDING_MODEL), or point JOELADR_HOME / the collection elsewhere",
        )
