"""What an evaluation holds: findings (a passage of a talk that bears on a target) and the scored result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joeladr.adr.model import Adr
from joeladr.evaluate import matrix as mx
from joeladr.evaluate.targets import Target
from joeladr.location import Location, place


@dataclass
class Finding:
    id: str
    target: str
    source_id: str
    title: str
    note_name: str | None
    url: str | None
    start: float
    end: float
    text: str
    score: float
    status: str = "pending"
    supports: list[str] = field(default_factory=list)
    weakens: list[str] = field(default_factory=list)
    note: str = ""
    location: Location | None = None  # where a document's passage is (None: a talk's, at ``start`` seconds)

    @property
    def at(self) -> str:
        """Where the quote is, as a reader says it: ``12:34`` in a talk, ``page 4`` or ``§ Heading`` in a document."""
        return place(self.start, self.location)

    suggests_supports: list[str] = field(default_factory=list)  # a judge's stance, until the user takes it
    suggests_weakens: list[str] = field(default_factory=list)
    rank: int | None = None  # the judge's order (1 = its first pick); None: retrieval's order

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source_id": self.source_id,
            "title": self.title,
            "url": self.url,
            "start": self.start,
            "end": self.end,
            "at": self.at,
            "text": self.text,
            "score": round(self.score, 4),
            "status": self.status,
            "supports": self.supports,
            "weakens": self.weakens,
            "note": self.note,
            "suggests": {"supports": self.suggests_supports, "weakens": self.suggests_weakens},
        } | ({"location": self.location.to_json()} if self.location else {})

    def record(self) -> dict[str, Any]:
        """What the evaluation state keeps of a retrieved finding (curation lives in the note)."""
        return {
            **({"rank": self.rank} if self.rank is not None else {}),
            "target": self.target,
            "source_id": self.source_id,
            "title": self.title,
            "note_name": self.note_name,
            "url": self.url,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": self.score,
        } | ({"location": self.location.to_json()} if self.location else {})


@dataclass
class Evaluation:
    adr: Adr
    note_path: Path
    targets: list[Target]
    findings: dict[str, list[Finding]]  # target id -> findings, best first
    matrix: mx.Matrix
    messages: list[str] = field(default_factory=list)

    def criteria(self) -> list[Target]:
        return [t for t in self.targets if t.kind == "criterion"]

    def accepted(self) -> list[Finding]:
        return [f for fs in self.findings.values() for f in fs if f.status == "accepted"]

    def to_json(self) -> dict[str, Any]:
        titles = {o.id: o.title for o in self.adr.options}
        questions = {c.id: c.question for c in self.adr.criteria}
        summary = mx.summary(self.matrix, titles)

        def section(kind: str) -> list[dict[str, Any]]:
            return [
                {"id": t.id, "name": t.name, "findings": [f.to_json() for f in self.findings.get(t.id, [])]}
                for t in self.targets
                if t.kind == kind
            ]

        return {
            "adr": self.adr.number_text,
            "title": self.adr.title,
            "note": str(self.note_path),
            "criteria": [
                {
                    "id": t.id,
                    "name": t.name,
                    "question": questions.get(t.id, ""),
                    "weight": self.matrix.weights.get(t.id, 1.0),
                    "must_have": t.id in self.matrix.must_have,
                    "findings": [f.to_json() for f in self.findings.get(t.id, [])],
                    "scores": {o: self.matrix.score(t.id, o) for o in self.matrix.options},
                }
                for t in self.criteria()
            ],
            "pain_points": section("pain-point"),
            "counter_arguments": section("counter"),
            "option_findings": section("option"),
            **summary,
            "messages": self.messages,
        }
