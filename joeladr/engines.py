"""Build the real engines from settings (the CLI's only way to get them)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from joeladr.embed import SentenceTransformerEmbedder
from joeladr.settings import Settings
from joeladr.store.base import VectorStore, open_store
from joeladr.transcribe import FasterWhisperTranscriber


class QueryEmbedder(Protocol):
    @property
    def model_name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


def make_transcriber(settings: Settings, *, word_timestamps: bool = False) -> FasterWhisperTranscriber:
    return FasterWhisperTranscriber(
        settings.whisper_model,
        compute_type=settings.compute_type,
        device=settings.device,
        cpu_threads=settings.cpu_threads,
        word_timestamps=word_timestamps,
        batch_size=settings.batch_size,
    )


def make_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(settings.embedding_model)


def make_query_embedder(settings: Settings) -> QueryEmbedder:
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


def make_downloader(
    *, cookies: Path | None = None, cookies_from_browser: str | None = None, allow_file_urls: bool = False
) -> object:
    from joeladr.download import YtDlpDownloader

    return YtDlpDownloader(cookies=cookies, cookies_from_browser=cookies_from_browser, allow_file_urls=allow_file_urls)
