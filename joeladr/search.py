"""Search: the best passages across ingested sources (dense + BM25, fused by reciprocal rank)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from joeladr.embed import Embedder
from joeladr.store.base import VectorStore


@dataclass(frozen=True)
class SearchHit:
    source_id: str
    title: str
    url: str | None
    start: float
    end: float
    text: str
    score: float
    chunk: int

    def to_json(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "title": self.title,
            "url": self.url,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 6),
            "chunk": self.chunk,
        }


def search(
    store: VectorStore,
    embedder: Embedder,
    query: str,
    *,
    limit: int = 5,
    source_ids: Sequence[str] | None = None,
) -> list[SearchHit]:
    """The same retrieval as evaluate: dense + BM25 scores fused, overlapping chunks merged, talks mixed."""
    from joeladr.evaluate.retrieve import find_passages

    vector = embedder.embed([query])[0]
    passages = find_passages(store, vector, query, limit=limit, source_ids=source_ids)
    return [SearchHit(p.source_id, p.title, p.link, p.start, p.end, p.text, p.score, p.best_chunk) for p in passages]
