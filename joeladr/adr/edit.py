"""Edit an ADR in place: change a field, a relation, a checkbox or one section, keep every other byte."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from joeladr.adr.model import Adr
from joeladr.adr.parse import (
    FRONT_MATTER_REFS,
    INLINE_FIELD,
    INLINE_REFS,
    SECTION_ALIASES,
    _Parser,
    normalize_heading,
    parse_adr,
)
from joeladr.atomic import atomic_write_text, read_text
from joeladr.errors import AdrError
from joeladr.markdown import line_ending, split_lines, strip_eol

DEFAULT_KEYS = {"supersedes": "supersedes", "superseded-by": "superseded-by", "related": "related"}
INLINE_LABELS = {"supersedes": "Supersedes", "superseded-by": "Superseded by", "related": "Related"}


class AdrDocument:
    """An ADR's text as lines, with edits that touch only what they must."""

    def __init__(self, text: str, path: Path) -> None:
        self.path = Path(path)
        self.original = text
        self.lines = split_lines(text)
        self.eol = line_ending(self.lines)

    @classmethod
    def load(cls, path: Path) -> AdrDocument:
        return cls(read_text(path), path)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def save(self) -> bool:
        """Write the file atomically if anything changed; return whether it did."""
        if not self.changed:
            return False
        atomic_write_text(self.path, self.text)
        self.original = self.text
        return True

    def parse(self) -> Adr:
        """The ADR as the text now reads (edits so far included)."""
        return parse_adr(self.text, self.path)

    def _parsed(self) -> _Parser:
        return _Parser(self.text, self.path)

    # -- scalar fields -------------------------------------------------------------
    def set_status(self, value: str) -> None:
        self.set_field("status", value)

    def set_date(self, date: str) -> None:
        """Set the decision date where the ADR keeps it (a Nygard ``Date:`` line, front matter, or a field)."""
        parsed = self._parsed()
        style, _ = parsed.style_and_status()
        if style == "section":
            for index, line in enumerate(self.lines):
                match = re.match(r"^(Date:\s*)(\S.*?)(\s*)$", strip_eol(line))
                if match:
                    self.lines[index] = match.group(1) + date + match.group(3) + line[len(strip_eol(line)) :]
                    return
            return
        self.set_field("date", date)

    def set_field(self, key: str, value: str) -> None:
        """Set a scalar field (status, date, ...) in the style the ADR already uses."""
        parsed = self._parsed()
        style, _ = parsed.style_and_status()
        if parsed.front and _fm_key(parsed.front.data, key) is not None:
            self._set_front_scalar(parsed, key, value)
        elif key.lower() in parsed.inline:
            field = parsed.inline[key.lower()]
            line = self.lines[field.line]
            match = field.match
            new_value = _match_case(field.value, value)
            self.lines[field.line] = line[: match.start("value")] + new_value + line[match.end("value") :]
        elif key == "status" and style == "section":
            section = parsed.section("status")
            assert section is not None
            for index in range(section.body_start, section.end):
                stripped = strip_eol(self.lines[index])
                if stripped.strip():
                    ending = self.lines[index][len(stripped) :]
                    lead = stripped[: len(stripped) - len(stripped.lstrip())]
                    self.lines[index] = lead + _match_case(stripped.strip(), value) + ending
                    return
            self.lines.insert(section.body_start, self.eol + value + self.eol)
        elif parsed.front:
            self._add_front_key(parsed, key, _yaml_scalar(value, ""))
        elif parsed.inline or style == "none":
            self._add_inline_field(parsed, key.capitalize(), value)
        else:
            raise AdrError(f"{self.path}: cannot tell where to write {key}", path=self.path)

    def _set_front_scalar(self, parsed: _Parser, key: str, value: str) -> None:
        front = parsed.front
        assert front is not None
        real_key = _fm_key(front.data, key)
        start, end = self._front_key_span(parsed, real_key)
        match = _KEY_LINE.match(strip_eol(self.lines[start]))
        if not match:
            raise AdrError(f"{self.path}: cannot edit front matter key {key!r}", path=self.path)
        old_value, comment = _split_comment(match.group("value"))
        if end - start > 1 or old_value.startswith(("|", ">")):
            old_value = ""  # a block value: replace it with a scalar
        new_line = match.group("key") + match.group("sep") + _yaml_scalar(value, old_value) + comment
        if not match.group("sep").endswith((" ", "\t")):
            new_line = match.group("key") + match.group("sep") + " " + _yaml_scalar(value, old_value) + comment
        ending = self.lines[start][len(strip_eol(self.lines[start])) :]
        self.lines[start:end] = [new_line + ending]

    def _front_key_span(self, parsed: _Parser, key: object) -> tuple[int, int]:
        front = parsed.front
        assert front is not None
        line = front.start + 1 + front.data.lc.key(key)[0]
        end = line + 1
        close = front.end - 1
        while end < close:
            text = strip_eol(self.lines[end])
            if text and (text[0] in " \t-"):
                end += 1
                continue
            break
        return line, end

    def _add_front_key(self, parsed: _Parser, key: str, rendered: str) -> None:
        front = parsed.front
        assert front is not None
        close = front.end - 1
        self.lines.insert(close, f"{key}: {rendered}{self.eol}")

    def _add_inline_field(self, parsed: _Parser, label: str, value: str) -> None:
        fields = sorted(parsed.inline.values(), key=lambda f: f.line)
        if fields:
            last = fields[-1]
            match = INLINE_FIELD.match(strip_eol(self.lines[last.line]))
            assert match is not None
            prefix = match.group("prefix")
            colon_inside = bool(match.group("c1"))
            new = f"{prefix}**{label}{':' if colon_inside else ''}**{'' if colon_inside else ':'} {value}"
            trail = match.group("trail")
            self.lines.insert(last.line + 1, new + trail + self.eol)
            return
        h1 = next((h for h in parsed.headings if h.level == 1), None)
        at = h1.line + 1 if h1 else parsed.body_start
        self.lines[at:at] = [self.eol, f"**{label}**: {value}{self.eol}"]

    # -- relations -----------------------------------------------------------------
    def add_relation(self, kind: str, number: str) -> None:
        """Record ``supersedes`` / ``superseded-by`` / ``related`` -> ADR ``number`` (no-op if present)."""
        number = number.zfill(4)
        parsed = self._parsed()
        if number in parsed.relation(kind):
            return
        style, _ = parsed.style_and_status()
        if parsed.front is not None and style == "front-matter":
            self._add_front_relation(parsed, kind, number)
            return
        label = INLINE_LABELS[kind]
        for key in INLINE_REFS[kind]:
            field = parsed.inline.get(key)
            if field is not None:
                line = self.lines[field.line]
                value = field.value.strip()
                joined = (
                    f"{value}, ADR-{number}" if value and value.lower() not in ("none", "n/a", "-") else f"ADR-{number}"
                )
                self.lines[field.line] = line[: field.match.start("value")] + joined + line[field.match.end("value") :]
                return
        if style == "section":
            section = parsed.section("status")
            assert section is not None
            at = section.end
            while at > section.body_start and not strip_eol(self.lines[at - 1]).strip():
                at -= 1
            self.lines[at:at] = [self.eol, f"{label} ADR-{number}{self.eol}"]
            return
        self._add_inline_field(parsed, label, f"ADR-{number}")

    def _add_front_relation(self, parsed: _Parser, kind: str, number: str) -> None:
        front = parsed.front
        assert front is not None
        key = next((k for k in front.data if str(k).lower() in FRONT_MATTER_REFS[kind]), None)
        quoted = json.dumps(number)
        if key is None:
            rendered = f"[{quoted}]" if kind == "related" else quoted
            self._add_front_key(parsed, DEFAULT_KEYS[kind], rendered)
            return
        start, end = self._front_key_span(parsed, key)
        head = strip_eol(self.lines[start])
        match = _KEY_LINE.match(head)
        assert match is not None
        value, comment = _split_comment(match.group("value"))
        ending = self.lines[start][len(head) :]
        prefix = match.group("key") + match.group("sep")
        if not prefix.endswith((" ", "\t")):
            prefix += " "
        if end - start > 1:  # block list: append an item shaped like the last one
            last = strip_eol(self.lines[end - 1])
            item = re.match(r"^(\s*-\s*)", last)
            lead = item.group(1) if item else "  - "
            self.lines.insert(end, f"{lead}{quoted}{self.eol}")
            return
        if value in ("", "null", "~", "[]", "''", '""'):
            new_value = f"[{quoted}]" if kind == "related" or value == "[]" else quoted
        elif value.startswith("[") and value.endswith("]"):
            new_value = value[:-1].rstrip() + f", {quoted}]"
        else:
            new_value = f"[{value}, {quoted}]"
        self.lines[start] = prefix + new_value + comment + ending

    # -- sections and checkboxes ---------------------------------------------------
    def replace_section(self, kind: str, body: str, *, title: str | None = None, after: tuple[str, ...] = ()) -> None:
        """Replace the body of the section ``kind`` (an alias group or a heading); create it if absent.

        A new section goes after the first existing section named in ``after``, else at the end.
        """
        parsed = self._parsed()
        section = parsed.section(kind) if kind in SECTION_ALIASES else _find_heading(parsed, kind)
        body_lines = split_lines(_with_eol(body.strip("\n").replace("\r\n", "\n").replace("\n", self.eol), self.eol))
        if section is not None:
            end = section.end
            trailing = end
            while trailing > section.body_start and not strip_eol(self.lines[trailing - 1]).strip():
                trailing -= 1
            keep_blank = self.lines[trailing:end] or ([self.eol] if end < len(self.lines) else [])
            lead = [self.eol] if body_lines else []
            self.lines[section.body_start : end] = lead + body_lines + keep_blank
            return
        heading = title or kind.title()
        at = len(self.lines)
        for anchor in after:
            found = parsed.section(anchor) if anchor in SECTION_ALIASES else _find_heading(parsed, anchor)
            if found is not None:
                at = found.end
                break
        block = [f"## {heading}{self.eol}", self.eol, *body_lines]
        if at < len(self.lines):
            block.append(self.eol)
        if at > 0 and not self.lines[at - 1].endswith(("\n", "\r")):
            self.lines[at - 1] += self.eol
        if at > 0 and strip_eol(self.lines[at - 1]).strip():
            block.insert(0, self.eol)
        self.lines[at:at] = block

    def append_items(self, kind: str, items: list[str], *, title: str, after: tuple[str, ...] = ()) -> None:
        """Append list items (without their line endings) to the end of section ``kind``; create it if absent.

        Items already in the section are not added twice.
        """
        section = self._parsed().section(kind)
        if section is None:
            self.replace_section(kind, "\n".join(items), title=title, after=after)
            return
        end = section.end
        while end > section.body_start and not strip_eol(self.lines[end - 1]).strip():
            end -= 1
        existing = {strip_eol(line) for line in self.lines[section.body_start : end]}
        additions = [item + self.eol for item in items if item not in existing]
        if additions and end > 0 and not self.lines[end - 1].endswith(("\n", "\r")):
            self.lines[end - 1] += self.eol
        self.lines[end:end] = additions

    def set_checkbox(self, line: int, checked: bool, suffix: str | None = None) -> None:
        """Tick or clear the ``- [ ]`` on ``line``; append ``suffix`` once (e.g. a vault link)."""
        text = strip_eol(self.lines[line])
        ending = self.lines[line][len(text) :]
        match = re.match(r"^(\s*[-*+]\s+\[)( |x|X)(\].*)$", text)
        if not match:
            raise AdrError(f"{self.path}:{line + 1} is not a checkbox item", path=self.path)
        text = match.group(1) + ("x" if checked else " ") + match.group(3)
        if suffix and suffix not in text:
            text = text.rstrip() + " " + suffix
        self.lines[line] = text + ending


_KEY_LINE = re.compile(r"^(?P<key>[^\s#:][^:]*?|\"[^\"]*\"|'[^']*')(?P<sep>[ \t]*:(?:[ \t]+|$))(?P<value>.*)$")


def _fm_key(data: Any, key: str) -> object | None:
    wanted = key.lower()
    found: object | None = next((k for k in data if str(k).lower() == wanted), None)
    return found


def _split_comment(value: str) -> tuple[str, str]:
    """Split ``value # comment`` outside quotes; returns (value, comment-with-leading-space)."""
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


def _yaml_scalar(value: str, old: str) -> str:
    """Render ``value`` as a YAML scalar, in the quoting style ``old`` used when it can."""
    if old.startswith('"'):
        return json.dumps(value, ensure_ascii=False)
    if old.startswith("'"):
        return "'" + value.replace("'", "''") + "'"
    if _plain_round_trips(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _plain_round_trips(value: str) -> bool:
    import datetime as dt

    from ruamel.yaml import YAML

    if not value or value != value.strip() or "\n" in value:
        return False
    try:
        loaded = YAML(typ="safe", pure=True).load(f"k: {value}")
    except Exception:
        return False
    if not isinstance(loaded, dict) or "k" not in loaded:
        return False
    got = loaded["k"]
    if isinstance(got, dt.date):
        return got.isoformat() == value
    return isinstance(got, str) and got == value


def _match_case(old: str, new: str) -> str:
    old = old.strip()
    if old[:1].isupper() and new[:1].islower():
        return new[:1].upper() + new[1:]
    return new


def _with_eol(text: str, eol: str) -> str:
    return text + eol if text and not text.endswith(("\n", "\r")) else text


def _find_heading(parsed: _Parser, title: str):  # type: ignore[no-untyped-def]
    wanted = normalize_heading(title)
    return next((s for s in parsed.sections if s.level >= 2 and normalize_heading(s.title) == wanted), None)
