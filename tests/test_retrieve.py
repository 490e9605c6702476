"""Retrieval: over a real Qdrant Edge store (fusion keeps exact keywords), and its pure steps: chunks merged
into passages, passages chosen across talks, quotes cut from their sentences."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from joeladr.embed.keywords import keyword_vector
from joeladr.retrieve import Candidate, Passage, Piece, Silence, Subject, find_passages, merge, select, trim_quotes
from joeladr.store import Point, point_id
from joeladr.store.edge import EdgeStore
from tests.ingested import TALKS, Ingested, copy_of
from tests.test_store_contract import DIM, TEXTS, _vector


def _store(tmp_path: Path) -> EdgeStore:
    store = EdgeStore.open(tmp_path / "edge", DIM)
    points = []
    for n, (key, text) in enumerate(TEXTS.items()):
        source = "src-" + key[0]
        payload = {"source_id": source, "chunk": int(key[1]), "text": text, "start": n * 100.0, "end": n * 100.0 + 9}
        points.append(Point(point_id(source, int(key[1]), "m", "c"), _vector(n), keyword_vector(text), payload))
    store.upsert(points)
    return store


def test_a_keyword_match_survives_fusion(tmp_path: Path) -> None:
    store = _store(tmp_path)
    try:
        # the dense vector points at b0; the word "GenServer" appears only in a0
        passages = find_passages(store, _vector(2), "GenServer", limit=2)
        assert {p.text for p in passages} == {TEXTS["b0"], TEXTS["a0"]}
        dense_only = find_passages(store, _vector(2), "nothing matches these words", limit=1)
        assert [p.text for p in dense_only] == [TEXTS["b0"]]
    finally:
        store.close()


# -- merging, choosing and quoting, without a store ---------------------------------------------------------
def _cand(source: str, chunk: int, score: float, *, context: float | None = None, step: float = 8.0) -> Candidate:
    """A chunk ``step`` seconds after the previous one and 10 s long, so neighbours overlap by 2 s."""
    start = chunk * step
    text = f"{source} chunk {chunk}"
    return Candidate(
        source_id=source,
        chunk=chunk,
        start=start,
        end=start + 10.0,
        text=text,
        pieces=[
            Piece(start, start + 5.0, f"{text} first half."),
            Piece(start + 5.0, start + 10.0, f"{text} second half."),
        ],
        title=source,
        url=None,
        video_id=None,
        cosine=score,
        keyword=0.0,
        context=score if context is None else context,
        score=score,
    )


def test_merge_joins_overlapping_chunks_of_one_talk_under_the_best() -> None:
    cands = [
        _cand("a", 1, 0.5),
        _cand("a", 2, 0.9, context=0.4),
        _cand("a", 3, 0.6),
        _cand("a", 7, 0.7),
        _cand("b", 2, 0.8),
    ]
    passages = merge(cands)
    assert [(p.source_id, p.best_chunk) for p in passages] == [("a", 2), ("b", 2), ("a", 7)]
    joined = passages[0]
    assert (joined.start, joined.end, joined.score, joined.relevance) == (16.0, 26.0, 0.9, 0.4)  # the best chunk's
    # its quote can draw on the best chunk and the touching neighbours, in time order, each sentence once
    assert [p.start for p in joined.pieces] == [8.0, 13.0, 16.0, 21.0, 24.0, 29.0]
    assert merge([]) == []


def test_merge_keeps_talks_apart_and_does_not_chain_beyond_the_best_chunks_span() -> None:
    # chunk 4 overlaps chunk 3 but not the best chunk 2: it starts a passage of its own
    passages = merge([_cand("a", 2, 0.9), _cand("a", 3, 0.5), _cand("a", 4, 0.4), _cand("b", 2, 0.3)])
    assert [(p.source_id, p.best_chunk) for p in passages] == [("a", 2), ("a", 4), ("b", 2)]


def _passages(*spec: tuple[str, float]) -> list[Passage]:
    return merge([_cand(source, n * 10, score) for n, (source, score) in enumerate(spec)])


def test_select_caps_one_talk_while_another_has_something_to_say() -> None:
    ranked = _passages(("a", 0.9), ("a", 0.8), ("a", 0.7), ("a", 0.6), ("b", 0.5), ("c", 0.4), ("a", 0.3))
    assert [p.source_id for p in select(ranked, 5)] == ["a", "a", "a", "b", "c"]  # ceil(5/2) = 3 from a
    assert [p.source_id for p in select(ranked, 2)] == ["a", "b"]  # ceil(2/2) = 1
    alone = _passages(("a", 0.9), ("a", 0.8), ("a", 0.7), ("a", 0.6))
    assert len(select(alone, 3)) == 3  # no other talk: filled up from the one there is
    assert select(ranked, 1)[0].score == 0.9 and select([], 5) == []


class _Counting:
    """The real embedding model (the bundled all-MiniLM-L6-v2), counting what it is asked to embed."""

    def __init__(self) -> None:
        from joeladr.embed.transformer import SentenceTransformerEmbedder

        self.model = SentenceTransformerEmbedder()
        self.calls: list[list[str]] = []

    @property
    def model_name(self) -> str:
        return self.model.model_name

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return self.model.embed(texts)


def _passage(*sentences: str) -> Passage:
    pieces = [Piece(float(i * 4), float(i * 4 + 4), s) for i, s in enumerate(sentences)]
    return Passage("a", "a", None, None, 0.0, pieces[-1].end, " ".join(sentences), 0.5, 0.5, 0, pieces)


def test_trim_quotes_starts_at_the_best_sentence_and_grows_toward_the_closer_neighbour() -> None:
    embedder = _Counting()
    query = embedder.embed(["does the supervisor restart a process after a crash?"])[0]
    passage = _passage(
        "We use the websocket a lot.",
        "The supervisor will restart it.",
        "A crash is fine then.",
        "Typescript is elsewhere.",
    )
    [quote] = trim_quotes([(passage, query)], embedder, max_pieces=3, min_words=8)
    assert quote.text == "The supervisor will restart it. A crash is fine then."  # grown right: the closer side
    assert (quote.start, quote.end) == (4.0, 12.0)  # the quote's own time, not the passage's
    [short] = trim_quotes([(passage, query)], embedder, max_pieces=1, min_words=100)
    assert short.text == "The supervisor will restart it."  # max_pieces bounds it
    [long] = trim_quotes([(passage, query)], embedder, max_pieces=10, min_words=30)
    assert long.text == passage.text  # no more pieces to add: the whole passage, never beyond it


def test_trim_quotes_embeds_each_sentence_once_and_keeps_one_piece_passages_whole() -> None:
    embedder = _Counting()
    query = embedder.embed(["does LiveView push updates over a websocket?"])[0]
    embedder.calls.clear()
    shared = _passage("Liveview pushes diffs.", "Over a websocket.", "The supervisor restarts.")
    single = Passage("b", "b", None, None, 3.0, 9.0, "One piece only.", 0.4, 0.4, 0, [])
    quotes = trim_quotes([(shared, query), (single, query), (shared, query)], embedder, min_words=5)
    assert [q.text for q in quotes] == ["Liveview pushes diffs. Over a websocket."] * 1 + ["One piece only."] + [
        "Liveview pushes diffs. Over a websocket."
    ]
    assert (quotes[1].start, quotes[1].end) == (3.0, 9.0)
    assert len(embedder.calls) == 1 and sorted(embedder.calls[0]) == sorted(p.text for p in shared.pieces)


# -- silence, learned from the talks -------------------------------------------------------------------------
class _Talks:
    """Which talks are on the ADR's subject, given outright (the real Subject asks the store, tested below)."""

    def __init__(self, *on: str) -> None:
        self.on = set(on)

    def covers(self, source_id: str) -> bool:
        return source_id in self.on


def _ranked(*spec: tuple[str, float, float]) -> list[Passage]:
    """Passages in rank order: (talk, context cosine, BM25 z-score among the candidates)."""
    return [
        Passage(source, source, None, None, n * 20.0, n * 20.0 + 10, f"p{n}", 1.0 - n / 10, context, n, [], words)
        for n, (source, context, words) in enumerate(spec)
    ]


def test_silence_holds_passages_to_the_floor_and_talks_off_the_subject_to_more() -> None:
    silence = Silence(_Talks("on"), floor=0.35, first=0.2, off_subject=0.45, words=3.0)  # type: ignore[arg-type]
    kept = silence.keep(_ranked(("on", 0.3, 0.0), ("on", 0.4, 0.0), ("off", 0.44, 9.0), ("off", 0.5, 0.0)))
    assert [(p.source_id, p.relevance) for p in kept] == [("on", 0.4), ("off", 0.5)]
    assert silence.keep(_ranked(("off", 0.4, 0.0), ("off", 0.3, 5.0))) == []
    assert silence.keep([]) == []


def test_silence_lets_the_best_passage_through_when_its_words_stand_out() -> None:
    silence = Silence(_Talks("on"), floor=0.35, first=0.2, off_subject=0.45, words=3.0)  # type: ignore[arg-type]
    # the exact words of the criterion stand out where its meaning is weak: the best-ranked passage is shown
    assert [p.relevance for p in silence.keep(_ranked(("on", 0.25, 3.5), ("on", 0.3, 4.0)))] == [0.25]
    assert silence.keep(_ranked(("on", 0.25, 2.9))) == []  # words that do not stand out: the floor
    assert silence.keep(_ranked(("on", 0.19, 5.0))) == []  # nor below the first floor
    assert silence.keep(_ranked(("off", 0.25, 5.0), ("on", 0.25, 5.0))) == []  # only the best-ranked passage
    assert silence.keep(_ranked(("off", 0.3, 5.0))) == []  # and never in a talk off the subject


def test_the_subject_is_each_talks_closest_chunks(tmp_path: Path) -> None:
    store = _store(tmp_path)
    try:
        query = _vector(0)

        def cos(n: int) -> float:
            return sum(a * b for a, b in zip(query, _vector(n), strict=True))

        talk_a, talk_b = (cos(0) + cos(1)) / 2, (cos(2) + cos(3)) / 2  # each talk has two chunks (TEXTS)
        assert talk_a > talk_b
        subject = Subject(store, query, threshold=(talk_a + talk_b) / 2)
        assert abs(subject.closeness("src-a") - talk_a) < 1e-4 and abs(subject.closeness("src-b") - talk_b) < 1e-4
        assert subject.covers("src-a") and not subject.covers("src-b")
        assert subject.closeness("src-nothing") == 0.0 and not subject.covers("src-nothing")
    finally:
        store.close()


def test_the_demo_talk_gets_a_finding_for_each_criterion_from_its_paragraph(ingested: Ingested, tmp_path: Path) -> None:
    """`make demo`'s talk, with the default silence (no --min-score): each of ADR-0064's five criteria gets a
    finding, the first from the paragraph written for it. Under the floor alone "Selective adoption" had none
    (its paragraph's context cosine is 0.25 with the bundled MiniLM)."""
    from joeladr.adr.repo import AdrRepository
    from joeladr.engines import make_query_embedder, opened_store
    from joeladr.evaluate.run import retrieve

    copy = copy_of(ingested, tmp_path / "copy")
    settings = copy.settings
    spans = {
        p["criterion"]: (p["start"], p["end"]) for p in json.loads((TALKS / "beam-talk.json").read_text())["paragraphs"]
    }
    embedder = make_query_embedder(settings)
    with opened_store(settings, embedder.dimension) as store:
        found = retrieve(settings, AdrRepository.of(settings).get("0064"), store, embedder, judge=False)
    for criterion, (start, end) in spans.items():
        first = found.findings[criterion][0]
        assert first.title == "beam-talk" and start - 3 <= first.start < end, (criterion, first.start, first.text)
    assert not [m for m in found.messages if m.startswith("nothing relevant found")]
