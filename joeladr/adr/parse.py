"""Read an ADR as its author wrote it: one reader for every common style.

Fields (title, status, date, deciders, consulted, informed, tags and the links between ADRs)
are read from YAML front matter (with or without a BOM, even without its opening ``---``),
MADR 2 bullets (``* Status: accepted``), bold ``**Status**:`` fields, plain ``Date:`` lines,
metadata tables, a Nygard ``## Status`` section (every paragraph of it: adr-tools adds
``Superceded by [10. Title](0010-title.md)`` lines there), a ``## Links`` section and a
``[Superseded by ...]`` title prefix. Each value remembers where it was written (a
:class:`Spot`), so :mod:`joeladr.adr.edit` can change it in the same place and form.

Sections (criteria, options with MADR pros and cons, tables, counter-arguments, source
material) come from markdown-it-py tokens, so a ``#`` in a code block is not a heading.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joeladr.adr.fields import (
    RELATION_KINDS,
    RELATION_WORDS,
    StatusPhrase,
    date_value,
    list_value,
    references,
    status_phrase,
)
from joeladr.adr.model import Adr, Criterion, Option, Reference, SourceItem, Style, Table
from joeladr.adr.naming import read_name
from joeladr.atomic import read_text
from joeladr.errors import AdrError
from joeladr.markdown import (
    FrontMatter,
    Heading,
    Section,
    headings_from_tokens,
    inline_text,
    parse_front_matter,
    sections,
    split_lines,
    strip_eol,
    tokens,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["load_adr", "normalize_heading", "parse_adr", "plain", "slugify"]

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
ADR_MENTION = re.compile(r"\bADR[- ]?(\d{3,4})\b", re.IGNORECASE)
WIKILINK = re.compile(r"\[\[([^\]\|#\n]+)(?:#[^\]\|\n]*)?(?:\|[^\]\n]*)?\]\]")
YOUTUBE_URL = re.compile(
    r"https?://(?:www\.|m\.|music\.)?(?:youtube\.com/(?:watch\?(?:[^\s)]*&)?v=|shorts/|live/|embed/)|youtu\.be/)"
    r"([A-Za-z0-9_-]{11})"
)
BACKTICK_ID = re.compile(r"`([A-Za-z0-9_-]{11})`")
URL = re.compile(r"https?://[^\s)>\]`\"']+")
CHECKBOX = re.compile(r"^\[( |x|X)\][ \t]+")
BOLD_LEAD = re.compile(r"^\*\*(?P<name>.+?)\*\*[ \t]*(?:[—–:-]+[ \t]*)?(?P<rest>.*)$", re.DOTALL)
OPTION_LABEL = re.compile(r"^(?:Option|Alternative)\s+([A-Za-z]|\d+)(?:\s*[:.)—–-]\s*(.*))?$", re.IGNORECASE)
LETTER_LABEL = re.compile(r"^([A-Z])[:.)]\s+(.*)$")
COUNTER = re.compile(r"counter[- ]?argument", re.IGNORECASE)
MUST_HAVE = re.compile(r"\((?:must[- ]?have|required|knock[- ]?out)\)|\[(?:must[- ]?have)\]", re.IGNORECASE)

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
INLINE_REFS = FRONT_MATTER_REFS
_RELATION_LINE = re.compile(
    r"^(?P<verb>" + "|".join(re.escape(w) for w in sorted(RELATION_WORDS, key=len, reverse=True)) + r")"
    r"(?P<sep>:?[ \t]+)(?P<value>.+)$",
    re.IGNORECASE,
)
_KEY_LINE = re.compile(r"^(?P<key>[^\s#:][^:]*?|\"[^\"]*\"|'[^']*')(?P<sep>[ \t]*:(?:[ \t]+|$))(?P<value>.*)$")
_FRONT_KEYS_FOR_BARE = ("status", "date", "title", "deciders", "decision-makers", "tags", "adr")


def load_adr(path: Path, *, number: int | None = None, resolve: Callable[[str], int | None] | None = None) -> Adr:
    """Read and parse one ADR file."""
    return parse_adr(read_text(path), Path(path), number=number, resolve=resolve)


def normalize_heading(text: str) -> str:
    text = re.sub(r"^\d+(?:\.\d+)*[.)]?\s+", "", text.strip())
    return text.rstrip(":").strip().lower()


def _string_list(value: Any) -> list[str]:
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

    def add(self, name: str, spot: Spot) -> None:
        self.spots.setdefault(name, []).append(spot)

    def first(self, name: str) -> Spot | None:
        found = self.spots.get(name)
        return found[0] if found else None

    def relate(self, kind: str, numbers: Iterable[str], spot: Spot) -> None:
        bucket = self.relations.setdefault(kind, [])
        for number in numbers:
            bucket.append((number, spot))


class _Parser:
    def __init__(
        self,
        text: str,
        path: Path,
        *,
        number: int | None = None,
        resolve: Callable[[str], int | None] | None = None,
    ) -> None:
        self.path = path
        self.bom = text.startswith(BOM)
        self.lines = split_lines(text[1:] if self.bom else text)
        self.given_number = number
        self.resolve = resolve
        self.front: FrontMatter | None = parse_front_matter(self.lines, str(path), bare_keys=_FRONT_KEYS_FOR_BARE)
        self.body_start = self.front.end if self.front else 0
        self.toks = tokens(self.lines, self.body_start)
        self.headings = headings_from_tokens(self.toks)
        self.title_heading = self._title_heading()
        self.sections = [s for s in sections(self.headings, len(self.lines)) if s.heading != self.title_heading]
        after_title = [h for h in self.headings if h != self.title_heading and h.line > self._zone_start()]
        self.header_end = after_title[0].line if after_title else len(self.lines)
        first_h2 = next((h.line for h in self.headings if h.level >= 2), len(self.lines))
        self.inline = inline_fields(self.lines, self.body_start, first_h2)
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
        match = _KEY_LINE.match(text)
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
        match = _RELATION_LINE.match(body)
        if not match:
            return False
        numbers = references(match.group("value"), self.resolve)
        if not numbers:
            return False
        kind = RELATION_WORDS[match.group("verb").lower()]
        begin = text.index(body[:10]) if body else at
        self.fields.relate(kind, numbers, Spot("link", index, begin, len(text.rstrip()), match.group("verb"), body))
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
            relation = _RELATION_LINE.match(text[at:].strip("*_ "))
            superseding = relation is not None and RELATION_WORDS[relation.group("verb").lower()] == "superseded-by"
            if not found_status and (relation is None or superseding):
                phrase = status_phrase(text[at:], self.resolve)
                if phrase is not None:  # "Superseded by [20. X](0020-x.md)" is the status, and a link
                    self.fields.add("status", Spot("section", index, at, len(text), "", text[at:]))
                    found_status = True
                    continue
            self._relation_line(text, at, index)

    def _links_section(self, section: Section) -> None:
        for index, text in self._body_lines(section.body_start, section.end):
            marker = LIST_MARKER.match(text)
            if not marker:
                continue
            if self._relation_line(text, marker.end(), index):
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
            return _string_list(self.front_value(spot.key.lower()))
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

    def parse(self) -> Adr:
        style, raw_status = self.style_and_status()
        return Adr(
            path=self.path,
            number=self.number(),
            title=self.title(),
            status=self.status(),
            raw_status=raw_status,
            date=self.date(),
            style=style,
            tags=self.field_list("tags"),
            deciders=self.field_list("deciders"),
            consulted=self.field_list("consulted"),
            informed=self.field_list("informed"),
            context=self.section_text(self.section("context")),
            criteria=self.criteria(),
            options=self.options(),
            tables=self.tables(),
            counter_arguments=self.counter_arguments(),
            sources=self.sources(),
            decision=self.section_text(self.section("decision")),
            consequences=self._consequences(),
            references=self.references(),
            supersedes=self.relation("supersedes"),
            superseded_by=self.relation("superseded-by"),
            amends=self.relation("amends"),
            amended_by=self.relation("amended-by"),
            related=self.relation("related"),
            section_titles=[s.title for s in self.sections],
            heading=(
                re.sub(r"^#+[ \t]*|[ \t]+#*[ \t]*$", "", strip_eol(self.lines[self.title_heading.line]))
                if self.title_heading is not None
                else ""
            ),
        )

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

    def criteria(self) -> list[Criterion]:
        section = self.section("criteria")
        if section is None:
            return []
        found: list[Criterion] = []
        seen: set[str] = set()
        for inline, _line in self.list_items(section.body_start, section.end):
            name, question = split_named_item(inline.content)
            if not name:
                continue
            must = bool(MUST_HAVE.search(inline.content))
            name = MUST_HAVE.sub("", name).strip()
            ident = slugify(name, max_words=6) or f"criterion-{len(found) + 1}"
            while ident in seen:
                ident += "-2"
            seen.add(ident)
            found.append(Criterion(ident, name, question or name, must))
        return found

    def options(self) -> list[Option]:
        section = self.section("options")
        if section is None:
            return []
        subs = [
            s
            for s in self.sections
            if s.level == section.level + 1 and section.body_start <= s.heading.line < section.end
        ]
        raw: list[tuple[str, str]] = []
        if subs:
            for sub in subs:
                raw.append((sub.title, self.section_text(sub)))
        else:
            for inline, line in self.list_items(section.body_start, section.end):
                labelled, label_title = option_label(plain(inline.content))
                if labelled is not None and "**" not in inline.content:
                    name, rest = f"Option {labelled}: {label_title}", ""
                else:
                    name, rest = split_named_item(inline.content)
                    if name.endswith("…"):  # no name/description separator: the whole item is the title
                        name, rest = plain(inline.content), ""
                item_end = self._item_end(line, section.end)
                nested = "".join(self.lines[line + 1 : item_end]).strip()
                description = "\n".join(p for p in (rest, nested) if p).strip()
                raw.append((name, description))
        options: list[Option] = []
        used: set[str] = set()
        idents: list[tuple[str, str, str]] = []
        for index, (title, description) in enumerate(raw):
            ident, clean_title = option_label(title)
            if ident is None or ident in used:
                ident = next(chr(65 + i) for i in range(index, 52) if chr(65 + i) not in used)
            used.add(ident)
            idents.append((ident, clean_title, description))
        matched = self._pros_cons_headings([(ident, title) for ident, title, _ in idents])
        for ident, title, description in idents:
            pros, cons, neutral = self.pros_and_cons(matched.get(ident), description)
            options.append(Option(ident, title, description, pros, cons, neutral))
        return options

    def _item_end(self, line: int, limit: int) -> int:
        for token in self.toks:
            if token.type == "list_item_open" and token.map and token.map[0] == line:
                return min(token.map[1], limit)
        return min(line + 1, limit)

    def _pros_cons_headings(self, options: list[tuple[str, str]]) -> dict[str, Section]:
        """Each option's heading under "Pros and Cons of the Options", matched the way a reader would:
        by its label (``### Option 2``), or by its title even when the heading drops backticks, a trailing
        period or the end of the title (``### Use Local Persistent Volumes`` for "Use [Local Persistent
        Volumes](...)."), one heading per option, best matches first."""
        section = self.section("pros_cons")
        if section is None or not options:
            return {}
        subs = [
            s
            for s in self.sections
            if s.level == section.level + 1 and section.body_start <= s.heading.line < section.end
        ]
        scored: list[tuple[float, int, str]] = []
        for position, sub in enumerate(subs):
            sub_id, sub_title = option_label(sub.title)
            for ident, title in options:
                score = 1.0 if sub_id is not None and sub_id == ident else _title_match(sub_title, title)
                if score >= 0.5:
                    scored.append((score, position, ident))
        matched: dict[str, Section] = {}
        taken: set[int] = set()
        for _score, position, ident in sorted(scored, key=lambda item: (-item[0], item[1])):
            if ident not in matched and position not in taken:
                matched[ident] = subs[position]
                taken.add(position)
        return matched

    def pros_and_cons(
        self, heading: Section | None, description: str
    ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The Good/Bad/Neutral items of an option: every list under its pros-and-cons heading (not only the
        first one, nested ones too), and those written in its own description."""
        texts: list[str] = []
        if heading is not None:
            texts.extend(plain(i.content) for i, _ in self.list_items(heading.body_start, heading.end, False))
        for line in description.splitlines():
            stripped = line.strip()
            if re.match(r"^[-*+]\s+\**(Good|Bad|Neutral|Pro|Con)\b", stripped, re.IGNORECASE):
                texts.append(plain(re.sub(r"^[-*+]\s+", "", stripped)))
        pros = tuple(t for t in texts if re.match(r"^(good|pro)\b", t, re.IGNORECASE))
        cons = tuple(t for t in texts if re.match(r"^(bad|con)\b", t, re.IGNORECASE))
        neutral = tuple(t for t in texts if re.match(r"^neutral\b", t, re.IGNORECASE))
        return pros, cons, neutral

    def tables(self) -> list[Table]:
        found: list[Table] = []
        toks = self.toks
        index = 0
        while index < len(toks):
            token = toks[index]
            if token.type != "table_open":
                index += 1
                continue
            header: list[str] = []
            rows: list[tuple[str, ...]] = []
            row: list[str] = []
            in_head = False
            index += 1
            while index < len(toks) and toks[index].type != "table_close":
                current = toks[index]
                if current.type == "thead_open":
                    in_head = True
                elif current.type == "thead_close":
                    in_head = False
                elif current.type == "tr_open":
                    row = []
                elif current.type == "inline":
                    row.append(inline_text(current))
                elif current.type == "tr_close":
                    if in_head:
                        header = row
                    else:
                        rows.append(tuple(row))
                index += 1
            line = token.map[0] if token.map else 0
            found.append(Table(self.containing_section(line), tuple(header), tuple(rows), line))
        return found

    def counter_arguments(self) -> list[str]:
        section = self.section("counter")
        if section is not None:
            return [plain(i.content) for i, _ in self.list_items(section.body_start, section.end)]
        toks = self.toks
        for index, token in enumerate(toks):
            if token.type == "inline" and COUNTER.search(token.content) and index + 2 < len(toks):
                following = toks[index + 2]  # paragraph_close, then the list
                if following.type in ("bullet_list_open", "ordered_list_open") and following.map:
                    return [plain(i.content) for i, _ in self.list_items(following.map[0], following.map[1])]
        return []

    def sources(self) -> list[SourceItem]:
        section = self.section("sources")
        if section is None:
            return []
        found: list[SourceItem] = []
        seen: set[str] = set()
        for inline, line in self.list_items(section.body_start, section.end, top_level_only=False):
            content = inline.content
            done: bool | None = None
            box = CHECKBOX.match(content)
            if box:
                done = box.group(1).lower() == "x"
                content = content[box.end() :]
            label = plain(content)
            ids = YOUTUBE_URL.findall(content) or BACKTICK_ID.findall(content)
            if ids:
                for video_id in ids:
                    if video_id not in seen:
                        seen.add(video_id)
                        found.append(SourceItem("youtube", video_id, f"https://youtu.be/{video_id}", done, label, line))
                continue
            for url in URL.findall(content):
                if url not in seen:
                    seen.add(url)
                    found.append(SourceItem("url", url, url, done, label, line))
        return found

    def references(self) -> list[Reference]:
        refs: list[Reference] = []
        for index in range(self.body_start, len(self.lines)):
            for number in ADR_MENTION.findall(self.lines[index]):
                refs.append(Reference("mention", number.zfill(4), index))
            for target in WIKILINK.findall(self.lines[index]):
                refs.append(Reference("wikilink", target.strip(), index))
        for token in self.toks:
            if token.type != "inline":
                continue
            for child in token.children or []:
                if child.type == "link_open":
                    href = str(child.attrs.get("href", ""))
                    if href and not re.match(r"^[a-z][a-z0-9+.-]*:|^#", href, re.IGNORECASE):
                        refs.append(Reference("link", href, token.map[0] if token.map else None))
        return refs

    def _consequences(self) -> str:
        for section in self.sections:
            if normalize_heading(section.title) == "consequences":
                return self.section_text(section)
        return ""


def inline_fields(lines: list[str], start: int, stop: int) -> dict[str, InlineField]:
    """``**Key**: value`` lines (first occurrence of each key, lowercased) between ``start`` and ``stop``."""
    found: dict[str, InlineField] = {}
    in_fence = False
    for index in range(start, stop):
        text = strip_eol(lines[index])
        if text.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence:
            continue
        match = INLINE_FIELD.match(text)
        if match and (match.group("c1") or match.group("c2")):
            key = match.group("key").strip().lower()
            found.setdefault(key, InlineField(key, match.group("value"), index, match))
    return found


@dataclass
class InlineField:
    key: str
    value: str
    line: int
    match: re.Match[str]


def _title_words(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", plain(text).lower())
    return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words]


def _title_match(heading: str, title: str) -> float:
    """How surely a pros-and-cons heading names an option: 1 for the same words, 0.9 when one is the start of
    the other, else the share of words they have in common."""
    a, b = _title_words(heading), _title_words(title)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if longer[: len(shorter)] == shorter:
        return 0.9
    common = len(set(a) & set(b))
    return common / len(set(a) | set(b))


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


def parse_adr(
    text: str,
    path: Path,
    *,
    number: int | None = None,
    resolve: Callable[[str], int | None] | None = None,
) -> Adr:
    """Parse ADR text. ``path`` gives the number (any naming :mod:`joeladr.adr.naming` reads) and names
    errors; a folder passes ``number`` when it numbers files that carry none (log4brains' dated names)
    and ``resolve`` to turn such file names into numbers in links."""
    if "\x00" in text:
        raise AdrError(f"{path} is not a text file (it contains NUL bytes)", path=path)
    try:
        return _Parser(text, path, number=number, resolve=resolve).parse()
    except AdrError:
        raise
    except RecursionError as exc:  # pathological nesting from markdown-it
        raise AdrError(f"{path}: the markdown is nested too deeply to read", path=path) from exc


def plain(markdown: str) -> str:
    """Inline markdown to plain text (bold, code and link marks dropped)."""
    from joeladr.markdown import _parser

    parsed = _parser().parseInline(markdown)
    return " ".join(inline_text(t) for t in parsed).strip() if parsed else markdown.strip()


def split_named_item(markdown: str) -> tuple[str, str]:
    """``**Name** — question`` -> (Name, question); ``Name: question`` and ``Name — question`` too."""
    text = markdown.strip()
    bold = BOLD_LEAD.match(text)
    if bold:
        name = plain(bold.group("name")).rstrip(":").strip()
        return name, plain(bold.group("rest"))
    flat = plain(text)
    for separator in (" — ", " – ", ": ", " - "):
        if separator in flat:
            name, rest = flat.split(separator, 1)
            if 0 < len(name.split()) <= 8:
                return name.strip(), rest.strip()
    words = flat.split()
    return (" ".join(words[:6]) + ("…" if len(words) > 6 else "")) if words else "", flat


def option_label(title: str) -> tuple[str | None, str]:
    """``Option A: Full replacement`` -> ("A", "Full replacement"); ``Option 2 - X`` -> ("B", "X")."""
    text = plain(title) if "*" in title or "`" in title else title.strip()
    match = OPTION_LABEL.match(text) or LETTER_LABEL.match(text)
    if not match:
        return None, text
    label, rest = match.group(1), (match.group(2) or "").strip()
    ident = chr(64 + int(label)) if label.isdigit() and 0 < int(label) <= 26 else label.upper()
    return ident, rest or text


def slugify(text: str, max_words: int | None = None) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    if max_words:
        words = words[:max_words]
    return "-".join(words)
