"""BM25 keyword vectors: Qdrant Edge's tokenizer and stemmer; the store applies IDF at query time."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from joeladr.store import SparseVector


@lru_cache(maxsize=1)
def _bm25() -> Any:
    import qdrant_edge

    return qdrant_edge.Bm25(qdrant_edge.Bm25Config(language="english", avg_len=60.0))


def keyword_vector(text: str, *, query: bool = False) -> SparseVector:
    """The term weights of ``text`` as a document (stored) or as a query."""
    model = _bm25()
    vector = model.embed_query(text) if query else model.embed_document(text)
    return SparseVector(list(vector.indices), [float(v) for v in vector.values])
