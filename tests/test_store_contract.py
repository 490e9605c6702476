"""One contract, three implementations: Qdrant Edge, qdrant-client (local mode here; a real server with
QDRANT_URL), and the store a long-running server shares between calls (``ResidentEngines.shared``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from joeladr.embed.keywords import keyword_vector
from joeladr.engines import ResidentEngines
from joeladr.errors import StoreError, StoreLockedError
from joeladr.settings import resolve_settings
from joeladr.store import Point, VectorStore, check_model, point_id
from joeladr.store.edge import EdgeStore
from joeladr.store.server import QdrantServerStore

DIM = 8
TEXTS = {
    "a0": "the supervisor restarts a crashed GenServer process",
    "a1": "phoenix liveview pushes diffs over a websocket",
    "b0": "typescript sdk for every large language model vendor",
    "b1": "migration cost of rewriting forty seven functions",
}

BACKENDS = ["edge", "client-local", "resident"] + (["server"] if os.environ.get("QDRANT_URL") else [])


def _vector(seed: int) -> list[float]:
    values = [((seed * 7 + i * 13) % 17) / 17.0 + (1.0 if i == seed % DIM else 0.0) for i in range(DIM)]
    norm = sum(v * v for v in values) ** 0.5
    return [v / norm for v in values]


def _points(model: str = "m1") -> list[Point]:
    points = []
    for n, (key, text) in enumerate(TEXTS.items()):
        source = "src-" + key[0]
        points.append(
            Point(
                id=point_id(source, int(key[1]), model, "c1"),
                dense=_vector(n),
                sparse=keyword_vector(text),
                payload={"source_id": source, "chunk": int(key[1]), "text": text, "model": model, "start": n * 10.0},
            )
        )
    return points


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    opened: VectorStore
    if request.param == "edge":
        opened = EdgeStore.open(tmp_path / "edge", DIM)
    elif request.param == "client-local":
        opened = QdrantServerStore.connect(location=":memory:", collection="contract", dimension=DIM)
    elif request.param == "resident":
        # the embedder only tells the store's size here (8 numbers: no model makes vectors this small)
        engines = ResidentEngines(
            resolve_settings(cwd=tmp_path, env={}),
            opener=lambda settings, dimension: EdgeStore.open(tmp_path / "edge", dimension),
            embedder=SimpleNamespace(dimension=DIM),  # type: ignore[arg-type]
        )
        yield engines.shared
        engines.release()
        return
    else:
        opened = QdrantServerStore.connect(
            url=os.environ["QDRANT_URL"],
            api_key=os.environ.get("QDRANT_API_KEY"),
            collection=f"joeladr-test-{uuid.uuid4().hex[:8]}",
            dimension=DIM,
        )
    yield opened
    if request.param == "server":
        opened.client.delete_collection(opened.collection)  # type: ignore[attr-defined]
    opened.close()


def count(store: VectorStore) -> int:
    return len(store.nearest(_vector(0), 1000))


def test_upsert_count_and_idempotence(store: VectorStore) -> None:
    assert count(store) == 0
    store.upsert(_points())
    assert count(store) == 4
    store.upsert(_points())
    assert count(store) == 4


def test_dense_query_ranks_the_nearest_first(store: VectorStore) -> None:
    store.upsert(_points())
    hits = store.nearest(_vector(2), 2)
    assert hits[0].payload["text"] == TEXTS["b0"]
    assert hits[0].score >= hits[1].score


def test_filter_by_source(store: VectorStore) -> None:
    store.upsert(_points())
    dense = store.nearest(_vector(2), 10, source_ids=["src-a"])
    keyword = store.keyword(keyword_vector("typescript restarts", query=True), 10, source_ids=["src-a"])
    assert dense and keyword and all(h.payload["source_id"] == "src-a" for h in [*dense, *keyword])
    assert len(store.nearest(_vector(2), 10, source_ids=["src-a", "src-b"])) == 4


def test_source_points_and_delete(store: VectorStore) -> None:
    points = _points()
    store.upsert(points)
    mine = store.source_points("src-a")
    assert set(mine) == {p.id for p in points if p.payload["source_id"] == "src-a"}
    assert mine[points[0].id]["text"] == TEXTS["a0"]
    store.delete(list(mine))
    assert count(store) == 2 and store.source_points("src-a") == {}


def test_a_store_refuses_another_model(store: VectorStore) -> None:
    check_model(store, "m2", _vector(0))  # an empty store takes any model
    store.upsert(_points("m1"))
    check_model(store, "m1", _vector(0))
    with pytest.raises(StoreError, match="filled by embedding model 'm1'"):
        check_model(store, "m2", _vector(0))


def test_point_ids_are_deterministic_uuids() -> None:
    first = point_id("src", 3, "model", "chunks")
    assert first == point_id("src", 3, "model", "chunks")
    assert uuid.UUID(first).version == 5
    assert first != point_id("src", 3, "other-model", "chunks") != point_id("src", 3, "model", "other")


def test_edge_store_survives_reopen_and_locks(tmp_path: Path) -> None:
    first = EdgeStore.open(tmp_path / "edge", DIM)
    first.upsert(_points())
    with pytest.raises(StoreLockedError, match="in use by pid"):
        EdgeStore.open(tmp_path / "edge", DIM, wait_seconds=0.3)
    first.close()
    again = EdgeStore.open(tmp_path / "edge", DIM)
    assert count(again) == 4
    again.close()


def test_edge_store_refuses_another_dimension(tmp_path: Path) -> None:
    EdgeStore.open(tmp_path / "edge", DIM).close()
    with pytest.raises(StoreError):
        EdgeStore.open(tmp_path / "edge", DIM * 2)


def test_keyword_and_dense_queries(store: VectorStore) -> None:
    store.upsert(_points())
    keyword = store.keyword(keyword_vector("websocket liveview", query=True), 3)
    assert keyword[0].payload["text"] == TEXTS["a1"] and keyword[0].score > 0
    assert len(keyword) == 1  # only one text has those words
    dense = store.nearest(_vector(1), 4)
    assert dense[0].payload["text"] == TEXTS["a1"] and 0.99 < dense[0].score <= 1.0001
    assert store.keyword(keyword_vector("", query=True), 3) == []


def test_similarity_of_chosen_points(store: VectorStore) -> None:
    points = _points()
    store.upsert(points)
    scores = store.similarity(_vector(1), [points[1].id, points[3].id])
    assert set(scores) == {points[1].id, points[3].id}
    expected = sum(a * b for a, b in zip(_vector(1), points[3].dense, strict=True))
    assert abs(scores[points[1].id] - 1.0) < 1e-4 and abs(scores[points[3].id] - expected) < 1e-4
    assert store.similarity(_vector(1), []) == {}


def test_a_vector_of_another_size_is_refused(store: VectorStore) -> None:
    store.upsert(_points())
    wrong = [*_vector(1), 0.5]
    for call in (
        lambda: store.upsert([Point(point_id("src-x", 0, "m1", "c1"), wrong, keyword_vector("x"), {})]),
        lambda: store.nearest(wrong, 3),
        lambda: store.similarity(wrong, [_points()[0].id]),
    ):
        with pytest.raises(StoreError, match="does not fit this vector store"):
            call()
    assert count(store) == 4


def test_an_engine_failure_reaches_the_caller_as_a_store_error(store: VectorStore) -> None:
    bad = Point("not-a-uuid", _vector(0), keyword_vector("x"), {"source_id": "s"})
    with pytest.raises(StoreError):
        store.upsert([bad])
