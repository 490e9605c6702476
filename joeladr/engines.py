"""Build the real engines from settings (the CLI's only way to get them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from joeladr.embed import SentenceTransformerEmbedder
from joeladr.settings import Settings
from joeladr.store.base import VectorStore, open_store
from joeladr.transcribe import FasterWhisperTranscriber


def make_transcriber(settings: Settings, *, word_timestamps: bool = False) -> FasterWhisperTranscriber:
    return FasterWhisperTranscriber(
        settings.whisper_model,
        compute_type=settings.compute_type,
        device=settings.device,
        cpu_threads=settings.cpu_threads,
        word_timestamps=word_timestamps,
    )


def make_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(settings.embedding_model)


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
