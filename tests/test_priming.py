"""Priming never eats speech: a stretch the primed recognizer heard nothing in is heard again without it (issue 24)."""

from __future__ import annotations

import shutil
from pathlib import Path

from joeladr.cache import read_entry
from joeladr.ingest.pipeline import source_terms
from joeladr.settings import resolve_settings
from joeladr.transcript import Transcript
from joeladr.vocabulary import domain_terms
from tests.ingested import BEAM


def test_short_or_numeric_title_tokens_do_not_prime() -> None:
    """A file named "beam-j2" made `j2` the only hotword, and tiny.en then wrote "j2" for 29 s of speech."""
    assert source_terms({"title": "beam-j2"}) == []
    assert source_terms({"title": "Episode 42: K8s on the BEAM, v10 in S3 with j4"}) == ["K8s", "BEAM"]
    assert domain_terms(["We write new services in Go, and Go only."], title="Why Go") == ["Go"]  # the text uses it


def test_speech_the_primed_recognizer_lost_is_heard_unprimed_and_reported(workspace: Path) -> None:
    """With `j2` as its only hotword, tiny.en heard "j2" in the first 28 s of the BEAM talk (254 of its 333
    words were left). The windowed transcriber hears that unit again unprimed, keeps the words, records the
    stretch in the transcript and the ingest warns about it."""
    from joeladr.embed.transformer import SentenceTransformerEmbedder
    from joeladr.ingest.download import YtDlpDownloader
    from joeladr.ingest.inputs import SourceRef
    from joeladr.ingest.pipeline import Ingestor
    from joeladr.ingest.transcribe import FasterWhisperTranscriber
    from joeladr.store.edge import EdgeStore

    talk = workspace / "beam-j2.webm"
    shutil.copy(BEAM, talk)
    settings = resolve_settings(cwd=workspace)
    plain = FasterWhisperTranscriber()
    unprimed_words = len(plain.transcribe(talk).text.split())
    warnings: list[str] = []
    store = EdgeStore.open(settings.home / "store" / "joeladr", 384)
    try:
        ingestor = Ingestor(
            settings,
            downloader=YtDlpDownloader(),
            transcriber=plain.primed(["j2"]),  # as the title gave it before titles lost their short tokens
            embedder=SentenceTransformerEmbedder(),
            store=lambda: store,
            warn=warnings.append,
        )
        results, failures = ingestor.run([SourceRef("file", str(talk))])
    finally:
        store.close()
    assert not failures and results
    cached = next((settings.home / "sources" / results[0].source_id).glob("transcript-*.json"))
    data = read_entry(cached)
    assert isinstance(data, dict)
    transcript = Transcript.from_json(data)
    assert len(transcript.text.split()) >= 0.95 * unprimed_words, transcript.text
    assert "supervis" in " ".join(s.text for s in transcript.segments if s.start < 28).lower()
    assert len(transcript.unprimed) == 1 and transcript.unprimed[0][0] < 1 and 25 < transcript.unprimed[0][1] < 32
    assert len(warnings) == 1 and "heard nothing in 00:00-00:2" in warnings[0] and "without priming" in warnings[0]
