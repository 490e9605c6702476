"""The real engines, built from settings: the CLI's (and any other front end's) only way to get them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from joeladr.embed import SizedEmbedder, canonical_model_name, default_embedding_model
from joeladr.settings import Settings
from joeladr.store import VectorStore

if TYPE_CHECKING:
    from collections.abc import Sequence

    from joeladr.ingest.transcribe import FasterWhisperTranscriber


def make_transcriber(
    settings: Settings, *, word_timestamps: bool = False, vocabulary: str | None = None, prompt: bool = False
) -> FasterWhisperTranscriber:
    """faster-whisper as the settings say; ``vocabulary`` primes it (hotwords, or ``prompt``: initial_prompt)."""
    from joeladr.ingest.transcribe import FasterWhisperTranscriber

    return FasterWhisperTranscriber(
        settings.whisper_model,
        compute_type=settings.compute_type,
        device=settings.device,
        cpu_threads=settings.cpu_threads,
        word_timestamps=word_timestamps,
        batch_size=settings.batch_size,
        vocabulary=vocabulary,
        prompt=prompt,
    )


def make_query_embedder(settings: Settings) -> SizedEmbedder:
    """The ONNX export when there is a verified one (no torch import), else sentence-transformers."""
    from joeladr.embed.onnx import load
    from joeladr.embed.transformer import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    model_path = Path(embedder.model)
    if model_path.exists():
        exported = load(settings.home, model_path)
        if exported is not None:
            return exported
    return embedder


def export_query_model(settings: Settings, embedder: SizedEmbedder) -> bool:
    """After an ingest that loaded torch anyway: export the model for the fast query path, once."""
    from joeladr.embed.onnx import export
    from joeladr.embed.transformer import SentenceTransformerEmbedder

    if not isinstance(embedder, SentenceTransformerEmbedder):
        return False
    model_path = Path(embedder.model)
    return model_path.exists() and export(settings.home, model_path, embedder)


def open_store(settings: Settings, dimension: int) -> VectorStore:
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

    return EdgeStore.open(settings.home / "store" / settings.collection, dimension, wait_seconds=settings.lock_wait)


@contextmanager
def opened_store(settings: Settings, dimension: int) -> Iterator[VectorStore]:
    store = open_store(settings, dimension)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def store_on_demand(settings: Settings, dimension: Callable[[], int]) -> Iterator[Callable[[], VectorStore]]:
    """A function that opens the store on its first call (and returns the same store after); closed at exit."""
    opened: list[VectorStore] = []

    def get() -> VectorStore:
        if not opened:
            opened.append(open_store(settings, dimension()))
        return opened[0]

    try:
        yield get
    finally:
        for store in opened:
            store.close()


class LazyEmbedder:
    """The query embedder, loaded on first use (during an ingest: after transcription)."""

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
        return canonical_model_name(self._settings.embedding_model or default_embedding_model())

    @property
    def dimension(self) -> int:
        return self.loaded.dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self.loaded.embed(texts)
