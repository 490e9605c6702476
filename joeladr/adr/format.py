"""The ADR format: where an ADR writes each field, and what each field says.

Fields (title, number, status, date, deciders, consulted, informed, tags and the links between
ADRs) are read from YAML front matter (with or without a BOM, even without its opening ``---``),
MADR 2 bullets (``* Status: accepted``), bold ``**Status**:`` fields, plain ``Date:`` lines,
metadata tables, a Nygard ``## Status`` section (every paragraph of it: adr-tools adds
``Superceded by [10. Title](0010-title.md)`` lines there), a ``## Links`` section and a
``[Superseded by ...]`` title prefix. Each value remembers where it was written (a
:class:`Spot`), so :mod:`joeladr.adr.edit` can change it in the same place and form.

:class:`AdrText` is a document as lines, front matter, headings and sections, with those
fields; what joeladr reads *from the sections* (criteria, options, sources) is
:mod:`joeladr.adr.parse`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joeladr.adr.fields import (
    KNOWN_STATUSES,
    RELATION_KINDS,
    RELATION_WORDS,
    Resolver,
    StatusPhrase,
    date_value,
    is_placeholder,
    list_value,
    references,
    status_phrase,
)
from joeladr.adr.model import Style
from joeladr.adr.naming import read_name
from joeladr.errors import AdrError
from joeladr.markdown import (
    FrontMatter,
    Heading,
    Section,
    headings_from_tokens,
    parse_front_matter,
    plain,
    sections,
    split_lines,
    strip_eol,
    tokens,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

BOM = "\ufeff"
TITLE_PREFIX = re.compile(r"^(?:(?:ADR|MADR|RFC|DR)[-\s_]?#?(\d+)\s*[:.—–-]?\s+|(\d+)\s*[:.)—–-]\s*)", re.IGNORECASE)
BRACKET_PREFIX = re.compile(r"^\[(?P<inner>(?:[^\[\]]|\[[^\[\]]*\](?:\([^)]*\))?)*)\]\s*(?=\S)")
INLINE_FIELD = re.compile(
    r"^(?P<prefix>[ \t]*(?:[-*+][ \t]+)?)\*\*(?P<key>[A-Za-z][\w -]*?)(?P<c1>:?)\*\*(?P<c2>:?)"
    r"(?P<space>[ \t]*)(?P<value>.*?)(?P<trail>[ \t]*)$"
)
FIELD_LINE = re.compile(
    r"^(?P<prefix>[ \t]*(?:[-*+][ \t]+)?)(?P<key>[A-Za-z][A-Za-z _-]{0,28}?[A-Za-z])(?P<sep>[ \t]*:[ \t]*)"
    r"(?P<value>.*?)(?P<trail>[ \t]*(?:<!--.*?-->[ \t]*)?)$"
)
DATE_WITHOUT_COLON = re.compile(r"^(?P<prefix>[ \t]*)(?P<key>Date)(?P<sep>[ \t]+)(?P<value>\d.*?)(?P<trail>[ \t]*)$")
LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+")

SECTION_ALIASES: dict[str, tuple[str, ...]] = {
    "context": ("context", "context and problem statement", "background", "problem statement"),
    "criteria": ("evaluation criteria", "decision drivers", "criteria", "decision criteria"),
    "options": (
        "options under consideration",
        "considered options",
        "alternatives considered",
        "options",
        "alternatives",
        "options considered",
    ),
    "pros_cons": ("pros and cons of the options",),
    "sources": ("source material", "sources", "talks", "videos", "source videos"),
    "decision": ("decision", "decision outcome"),
    "consequences": ("consequences",),
    "status": ("status",),
    "counter": ("counter-arguments", "counter arguments", "counterarguments"),
    "links": ("links", "related decisions", "related adrs", "related"),
}
SECTION_NAMES = frozenset(
    {alias for aliases in SECTION_ALIASES.values() for alias in aliases}
    | {
        "abstract",
        "summary",
        "motivation",
        "overview",
        "introduction",
        "changelog",
        "change log",
        "goals",
        "problem",
        "proposal",
        "notes",
        "references",
        "more information",
        "metadata",
        "title",
    }
)
"""Headings that name a part of an ADR, never its title."""

FIELD_KEYS: dict[str, str] = {
    "status": "status",
    "date": "date",
    "deciders": "deciders",
    "decision-makers": "deciders",
    "decision makers": "deciders",
    "decision_makers": "deciders",
    "consulted": "consulted",
    "informed": "informed",
    "tags": "tags",
    **RELATION_WORDS,
}
"""Field names (lower case, as written in front matter, bullets, bold fields or tables) -> what they hold."""

FRONT_MATTER_REFS = {kind: tuple(k for k, v in RELATION_WORDS.items() if v == kind) for kind in RELATION_KINDS}
RELATION_LINE = re.compile(
    r"^(?P<verb>" + "|".join(re.escape(w) for w in sorted(RELATION_WORDS, key=len, reverse=True)) + r")"
    r"(?P<sep>:?[ \t]+)(?P<value>.+)$",
    re.IGNORECASE,
)
LABELLED_LINK = re.compile(
    r"^(?P<label>[A-Za-z][\w'’ /-]{0,48}?)[ \t]*:?[ \t]+(?P<link>\[(?:[^\[\]]|\[[^\[\]]*\])*\]\([^)\s]+\))[ \t]*$"
)
KEY_LINE = re.compile(r"^(?P<key>[^\s#:][^:]*?|\"[^\"]*\"|'[^']*')(?P<sep>[ \t]*:(?:[ \t]+|$))(?P<value>.*)$")
FRONT_KEYS_FOR_BARE = ("status", "date", "title", "deciders", "decision-makers", "tags", "adr")


def normalize_heading(text: str) -> str:
    text = re.sub(r"^\d+(?:\.\d+)*[.)]?\s+", "", text.strip())
    return text.rstrip(":").strip().lower()


def string_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    if isinstance(value, dict):
        return []
    return list_value(str(value))


def split_comment(value: str) -> tuple[str, str]:
    """Split a YAML ``value # comment`` outside quotes; returns (value, comment-with-leading-space)."""
    quote: str | None = None
    for index, char in enumerate(value):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and (index == 0 or value[index - 1] in " [,{"):
            quote = char
        elif char == "#" and index > 0 and value[index - 1] in " \t":
            head = value[:index].rstrip()
            return head, value[len(head) :]
    stripped = value.rstrip()
    return stripped, value[len(stripped) :]


@dataclass(frozen=True)
class Spot:
    """Where a field's value is written: ``lines[line][start:end]`` holds it, in ``form``.

    Forms: ``front`` (a front matter key), ``bold`` (``**Status**: x``), ``bullet`` (``* Status: x``),
    ``line`` (``Status: x``, ``Date: x``), ``table`` (a metadata table cell), ``section`` (a line of the
    ``## Status`` section), ``link`` (a relation line such as ``Supersedes [9. X](0009-x.md)``),
    ``title`` (a ``[Superseded by ...]`` title prefix).
    """

    form: str
    line: int
    start: int
    end: int
    key: str = ""
    value: str = ""


@dataclass
class Fields:
    """Every place each field is written, in reading order (the first one is the reading)."""

    spots: dict[str, list[Spot]] = field(default_factory=dict)
    relations: dict[str, list[tuple[str, Spot]]] = field(default_factory=dict)
    bold: list[Spot] = field(default_factory=list)  # every **Key**: value line of the header, any key
    links: list[tuple[str, str, Spot]] = field(default_factory=list)  # (label as written, key, spot), any label

    def add(self, name: str, spot: Spot) -> None:
        self.spots.setdefault(name, []).append(spot)

    def first(self, name: str) -> Spot | None:
        found = self.spots.get(name)
        return found[0] if found else None

    def relate(self, kind: str, numbers: Iterable[str], spot: Spot) -> None:
        bucket = self.relations.setdefault(kind, [])
        for number in numbers:
            bucket.append((number, spot))


class AdrText:
    """An ADR's text as lines, front matter, headings and sections, with every field and the spot it is written at."""

    @classmethod
    def of(
        cls,
        text: str,
        path: Path,
        *,
        number: int | None = None,
        resolve: Resolver | None = None,
        slug: str | None = None,
    ) -> AdrText:
        """The document, or one clear line (AdrError) when the text is not markdown joeladr can read."""
        if "\x00" in text:
            raise AdrError(f"{path} is not a text file (it contains NUL bytes)", path=path)
        try:
            return cls(text, path, number=number, resolve=resolve, slug=slug)
        except RecursionError as exc:  # pathological nesting from markdown-it
            raise AdrError(f"{path}: the markdown is nested too deeply to read", path=path) from exc

    def __init__(
        self,
        text: str,
        path: Path,
        *,
        number: int | None = None,
        resolve: Resolver | None = None,
        slug: str | None = None,
    ) -> None:
        """``number``, ``resolve`` and ``slug`` come from the folder (:class:`joeladr.adr.repo.AdrRepository`):
        the number a configured pattern reads, links by slug, and log4brains' package-qualified slugs."""
        self.path = path
        self.given_slug = slug
        self.bom = text.startswith(BOM)
        self.lines = split_lines(text[1:] if self.bom else text)
        self.given_number = number
        self.resolve = resolve
        self.front: FrontMatter | None = parse_front_matter(self.lines, str(path), bare_keys=FRONT_KEYS_FOR_BARE)
        self.body_start = self.front.end if self.front else 0
        self.toks = tokens(self.lines, self.body_start)
        self.headings = headings_from_tokens(self.toks)
        self.title_heading = self._title_heading()
        self.sections = [s for s in sections(self.headings, len(self.lines)) if s.heading != self.title_heading]
        after_title = [h for h in self.headings if h != self.title_heading and h.line > self._zone_start()]
        self.header_end = after_title[0].line if after_title else len(self.lines)
        self.fields = Fields()
        self._read_fields()

    # -- helpers -------------------------------------------------------------------
    def section(self, kind: str) -> Section | None:
        aliases = SECTION_ALIASES[kind]
        for alias in aliases:  # alias order is preference order
            for section in self.sections:
                if normalize_heading(section.title) == alias:
                    return section
        return None

    def section_text(self, section: Section | None) -> str:
        if section is None:
            return ""
        return "".join(self.lines[section.body_start : section.end]).strip()

    def child_tokens(self, start: int, end: int) -> list[Token]:
        """The tokens of lines ``[start, end)``, closing tokens (which carry no line) included."""
        toks = self.toks
        first = next((i for i, t in enumerate(toks) if t.map and t.map[0] >= start), len(toks))
        last = next((i for i in range(first, len(toks)) if (toks[i].map or [-1])[0] >= end), len(toks))
        return toks[first:last]

    def containing_section(self, line: int) -> str:
        best = ""
        for section in self.sections:
            if section.heading.line <= line < section.end:
                best = section.title
        return best

    def _title_heading(self) -> Heading | None:
        first_h1 = next((h for h in self.headings if h.level == 1), None)
        if first_h1 is not None:
            return first_h1
        first = self.headings[0] if self.headings else None
        if first is not None and normalize_heading(first.text) not in SECTION_NAMES - {"title"}:
            return first
        return None

    def _zone_start(self) -> int:
        return self.title_heading.line if self.title_heading else self.body_start - 1

    def _body_lines(self, start: int, stop: int) -> Iterable[tuple[int, str]]:
        """(index, text without line ending) of the lines in ``[start, stop)`` outside code fences and comments."""
        fence: str | None = None
        comment = False
        for index in range(max(start, self.body_start), stop):
            text = strip_eol(self.lines[index])
            stripped = text.lstrip()
            if fence is not None:
                if stripped.startswith(fence):
                    fence = None
                continue
            if stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
                continue
            if comment:
                if "-->" in text:
                    comment = False
                continue
            if stripped.startswith("<!--") and "-->" not in stripped:
                comment = True
                continue
            yield index, text

    # -- front matter --------------------------------------------------------------
    def front_key(self, *keys: str) -> Any:
        """The key as written in the front matter for the first of ``keys`` it has (any case)."""
        if not self.front:
            return None
        lowered = {str(k).lower(): k for k in self.front.data}
        for key in keys:
            if key in lowered:
                return lowered[key]
        return None

    def front_value(self, *keys: str) -> Any:
        key = self.front_key(*keys)
        return None if key is None or self.front is None else self.front.data[key]

    def front_line(self, key: Any) -> int:
        assert self.front is not None
        line: int = self.front.start + 1 + self.front.data.lc.key(key)[0]
        return line

    def front_raw(self, key: Any) -> tuple[str, int, int] | None:
        """The value of a one-line key as written (quotes included, comment excluded) and its span."""
        index = self.front_line(key)
        text = strip_eol(self.lines[index])
        match = KEY_LINE.match(text)
        if not match:
            return None
        value, _ = split_comment(match.group("value"))
        return value, match.start("value"), match.start("value") + len(value)

    def front_text(self, key: Any) -> str | None:
        """A scalar front matter value as text; a ``{proposed}`` placeholder (a YAML mapping) as written."""
        assert self.front is not None
        value = self.front.data[key]
        if value is None:
            return None
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, int | float):
            return str(value)
        raw = self.front_raw(key)
        return raw[0].strip() if raw else None

    # -- fields --------------------------------------------------------------------
    def _read_fields(self) -> None:
        self._front_fields()
        self._header_fields(self._zone_start() + 1, self.header_end)
        self._tables(self._zone_start() + 1, self.header_end)
        status_section = self.section("status")
        if status_section is not None:
            self._status_section(status_section)
        links = self.section("links")
        if links is not None:
            self._links_section(links)
        self._title_prefix()

    def _front_fields(self) -> None:
        if self.front is None:
            return
        for key in self.front.data:
            name = FIELD_KEYS.get(str(key).strip().lower())
            if name is None:
                continue
            line = self.front_line(key)
            raw = self.front_raw(key)
            start, end = (raw[1], raw[2]) if raw else (0, 0)
            value = self.front.data[key]
            text = self.front_text(key) if name in ("status", "date") else None
            spot = Spot("front", line, start, end, str(key), text or "")
            if name in RELATION_KINDS:
                items = value if isinstance(value, list | tuple) else [value]
                numbers = []
                for item in items:
                    if isinstance(item, int) and not isinstance(item, bool):
                        numbers.append(f"{item:04d}")
                    elif item is not None:
                        numbers.extend(references(str(item), self.resolve))
                self.fields.relate(name, numbers, spot)
            else:
                self.fields.add(name, spot)

    def _field_match(self, text: str) -> tuple[str, str, re.Match[str]] | None:
        """(field, form, match) when the line is a known field: bold, bullet or plain."""
        bold = INLINE_FIELD.match(text)
        if bold and (bold.group("c1") or bold.group("c2")):
            name = FIELD_KEYS.get(bold.group("key").strip().lower())
            if name:
                return name, "bold", bold
        plain_field = FIELD_LINE.match(text) or DATE_WITHOUT_COLON.match(text)
        if plain_field:
            name = FIELD_KEYS.get(plain_field.group("key").strip().lower())
            if name:
                form = "bullet" if plain_field.group("prefix").strip() else "line"
                return name, form, plain_field
        return None

    def _header_fields(self, start: int, stop: int) -> None:
        """Fields between the title and the first section: bullets, bold fields, plain lines, relation lines."""
        for index, text in self._body_lines(start, stop):
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            bold = INLINE_FIELD.match(text)
            if bold and (bold.group("c1") or bold.group("c2")):
                key = bold.group("key")
                self.fields.bold.append(Spot("bold", index, bold.start("value"), bold.end("value"), key, bold["value"]))
            found = self._field_match(text)
            if found is None:
                marker = LIST_MARKER.match(text)
                self._relation_line(text, marker.end() if marker else 0, index)
                continue
            name, form, match = found
            value = match.group("value")
            spot = Spot(form, index, match.start("value"), match.end("value"), match.group("key"), value)
            if name in RELATION_KINDS:
                self.fields.relate(name, references(value, self.resolve), spot)
            else:
                self.fields.add(name, spot)

    def _relation_line(self, text: str, at: int, index: int) -> bool:
        """``Superceded by [10. Title](0010-title.md)``, ``Supersedes [ADR-0026](...)``: record it."""
        body = text[at:].strip("*_ ")
        match = RELATION_LINE.match(body)
        if not match:
            return False
        numbers = references(match.group("value"), self.resolve)
        if not numbers:
            return False
        kind = RELATION_WORDS[match.group("verb").lower()]
        begin = text.index(body[:10]) if body else at
        spot = Spot("link", index, begin, len(text.rstrip()), match.group("verb"), body)
        self.fields.relate(kind, numbers, spot)
        self.fields.links += [(match.group("verb"), key, spot) for key in numbers]
        return True

    def _labelled_link(self, text: str, at: int, index: int) -> bool:
        """A link of the user's own type, as adr-tools writes them (``adr link 4 Drives 2 "Driven by"``:
        ``Drives [2. Use X](0002-use-x.md)``) and log4brains lists them (``- Refined by [slug](file)``)."""
        body = text[at:].strip("*_ ")
        match = LABELLED_LINK.match(body)
        label = match.group("label").strip().lower() if match else ""
        if not match or label in KNOWN_STATUSES or label in RELATION_WORDS:  # a status, or a known relation
            return False
        keys = references(match.group("link"), self.resolve)
        if len(keys) != 1:
            return False
        begin = text.index(body[:10]) if body else at
        spot = Spot("link", index, begin, len(text.rstrip()), match.group("label"), body)
        self.fields.links.append((match.group("label").strip(), keys[0], spot))
        return True

    def _tables(self, start: int, stop: int) -> None:
        """Metadata tables: ``| Status | Implemented |`` rows, or a header row of field names over one row."""
        for token in self.toks:
            if token.type != "table_open" or not token.map or not (start <= token.map[0] < stop):
                continue
            first, last = token.map
            rows = [(i, _cells(strip_eol(self.lines[i]))) for i in range(first, last)]
            rows = [(i, cells) for i, cells in rows if cells and not _is_rule(strip_eol(self.lines[i]), cells)]
            keys = [(i, cells, [_cell_key(self.lines[i], cell) for cell in cells]) for i, cells in rows]
            if len(rows) == 2 and len(keys[0][2]) >= 2 and all(keys[0][2]):  # | Status | Date | over one row
                (_, _, names), (row_line, row, _) = keys
                for column, name in enumerate(names):
                    if name and column < len(row):
                        self._table_field(row_line, name, row[column])
                continue
            for i, cells, names in keys:  # | Status | Implemented | rows
                if len(cells) >= 2 and names[0]:
                    self._table_field(i, names[0], cells[1])

    def _table_field(self, line: int, name: str, cell: tuple[int, int]) -> None:
        text = strip_eol(self.lines[line])[cell[0] : cell[1]]
        spot = Spot("table", line, cell[0], cell[1], name, text)
        if name in RELATION_KINDS:
            self.fields.relate(name, references(text, self.resolve), spot)
        else:
            self.fields.add(name, spot)

    def _status_section(self, section: Section) -> None:
        found_status = False
        for index, text in self._body_lines(section.body_start, section.end):
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            field_found = self._field_match(text)
            if field_found is not None:
                name, _, match = field_found
                value = match.group("value")
                spot = Spot("line", index, match.start("value"), match.end("value"), match.group("key"), value)
                if name in RELATION_KINDS:
                    self.fields.relate(name, references(value, self.resolve), spot)
                else:
                    self.fields.add(name, spot)
                    found_status = found_status or name == "status"
                continue
            marker = LIST_MARKER.match(text)
            at = marker.end() if marker else 0
            relation = RELATION_LINE.match(text[at:].strip("*_ "))
            superseding = relation is not None and RELATION_WORDS[relation.group("verb").lower()] == "superseded-by"
            if not found_status and (relation is None or superseding) and not self._labelled_link(text, at, index):
                phrase = status_phrase(text[at:], self.resolve)
                if phrase is not None:  # "Superseded by [20. X](0020-x.md)" is the status, and a link
                    spot = Spot("section", index, at, len(text), "", text[at:])
                    self.fields.add("status", spot)
                    if relation is not None:
                        keys = phrase.relations.get("superseded-by", [])
                        self.fields.links += [(relation.group("verb"), key, spot) for key in keys]
                    found_status = True
                    continue
            if not self._relation_line(text, at, index) and found_status:
                self._labelled_link(text, at, index)

    def _links_section(self, section: Section) -> None:
        for index, text in self._body_lines(section.body_start, section.end):
            marker = LIST_MARKER.match(text)
            if not marker:
                continue
            if self._relation_line(text, marker.end(), index) or self._labelled_link(text, marker.end(), index):
                continue
            numbers = references(text[marker.end() :], self.resolve) if "](" in text else []
            if numbers and normalize_heading(section.title) != "links":
                self.fields.relate("related", numbers, Spot("link", index, marker.end(), len(text), "", text))

    def _title_prefix(self) -> None:
        heading = self.title_heading
        if heading is None:
            return
        raw = re.sub(r"^#+[ \t]*", "", strip_eol(self.lines[heading.line]))
        match = BRACKET_PREFIX.match(raw)
        if not match:
            return
        phrase = status_phrase(match.group("inner"), self.resolve)
        if phrase is None or not phrase.relations:
            return
        spot = Spot("title", heading.line, 0, 0, "", match.group("inner"))
        for kind, numbers in phrase.relations.items():
            self.fields.relate(kind, numbers, spot)

    # -- readings ------------------------------------------------------------------
    def status_spot(self) -> Spot | None:
        return self.fields.first("status")

    def status_phrase(self) -> StatusPhrase | None:
        return self._status_phrase

    @functools.cached_property
    def _status_phrase(self) -> StatusPhrase | None:  # read once: status() and every relation() ask for it
        spot = self.status_spot()
        return status_phrase(spot.value, self.resolve) if spot is not None else None

    def style_and_status(self) -> tuple[Style, str | None]:
        spot = self.status_spot()
        if spot is None:
            if self.front is not None:
                return "front-matter", None
            return ("section" if self.section("status") is not None else "none"), None
        styles: dict[str, Style] = {
            "front": "front-matter",
            "bold": "inline",
            "bullet": "bullet",
            "line": "line",
            "table": "table",
            "section": "section",
        }
        return styles[spot.form], spot.value.strip() or None

    def status(self) -> str | None:
        phrase = self.status_phrase()
        status = phrase.value if phrase else None
        if status not in ("superseded", "partly superseded") and any(
            spot.form == "link" and self._in_status_section(spot.line)
            for _, spot in self.fields.relations.get("superseded-by", [])
        ):
            return "superseded"  # adr-tools: "Superceded by [...]" added under an "Accepted" left in place
        return status

    def _in_status_section(self, line: int) -> bool:
        section = self.section("status")
        return section is not None and section.body_start <= line < section.end

    def template_lines(self) -> set[int]:
        """Lines whose field still holds its template's placeholder (``- Status: [draft | ... | superseded by
        [xxx](yyyymmdd-xxx.md)]``): what they link to is an example, not a reference."""
        return {
            spot.line
            for spots in self.fields.spots.values()
            for spot in spots
            if spot.form != "front" and is_placeholder(spot.value)
        }

    def links(self) -> list[tuple[str, str]]:
        """Every link line of the Status and Links sections (and the header): (label as written, key)."""
        return list(dict.fromkeys((label, key) for label, key, _ in self.fields.links))

    def relation(self, kind: str) -> list[str]:
        numbers = [number for number, _ in self.fields.relations.get(kind, [])]
        phrase = self.status_phrase()
        if phrase is not None:
            numbers = phrase.relations.get(kind, []) + numbers
        return list(dict.fromkeys(numbers))

    def field_text(self, name: str) -> str | None:
        spot = self.fields.first(name)
        if spot is None:
            return None
        if spot.form == "front":
            assert self.front is not None
            key = self.front_key(spot.key.lower())
            return self.front_text(key) if key is not None else None
        return spot.value

    def field_list(self, name: str) -> list[str]:
        spot = self.fields.first(name)
        if spot is None:
            return []
        if spot.form == "front":
            return string_list(self.front_value(spot.key.lower()))
        return list_value(spot.value)

    def date(self) -> str | None:
        text = self.field_text("date")
        if text:
            found = date_value(text)
            if found is not None:
                return found.value
        name = read_name(self.path.name)
        return name.date if name else None

    def title(self) -> str:
        number = self.number()
        key = self.front_key("title")
        text = self.front_text(key) if key is not None else None
        if text:
            text = plain(" ".join(text.split()))  # titles are plain text: `code` and *emphasis* marks go
        if not text:
            text = self._heading_title()
        if not text:
            slug = read_name(self.path.name)
            words = (slug.slug if slug and slug.slug else self.path.stem).replace("_", " ").replace("-", " ").split()
            text = " ".join(words)
            text = text[:1].upper() + text[1:]
        return _clean_title(text, number)

    def _heading_title(self) -> str:
        heading = self.title_heading
        if heading is None:
            return ""
        text = heading.text
        raw = re.sub(r"^#+[ \t]*", "", strip_eol(self.lines[heading.line]))
        bracket = BRACKET_PREFIX.match(raw)
        if bracket and status_phrase(bracket.group("inner")) is not None:
            text = re.sub(r"^\[[^\]]*\]\s*", "", text)
        if normalize_heading(text) == "title":  # a literal "# Title" with the title on the next line
            for _, line in self._body_lines(heading.line + 1, self.header_end):
                if line.strip() and not self._field_match(line):
                    return plain(line.strip())
            return ""
        return text.strip()

    def heading(self) -> str:
        """The title heading as written (markdown kept), "" when the title is not a heading."""
        if self.title_heading is None:
            return ""
        return re.sub(r"^#+[ \t]*|[ \t]+#*[ \t]*$", "", strip_eol(self.lines[self.title_heading.line]))

    def slug(self) -> str | None:
        """log4brains' slug when the file name reads as an ADR's but carries no number (``20240301-x.md``)."""
        if self.given_slug:
            return self.given_slug
        if self.given_number is not None:
            return None
        name = read_name(self.path.name)
        return self.path.stem if name is not None and name.number is None else None

    def number(self) -> int | None:
        if self.given_number is not None:
            return self.given_number
        name = read_name(self.path.name)
        if name is not None and name.number is not None:
            return name.number
        for key in ("adr", "number", "id", "slug"):
            value = self.front_value(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().isdigit():
                return int(value.strip())
        if self.title_heading is not None:
            prefix = TITLE_PREFIX.match(self.title_heading.text)
            if prefix:
                return int(prefix.group(1) or prefix.group(2))
        return None

    # -- structure -----------------------------------------------------------------
    def list_items(self, start: int, end: int, top_level_only: bool = True) -> list[tuple[Token, int]]:
        """(inline token of each list item's first paragraph, item line) in ``[start, end)``."""
        items: list[tuple[Token, int]] = []
        depth = 0
        toks = self.child_tokens(start, end)
        for index, token in enumerate(toks):
            if token.type in ("bullet_list_open", "ordered_list_open"):
                depth += 1
            elif token.type in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
            elif token.type == "list_item_open" and token.map and (depth == 1 or not top_level_only):
                for follow in toks[index + 1 :]:
                    if follow.type == "inline":
                        items.append((follow, token.map[0]))
                        break
                    if follow.type == "list_item_close":
                        break
        return items


def _cells(line: str) -> list[tuple[int, int]]:
    """The spans of a table row's cells (whitespace trimmed), split at unescaped pipes."""
    bars = [m.start() for m in re.finditer(r"(?<!\\)\|", line)]
    if not bars:
        return []
    pieces: list[tuple[int, int]] = []
    previous = -1
    for bar in [*bars, len(line)]:
        pieces.append((previous + 1, bar))
        previous = bar
    if not line[: bars[0]].strip():
        pieces = pieces[1:]
    if pieces and not line[bars[-1] + 1 :].strip():
        pieces = pieces[:-1]
    spans = []
    for start, end in pieces:
        inner = line[start:end]
        lead = len(inner) - len(inner.lstrip())
        spans.append((start + lead, start + len(inner.rstrip())))
    return spans


def _is_rule(line: str, cells: list[tuple[int, int]]) -> bool:
    return all(re.fullmatch(r":?-+:?", line[s:e].strip()) for s, e in cells)


def _cell_key(line: str, cell: tuple[int, int]) -> str | None:
    text = strip_eol(line)[cell[0] : cell[1]].strip(" *_`:").lower()
    return FIELD_KEYS.get(text)


def _clean_title(text: str, number: int | None) -> str:
    """Drop the numbering a title repeats: ``ADR 005: X``, ``12. X``, ``0. X``, ``28 X`` in ADR 28."""
    text = re.sub(r"^(?:n|N+|X+)\.\s+(?=\S)", "", text.strip())  # adr-tools' NUMBER placeholder left as "n."
    prefix = TITLE_PREFIX.match(text)
    if prefix and text[prefix.end() :].strip():
        return text[prefix.end() :].strip()
    bare = re.match(r"^0*(\d+)\s+(?=\S)", text)
    if bare and number is not None and int(bare.group(1)) == number:
        return text[bare.end() :].strip()
    return text


def yaml_scalar(value: str, old: str = "", *, flow: bool = False, date: bool = False) -> str:
    """``value`` as a YAML scalar that reads back as this very text: in the quoting ``old`` used when it
    had one, plain when a YAML reader gets the same string back (``proposed``), else double-quoted
    (``"2024"``, ``"true"``, ``"a: b"``). ``date``: an ISO date may stay plain (``date: 2024-05-01``).
    ``flow``: for an item of a ``[a, b]`` list."""
    if old.startswith('"'):
        return json.dumps(value, ensure_ascii=False)
    if old.startswith("'"):
        return "'" + value.replace("'", "''") + "'"
    return value if _plain_reads_back(value, flow=flow, date=date) else json.dumps(value, ensure_ascii=False)


def _plain_reads_back(value: str, *, flow: bool, date: bool) -> bool:
    from ruamel.yaml import YAML

    if not value or value != value.strip() or "\n" in value:
        return False
    try:
        loaded = YAML(typ="safe", pure=True).load(f"k: [{value}]" if flow else f"k: {value}")
    except Exception:  # ruamel raises many classes; any means "not plain"
        return False
    got = loaded.get("k") if isinstance(loaded, dict) else None
    if flow:
        got = got[0] if isinstance(got, list) and len(got) == 1 else None
    if date and isinstance(got, dt.date):
        return got.isoformat() == value
    return isinstance(got, str) and got == value
