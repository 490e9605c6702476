"""Build the real engines from settings (the CLI's only way to get them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from joeladr.embed import SentenceTransformerEmbedder, SizedEmbedder
from joeladr.settings import Settings
from joeladr.store.base import Hit, Point, SparseVector, VectorStore, open_store
from joeladr.transcribe import FasterWhisperTranscriber


def make_transcriber(settings: Settings, *, word_timestamps: bool = False) -> FasterWhisperTranscriber:
    return FasterWhisperTranscriber(
        settings.whisper_model,
        compute_type=settings.compute_type,
        device=settings.device,
        cpu_threads=settings.cpu_threads,
        word_timestamps=word_timestamps,
        batch_size=settings.batch_size,
    )


def make_query_embedder(settings: Settings) -> SizedEmbedder:
    """The ONNX export when there is a verified one (no torch import), else sentence-transformers."""
    from joeladr.embed_onnx import load

    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    model_path = Path(embedder.model)
    if model_path.exists():
        exported = load(settings.home, model_path)
        if exported is not None:
            return exported
    return embedder


def export_query_model(settings: Settings, embedder: SentenceTransformerEmbedder) -> bool:
    """After an ingest (torch is loaded anyway): export the model for the fast query path, once."""
    from joeladr.embed_onnx import export

    model_path = Path(embedder.model)
    return model_path.exists() and export(settings.home, model_path, embedder)


@contextmanager
def opened_store(settings: Settings, dimension: int) -> Iterator[VectorStore]:
    store = open_store(settings, dimension)
    try:
        yield store
    finally:
        store.close()


class LazyStore:
    """Opens the real store on first use: an ingest opens it after transcription, so the store's
    threads and the embedding model do not share the CPU with whisper (bench/RESULTS.md)."""

    def __init__(self, opener: Callable[[], VectorStore]) -> None:
        self._opener = opener
        self._store: VectorStore | None = None

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            self._store = self._opener()
        return self._store

    def upsert(self, points: Sequence[Point]) -> None:
        self.store.upsert(points)

    def query(
        self,
        dense: list[float] | None,
        sparse: SparseVector | None,
        limit: int,
        source_ids: Sequence[str] | None = None,
    ) -> list[Hit]:
        return self.store.query(dense, sparse, limit, source_ids)

    def similarity(self, dense: list[float], ids: Sequence[str]) -> dict[str, float]:
        return self.store.similarity(dense, ids)

    def source_points(self, source_id: str) -> dict[str, dict[str, Any]]:
        return self.store.source_points(source_id)

    def delete(self, ids: Sequence[str]) -> None:
        self.store.delete(ids)

    def count(self) -> int:
        return self.store.count()

    def any_payload(self) -> dict[str, Any] | None:
        return self.store.any_payload()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class LazyEmbedder:
    """Loads the embedding model on first use (after transcription, during an ingest)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._embedder: SizedEmbedder | None = None

    @property
    def loaded(self) -> SizedEmbedder:
        if self._embedder is None:
            self._embedder = make_query_embedder(self._settings)
        return self._embedder

    @property
    def model_name(self) -> str:
        from joeladr.embed import canonical_model_name, default_embedding_model

        return canonical_model_name(self._settings.embedding_model or default_embedding_model())

    @property
    def dimension(self) -> int:
        return self.loaded.dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self.loaded.embed(texts)
