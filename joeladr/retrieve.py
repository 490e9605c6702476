"""Retrieval: the best passages of the ingested talks for a query (search and evaluate both use it).

Dense (cosine) and keyword (BM25 with IDF) searches run separately and their scores
are fused: ``score = 0.7 * cosine + 0.3 * bm25 / best_bm25`` (relative score fusion, as
Weaviate's hybrid search does), so a passage that names the exact terms is kept and
ranked up even when its vector is not among the nearest. A passage is kept when its
fused score reaches ``min_score``. Overlapping or touching chunks of one talk become one finding; at most
``ceil(top_k / 2)`` findings come from one talk while another talk has candidates.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from joeladr.embed import Embedder
from joeladr.embed.keywords import keyword_vector
from joeladr.errors import IngestError, UsageError
from joeladr.store import VectorStore
from joeladr.timecode import time_link

ADJACENT_SECONDS = 2.0
DENSE_WEIGHT = 0.7


@dataclass
class Candidate:
    source_id: str
    chunk: int
    start: float
    end: float
    text: str
    title: str
    url: str | None
    video_id: str | None
    cosine: float | None
    keyword: float  # BM25 score over the best BM25 score of this query, 0..1
    fused: float  # DENSE_WEIGHT * cosine + (1 - DENSE_WEIGHT) * keyword


@dataclass
class Passage:
    """Merged chunks of one talk that answer one target."""

    source_id: str
    title: str
    url: str | None
    video_id: str | None
    start: float
    end: float
    text: str
    score: float
    best_chunk: int
    chunks: list[int] = field(default_factory=list)

    def finding_id(self, target_id: str) -> str:
        raw = f"{target_id}\x1f{self.source_id}\x1f{self.best_chunk}"
        return "f-" + hashlib.sha1(raw.encode()).hexdigest()[:8]

    @property
    def link(self) -> str | None:
        return time_link(self.url, self.video_id, self.start)


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b, strict=False)))


def candidates(
    store: VectorStore,
    query_vector: list[float],
    query: str,
    depth: int,
    source_ids: Sequence[str] | None,
) -> list[Candidate]:
    dense_hits = store.nearest(query_vector, depth, source_ids)
    keyword_hits = store.keyword(keyword_vector(query, query=True), depth, source_ids)
    pool: dict[str, dict[str, Any]] = {}
    for hit in dense_hits:
        pool.setdefault(hit.id, {"payload": hit.payload})["cosine"] = hit.score
    best_keyword = max((hit.score for hit in keyword_hits), default=0.0)
    for hit in keyword_hits:
        entry = pool.setdefault(hit.id, {"payload": hit.payload})
        entry["keyword"] = hit.score / best_keyword if best_keyword > 0 else 0.0
    missing = [pid for pid, entry in pool.items() if "cosine" not in entry]
    if missing:  # keyword-only hits: their cosine, computed by the store
        for pid, score in store.similarity(query_vector, missing).items():
            pool[pid]["cosine"] = score
    found = []
    for entry in pool.values():
        payload = entry["payload"]
        source_id, chunk = _key(payload)
        keyword = float(entry.get("keyword", 0.0))
        cosine = float(entry.get("cosine", 0.0))
        found.append(
            Candidate(
                source_id=source_id,
                chunk=chunk,
                start=float(payload.get("start") or 0.0),
                end=float(payload.get("end") or 0.0),
                text=str(payload.get("text") or ""),
                title=str(payload.get("title") or source_id),
                url=payload.get("url"),
                video_id=payload.get("video_id"),
                cosine=cosine,
                keyword=keyword,
                fused=DENSE_WEIGHT * cosine + (1 - DENSE_WEIGHT) * keyword,
            )
        )
    return found


def _key(payload: dict[str, Any]) -> tuple[str, int]:
    return str(payload.get("source_id")), int(payload.get("chunk") or 0)


NEAR_DUPLICATE = 0.08


def merge(cands: list[Candidate]) -> list[Passage]:
    """One passage per stretch of talk: the best chunk, joined by overlapping or touching chunks
    that score nearly as well; weaker chunks overlapping it are the same finding and are dropped."""
    remaining = sorted(cands, key=lambda c: (-c.fused, c.source_id, c.chunk))
    passages: list[Passage] = []
    while remaining:
        seed = remaining.pop(0)
        group = [seed]
        start, end = seed.start, seed.end
        grew = True
        while grew:
            grew = False
            for cand in list(remaining):
                if cand.source_id != seed.source_id:
                    continue
                if cand.start > end + ADJACENT_SECONDS or cand.end < start - ADJACENT_SECONDS:
                    continue
                remaining.remove(cand)
                overlaps = cand.start < end and cand.end > start
                if cand.fused >= seed.fused - NEAR_DUPLICATE:
                    group.append(cand)
                    start, end = min(start, cand.start), max(end, cand.end)
                    grew = True
                elif not overlaps:
                    remaining.append(cand)  # a weaker neighbour that only touches: it may seed its own passage
        passages.append(_passage(sorted(group, key=lambda c: (c.start, c.chunk))))
        remaining.sort(key=lambda c: (-c.fused, c.source_id, c.chunk))
    return passages


def _passage(group: list[Candidate]) -> Passage:
    """The passage starts at its best chunk (its link opens there); later near-duplicates extend it,
    earlier ones are absorbed (they are the same finding) without moving its start."""
    best = max(group, key=lambda c: (c.fused, -c.chunk))
    following = [c for c in group if c.start >= best.start]
    text = following[0].text
    for cand in following[1:]:
        text = join_overlapping(text, cand.text)
    return Passage(
        source_id=best.source_id,
        title=best.title,
        url=best.url,
        video_id=best.video_id,
        start=best.start,
        end=max(c.end for c in group),
        text=text,
        score=best.fused,
        best_chunk=best.chunk,
        chunks=[c.chunk for c in group],
    )


def join_overlapping(left: str, right: str) -> str:
    """Join two chunk texts, dropping the words the second repeats from the end of the first."""
    a, b = left.split(), right.split()
    for size in range(min(len(a), len(b)), 0, -1):
        if a[-size:] == b[:size]:
            return " ".join(a + b[size:])
    return " ".join(a + b)


def eligible(cands: list[Candidate], min_score: float) -> list[Candidate]:
    """Candidates worth a finding: fused score at or above ``min_score``."""
    return [c for c in cands if c.fused >= min_score]


def select(passages: list[Passage], top_k: int) -> list[Passage]:
    """Best first, at most ceil(top_k/2) per talk while another talk has something to say."""
    eligible = list(passages)
    eligible.sort(key=lambda p: (-p.score, p.source_id, p.start))
    cap = max(1, math.ceil(top_k / 2))
    chosen: list[Passage] = []
    per_source: dict[str, int] = {}
    waiting: list[Passage] = []
    for passage in eligible:
        if len(chosen) >= top_k:
            break
        if per_source.get(passage.source_id, 0) >= cap:
            waiting.append(passage)
            continue
        chosen.append(passage)
        per_source[passage.source_id] = per_source.get(passage.source_id, 0) + 1
    for passage in waiting:  # no other talk had more to say: fill up
        if len(chosen) >= top_k:
            break
        chosen.append(passage)
    chosen.sort(key=lambda p: (-p.score, p.source_id, p.start))
    return chosen


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def find_passages(
    store: VectorStore,
    query_vector: list[float],
    query: str,
    *,
    limit: int,
    min_score: float = 0.0,
    source_ids: Sequence[str] | None = None,
) -> list[Passage]:
    """The whole retrieval: hybrid candidates, threshold, merge, per-talk diversity; best first."""
    cands = candidates(store, query_vector, query, max(limit * 6, 30), source_ids)
    return select(merge(eligible(cands, min_score)), limit)


def trim_quotes(
    items: Sequence[tuple[Passage, list[float]]], embedder: Embedder, max_sentences: int = 3, min_words: int = 25
) -> list[str]:
    """Each passage trimmed to the sentences that matter for its query: the best sentence, then its
    closer neighbours until the quote has ``min_words`` words or ``max_sentences`` sentences.
    Sentences are embedded once for all passages (they repeat across criteria)."""
    splits = [[s for s in _SENTENCE.split(p.text) if s.strip()] or [p.text] for p, _ in items]
    unique = list(dict.fromkeys(s for sentences in splits for s in sentences if len(sentences) > max_sentences))
    vectors = dict(zip(unique, embedder.embed(unique), strict=True)) if unique else {}
    quotes: list[str] = []
    for sentences, (_, query_vector) in zip(splits, items, strict=True):
        if len(sentences) <= max_sentences:
            quotes.append(" ".join(sentences))
            continue
        scores = [_dot(vectors[s], query_vector) for s in sentences]
        best = max(range(len(sentences)), key=lambda i: scores[i])
        lo = hi = best
        while hi - lo + 1 < max_sentences and len(" ".join(sentences[lo : hi + 1]).split()) < min_words:
            left = scores[lo - 1] if lo > 0 else None
            right = scores[hi + 1] if hi + 1 < len(sentences) else None
            if left is None and right is None:
                break
            if right is None or (left is not None and left >= right):
                lo -= 1
            else:
                hi += 1
        quotes.append(" ".join(sentences[lo : hi + 1]))
    return quotes


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
    """What ``joeladr search`` shows: the same retrieval as evaluate, for one query of the user's.

    An empty store is an error (there is nothing to search); an empty answer for a filter is not.
    """
    if not query.strip():
        raise UsageError("the search query is empty")
    if limit < 1:
        raise UsageError(f"the limit must be at least 1, not {limit}")
    vector = embedder.embed([query])[0]
    passages = find_passages(store, vector, query, limit=limit, source_ids=source_ids)
    if not passages and not source_ids:
        raise IngestError("nothing has been ingested yet", hint="run `joeladr ingest URL` first")
    return [SearchHit(p.source_id, p.title, p.link, p.start, p.end, p.text, p.score, p.best_chunk) for p in passages]
