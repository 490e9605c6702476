"""One store contract: points with a dense vector, a BM25 sparse vector and a payload.

Point ids are deterministic UUIDs of (source, chunk, model, chunking), so re-ingesting
the same thing writes the same points. Every payload records the embedding model; a
store holding another model's vectors refuses new ones (see :func:`check_model`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from joeladr.errors import StoreError

if TYPE_CHECKING:
    from joeladr.settings import Settings

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
    """What joeladr needs from a vector store. Both adapters pass tests/test_store_contract.py."""

    def upsert(self, points: Sequence[Point]) -> None: ...

    def query(
        self,
        dense: list[float] | None,
        sparse: SparseVector | None,
        limit: int,
        source_ids: Sequence[str] | None = None,
    ) -> list[Hit]:
        """Best points first. Both vectors: dense and keyword results fused by reciprocal rank.
        One vector: that search alone, with its own score (cosine, or BM25 with IDF)."""
        ...

    def similarity(self, dense: list[float], ids: Sequence[str]) -> dict[str, float]:
        """Cosine of ``dense`` with each of these points (no vectors leave the store)."""
        ...

    def source_points(self, source_id: str) -> dict[str, dict[str, Any]]:
        """Point id -> payload for every point of one source."""
        ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def count(self) -> int: ...

    def any_payload(self) -> dict[str, Any] | None:
        """One stored payload (to learn which model filled the store), or None when empty."""
        ...

    def close(self) -> None: ...


def check_model(store: VectorStore, model: str) -> None:
    """Refuse to mix embedding models in one store."""
    sample = store.any_payload()
    if sample is not None and sample.get("model") not in (None, model):
        raise StoreError(
            f"the vector store was filled by embedding model '{sample.get('model')}', not '{model}'",
            hint="use that model (JOELADR_EMBEDDING_MODEL), or point JOELADR_HOME / the collection elsewhere",
        )


def open_store(settings: Settings, dimension: int, *, wait_seconds: float | None = None) -> VectorStore:
    """Qdrant Edge under ``settings.home`` by default; a Qdrant server when ``qdrant_url`` is set."""
    if settings.qdrant_url:
        from joeladr.store.server import QdrantServerStore

        return QdrantServerStore.connect(
            url=settings.qdrant_url,
            api_key=settings.qdrant_api_key,
            collection=settings.collection,
            dimension=dimension,
            shard_number=settings.shard_number,
            replication_factor=settings.replication_factor,
        )
    from joeladr.store.edge import EdgeStore

    wait = settings.lock_wait if wait_seconds is None else wait_seconds
    return EdgeStore.open(settings.home / "store" / settings.collection, dimension, wait_seconds=wait)


_BM25: Any = None


def keyword_vector(text: str, *, query: bool = False) -> SparseVector:
    """BM25 term weights (Qdrant Edge's tokenizer and stemmer); the store applies IDF at query time."""
    global _BM25
    if _BM25 is None:
        import qdrant_edge

        _BM25 = qdrant_edge.Bm25(qdrant_edge.Bm25Config(language="english", avg_len=60.0))
    vector = _BM25.embed_query(text) if query else _BM25.embed_document(text)
    return SparseVector(list(vector.indices), [float(v) for v in vector.values])


def require(condition: bool, message: str) -> None:
    if not condition:
        raise StoreError(message)
