"""Parse an ADR (front matter or inline fields, MADR / Nygard / joelclaw sections) into an :class:`Adr`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joeladr.adr.model import Adr, Criterion, Option, Reference, SourceItem, Style, Table
from joeladr.atomic import read_text
from joeladr.errors import AdrError
from joeladr.markdown import (
    FrontMatter,
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

FILE_NUMBER = re.compile(r"^(\d{1,5})[-_]")
TITLE_PREFIX = re.compile(r"^(?:ADR[-\s]?(\d+)|(\d+))\s*[:.—–-]\s*", re.IGNORECASE)
INLINE_FIELD = re.compile(
    r"^(?P<prefix>[ \t]*(?:[-*+][ \t]+)?)\*\*(?P<key>[A-Za-z][\w -]*?)(?P<c1>:?)\*\*(?P<c2>:?)"
    r"(?P<space>[ \t]*)(?P<value>.*?)(?P<trail>[ \t]*)$"
)
ADR_MENTION = re.compile(r"\bADR[- ]?(\d{3,4})\b", re.IGNORECASE)
FOUR_DIGITS = re.compile(r"(?<![\d.])(\d{4})(?![\d])")
WIKILINK = re.compile(r"\[\[([^\]\|#\n]+)(?:#[^\]\|\n]*)?(?:\|[^\]\n]*)?\]\]")
YOUTUBE_URL = re.compile(
    r"https?://(?:www\.|m\.|music\.)?(?:youtube\.com/(?:watch\?(?:[^\s)]*&)?v=|shorts/|live/|embed/)|youtu\.be/)"
    r"([A-Za-z0-9_-]{11})"
)
BACKTICK_ID = re.compile(r"`([A-Za-z0-9_-]{11})`")
URL = re.compile(r"https?://[^\s)>\]`\"']+")
CHECKBOX = re.compile(r"^\[( |x|X)\][ \t]+")
BOLD_LEAD = re.compile(r"^\*\*(?P<name>.+?)\*\*[ \t]*(?:[—–:-]+[ \t]*)?(?P<rest>.*)$", re.DOTALL)
OPTION_LABEL = re.compile(r"^(?:Option|Alternative)\s+([A-Za-z]|\d+)\s*[:.)—–-]\s*(.*)$", re.IGNORECASE)
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
}
FRONT_MATTER_REFS = {
    "supersedes": ("supersedes", "replaces"),
    "superseded-by": ("superseded-by", "superseded_by", "supersededby", "superseded by", "superseded-by-adr"),
    "related": ("related", "related-adrs", "related_adrs", "relates-to", "relates_to", "see-also"),
}
INLINE_REFS = {
    "supersedes": ("supersedes", "replaces"),
    "superseded-by": ("superseded by", "superseded-by"),
    "related": ("related", "related adrs", "see also"),
}


def load_adr(path: Path) -> Adr:
    """Read and parse one ADR file."""
    return parse_adr(read_text(path), Path(path))


def normalize_heading(text: str) -> str:
    text = re.sub(r"^\d+(?:\.\d+)*[.)]?\s+", "", text.strip())
    return text.rstrip(":").strip().lower()


def normalize_status(raw: str | None) -> tuple[str | None, list[str]]:
    """``"Superseded by 0114"`` -> ``("superseded", ["0114"])``; ``"Accepted"`` -> ``("accepted", [])``."""
    if raw is None:
        return None, []
    text = re.sub(r"[*_`\"']", "", str(raw)).strip()
    if not text:
        return None, []
    lowered = text.lower()
    match = re.match(r"superseded\b(.*)", lowered)
    if match:
        return "superseded", _adr_numbers(match.group(1))
    word = re.split(r"[\s(,;—–:]|\s-\s", lowered, maxsplit=1)[0]
    return word or None, []


def _adr_numbers(value: Any) -> list[str]:
    """Every ADR number named by a front matter value (string, number, list, links)."""
    found: list[str] = []
    items: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
    for item in items:
        if item is None:
            continue
        if isinstance(item, int) and not isinstance(item, bool):
            found.append(f"{item:04d}")
            continue
        for number in FOUR_DIGITS.findall(str(item)) or [m for m in ADR_MENTION.findall(str(item))]:
            found.append(number.zfill(4))
    return list(dict.fromkeys(found))


def _scalar_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _string_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v is not None]
    return [part.strip() for part in str(value).split(",") if part.strip()]


@dataclass
class InlineField:
    key: str
    value: str
    line: int
    match: re.Match[str]


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


class _Parser:
    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self.lines = split_lines(text)
        self.front: FrontMatter | None = parse_front_matter(self.lines, str(path))
        self.body_start = self.front.end if self.front else 0
        self.toks = tokens(self.lines, self.body_start)
        self.headings = headings_from_tokens(self.toks)
        self.sections = sections(self.headings, len(self.lines))
        first_h2 = next((h.line for h in self.headings if h.level >= 2), len(self.lines))
        self.inline = inline_fields(self.lines, self.body_start, first_h2)

    # -- helpers -------------------------------------------------------------------
    def section(self, kind: str) -> Section | None:
        aliases = SECTION_ALIASES[kind]
        for alias in aliases:  # alias order is preference order
            for section in self.sections:
                if section.level >= 2 and normalize_heading(section.title) == alias:
                    return section
        return None

    def section_text(self, section: Section | None) -> str:
        if section is None:
            return ""
        return "".join(self.lines[section.body_start : section.end]).strip()

    def child_tokens(self, start: int, end: int) -> list[Token]:
        return [t for t in self.toks if t.map and start <= t.map[0] < end]

    def containing_section(self, line: int) -> str:
        best = ""
        for section in self.sections:
            if section.heading.line <= line < section.end:
                best = section.title
        return best

    # -- fields --------------------------------------------------------------------
    def front_value(self, *keys: str) -> Any:
        if not self.front:
            return None
        lowered = {str(k).lower(): k for k in self.front.data}
        for key in keys:
            if key in lowered:
                return self.front.data[lowered[key]]
        return None

    def inline_value(self, *keys: str) -> str | None:
        for key in keys:
            field = self.inline.get(key)
            if field is not None:
                return field.value.strip()
        return None

    def style_and_status(self) -> tuple[Style, str | None]:
        if self.front and self.front_value("status") is not None:
            return "front-matter", _scalar_text(self.front_value("status"))
        inline = self.inline_value("status")
        if inline is not None:
            return "inline", inline
        status_section = self.section("status")
        if status_section is not None:
            text = self.section_text(status_section).splitlines()
            return "section", (text[0].strip() if text else None)
        return ("front-matter" if self.front else "none"), None

    def title(self) -> str:
        title = _scalar_text(self.front_value("title"))
        if not title:
            h1 = next((h for h in self.headings if h.level == 1), None)
            title = h1.text if h1 else self.path.stem
        return TITLE_PREFIX.sub("", title, count=1).strip() or title.strip()

    def number(self) -> int | None:
        match = FILE_NUMBER.match(self.path.name)
        if match:
            return int(match.group(1))
        h1 = next((h for h in self.headings if h.level == 1), None)
        if h1:
            prefix = TITLE_PREFIX.match(h1.text)
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
                item_end = self._item_end(line, section.end)
                nested = "".join(self.lines[line + 1 : item_end]).strip()
                description = "\n".join(p for p in (rest, nested) if p).strip()
                raw.append((name, description))
        options: list[Option] = []
        used: set[str] = set()
        for index, (title, description) in enumerate(raw):
            ident, clean_title = option_label(title)
            if ident is None or ident in used:
                ident = next(chr(65 + i) for i in range(index, 52) if chr(65 + i) not in used)
            used.add(ident)
            pros, cons, neutral = self.pros_and_cons(clean_title, ident, description)
            options.append(Option(ident, clean_title, description, pros, cons, neutral))
        return options

    def _item_end(self, line: int, limit: int) -> int:
        for token in self.toks:
            if token.type == "list_item_open" and token.map and token.map[0] == line:
                return min(token.map[1], limit)
        return min(line + 1, limit)

    def pros_and_cons(
        self, title: str, ident: str, description: str
    ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        texts: list[str] = []
        section = self.section("pros_cons")
        if section is not None:
            for sub in self.sections:
                if sub.level == section.level + 1 and section.body_start <= sub.heading.line < section.end:
                    sub_id, sub_title = option_label(sub.title)
                    if normalize_heading(sub_title) == normalize_heading(title) or (
                        sub_id is not None and sub_id == ident
                    ):
                        texts.extend(plain(i.content) for i, _ in self.list_items(sub.body_start, sub.end))
        for line in description.splitlines():
            stripped = line.strip()
            if re.match(r"^[-*+]\s+(Good|Bad|Neutral|Pro|Con)\b", stripped, re.IGNORECASE):
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

    def relation(self, kind: str) -> list[str]:
        numbers: list[str] = []
        numbers.extend(_adr_numbers(self.front_value(*FRONT_MATTER_REFS[kind])))
        inline = self.inline_value(*INLINE_REFS[kind])
        if inline:
            numbers.extend(_adr_numbers(inline))
        return list(dict.fromkeys(numbers))

    def parse(self) -> Adr:
        style, raw_status = self.style_and_status()
        status, status_refs = normalize_status(raw_status)
        date = _scalar_text(self.front_value("date")) or self.inline_value("date")
        deciders = _string_list(self.front_value("deciders", "decision-makers"))
        if not deciders and self.inline_value("deciders", "decision-makers"):
            deciders = _string_list(self.inline_value("deciders", "decision-makers"))
        superseded_by = list(dict.fromkeys(status_refs + self.relation("superseded-by")))
        return Adr(
            path=self.path,
            number=self.number(),
            title=self.title(),
            status=status,
            raw_status=raw_status,
            date=date,
            style=style,
            tags=_string_list(self.front_value("tags")),
            deciders=deciders,
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
            superseded_by=superseded_by,
            related=self.relation("related"),
            section_titles=[s.title for s in self.sections],
        )

    def _consequences(self) -> str:
        for section in self.sections:
            if normalize_heading(section.title) == "consequences":
                return self.section_text(section)
        return ""


def parse_adr(text: str, path: Path) -> Adr:
    """Parse ADR text; ``path`` gives the number (``NNNN-slug.md``) and names errors."""
    if "\x00" in text:
        raise AdrError(f"{path} is not a text file (it contains NUL bytes)", path=path)
    try:
        return _Parser(text, path).parse()
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
    label, rest = match.group(1), match.group(2).strip()
    ident = chr(64 + int(label)) if label.isdigit() and 0 < int(label) <= 26 else label.upper()
    return ident, rest or text


def slugify(text: str, max_words: int | None = None) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    if max_words:
        words = words[:max_words]
    return "-".join(words)
