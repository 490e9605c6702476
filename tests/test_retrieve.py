"""Retrieval over a real Qdrant Edge store: fusion keeps exact keywords, passages merge, talks mix."""

from __future__ import annotations

from pathlib import Path

from joeladr.embed.keywords import keyword_vector
from joeladr.retrieve import find_passages
from joeladr.store import Point, point_id
from joeladr.store.edge import EdgeStore
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
