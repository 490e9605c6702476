"""Search: the best passages across ingested sources (dense + BM25, fused by reciprocal rank)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from joeladr.store.base import VectorStore, keyword_vector
from joeladr.vault import time_link


class QueryEmbedder(Protocol):
    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


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


def hit_from_payload(payload: dict[str, Any], score: float) -> SearchHit:
    start = float(payload.get("start") or 0.0)
    return SearchHit(
        source_id=str(payload.get("source_id")),
        title=str(payload.get("title") or payload.get("source_id")),
        url=time_link(payload.get("url"), payload.get("video_id"), start),
        start=start,
        end=float(payload.get("end") or start),
        text=str(payload.get("text") or ""),
        score=score,
        chunk=int(payload.get("chunk") or 0),
    )


def search(
    store: VectorStore,
    embedder: QueryEmbedder,
    query: str,
    *,
    limit: int = 5,
    source_ids: Sequence[str] | None = None,
    hybrid: bool = True,
) -> list[SearchHit]:
    dense = embedder.embed([query])[0]
    sparse = keyword_vector(query, query=True) if hybrid else None
    hits = store.query(dense, sparse, limit, source_ids)
    return [hit_from_payload(h.payload, h.score) for h in hits]
