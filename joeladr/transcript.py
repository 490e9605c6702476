"""Transcripts and chunks as plain data, with JSON round trips for the cache."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from joeladr.location import Location


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]
    origin: str  # "whisper", "captions-manual" or "captions-auto"
    model: str  # the whisper model, or the caption language
    language: str | None = None
    duration: float | None = None
    unprimed: tuple[tuple[float, float], ...] = ()  # stretches (seconds) priming lost, heard again without it

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transcript:
        segments = tuple(
            Segment(s["start"], s["end"], s["text"], tuple(Word(**w) for w in s.get("words", ())))
            for s in data["segments"]
        )
        unprimed = tuple((float(a), float(b)) for a, b in data.get("unprimed") or ())
        return cls(segments, data["origin"], data["model"], data.get("language"), data.get("duration"), unprimed)


@dataclass(frozen=True)
class Chunk:
    """A passage of a transcript: whole segments, their text joined by spaces.

    ``spans`` times each segment inside the chunk: (offset of its first character in
    ``text``, start second, end second), so a quote cut from a chunk knows its own time.
    A document's chunk counts paragraphs instead of seconds (``start`` 3.5: half way through the
    fourth paragraph) and ``locations`` says where each span is (page, heading); a talk's has none.
    """

    index: int
    start: float
    end: float
    text: str
    spans: tuple[tuple[int, float, float], ...] = field(default=())
    locations: tuple[Location, ...] = field(default=())
