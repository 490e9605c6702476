"""The recognizer is primed with an ADR's domain words and a source's own title; the cache knows it."""

from __future__ import annotations

from pathlib import Path

from joeladr.adr import load_adr
from joeladr.ingest.pipeline import source_terms
from joeladr.ingest.transcribe import FasterWhisperTranscriber
from joeladr.vocabulary import MAX_TERMS, adr_vocabulary, domain_terms, join_terms
from tests.conftest import ADR_0064, CORPUS
from tests.ingested import BEAM


def test_an_adrs_domain_terms_are_its_names_not_its_english() -> None:
    terms = adr_vocabulary(load_adr(ADR_0064))
    assert {"BEAM", "OTP", "Elixir", "Phoenix", "LiveView", "Inngest", "GenServers", "Redis", "Qdrant"} <= set(terms)
    assert not {"Evaluate", "Backbone", "Option", "Hot", "Lightweight", "Custom", "Migration"} & set(terms)
    assert len(terms) <= MAX_TERMS


def test_terms_from_prose_titles_and_code() -> None:
    text = "We keep `ioredis` and Node.js. The Phoenix framework runs C++ code; TS+Redis; see ADR-0037."
    assert domain_terms([text]) == ["ioredis", "Node.js", "Phoenix", "C++", "TS", "Redis"]
    assert domain_terms([], title="Gleam on the BEAM - types, OTP") == ["Gleam", "BEAM", "OTP"]
    assert domain_terms([], title="How the BEAM works") == ["BEAM"]  # a common opener is not a name


def test_every_corpus_adr_gives_a_vocabulary_within_whispers_limit() -> None:
    for path in sorted(CORPUS.glob("0*.md"))[:60]:
        joined = join_terms(adr_vocabulary(load_adr(path))) or ""
        assert len(joined.split(",")) <= MAX_TERMS and len(joined) < 700, path.name  # ~223 tokens


def test_a_sources_title_chapters_and_tags_prime_it() -> None:
    info = {"title": "Ten years of RabbitMQ", "chapters": [{"title": "Erlang and AMQP"}], "tags": ["OTP"]}
    assert source_terms(info) == ["RabbitMQ", "Erlang", "AMQP", "OTP"]


def test_priming_is_part_of_the_transcripts_identity_and_changes_what_is_heard() -> None:
    plain = FasterWhisperTranscriber()
    primed = plain.primed(adr_vocabulary(load_adr(ADR_0064)))
    assert primed.identity != plain.identity and plain.primed([]) is plain
    assert primed.primed(["Gleam"]).vocabulary.startswith("Gleam, BEAM")  # type: ignore[union-attr]
    off = FasterWhisperTranscriber(vocabulary="BEAM", priming=False)  # `--vocabulary none`: no priming at all
    assert off.primed(["Gleam"]) is off and off._priming() == {}
    heard = primed.transcribe(Path(BEAM)).text
    assert "TypeScript" in heard and "TypeScript" not in plain.transcribe(Path(BEAM)).text
