"""Retrieval: the best passages of the ingested talks for a query (search and evaluate both use it).

Measured on real speech (``make eval``: four podcasts, labels written by reading; see the
README's "Evidence quality"), not on the synthetic test talks. A chunk is about ten seconds of
speech; a topic runs longer, so each chunk is judged with its neighbours:

- **context**: the chunk's cosine with the query, blended with its neighbours' cosines
  (``NEIGHBOUR_WEIGHT``); a lone sentence that happens to share words with the query ranks
  below a stretch of talk that is about it.
- **keyword**: BM25 (Qdrant's IDF), so an exact name is not lost to vector similarity.
- **score** = z(context) + ``KEYWORD_WEIGHT`` x z(keyword) over the query's candidates, shown in
  cosine units (times the spread of the contexts, plus their mean): scores are normalised per
  query, so a model whose cosines bunch together does not hand control to BM25. (A lower BM25
  weight for long criterion questions was measured and did not help on the held-aside talks,
  so one weight serves searches and criteria.)
- **silence, learned from the talk** (:class:`Silence`, evaluate's criteria): a talk is on the
  ADR's subject when its closest chunks to the ADR's title and context reach ``SUBJECT_FLOORS``.
  There a passage needs the relevance floor (``RELEVANCE_FLOORS``), except a criterion's
  best-ranked passage whose words stand out among the candidates (BM25 z >= ``WORDS_STAND_OUT``):
  it needs only ``FIRST_FLOOR``. A talk off the subject speaks to a criterion only with a passage
  that reaches ``OFF_SUBJECT_FLOOR``. When nothing passes there is
  no finding, and evaluate says so instead of padding with weak matches. Elsewhere (search, pain
  points, counter-arguments, options, or a ``min_score`` the user sets) the floor alone decides.
- **merging by time**: chunks of one talk that overlap in time are one passage, whatever
  their scores; its best chunk stands for it. At most ``ceil(top_k / 2)`` passages come from one
  talk while another talk has something to say.

A passage's quote is cut from its chunks' timed segments, so a finding shows the time of the
sentences it quotes (never the start of a longer stretch) and never ends mid-word. A document's
chunks count paragraphs where a talk's count seconds, and each of its sentences carries its
:class:`~joeladr.location.Location` (page, heading), so the same steps serve both.
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from joeladr.embed import Embedder
from joeladr.embed.keywords import keyword_vector
from joeladr.errors import IngestError
from joeladr.location import Location, link_to, place
from joeladr.store import Hit, VectorStore, point_id

NEIGHBOUR_WEIGHT = 0.6  # each neighbour's share, relative to the chunk's own cosine
KEYWORD_WEIGHT = 0.3  # z-score units of BM25 per z-score unit of context
RELEVANCE_FLOORS = {  # context cosine; calibrated on bench/eval's dev part (README, "Evidence quality")
    "sentence-transformers/all-MiniLM-L6-v2": 0.35,
    "sentence-transformers/all-mpnet-base-v2": 0.35,
}
DEFAULT_FLOOR = 0.35  # a model nobody calibrated: the two measured ones agree here
SUBJECT_FLOORS = {  # mean cosine of a talk's SUBJECT_DEPTH chunks closest to the ADR's title and context
    "sentence-transformers/all-MiniLM-L6-v2": 0.40,  # dev: talks off the subject 0.24-0.37, on it 0.46-0.54
}
DEFAULT_SUBJECT_FLOOR = 0.40
SUBJECT_DEPTH = 3
FIRST_FLOOR = 0.20  # a criterion's best passage in a talk on the ADR's subject, its words standing out
WORDS_STAND_OUT = 2.5  # ...by this BM25 z-score among the query's candidates (dev: 2.0-2.5 alike)
OFF_SUBJECT_FLOOR = 0.45  # any passage of a talk off the ADR's subject (context cosine)
QUOTE_MIN_WORDS = 20
QUOTE_MAX_PIECES = 3


def relevance_floor(model: str) -> float:
    """The context cosine below which a passage is not evidence, for this embedding model."""
    return RELEVANCE_FLOORS.get(model, DEFAULT_FLOOR)


@dataclass(frozen=True)
class Piece:
    """A timed segment of a transcript (about a sentence), or a sentence of a document with its location."""

    start: float
    end: float
    text: str
    location: Location | None = None


@dataclass
class Candidate:
    source_id: str
    chunk: int
    start: float
    end: float
    text: str
    pieces: list[Piece]
    title: str
    url: str | None
    video_id: str | None
    cosine: float
    keyword: float  # BM25 with IDF, 0 when the chunk shares no query word
    model: str = ""  # with the source, the chunk number and the chunking: the point id
    chunking: str = ""
    context: float = 0.0  # cosine blended with the neighbours'
    score: float = 0.0  # the rank in cosine units: context, plus the keyword evidence
    keyword_z: float = 0.0  # how far its BM25 stands above the query's other candidates (z-score)


@dataclass
class Passage:
    """One stretch of one talk that answers a query; ``best_chunk`` stands for it."""

    source_id: str
    title: str
    url: str | None
    video_id: str | None
    start: float
    end: float
    text: str
    score: float  # the best chunk's rank, in cosine units
    relevance: float  # the best chunk's context cosine: what the relevance floor is compared with
    best_chunk: int
    pieces: list[Piece] = field(default_factory=list)
    keyword_z: float = 0.0  # the best chunk's: its words stand out for the query (Silence)

    def finding_id(self, target_id: str) -> str:
        raw = f"{target_id}\x1f{self.source_id}\x1f{self.best_chunk}"
        return "f-" + hashlib.sha1(raw.encode()).hexdigest()[:8]

    @property
    def location(self) -> Location | None:
        return self.pieces[0].location if self.pieces else None

    @property
    def link(self) -> str | None:
        return link_to(self.url, self.video_id, self.start, self.location, self.text)


@dataclass(frozen=True)
class Quote:
    """The sentences of a passage that matter for a query, with their own time (or a document's location)."""

    start: float
    end: float
    text: str
    location: Location | None = None


def candidates(
    store: VectorStore,
    query_vector: list[float],
    query: str,
    depth: int,
    source_ids: Sequence[str] | None,
) -> list[Candidate]:
    """Dense and keyword hits for one query, each with its cosine, BM25 score and context."""
    pool: dict[str, Candidate] = {}
    for hit in store.nearest(query_vector, depth, source_ids):
        pool[hit.id] = _candidate(hit, cosine=hit.score, keyword=0.0)
    keyword_only: list[str] = []
    for hit in store.keyword(keyword_vector(query, query=True), depth, source_ids):
        if hit.id in pool:
            pool[hit.id].keyword = hit.score
        else:
            pool[hit.id] = _candidate(hit, cosine=0.0, keyword=hit.score)
            keyword_only.append(hit.id)
    for pid, cosine in store.similarity(query_vector, keyword_only).items():
        pool[pid].cosine = cosine
    _add_context(store, query_vector, pool)
    _rank(list(pool.values()))
    return list(pool.values())


def _candidate(hit: Hit, *, cosine: float, keyword: float) -> Candidate:
    payload = hit.payload
    start, end = float(payload.get("start") or 0.0), float(payload.get("end") or 0.0)
    text = str(payload.get("text") or "")
    return Candidate(
        source_id=str(payload.get("source_id")),
        chunk=int(payload.get("chunk") or 0),
        start=start,
        end=end,
        text=text,
        pieces=_pieces(text, payload.get("spans"), start, end, payload.get("locations")),
        title=str(payload.get("title") or payload.get("source_id")),
        url=payload.get("url"),
        video_id=payload.get("video_id"),
        cosine=cosine,
        keyword=keyword,
        model=str(payload.get("model") or ""),
        chunking=str(payload.get("chunking") or ""),
    )


def _pieces(text: str, spans: Any, start: float, end: float, locations: Any = None) -> list[Piece]:
    """The chunk's timed segments (a chunk stored before segments were timed is one piece), each with
    its location when the chunk is a document's."""
    places = [Location.from_json(item) for item in locations] if isinstance(locations, list) else []
    if not isinstance(spans, list) or not spans:
        return [Piece(start, end, text, places[0] if places else None)]
    found = []
    for number, (offset, piece_start, piece_end) in enumerate(spans):
        stop = spans[number + 1][0] if number + 1 < len(spans) else len(text)
        piece = text[int(offset) : int(stop)].strip()
        if piece:
            where = places[number] if number < len(places) else None
            found.append(Piece(float(piece_start), float(piece_end), piece, where))
    return found or [Piece(start, end, text, places[0] if places else None)]


def _add_context(store: VectorStore, query_vector: list[float], pool: dict[str, Candidate]) -> None:
    """Blend each candidate's cosine with its neighbours' (fetched from the store when not in the pool)."""
    by_position = {(c.source_id, c.chunk): c.cosine for c in pool.values()}
    wanted: dict[str, tuple[str, int]] = {}
    for candidate in pool.values():
        for chunk in (candidate.chunk - 1, candidate.chunk + 1):
            if chunk >= 0 and (candidate.source_id, chunk) not in by_position:
                neighbour = point_id(candidate.source_id, chunk, candidate.model, candidate.chunking)
                wanted[neighbour] = (candidate.source_id, chunk)
    for pid, cosine in store.similarity(query_vector, list(wanted)).items():
        by_position[wanted[pid]] = cosine
    for candidate in pool.values():
        neighbours = [
            by_position[(candidate.source_id, chunk)]
            for chunk in (candidate.chunk - 1, candidate.chunk + 1)
            if (candidate.source_id, chunk) in by_position
        ]
        if neighbours:
            share = NEIGHBOUR_WEIGHT * len(neighbours) / 2
            candidate.context = (candidate.cosine + share * statistics.fmean(neighbours)) / (1 + share)
        else:
            candidate.context = candidate.cosine


def _rank(cands: list[Candidate]) -> None:
    """score = context + KEYWORD_WEIGHT x z(keyword) x spread(context): the fused z-score in cosine units."""
    if not cands:
        return
    spread = statistics.pstdev([c.context for c in cands]) if len(cands) > 1 else 0.0
    for candidate, z_keyword in zip(cands, _zscores([c.keyword for c in cands]), strict=True):
        candidate.keyword_z = z_keyword
        candidate.score = candidate.context + KEYWORD_WEIGHT * z_keyword * spread


def _zscores(values: list[float]) -> list[float]:
    if len(values) < 2:
        return [0.0 for _ in values]
    mean, spread = statistics.fmean(values), statistics.pstdev(values)
    return [(v - mean) / spread if spread > 1e-9 else 0.0 for v in values]


def merge(cands: list[Candidate]) -> list[Passage]:
    """Best first; a chunk whose time overlaps a better one of its talk joins that passage."""
    passages: list[Passage] = []
    spans: list[tuple[str, float, float]] = []
    groups: list[list[Candidate]] = []
    for cand in sorted(cands, key=lambda c: (-c.score, c.source_id, c.chunk)):
        home = next(
            (
                i
                for i, (source, start, end) in enumerate(spans)
                if source == cand.source_id and cand.start < end and cand.end > start
            ),
            None,
        )
        if home is None:
            spans.append((cand.source_id, cand.start, cand.end))
            groups.append([cand])
        else:
            groups[home].append(cand)
    for group in groups:
        passages.append(_passage(group))
    return passages


def _passage(group: list[Candidate]) -> Passage:
    best = group[0]
    pieces: dict[tuple[float, str], Piece] = {}
    for cand in sorted(group, key=lambda c: c.start):
        if abs(cand.chunk - best.chunk) <= 1:  # the best chunk and its touching neighbours quote together
            for piece in cand.pieces:
                pieces.setdefault((piece.start, piece.text), piece)
    ordered = sorted(pieces.values(), key=lambda p: p.start)
    return Passage(
        source_id=best.source_id,
        title=best.title,
        url=best.url,
        video_id=best.video_id,
        start=best.start,
        end=best.end,
        text=best.text,
        score=best.score,
        relevance=best.context,
        best_chunk=best.chunk,
        pieces=ordered,
        keyword_z=best.keyword_z,
    )


def select(passages: list[Passage], top_k: int) -> list[Passage]:
    """In rank order, at most ceil(top_k/2) per talk while another talk has something to say."""
    cap = max(1, math.ceil(top_k / 2))
    chosen: list[Passage] = []
    per_source: dict[str, int] = {}
    waiting: list[Passage] = []
    for passage in passages:
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
    return chosen


def find_passages(
    store: VectorStore,
    query_vector: list[float],
    query: str,
    *,
    limit: int,
    min_score: float = 0.0,
    source_ids: Sequence[str] | None = None,
    silence: Silence | None = None,
) -> list[Passage]:
    """The whole retrieval: candidates, merging by time, the floor (or ``silence``), per-talk diversity;
    best first."""
    cands = candidates(store, query_vector, query, max(limit * 8, 40), source_ids)
    merged = merge(cands)
    passages = silence.keep(merged) if silence else [p for p in merged if p.relevance >= min_score]
    return select(passages, limit)


class Subject:
    """How close each talk comes to an ADR's subject (its title and context): the mean cosine of the talk's
    ``SUBJECT_DEPTH`` closest chunks, asked of the store once per talk."""

    def __init__(self, store: VectorStore, vector: list[float], threshold: float) -> None:
        self.store = store
        self.vector = vector
        self.threshold = threshold
        self._closeness: dict[str, float] = {}

    def closeness(self, source_id: str) -> float:
        if source_id not in self._closeness:
            hits = self.store.nearest(self.vector, SUBJECT_DEPTH, [source_id])
            self._closeness[source_id] = statistics.fmean(h.score for h in hits) if hits else 0.0
        return self._closeness[source_id]

    def covers(self, source_id: str) -> bool:
        """Whether this talk is on the subject (it speaks about what the ADR decides)."""
        return self.closeness(source_id) >= self.threshold


@dataclass(frozen=True)
class Silence:
    """Which of a criterion's passages are evidence, judged against the talks they come from.

    A talk off the ADR's subject needs ``off_subject`` for any passage: a match there is a coincidence
    unless it is unmistakable. In a talk on the subject a passage needs the relevance ``floor``, except
    the criterion's best-ranked passage when its words stand out among the candidates (BM25 z-score of
    at least ``words``): then ``first`` is enough, as the exact words say what a weak cosine does not.
    """

    subject: Subject
    floor: float
    first: float = FIRST_FLOOR
    off_subject: float = OFF_SUBJECT_FLOOR
    words: float = WORDS_STAND_OUT

    def keep(self, passages: Sequence[Passage]) -> list[Passage]:
        kept: list[Passage] = []
        for rank, passage in enumerate(passages):
            if not self.subject.covers(passage.source_id):
                bar = max(self.off_subject, self.floor)
            elif rank == 0 and passage.keyword_z >= self.words:
                bar = min(self.first, self.floor)
            else:
                bar = self.floor
            if passage.relevance >= bar:
                kept.append(passage)
        return kept


def learned_silence(store: VectorStore, subject_vector: list[float], model: str) -> Silence:
    """The silence for one ADR (``subject_vector``: its title and context), calibrated for the embedding model."""
    subject = Subject(store, subject_vector, SUBJECT_FLOORS.get(model, DEFAULT_SUBJECT_FLOOR))
    return Silence(subject, relevance_floor(model), FIRST_FLOOR, OFF_SUBJECT_FLOOR, WORDS_STAND_OUT)


def subject_text(title: str, context: str) -> str:
    """What a talk is held against to know whether it is on an ADR's subject."""
    return f"{title}. {context}"


def find_candidates(
    store: VectorStore,
    query_vector: list[float],
    query: str,
    *,
    limit: int,
    source_ids: Sequence[str] | None = None,
) -> list[Passage]:
    """What a judge reads: the best ``limit`` passages as :func:`find_passages` ranks and merges them, with
    no relevance floor and no silence (deciding relevance is the judge's work)."""
    return find_passages(store, query_vector, query, limit=limit, source_ids=source_ids)


def trim_quotes(
    items: Sequence[tuple[Passage, list[float]]],
    embedder: Embedder,
    max_pieces: int = QUOTE_MAX_PIECES,
    min_words: int = QUOTE_MIN_WORDS,
) -> list[Quote]:
    """Each passage's quote: its best segment for the query, then the closer neighbours until the quote
    has ``min_words`` words or ``max_pieces`` segments. Segments are embedded once for all passages."""
    unique = list(dict.fromkeys(p.text for passage, _ in items for p in passage.pieces if len(passage.pieces) > 1))
    vectors = dict(zip(unique, embedder.embed(unique), strict=True)) if unique else {}
    quotes: list[Quote] = []
    for passage, query_vector in items:
        pieces = passage.pieces or [Piece(passage.start, passage.end, passage.text)]
        if len(pieces) == 1:
            quotes.append(Quote(pieces[0].start, pieces[0].end, pieces[0].text, pieces[0].location))
            continue
        scores = [_dot(vectors[p.text], query_vector) for p in pieces]
        best = max(range(len(pieces)), key=lambda i: scores[i])
        lo = hi = best
        while hi - lo + 1 < max_pieces and sum(len(p.text.split()) for p in pieces[lo : hi + 1]) < min_words:
            left = scores[lo - 1] if lo > 0 else None
            right = scores[hi + 1] if hi + 1 < len(pieces) else None
            if left is None and right is None:
                break
            if right is None or (left is not None and left >= right):
                lo -= 1
            else:
                hi += 1
        chosen = pieces[lo : hi + 1]
        quotes.append(Quote(chosen[0].start, chosen[-1].end, " ".join(p.text for p in chosen), chosen[0].location))
    return quotes


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b, strict=False)))


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 1)]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


@dataclass(frozen=True)
class SearchHit:
    source_id: str
    title: str
    url: str | None  # opens the source at the passage (the second, the page, the heading or the words)
    start: float
    end: float
    text: str
    score: float
    chunk: int
    location: Location | None = None  # a document's; None for a talk

    @property
    def at(self) -> str:
        """Where the passage is, as a reader says it: ``12:34``, ``page 4``, ``§ Durable functions``."""
        return place(self.start, self.location)

    def to_json(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "title": self.title,
            "url": self.url,
            "start": self.start,
            "end": self.end,
            "at": self.at,
            "text": self.text,
            "score": round(self.score, 6),
            "chunk": self.chunk,
        } | ({"location": self.location.to_json()} if self.location else {})


def search(
    store: VectorStore,
    embedder: Embedder,
    query: str,
    *,
    limit: int = 5,
    source_ids: Sequence[str] | None = None,
) -> list[SearchHit]:
    """What ``joeladr search`` shows: evaluate's retrieval for one query of the user's, without the relevance
    floor (the user asked: the best passages are shown with their scores, however weak).

    An empty store is an error (there is nothing to search); an empty answer for a filter is not.
    """
    vector = embedder.embed([query])[0]
    passages = find_passages(store, vector, query, limit=limit, source_ids=source_ids)
    if not passages and not source_ids:
        raise IngestError("nothing has been ingested yet", hint="run `joeladr ingest URL` first")
    return [
        SearchHit(p.source_id, p.title, p.link, p.start, p.end, p.text, p.score, p.best_chunk, p.location)
        for p in passages
    ]
