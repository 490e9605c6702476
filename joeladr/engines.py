"""The real engines, built from settings: the only way a front end gets them.

Two ways to hold them, one shape (what :class:`joeladr.app.workspace.Engines` asks for): an
embedder, and the store as a context manager (``store()``), or opened on first use
(``store_on_demand()``, so an ingest lets whisper have the CPU before the store opens):

- :class:`OneRunEngines`: opened for one command and closed at its end (the CLI);
- :class:`ResidentEngines`: kept between calls by a long-running server (``joeladr mcp``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joeladr.embed import SizedEmbedder, canonical_model_name, default_embedding_model
from joeladr.settings import Settings
from joeladr.store import Hit, Point, SparseVector, VectorStore

if TYPE_CHECKING:
    from joeladr.ingest.transcribe import FasterWhisperTranscriber


def make_transcriber(
    settings: Settings,
    *,
    word_timestamps: bool = False,
    vocabulary: str | None = None,
    prompt: bool = False,
    priming: bool = True,
) -> FasterWhisperTranscriber:
    """faster-whisper as the settings say; ``vocabulary`` primes it (hotwords, or ``prompt``: initial_prompt),
    and so do each source's title words unless ``priming`` is off."""
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
        priming=priming,
        scratch=settings.home,  # the decoded audio waits on the cache's disk, not in a tmpfs
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
    """The query embedder, loaded on first use (during an ingest: after transcription); one batch at a time."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._embedder: SizedEmbedder | None = None
        self._lock = threading.RLock()

    @property
    def loaded(self) -> SizedEmbedder:
        with self._lock:
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
        with self._lock:
            return self.loaded.embed(texts)


class OneRunEngines:
    """The embedder (loaded on first use) and the store, opened for one command and closed at its end."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embedder = LazyEmbedder(settings)

    @contextmanager
    def store(self) -> Iterator[VectorStore]:
        with opened_store(self.settings, self.embedder.dimension) as store:
            yield store

    def store_on_demand(self) -> AbstractContextManager[Callable[[], VectorStore]]:
        return store_on_demand(self.settings, lambda: self.embedder.dimension)


class ResidentEngines:
    """The query embedder and the store, kept between calls by a long-running front end (``joeladr mcp``).

    The embedder stays loaded. The store opens on first use and closes once it has been idle
    for ``settings.release_store_after`` seconds: Qdrant Edge lets one process at a time open
    a store, and this way a CLI command in the same workspace gets it (it waits up to
    ``lock_wait`` seconds, so it succeeds whenever the server pauses). Threads take turns:
    one store call at a time (and one embedding batch, see :class:`LazyEmbedder`).
    """

    def __init__(
        self,
        settings: Settings,
        opener: Callable[[Settings, int], VectorStore] = open_store,
        embedder: LazyEmbedder | None = None,
    ) -> None:
        self.settings = settings
        self._opener = opener
        self.embedder = embedder or LazyEmbedder(settings)
        self._store_lock = threading.Lock()
        self._store: VectorStore | None = None
        self._last_used = 0.0
        self._timer: threading.Timer | None = None
        self.shared: VectorStore = _SharedStore(self)

    @property
    def store_open(self) -> bool:
        return self._store is not None

    @contextmanager
    def store(self) -> Iterator[VectorStore]:
        """The shared store (it stays open after the block; it is released when idle)."""
        yield self.shared

    @contextmanager
    def store_on_demand(self) -> Iterator[Callable[[], VectorStore]]:
        yield lambda: self.shared

    @contextmanager
    def _using_store(self) -> Iterator[VectorStore]:
        dimension = self.embedder.dimension  # before the store lock: loading the model can take seconds
        with self._store_lock:
            if self._store is None:
                self._store = self._opener(self.settings, dimension)
            try:
                yield self._store
            finally:
                self._last_used = time.monotonic()
                if self.settings.release_store_after <= 0:
                    self._close_store()
                elif self._timer is None:
                    self._schedule(self.settings.release_store_after)

    def _schedule(self, delay: float) -> None:
        self._timer = threading.Timer(delay, self._release_if_idle)
        self._timer.daemon = True
        self._timer.start()

    def _release_if_idle(self) -> None:
        with self._store_lock:
            self._timer = None
            if self._store is None:
                return
            idle = time.monotonic() - self._last_used
            if idle >= self.settings.release_store_after:
                self._close_store()
            else:  # used since the timer started: wait out the rest
                self._schedule(self.settings.release_store_after - idle)

    def _close_store(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            store.close()

    def release(self) -> None:
        """Close the store now (it reopens on the next call)."""
        with self._store_lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._close_store()


class _SharedStore:
    """The resident store as a :class:`VectorStore`: each call opens it if needed and restarts the idle clock.

    ``close`` does nothing: the store belongs to :class:`ResidentEngines`, which releases it when idle.
    """

    def __init__(self, engines: ResidentEngines) -> None:
        self._engines = engines

    def upsert(self, points: Sequence[Point]) -> None:
        with self._engines._using_store() as store:
            store.upsert(points)

    def delete(self, ids: Sequence[str]) -> None:
        with self._engines._using_store() as store:
            store.delete(ids)

    def nearest(self, dense: list[float], limit: int, source_ids: Sequence[str] | None = None) -> list[Hit]:
        with self._engines._using_store() as store:
            return store.nearest(dense, limit, source_ids)

    def keyword(self, sparse: SparseVector, limit: int, source_ids: Sequence[str] | None = None) -> list[Hit]:
        with self._engines._using_store() as store:
            return store.keyword(sparse, limit, source_ids)

    def similarity(self, dense: list[float], ids: Sequence[str]) -> dict[str, float]:
        with self._engines._using_store() as store:
            return store.similarity(dense, ids)

    def source_points(self, source_id: str) -> dict[str, dict[str, Any]]:
        with self._engines._using_store() as store:
            return store.source_points(source_id)

    def close(self) -> None:
        pass
