"""A folder's own style, learned from its ADRs: what a new ADR and every edit should look like.

adr-tools writes ``# 12. Title``, ``Date:`` and a ``## Status`` section and links with
``Superceded by [10. Title](0010-title.md)``; MADR 2 writes ``* Status: accepted`` bullets
and ``superseded by [ADR-0005](0005-example.md)``; MADR 3/4 and log4brains' successors
keep front matter; some folders put emoji before statuses or number files with three
digits. :func:`learn_style` reads all of that from the ADRs already there (the majority
wins, the newest ADR breaks ties), so ``adr new`` and the edits write what the folder's
authors would have written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from joeladr.adr.fields import OPEN_STATUSES, status_phrase
from joeladr.adr.naming import NewName, number_in_link

if TYPE_CHECKING:
    from joeladr.adr.parse import _Parser

from joeladr.adr.parse import normalize_heading
from joeladr.markdown import strip_eol

FAMILIES = ("joelclaw", "madr", "madr2", "nygard")
"""Template families: joelclaw's own, MADR 3/4 (front matter), MADR 2 / log4brains (bullets), Nygard / adr-tools."""

_MADR_SECTIONS = {"context and problem statement", "considered options", "decision outcome", "decision drivers"}
_JOELCLAW_SECTIONS = {"source material", "evaluation criteria", "options under consideration"}


@dataclass(frozen=True)
class FolderStyle:
    naming: NewName = field(default_factory=NewName)
    family: str | None = None  # None: an empty folder (settings choose)
    status_form: str = "front-matter"  # where the status is kept (an Adr.style value)
    heading: str = "{title}"  # the title heading ("{number}. {title}", ...), "" when the title lives in front matter
    front_title: str = "{title}"  # a front matter title ("{number}. {title}" in docusaurus folders)
    front_title_block: bool = False  # written as a YAML block scalar ("title: |")
    eol: str = "\n"
    status_case: str = "lower"  # "lower", "capital" or "upper"
    default_status: str = "proposed"
    emoji: dict[str, str] = field(default_factory=dict)
    bullet: str = "*"
    key_case: str = "capital"  # "Status:" or "status:" in bullets
    front_keys: tuple[tuple[str, Any], ...] = ()  # (key, value shared by every ADR or None), in order
    date_form: str | None = "front"  # where dates are written, None when the folder writes none
    superseded_word: str = "Superseded"  # adr-tools writes "Superceded"
    supersedes_word: str = "Supersedes"
    link_label: str = "ADR-{number:04d}"
    relation_keys: bool = False  # front matter relation keys (supersedes:, superseded-by:)
    linked_status: bool = True  # "superseded by [ADR-0005](0005-x.md)" rather than "superseded by ADR-0005"
    title_prefix: bool = False  # "# [Superseded by [ADR-0017](...)] Title" (elastisys)
    tags_hold_status: bool = False  # "tags: [Accepted]" mirrors the status (docusaurus folders)
    dotted_width: int = 0  # adr-tools links "[10. Title](...)" pad the number ("[036. Title]") when > 0
    section_level: int = 2  # "## Context" (1 in folders that write "# Context and Problem Statement")
    statuses: frozenset[str] = frozenset()  # the statuses the folder's ADRs use
    header_keys: tuple[str, ...] = ()  # the bullet or bold field names of the header, as the newest ADR writes them

    def cased(self, status: str) -> str:
        """A status in the folder's case: ``accepted``, ``Accepted`` or ``ACCEPTED``."""
        if self.status_case == "upper":
            return status.upper()
        if self.status_case == "capital":
            return status[:1].upper() + status[1:]
        return status

    def label(self, number: int) -> str:
        return self.link_label.format(number=number)


def _case_of(text: str) -> str | None:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "upper"
    return "capital" if letters[0].isupper() else "lower"


def _majority(values: Sequence[Any], default: Any) -> Any:
    counted = Counter(v for v in values if v is not None)
    if not counted:
        return default
    best = max(counted.values())
    for value in reversed(values):  # the newest ADR breaks ties
        if value is not None and counted[value] == best:
            return value
    return default


def family_of(parsed: _Parser) -> str:
    """The template family (the body's sections) one parsed ADR follows."""
    titles = {normalize_heading(s.title) for s in parsed.sections}
    if titles & _JOELCLAW_SECTIONS:
        return "joelclaw"
    if titles & _MADR_SECTIONS:
        spot = parsed.status_spot()
        front = parsed.front is not None and (spot is None or spot.form == "front")
        return "madr" if front else "madr2"
    return "nygard"


def _heading_form(parsed: _Parser, number: int | None) -> str:
    heading = parsed.title_heading
    if heading is None or heading.level != 1:
        return "" if parsed.front_key("title") is not None else "{title}"
    return _numbered_form(heading.text.strip(), number)


def _numbered_form(raw: str, number: int | None) -> str:
    """How a title carries its number: ``ADR 005: {title}``, ``{number}. {title}`` or just ``{title}``."""
    if number is None:
        return "{title}"
    match = re.match(r"^(?P<lead>(?:ADR|MADR|RFC|DR)[-\s_]?#?)(?P<digits>\d+)(?P<sep>\s*[:.—–-]?\s+)", raw, re.I)
    if match:
        width = len(match.group("digits"))
        digits = f"{{number:0{width}d}}" if width > len(str(number)) else "{number}"
        return match.group("lead") + digits + match.group("sep") + "{title}"
    match = re.match(r"^(?P<digits>\d+)(?P<sep>\s*[:.)—–-]?\s+)", raw)
    if match and int(match.group("digits")) == number:
        width = len(match.group("digits"))
        digits = f"{{number:0{width}d}}" if width > len(str(number)) else "{number}"
        return digits + match.group("sep") + "{title}"
    return "{title}"


def learn_style(parsed: Sequence[_Parser], naming: NewName) -> FolderStyle:
    """The style of a folder whose ADRs are ``parsed`` (oldest first)."""
    if not parsed:
        return FolderStyle(naming=naming)
    families = [family_of(p) for p in parsed]
    family = _majority(families, "nygard")
    forms: list[str | None] = []
    cases: list[str | None] = []
    emoji: dict[str, str] = {}
    open_statuses = []
    for p in parsed:
        spot = p.status_spot()
        if spot is None:
            forms.append(None)
            continue
        style, _ = p.style_and_status()
        forms.append(style)
        phrase = status_phrase(spot.value)
        if phrase is None:
            continue
        cases.append(_case_of(spot.value[phrase.start : phrase.end].split(" by ")[0]))
        if phrase.emoji_start < phrase.start:
            emoji.setdefault(phrase.value, spot.value[phrase.emoji_start : phrase.start].strip())
        if phrase.value in OPEN_STATUSES:
            open_statuses.append(phrase.value)
    headings = [_heading_form(p, p.number()) for p in parsed]
    front_titles = [
        _numbered_form(str(p.front_text(p.front_key("title"))), p.number())
        for p in parsed
        if p.front is not None and p.front_key("title") is not None
    ]
    title_blocks = [
        strip_eol(p.lines[p.front_line(p.front_key("title"))]).rstrip().endswith(("|", ">", "|-", ">-"))
        for p in parsed
        if p.front is not None and p.front_key("title") is not None
    ]
    texts = ["".join(p.lines) for p in parsed]
    eols = ["\r\n" if "\r\n" in t else "\n" for t in texts]
    bullets, key_cases = [], []
    date_forms: list[str | None] = []
    for p in parsed:
        for name in ("status", "date", "deciders"):
            spot = p.fields.first(name)
            if spot is not None and spot.form == "bullet":
                line = p.lines[spot.line].lstrip()
                bullets.append(line[:1])
                key_cases.append(_case_of(spot.key))
        date_spot = p.fields.first("date")
        date_forms.append(date_spot.form if date_spot is not None else None)
    whole = "\n".join(texts)
    newest = parsed[-1]
    header_keys: tuple[str, ...] = ()
    for p in reversed(parsed):
        spots = sorted(
            (
                s
                for spots in p.fields.spots.values()
                for s in spots
                if s.form in ("bullet", "bold") and s.line < p.header_end
            ),
            key=lambda s: s.line,
        )
        if spots:
            header_keys = tuple(s.key.strip() for s in spots)
            break
    front_keys: tuple[tuple[str, Any], ...] = ()
    if newest.front is not None:
        shared = []
        for key in newest.front.data:
            values = {
                repr(p.front_value(str(key).lower()))
                for p in parsed
                if p.front is not None and p.front_key(str(key).lower()) is not None
            }
            value = newest.front.data[key]
            keep = value if len(values) == 1 and isinstance(value, str | int | float) else None
            shared.append((str(key), keep))
        front_keys = tuple(shared)
    labels = [
        (lead, digits)
        for lead, digits, href in re.findall(r"\[((?:ADR|MADR|RFC)[-\s]?)(\d+)\]\(([^)\s]+)\)", whole)
        if href.endswith(".md") and "://" not in href and number_in_link(href) is not None
    ]
    link_label = "ADR-{number:04d}"
    if labels:
        lead = Counter(lead for lead, _ in labels).most_common(1)[0][0]
        padded = [len(d) for _, d in labels if d.startswith("0") and len(d) > 1]
        link_label = lead + (f"{{number:0{max(padded)}d}}" if padded else "{number}")
    dotted = re.findall(r"\[(\d+)\. [^\]]+\]\([^)\s]+\.md\)", whole)
    dotted_width = max((len(d) for d in dotted if d.startswith("0") and len(d) > 1), default=0)
    return FolderStyle(
        naming=naming,
        family=family,
        status_form=_majority(forms, "front-matter" if family in ("joelclaw", "madr") else "section"),
        heading=_majority(headings, "{title}"),
        front_title=_majority(front_titles, "{title}"),
        front_title_block=_majority(title_blocks, False),
        eol=_majority(eols, "\n"),
        status_case=_majority(cases, "lower"),
        default_status=_default_status(open_statuses),
        emoji=emoji,
        bullet=_majority(bullets, "*"),
        key_case=_majority(key_cases, "capital"),
        front_keys=front_keys,
        date_form=_majority(date_forms, None),
        superseded_word="Superceded" if re.search(r"\bSuperceded by\b", whole, re.I) else "Superseded",
        supersedes_word="Supercedes" if re.search(r"\bSupercedes\b", whole, re.I) else "Supersedes",
        link_label=link_label,
        relation_keys=any(
            p.front is not None and any(str(k).lower().startswith(("supersed", "superced")) for k in p.front.data)
            for p in parsed
        ),
        linked_status=not re.search(r"^status:\s*[\"']?superseded by (?:ADR|MADR)[-\s]?\d+", whole, re.I | re.M),
        title_prefix=any(
            p.title_heading is not None
            and p.lines[p.title_heading.line].lstrip("# ").startswith("[")
            and "supersed" in p.lines[p.title_heading.line].lower()
            for p in parsed
        ),
        tags_hold_status=_tags_hold_status(parsed),
        header_keys=header_keys,
        statuses=frozenset(s for s in (p.status() for p in parsed) if s),
        section_level=_majority([_level(p) for p in parsed], 2),
        dotted_width=dotted_width,
    )


def _default_status(open_statuses: list[str]) -> str:
    """The open status the folder uses most (``proposed`` on a tie, and for a folder that records only decisions)."""
    counted = Counter(open_statuses)
    if not counted:
        return "proposed"
    best = max(counted.values())
    return "proposed" if counted.get("proposed") == best else _majority(open_statuses, "proposed")


def _level(parsed: _Parser) -> int | None:
    levels = [s.level for s in parsed.sections]
    return min(levels) if levels else None


def _tags_hold_status(parsed: Sequence[_Parser]) -> bool:
    """Whether the folder repeats each status in its tags (``tags: [Accepted]``)."""
    with_tags = [p for p in parsed if p.front is not None and isinstance(p.front_value("tags"), list)]
    if not with_tags:
        return False
    mirrored = 0
    for p in with_tags:
        status = p.status()
        tags = [str(t).lower() for t in p.front_value("tags")]
        if status is not None and status in tags:
            mirrored += 1
    return mirrored * 2 > len(with_tags)
