"""What an ADR holds, as plain data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Style = Literal["front-matter", "inline", "bullet", "line", "table", "section", "none"]
"""Where an ADR keeps its status: YAML front matter, a bold ``**Status**:`` field, a MADR 2 bullet
(``* Status: accepted``), a plain ``Status:`` line, a metadata table row, a Nygard ``## Status``
section, or nowhere."""

STANDARD_STATUSES = (
    "proposed",
    "accepted",
    "rejected",
    "deprecated",
    "superseded",
    "shipped",
    "researching",
)
"""Statuses joeladr knows: MADR's and Nygard's, plus joelclaw's ``shipped`` and ``researching``."""


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    question: str
    must_have: bool = False


@dataclass(frozen=True)
class Option:
    id: str
    title: str
    description: str
    pros: tuple[str, ...] = ()
    cons: tuple[str, ...] = ()
    neutral: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    section: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    line: int

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.header, row, strict=False)) for row in self.rows]


@dataclass(frozen=True)
class SourceItem:
    kind: Literal["youtube", "url"]
    id: str
    url: str
    done: bool | None  # None: not a checkbox item
    label: str
    line: int


def label_of(key: str) -> str:
    """How an ADR is named in messages and note names: ``ADR-0064`` for a number, the slug for a folder whose
    names carry none (``20240301-adopt-envoy``; a log4brains package's ``backend/x`` as ``backend x``)."""
    return f"ADR-{key}" if key.isdigit() else key.replace("/", " ")


@dataclass(frozen=True)
class Reference:
    kind: Literal["mention", "link", "wikilink"]
    target: str  # a 4-digit ADR number (mention), or the link/wikilink target as written
    line: int | None = None


@dataclass(frozen=True)
class Link:
    """A link line to another ADR, with its label as written: adr-tools' ``Drives [2. Use X](...)`` (any label
    ``adr link`` was given), ``Superseded by [...]``, log4brains' ``Refined by [slug](...)``."""

    label: str
    target: str  # the other ADR's key


@dataclass
class Adr:
    path: Path
    number: int | None
    title: str
    status: str | None
    raw_status: str | None
    date: str | None
    style: Style
    tags: list[str] = field(default_factory=list)
    deciders: list[str] = field(default_factory=list)
    consulted: list[str] = field(default_factory=list)
    informed: list[str] = field(default_factory=list)
    context: str = ""
    criteria: list[Criterion] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    counter_arguments: list[str] = field(default_factory=list)
    sources: list[SourceItem] = field(default_factory=list)
    decision: str = ""
    consequences: str = ""
    references: list[Reference] = field(default_factory=list)
    supersedes: list[str] = field(default_factory=list)
    superseded_by: list[str] = field(default_factory=list)
    amends: list[str] = field(default_factory=list)
    amended_by: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    section_titles: list[str] = field(default_factory=list)
    heading: str = ""  # the title heading as written (markdown kept), "" when the title is not a heading
    slug: str | None = None  # log4brains' slug, when the file name carries no number (package/name in a package)

    @property
    def key(self) -> str:
        """The ADR's identity: what ``adr show`` accepts and what relations hold. Its 4-digit number; in a
        folder whose file names carry no number (log4brains' ``20240301-adopt-envoy.md``), its slug, which
        does not change when files are added."""
        if self.slug:
            return self.slug
        return f"{self.number:04d}" if self.number is not None else "????"

    @property
    def number_text(self) -> str:
        """The key, as the front ends print it where a user types it back (``joeladr evaluate 0064``)."""
        return self.key

    @property
    def label(self) -> str:
        """``ADR-0064``, or the slug: names the evaluation and decision notes, so it never changes either."""
        return label_of(self.key)

    def option(self, option_id: str) -> Option | None:
        wanted = option_id.strip().upper()
        return next((o for o in self.options if o.id == wanted), None)

    def summary(self) -> dict[str, Any]:
        """The object ``adr list --json`` prints."""
        return {
            "key": self.key,
            "number": self.number,
            "title": self.title,
            "status": self.status,
            "date": self.date,
            "path": str(self.path),
            "tags": self.tags,
            "style": self.style,
        }

    def to_json(self) -> dict[str, Any]:
        """The object ``adr show --json`` prints."""
        data = self.summary()
        data.update(
            {
                "raw_status": self.raw_status,
                "deciders": self.deciders,
                "consulted": self.consulted,
                "informed": self.informed,
                "context": self.context,
                "criteria": [asdict(c) for c in self.criteria],
                "options": [
                    {
                        "id": o.id,
                        "title": o.title,
                        "description": o.description,
                        "pros": list(o.pros),
                        "cons": list(o.cons),
                        "neutral": list(o.neutral),
                    }
                    for o in self.options
                ],
                "tables": [{"section": t.section, "rows": t.records()} for t in self.tables],
                "counter_arguments": self.counter_arguments,
                "sources": [
                    {"kind": s.kind, "id": s.id, "url": s.url, "done": s.done, "label": s.label} for s in self.sources
                ],
                "decision": self.decision,
                "consequences": self.consequences,
                "supersedes": self.supersedes,
                "superseded_by": self.superseded_by,
                "amends": self.amends,
                "amended_by": self.amended_by,
                "related": self.related,
                "links": [{"label": link.label, "target": link.target} for link in self.links],
                "mentions": sorted({r.target for r in self.references if r.kind == "mention"}),
                "sections": self.section_titles,
            }
        )
        return data
