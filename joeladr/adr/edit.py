"""Edit an ADR in place: change a field, a relation, a checkbox or one section, keep every other byte.

Each field is changed where the reader found it (:class:`joeladr.adr.parse.Spot`) and in
the form it has there: a front matter key, a MADR bullet, a bold field, a table cell, a
line of the ``## Status`` section, a status string (``superseded by ADR-0003``), an
adr-tools link line (``Superseded by [10. Title](0010-title.md)``). Only the words that
say the value change (``✅ Accepted`` keeps its place and decoration, ``Accepted, applied
in v7`` keeps its tail); a BOM, the line endings and a missing final newline are kept.
Markdown never goes into the YAML block, and prose is never overwritten: a ``## Status``
section that holds only prose gets a status line above it.

Every edit is checked by reading the result back: if the field does not read as asked,
or anything else the reader sees changed (title, number, the other fields), the edit is
refused with one line and the document is left as it was.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joeladr.adr.fields import RELATION_KINDS, Resolver, date_value, is_placeholder, status_phrase
from joeladr.adr.format import (
    BOM,
    BRACKET_PREFIX,
    FRONT_MATTER_REFS,
    INLINE_FIELD,
    KEY_LINE,
    SECTION_ALIASES,
    AdrText,
    Spot,
    normalize_heading,
    split_comment,
    yaml_scalar,
)
from joeladr.adr.model import Adr, label_of
from joeladr.adr.parse import read_adr
from joeladr.adr.style import FolderStyle
from joeladr.atomic import Snapshot, atomic_write_text, read_text
from joeladr.errors import AdrError
from joeladr.markdown import line_ending, split_lines, strip_eol

DEFAULT_KEYS = {
    "supersedes": "supersedes",
    "superseded-by": "superseded-by",
    "amends": "amends",
    "amended-by": "amended-by",
    "related": "related",
}
INLINE_LABELS = {
    "supersedes": "Supersedes",
    "superseded-by": "Superseded by",
    "amends": "Amends",
    "amended-by": "Amended by",
    "related": "Related",
}
LINK_VERBS = {
    "supersedes": "Supersedes",
    "superseded-by": "Superseded by",
    "amends": "Amends",
    "amended-by": "Amended by",
    "related": "Related to",
}
_ADR_FIELDS = ("number", "title", "status", "date", "deciders", "supersedes", "superseded_by", "related")


@dataclass(frozen=True)
class LinkTarget:
    """The ADR a relation points to, with what each link form needs: its key, number, file, title and
    (log4brains) slug."""

    key: str
    number: int | None = None
    path: Path | None = None
    title: str = ""
    slug: str | None = None

    @property
    def label(self) -> str:
        """``ADR-0009`` or the slug, for messages."""
        return label_of(self.key)

    @classmethod
    def of(cls, adr: Adr) -> LinkTarget:
        if adr.number is None and adr.slug is None:
            raise AdrError(f"{adr.path.name} has no number or slug to link to", path=adr.path)
        return cls(adr.key, adr.number, adr.path, adr.title, adr.slug)

    @classmethod
    def parse(cls, ref: LinkTarget | Adr | str | int) -> LinkTarget:
        if isinstance(ref, LinkTarget):
            return ref
        if isinstance(ref, Adr):
            return cls.of(ref)
        text = str(ref).strip()
        digits = re.sub(r"^(?:ADR)[-\s]?", "", text, flags=re.IGNORECASE)
        if digits.isdigit():
            return cls(f"{int(digits):04d}", int(digits))
        if re.fullmatch(r"[\w.-]+(?:/[\w.-]+)?", text):
            return cls(text, slug=text)
        raise AdrError(f"'{text}' is not an ADR number or slug")

    def href(self, source: Path) -> str:
        """The link to this ADR's file from ``source``'s folder (``0009-x.md``, ``../../pkg/docs/adr/x.md``)."""
        if self.path is None:
            return ""
        return Path(os.path.relpath(os.path.abspath(self.path), os.path.abspath(source.parent))).as_posix()


class AdrDocument:
    """An ADR's text as lines, with edits that touch only what they must."""

    def __init__(
        self,
        text: str,
        path: Path,
        *,
        style: FolderStyle | None = None,
        number: int | None = None,
        resolve: Resolver | None = None,
        slug: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.original = text
        self.bom = text.startswith(BOM)
        self.lines = split_lines(text[1:] if self.bom else text)
        self.eol = line_ending(self.lines)
        self.style = style or FolderStyle()
        self.number = number
        self.resolve = resolve
        self.slug = slug
        self._doc: tuple[str, AdrText] | None = None
        self._adr: tuple[str, Adr] | None = None

    @classmethod
    def load(
        cls,
        path: Path,
        *,
        style: FolderStyle | None = None,
        number: int | None = None,
        resolve: Resolver | None = None,
        slug: str | None = None,
    ) -> AdrDocument:
        return cls(read_text(path), path, style=style, number=number, resolve=resolve, slug=slug)

    @property
    def text(self) -> str:
        return (BOM if self.bom else "") + "".join(self.lines)

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def save(self) -> bool:
        """Write the file atomically if anything changed; return whether it did.

        Refused (WriteConflict) if the file on disk no longer holds the text it was loaded from.
        """
        if not self.changed:
            return False
        atomic_write_text(self.path, self.text, expected=Snapshot.of_text(self.original))
        self.original = self.text
        return True

    def parse(self) -> Adr:
        """The ADR as the text now reads (edits so far included); read once per text."""
        text = self.text
        if self._adr is None or self._adr[0] != text:
            self._adr = (text, read_adr(self._parsed()))
        return self._adr[1]

    def _parsed(self) -> AdrText:
        """The text's fields and sections as they are now; parsed once per text (edits read it again and again)."""
        text = self.text
        if self._doc is None or self._doc[0] != text:
            self._doc = (text, AdrText.of(text, self.path, number=self.number, resolve=self.resolve, slug=self.slug))
        return self._doc[1]

    # -- the safety net ------------------------------------------------------------
    @contextmanager
    def _checked(self, what: str, *, changes: tuple[str, ...], expect: Callable[[Adr], bool]) -> Iterator[None]:
        """Run an edit; refuse it (restoring the lines) unless only ``changes`` read differently and ``expect``
        holds for the result."""
        before_lines = list(self.lines)
        before = self.parse()
        try:
            yield
            after = self.parse()
        except AdrError as exc:
            self.lines = before_lines
            raise AdrError(f"{self.path.name}: cannot {what} safely: {exc.message}", path=self.path) from exc
        moved = [name for name in _ADR_FIELDS if name not in changes and getattr(before, name) != getattr(after, name)]
        if moved or not expect(after):
            self.lines = before_lines
            why = f"it would also change {', '.join(moved)}" if moved else "the result would not read as asked"
            raise AdrError(
                f"{self.path.name}: cannot {what} safely ({why}); the file is unchanged",
                hint="edit this one by hand",
                path=self.path,
            )

    # -- status --------------------------------------------------------------------
    def set_status(self, value: str) -> None:
        """Set the status where the file states it (every place it does), in the file's own form; add it if absent."""
        wanted = status_phrase(value)
        target = wanted.value if wanted else value.strip().lower()
        current = self.parse().status
        self._refuse_hidden_supersession(target)
        self._refuse_dropping_supersession(target)
        superseding = {current, target} & {"superseded", "partly superseded"}
        changes = ("status", "superseded_by") if superseding else ("status",)
        with self._checked(f"set the status to {value!r}", changes=changes, expect=lambda a: a.status == target):
            self._write_status(value)

    def _refuse_hidden_supersession(self, target: str) -> None:
        """adr-tools marks an ADR superseded by adding ``Superseded by [...]`` under its status line; when the
        status line was left in place, changing it would still read superseded: say so instead."""
        parsed = self._parsed()
        phrase = parsed.status_phrase()
        if target in ("superseded", "partly superseded") or parsed.status() != "superseded":
            return
        if phrase is not None and phrase.value == "superseded":
            return
        links = [n for n, spot in parsed.fields.relations.get("superseded-by", []) if spot.form == "link"]
        raise AdrError(
            f"{self.path.name}: its Status section also says it is superseded by ADR-{', ADR-'.join(links)} "
            "(a `Superseded by` line), so a new status would not show",
            hint="remove or change that line, then set the status",
            path=self.path,
        )

    def _refuse_dropping_supersession(self, target: str) -> None:
        """A status that says which ADR supersedes this one (adr-tools' ``Superseded by [3. Use Y](...)``,
        MADR's ``superseded by [ADR-0005](...)``, a ``[Superseded by ...]`` title) holds the only link back
        to it: another status would drop the link and leave the other ADR's ``Supersedes`` one-way. Refused."""
        if target in ("superseded", "partly superseded"):
            return
        parsed = self._parsed()
        phrase = parsed.status_phrase()
        carried = list(phrase.relations.get("superseded-by", [])) if phrase is not None else []
        carried += [key for key, spot in parsed.fields.relations.get("superseded-by", []) if spot.form == "title"]
        if carried:
            names = ", ".join(label_of(key) for key in dict.fromkeys(carried))
            raise AdrError(
                f"{self.path.name}: its status says it is superseded by {names}; "
                "a new status would drop that link (the file is unchanged)",
                hint=f"to undo the supersession, edit this file and {names} by hand",
                path=self.path,
            )

    def _write_status(self, value: str) -> None:
        parsed = self._parsed()
        old = parsed.status()
        spots = parsed.fields.spots.get("status", [])[:1]
        spots += [s for s in parsed.fields.spots.get("status", [])[1:] if _spot_status(parsed, s) == old]
        if not spots:
            self._add_status(parsed, value)
        for spot in sorted(spots, key=lambda s: s.line, reverse=True):
            self._replace_status_at(parsed, spot, value)
        if self.style.tags_hold_status or (parsed.front is not None and parsed.front_key("status") is None):
            self._sync_status_tag(old, value)
        if old == "superseded" and _status_word(value) != "superseded":
            self._drop_title_prefix()

    def _replace_status_at(self, parsed: AdrText, spot: Spot, value: str) -> None:
        if spot.form == "front":
            self._set_front_status(parsed, spot, value)
            return
        line = self.lines[spot.line]
        text = strip_eol(line)
        ending = line[len(text) :]
        current = text[spot.start : spot.end]
        phrase = status_phrase(current, parsed.resolve)
        if phrase is None:  # a placeholder ("{rejected | accepted}") or an empty value: the whole value
            new = text[: spot.start] + self._cased(value, current) + _after_placeholder(current, text[spot.end :])
        else:
            start, end = spot.start + phrase.start, spot.start + phrase.end
            if phrase.emoji_start < phrase.start:
                start = spot.start + phrase.emoji_start
            old_words = text[spot.start + phrase.start : end]
            rendered = self._cased(value, old_words)
            if phrase.emoji_start < phrase.start:
                mark = self.style.emoji.get(_status_word(value))
                rendered = f"{mark} {rendered}" if mark else rendered
            new = text[:start] + rendered + text[end:]
        self.lines[spot.line] = new + ending

    def _set_front_status(self, parsed: AdrText, spot: Spot, value: str) -> None:
        key = parsed.front_key(spot.key.lower())
        assert parsed.front is not None and key is not None
        current = parsed.front.data[key]
        if isinstance(current, str):
            phrase = status_phrase(current, parsed.resolve)
            if phrase is not None:
                value = (
                    current[: phrase.start]
                    + self._cased(value, current[phrase.start : phrase.end])
                    + current[phrase.end :]
                )
        self._set_front_scalar(parsed, str(key), value)

    def _cased(self, value: str, old: str) -> str:
        words = old.split(" by ")[0].strip()
        if len(words) > 1 and words.isupper():
            return value.upper() if not re.search(r"\[|\(", value) else value[:1].upper() + value[1:]
        if words[:1].isupper() and value[:1].islower():
            return value[:1].upper() + value[1:]
        if words[:1].islower() and value[:1].isupper() and " " not in value:
            return value.lower()
        return value

    def _sync_status_tag(self, old: str | None, new: str) -> None:
        """A ``tags: [Accepted]`` entry that mirrors the status follows it (docusaurus folders)."""
        if old is None:
            return
        parsed = self._parsed()
        key = parsed.front_key("tags")
        if key is None or parsed.front is None:
            return
        tags = parsed.front.data[key]
        if not isinstance(tags, list):
            return
        index = parsed.front_line(key)
        text = strip_eol(self.lines[index])
        new_word = _status_word(new)
        for tag in tags:
            if str(tag).strip().lower() == old:
                found = re.search(rf"(?<![\w-]){re.escape(str(tag))}(?![\w-])", text)
                if found:
                    replacement = self._cased(new_word, str(tag))
                    self.lines[index] = (
                        text[: found.start()] + replacement + text[found.end() :] + self.lines[index][len(text) :]
                    )
                return

    def _add_status(self, parsed: AdrText, value: str) -> None:
        """A status where the file keeps its other fields, else where the folder keeps statuses."""
        if parsed.front is not None:
            self._add_front_key(parsed, "status", yaml_scalar(value, ""))
            return
        bullets = self._header_spots(parsed, "bullet")
        if bullets:
            self._add_header_field(parsed, bullets, "Status", value, first=True)
            return
        if parsed.fields.bold:
            self._add_inline_field(parsed, "Status", value)
            return
        section = parsed.section("status")
        rendered = self._rendered_status(value)
        if section is not None:  # a Status section that holds only prose: the status goes above it
            at = section.body_start
            while at < section.end and not strip_eol(self.lines[at]).strip():
                at += 1
            self._ensure_eol(at)
            self.lines[at:at] = [rendered + self.eol, self.eol]
            return
        if self.style.status_form == "bullet" and not self._header_spots(parsed, "line"):
            self._add_first_bullet(parsed, "Status", self.style.cased(value))
            return
        if self.style.status_form == "inline":
            self._add_inline_field(parsed, "Status", value)
            return
        self._add_status_section(parsed, rendered)

    def _add_first_bullet(self, parsed: AdrText, label: str, value: str) -> None:
        """A MADR 2 header bullet under the title, in the folder's marker and key case."""
        key = label if self.style.key_case != "lower" else label.lower()
        at = parsed.title_heading.line + 1 if parsed.title_heading else parsed.body_start
        block = [self.eol, f"{self.style.bullet} {key}: {value}{self.eol}"]
        if at < len(self.lines) and strip_eol(self.lines[at]).strip():
            block.append(self.eol)
        self._ensure_eol(at)
        self.lines[at:at] = block

    def _rendered_status(self, value: str) -> str:
        """A status line for a Status section: the folder's case (capitalized, as Nygard and adr-tools write it,
        when the folder shows none) and its emoji."""
        if not value[:1].islower():
            cased = value
        elif self.style.statuses:
            cased = self.style.cased(value)
        else:
            cased = value[:1].upper() + value[1:]
        mark = self.style.emoji.get(_status_word(value))
        return f"{mark} {cased}" if mark else cased

    def _add_status_section(self, parsed: AdrText, rendered: str) -> None:
        """A Nygard ``## Status`` section after the title and its ``Date:`` line."""
        lines = self._header_spots(parsed, "line")
        at = (
            (max(s.line for s in lines) + 1)
            if lines
            else (parsed.title_heading.line + 1 if parsed.title_heading else parsed.body_start)
        )
        level = "#" * _section_level(parsed)
        block = [self.eol, f"{level} Status{self.eol}", self.eol, rendered + self.eol]
        if at < len(self.lines) and strip_eol(self.lines[at]).strip():
            block.append(self.eol)
        self._ensure_eol(at)
        self.lines[at:at] = block

    # -- date ----------------------------------------------------------------------
    def set_date(self, date: str, *, add: bool = True) -> None:
        """Set the date where the ADR keeps it (front matter, a bullet, a ``Date:`` line, a field, a table);
        add it in the file's style when absent and ``add``."""
        with self._checked(f"set the date to {date}", changes=("date",), expect=lambda a: a.date == date or not add):
            parsed = self._parsed()
            spots = parsed.fields.spots.get("date", [])
            if not spots:
                if add:
                    self._add_date(parsed, date)
                return
            for spot in sorted(spots, key=lambda s: s.line, reverse=True):
                if spot.form == "front":
                    self._set_front_scalar(parsed, spot.key, date)
                    continue
                text = strip_eol(self.lines[spot.line])
                found = date_value(text[spot.start : spot.end])
                start, end = (spot.start + found.start, spot.start + found.end) if found else (spot.start, spot.end)
                rest = text[end:] if found else _after_placeholder(text[start:end], text[end:])
                self.lines[spot.line] = text[:start] + date + rest + self.lines[spot.line][len(text) :]

    def _add_date(self, parsed: AdrText, date: str) -> None:
        if parsed.front is not None:
            self._add_front_key(parsed, "date", date)
            return
        bullets = self._header_spots(parsed, "bullet")
        if bullets:
            self._add_header_field(parsed, bullets, "Date", date)
            return
        if parsed.fields.bold:
            self._add_inline_field(parsed, "Date", date)
            return
        if parsed.section("status") is not None or self.style.status_form == "section":
            at = parsed.title_heading.line + 1 if parsed.title_heading else parsed.body_start
            self._ensure_eol(at)
            self.lines[at:at] = [self.eol, f"Date: {date}{self.eol}"]
            return
        self._add_inline_field(parsed, "Date", date)

    def _set_front_scalar(self, parsed: AdrText, key: str, value: str) -> None:
        front = parsed.front
        assert front is not None
        real_key = _fm_key(front.data, key)
        start, end = self._front_key_span(parsed, real_key)
        match = KEY_LINE.match(strip_eol(self.lines[start]))
        if not match:
            raise AdrError(f"{self.path}: cannot edit front matter key {key!r}", path=self.path)
        old_value, comment = split_comment(match.group("value"))
        current = front.data[real_key]
        if (isinstance(current, list | tuple) and len(current) > 1) or (
            isinstance(current, str) and len([line for line in current.splitlines() if line.strip()]) > 1
        ):
            what = "several lines" if isinstance(current, str) else ", ".join(str(v) for v in current)
            raise AdrError(
                f"{key} holds several values ({what}); replacing them with one would lose what the others say",
                path=self.path,
            )
        if end - start > 1 or old_value.startswith(("|", ">", "{", "[")):
            old_value = ""  # a block value or a placeholder mapping: replace it with a scalar
        rendered = yaml_scalar(value, old_value, date=str(real_key).lower() == "date")
        sep = match.group("sep") if match.group("sep").endswith((" ", "\t")) else match.group("sep") + " "
        new_line = match.group("key") + sep + rendered + comment
        ending = self.lines[start][len(strip_eol(self.lines[start])) :]
        self.lines[start:end] = [new_line + ending]

    def _front_key_span(self, parsed: AdrText, key: object) -> tuple[int, int]:
        front = parsed.front
        assert front is not None
        line = parsed.front_line(key)
        end = line + 1
        close = front.end - 1
        while end < close:
            text = strip_eol(self.lines[end])
            if text and (text[0] in " \t-"):
                end += 1
                continue
            break
        return line, end

    def _add_front_key(self, parsed: AdrText, key: str, rendered: str) -> None:
        front = parsed.front
        assert front is not None
        close = front.end - 1
        self._ensure_eol(close)
        self.lines.insert(close, f"{key}: {rendered}{self.eol}")

    # -- header fields -------------------------------------------------------------
    def _header_spots(self, parsed: AdrText, form: str) -> list[Spot]:
        found = [s for spots in parsed.fields.spots.values() for s in spots if s.form == form]
        found += [s for pairs in parsed.fields.relations.values() for _, s in pairs if s.form == form]
        return [s for s in found if s.line < parsed.header_end]

    def _add_header_field(
        self, parsed: AdrText, spots: list[Spot], label: str, value: str, *, first: bool = False
    ) -> None:
        """A ``* Key: value`` bullet shaped like the file's others (marker, key case), after them."""
        model = min(spots, key=lambda s: s.line) if first else max(spots, key=lambda s: s.line)
        text = strip_eol(self.lines[model.line])
        match = re.match(r"^([ \t]*[-*+][ \t]+)", text)
        prefix = match.group(1) if match else "* "
        key = label.lower() if model.key[:1].islower() else label
        sep = text[len(prefix) + len(model.key) : model.start] or ": "
        at = model.line if first else model.line + 1
        self._ensure_eol(at)
        self.lines.insert(at, f"{prefix}{key}{sep}{value}{self.eol}")

    def _add_inline_field(self, parsed: AdrText, label: str, value: str) -> None:
        if parsed.fields.bold:
            last = max(parsed.fields.bold, key=lambda f: f.line)
            match = INLINE_FIELD.match(strip_eol(self.lines[last.line]))
            assert match is not None
            prefix = match.group("prefix")
            colon_inside = bool(match.group("c1"))
            new = f"{prefix}**{label}{':' if colon_inside else ''}**{'' if colon_inside else ':'} {value}"
            trail = match.group("trail")
            self._ensure_eol(last.line + 1)
            self.lines.insert(last.line + 1, new + trail + self.eol)
            return
        at = parsed.title_heading.line + 1 if parsed.title_heading else parsed.body_start
        self._ensure_eol(at)
        self.lines[at:at] = [self.eol, f"**{label}**: {value}{self.eol}"]

    def _ensure_eol(self, at: int) -> None:
        """Inserting at ``at`` after a last line without a newline: give that line one first."""
        if 0 < at <= len(self.lines) and not self.lines[at - 1].endswith(("\n", "\r")):
            self.lines[at - 1] += self.eol

    # -- relations -----------------------------------------------------------------
    def mark_superseded(self, by: LinkTarget | Adr | str | int) -> None:
        """Status superseded with the link to ``by``, in the file's own form: front matter keys
        (``status: superseded`` + ``superseded-by``) where the file or folder uses them, MADR's status string
        (``superseded by ADR-0003``), a MADR 2 bullet (``superseded by [ADR-0017](0017-x.md)``) or adr-tools'
        status line (``Superseded by [10. Title](0010-title.md)``)."""
        target = LinkTarget.parse(by)
        with self._checked(
            f"mark it superseded by {target.label}",
            changes=("status", "superseded_by", "title"),
            expect=lambda a: a.status == "superseded" and target.key in a.superseded_by,
        ):
            parsed = self._parsed()
            if target.key in parsed.relation("superseded-by") and parsed.status() == "superseded":
                return
            spot = parsed.status_spot()
            style = self.style
            uses_keys = parsed.front is not None and (
                style.relation_keys or any(parsed.front_key(*FRONT_MATTER_REFS[k]) for k in RELATION_KINDS)
            )
            label = self._label(target)
            if uses_keys:  # joelclaw: status: superseded, superseded-by: "0009"
                self._write_status("superseded")
                self._add_relation_now(self._parsed(), "superseded-by", target)
                return
            if (spot is None and parsed.front is not None) or (spot is not None and spot.form == "front"):
                self._write_status(f"superseded by {self._linked(target, label) if style.linked_status else label}")
            elif spot is not None and spot.form in ("bold", "bullet", "line", "table"):
                self._write_status(f"superseded by {self._linked(target, label)}")
            else:
                self._write_status(f"{style.superseded_word} by {self._dotted(target)}")
            if style.title_prefix:
                self._add_title_prefix(target)

    def _label(self, target: LinkTarget) -> str:
        """A link's text in the folder's form: ``ADR-0009``, ``MADR-009``, or log4brains' slug."""
        if target.slug is not None or target.number is None:
            return target.slug or target.key
        return self.style.label(target.number)

    def _linked(self, target: LinkTarget, label: str) -> str:
        """``[label](file)``, the file relative to this ADR; the label alone when the file is not known."""
        href = target.href(self.path)
        return f"[{label}]({href})" if href else label

    def _dotted(self, target: LinkTarget) -> str:
        """adr-tools' link: ``[10. Title](0010-title.md)``."""
        if target.number is None or target.path is None:
            return self._linked(target, self._label(target))
        digits = f"{target.number:0{self.style.dotted_width}d}" if self.style.dotted_width else str(target.number)
        label = f"{digits}. {target.title}" if target.title else digits
        return self._linked(target, label)

    def _add_title_prefix(self, target: LinkTarget) -> None:
        parsed = self._parsed()
        heading = parsed.title_heading
        if heading is None:
            return
        line = self.lines[heading.line]
        text = strip_eol(line)
        marks = re.match(r"^(#+[ \t]*)", text)
        if marks is None or text[marks.end() :].startswith("["):
            return
        prefix = f"[{self.style.superseded_word} by {self._linked(target, self._label(target))}] "
        self.lines[heading.line] = marks.group(1) + prefix + text[marks.end() :] + line[len(text) :]

    def _drop_title_prefix(self) -> None:
        """``# [Superseded by [ADR-0017](...)] Title`` -> ``# Title`` once the ADR is no longer superseded."""
        parsed = self._parsed()
        spots = [spot for _, spot in parsed.fields.relations.get("superseded-by", []) if spot.form == "title"]
        if not spots:
            return
        line = self.lines[spots[0].line]
        text = strip_eol(line)
        marks = re.match(r"^(#+[ \t]*)", text)
        if marks is None:
            return
        rest = BRACKET_PREFIX.sub("", text[marks.end() :], count=1)
        self.lines[spots[0].line] = marks.group(1) + rest + line[len(text) :]

    def add_relation(self, kind: str, target: LinkTarget | Adr | str | int) -> None:
        """Record ``supersedes`` / ``superseded-by`` / ``amends`` / ``amended-by`` / ``related`` -> ``target``
        (no-op if present), in the file's own form. ``related`` is present when any link to ``target`` is
        (``Drives [2. Use X](...)``, ``Amended by ...``): the file already relates them."""
        if kind not in RELATION_KINDS:
            raise AdrError(f"unknown relation '{kind}'")
        link = LinkTarget.parse(target)
        attribute = kind.replace("-", "_")
        if kind == "related" and link.key in _linked_keys(self.parse()):
            return
        with self._checked(
            f"record that it {kind.replace('-', ' ')} {link.label}",
            changes=(attribute,),
            expect=lambda a: link.key in getattr(a, attribute),
        ):
            parsed = self._parsed()
            if link.key in parsed.relation(kind):
                return
            self._add_relation_now(parsed, kind, link)

    def _add_relation_now(self, parsed: AdrText, kind: str, link: LinkTarget) -> None:
        style, _ = parsed.style_and_status()
        if parsed.front is not None and (style == "front-matter" or not parsed.sections):
            self._add_front_relation(parsed, kind, link.key)
            return
        field = next((s for s in parsed.fields.bold if s.key.strip().lower() in FRONT_MATTER_REFS[kind]), None)
        if field is not None:  # **Supersedes**: ADR-0001 -> **Supersedes**: ADR-0001, ADR-0009
            line = self.lines[field.line]
            value = field.value.strip()
            joined = f"{value}, {link.label}" if value and value.lower() not in ("none", "n/a", "-") else link.label
            self.lines[field.line] = line[: field.start] + joined + line[field.end :]
            return
        if style == "section" or (style == "none" and parsed.section("status") is not None):
            self._add_link_line(parsed, kind, link)
            return
        if style in ("bullet", "line", "table"):
            links = parsed.section("links")
            label = self._linked(link, self._label(link))
            if links is not None:
                self._append_list_item(parsed, links, f"{LINK_VERBS[kind]} {label}")
                return
            if self.style.links_section:  # log4brains: "## Links" at the end, as `adr new` supersession adds it
                self.replace_section("links", f"{self.style.bullet} {LINK_VERBS[kind]} {label}", title="Links")
                return
            spots = self._header_spots(parsed, "bullet") or self._header_spots(parsed, "line")
            if spots:
                self._add_header_field(parsed, spots, INLINE_LABELS[kind], label)
                return
        if parsed.front is not None:
            self._add_front_relation(parsed, kind, link.key)
            return
        self._add_inline_field(parsed, INLINE_LABELS[kind], link.label)

    def _add_link_line(self, parsed: AdrText, kind: str, link: LinkTarget) -> None:
        """adr-tools' ``Supersedes [9. Title](0009-title.md)`` line at the end of the Status section."""
        section = parsed.section("status")
        verb = LINK_VERBS[kind]
        if kind == "supersedes":
            verb = self.style.supersedes_word
        elif kind == "superseded-by":
            verb = f"{self.style.superseded_word} by"
        if section is None:
            self._add_status_section(parsed, f"{verb} {self._dotted(link)}")
            return
        at = section.end
        while at > section.body_start and not strip_eol(self.lines[at - 1]).strip():
            at -= 1
        self._ensure_eol(at)
        self.lines[at:at] = [self.eol, f"{verb} {self._dotted(link)}{self.eol}"]

    def _append_list_item(self, parsed: AdrText, section: Any, item: str) -> None:
        end = section.end
        while end > section.body_start and not strip_eol(self.lines[end - 1]).strip():
            end -= 1
        marker = "-"
        for index in range(section.body_start, end):
            found = re.match(r"^([-*+])[ \t]", self.lines[index])
            if found:
                marker = found.group(1)
        self._ensure_eol(end)
        self.lines.insert(end, f"{marker} {item}{self.eol}")

    def _add_front_relation(self, parsed: AdrText, kind: str, number: str) -> None:
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
        match = KEY_LINE.match(head)
        assert match is not None
        value, comment = split_comment(match.group("value"))
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
        if value in ("", "null", "~", "[]", "''", '""') or value.lower() in ("n/a", "none"):
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
        level = "#" * _section_level(parsed)
        block = [f"{level} {heading}{self.eol}", self.eol, *body_lines]
        if at < len(self.lines):
            block.append(self.eol)
        self._ensure_eol(at)
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
        if additions:
            self._ensure_eol(end)
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


def _after_placeholder(value: str, rest: str) -> str:
    """What stays after a value that replaces ``value``: a template's ``<!-- optional -->`` goes with the
    placeholder it annotated (log4brains reads ``accepted <!-- optional -->`` as no status at all)."""
    if is_placeholder(value) and re.fullmatch(r"[ \t]*<!--.*?-->[ \t]*", rest):
        return ""
    return rest


def _linked_keys(adr: Adr) -> set[str]:
    """The keys of every ADR this one links to, by any relation or link label."""
    related = (adr.supersedes, adr.superseded_by, adr.amends, adr.amended_by, adr.related)
    return {key for keys in related for key in keys} | {link.target for link in adr.links}


def _spot_status(parsed: AdrText, spot: Spot) -> str | None:
    """What one place that states the status says (the others must agree to be changed with it)."""
    phrase = status_phrase(spot.value, parsed.resolve)
    return phrase.value if phrase else None


def _status_word(value: str) -> str:
    phrase = status_phrase(value)
    return phrase.value if phrase else value.strip().lower()


def _section_level(parsed: AdrText) -> int:
    """The level of the file's top sections (``##`` almost always; ``#`` in some MADR variants)."""
    levels = [s.level for s in parsed.sections]
    return min(levels) if levels else 2


def _fm_key(data: Any, key: str) -> object | None:
    wanted = key.lower()
    found: object | None = next((k for k in data if str(k).lower() == wanted), None)
    return found


def _with_eol(text: str, eol: str) -> str:
    return text + eol if text and not text.endswith(("\n", "\r")) else text


def _find_heading(parsed: AdrText, title: str):  # type: ignore[no-untyped-def]
    wanted = normalize_heading(title)
    return next((s for s in parsed.sections if normalize_heading(s.title) == wanted), None)
