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

import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from joeladr.adr.fields import OPEN_STATUSES, StatusPhrase, status_phrase
from joeladr.adr.format import AdrText, Spot, normalize_heading
from joeladr.adr.naming import NewName, number_in_link
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
    links_section: bool = False  # relations are "## Links" items (log4brains, MADR 2), the section added if missing

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


def family_of(parsed: AdrText) -> str:
    """The template family (the body's sections) one parsed ADR follows."""
    titles = {normalize_heading(s.title) for s in parsed.sections}
    if titles & _JOELCLAW_SECTIONS:
        return "joelclaw"
    if titles & _MADR_SECTIONS:
        spot = parsed.status_spot()
        front = parsed.front is not None and (spot is None or spot.form == "front")
        return "madr" if front else "madr2"
    return "nygard"


def _heading_form(parsed: AdrText, number: int | None) -> str:
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


@dataclass
class Sample:
    """What the style rules read: a folder's parsed ADRs, oldest first, their text, and its template file."""

    parsed: Sequence[AdrText]
    template: AdrText | None = None

    @functools.cached_property
    def texts(self) -> list[str]:
        return ["".join(p.lines) for p in self.parsed]

    @functools.cached_property
    def whole(self) -> str:
        return "\n".join(self.texts)

    @functools.cached_property
    def statuses(self) -> list[tuple[AdrText, Spot, StatusPhrase | None]]:
        """Each ADR that states a status: its spot and what the status phrase says."""
        found = []
        for p in self.parsed:
            spot = p.status_spot()
            if spot is not None:
                found.append((p, spot, status_phrase(spot.value)))
        return found

    def with_front(self, key: str) -> list[AdrText]:
        """The ADRs whose front matter has ``key``."""
        return [p for p in self.parsed if p.front is not None and p.front_key(key) is not None]


# -- the rules: one per part of the style, each reading the whole sample ----------------


def _family(sample: Sample) -> str:
    return str(_majority([family_of(p) for p in sample.parsed], "nygard"))


def _status_form(sample: Sample) -> str:
    forms: list[str | None] = []
    for p in sample.parsed:
        forms.append(p.style_and_status()[0] if p.status_spot() is not None else None)
    return str(_majority(forms, "front-matter" if _family(sample) in ("joelclaw", "madr") else "section"))


def _heading(sample: Sample) -> str:
    return str(_majority([_heading_form(p, p.number()) for p in sample.parsed], "{title}"))


def _front_title(sample: Sample) -> str:
    forms = [_numbered_form(str(p.front_text(p.front_key("title"))), p.number()) for p in sample.with_front("title")]
    return str(_majority(forms, "{title}"))


def _front_title_block(sample: Sample) -> bool:
    blocks = [
        strip_eol(p.lines[p.front_line(p.front_key("title"))]).rstrip().endswith(("|", ">", "|-", ">-"))
        for p in sample.with_front("title")
    ]
    return bool(_majority(blocks, False))


def _eol(sample: Sample) -> str:
    return str(_majority(["\r\n" if "\r\n" in t else "\n" for t in sample.texts], "\n"))


def _status_case(sample: Sample) -> str:
    cases = [
        _case_of(spot.value[phrase.start : phrase.end].split(" by ")[0])
        for _, spot, phrase in sample.statuses
        if phrase is not None
    ]
    return str(_majority(cases, "lower"))


def _default_status_of(sample: Sample) -> str:
    open_statuses = [phrase.value for _, _, phrase in sample.statuses if phrase and phrase.value in OPEN_STATUSES]
    return _default_status(open_statuses)


def _emoji(sample: Sample) -> dict[str, str]:
    """The mark a folder puts before each status (``✅ Accepted``), the first one seen."""
    emoji: dict[str, str] = {}
    for _, spot, phrase in sample.statuses:
        if phrase is not None and phrase.emoji_start < phrase.start:
            emoji.setdefault(phrase.value, spot.value[phrase.emoji_start : phrase.start].strip())
    return emoji


def _bullet_spots(sample: Sample) -> list[tuple[AdrText, Spot]]:
    found = []
    for p in sample.parsed:
        for name in ("status", "date", "deciders"):
            spot = p.fields.first(name)
            if spot is not None and spot.form == "bullet":
                found.append((p, spot))
    return found


def _bullet(sample: Sample) -> str:
    return str(_majority([p.lines[spot.line].lstrip()[:1] for p, spot in _bullet_spots(sample)], "*"))


def _key_case(sample: Sample) -> str:
    return str(_majority([_case_of(spot.key) for _, spot in _bullet_spots(sample)], "capital"))


def _date_form(sample: Sample) -> str | None:
    forms: list[str | None] = []
    for p in sample.parsed:
        spot = p.fields.first("date")
        forms.append(spot.form if spot is not None else None)
    found: str | None = _majority(forms, None)
    return found


def _header_keys(sample: Sample) -> tuple[str, ...]:
    """The bullet or bold field names of the newest ADR that has a header of them, in order."""
    for p in reversed(sample.parsed):
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
            return tuple(s.key.strip() for s in spots)
    return ()


def _front_keys(sample: Sample) -> tuple[tuple[str, Any], ...]:
    """The newest ADR's front matter keys in order, with the value every ADR shares (else None)."""
    newest = sample.parsed[-1]
    if newest.front is None:
        return ()
    shared = []
    for key in newest.front.data:
        values = {repr(p.front_value(str(key).lower())) for p in sample.with_front(str(key).lower())}
        value = newest.front.data[key]
        keep = value if len(values) == 1 and isinstance(value, str | int | float) else None
        shared.append((str(key), keep))
    return tuple(shared)


def _superseded_word(sample: Sample) -> str:
    return "Superceded" if re.search(r"\bSuperceded by\b", sample.whole, re.I) else "Superseded"


def _supersedes_word(sample: Sample) -> str:
    return "Supercedes" if re.search(r"\bSupercedes\b", sample.whole, re.I) else "Supersedes"


def _link_label(sample: Sample) -> str:
    """How links to ADRs are labelled: ``ADR-0005``, ``MADR-5``, ``ADR 12``, ..."""
    labels: list[tuple[str, str]] = [
        (lead, digits)
        for lead, digits, href in re.findall(r"\[((?:ADR|MADR|RFC)[-\s]?)(\d+)\]\(([^)\s]+)\)", sample.whole)
        if href.endswith(".md") and "://" not in href and number_in_link(href) is not None
    ]
    if not labels:
        return "ADR-{number:04d}"
    lead = Counter(lead for lead, _ in labels).most_common(1)[0][0]
    padded = [len(d) for _, d in labels if d.startswith("0") and len(d) > 1]
    return lead + (f"{{number:0{max(padded)}d}}" if padded else "{number}")


def _relation_keys(sample: Sample) -> bool:
    return any(
        p.front is not None and any(str(k).lower().startswith(("supersed", "superced")) for k in p.front.data)
        for p in sample.parsed
    )


def _linked_status(sample: Sample) -> bool:
    return not re.search(r"^status:\s*[\"']?superseded by (?:ADR|MADR)[-\s]?\d+", sample.whole, re.I | re.M)


def _title_prefix(sample: Sample) -> bool:
    return any(
        p.title_heading is not None
        and p.lines[p.title_heading.line].lstrip("# ").startswith("[")
        and "supersed" in p.lines[p.title_heading.line].lower()
        for p in sample.parsed
    )


def _statuses(sample: Sample) -> frozenset[str]:
    return frozenset(s for s in (p.status() for p in sample.parsed) if s)


def _section_level(sample: Sample) -> int:
    return int(_majority([_level(p) for p in sample.parsed], 2))


def _dotted_width(sample: Sample) -> int:
    dotted = re.findall(r"\[(\d+)\. [^\]]+\]\([^)\s]+\.md\)", sample.whole)
    return max((len(d) for d in dotted if d.startswith("0") and len(d) > 1), default=0)


def _links_section(sample: Sample) -> bool:
    """Relations listed under ``## Links`` (``- Supersedes [slug](file)``, as log4brains and MADR 2 keep them),
    or a template with a Links section for them."""
    if sample.template is not None and sample.template.section("links") is not None:
        return True
    for p in sample.parsed:
        section = p.section("links")
        if section is not None and any(section.body_start <= spot.line < section.end for _, _, spot in p.fields.links):
            return True
    return False


RULES: dict[str, Callable[[Sample], Any]] = {
    "family": _family,
    "status_form": _status_form,
    "heading": _heading,
    "front_title": _front_title,
    "front_title_block": _front_title_block,
    "eol": _eol,
    "status_case": _status_case,
    "default_status": _default_status_of,
    "emoji": _emoji,
    "bullet": _bullet,
    "key_case": _key_case,
    "front_keys": _front_keys,
    "date_form": _date_form,
    "superseded_word": _superseded_word,
    "supersedes_word": _supersedes_word,
    "link_label": _link_label,
    "relation_keys": _relation_keys,
    "linked_status": _linked_status,
    "title_prefix": _title_prefix,
    "tags_hold_status": lambda sample: _tags_hold_status(sample.parsed),
    "header_keys": _header_keys,
    "statuses": _statuses,
    "section_level": _section_level,
    "dotted_width": _dotted_width,
    "links_section": _links_section,
}
"""Each :class:`FolderStyle` field and the rule that learns it (naming is learned from the file names)."""


def learn_style(parsed: Sequence[AdrText], naming: NewName, template: AdrText | None = None) -> FolderStyle:
    """The style of a folder whose ADRs are ``parsed`` (oldest first), and whose template file is
    ``template``: each rule of :data:`RULES`."""
    if not parsed:
        return FolderStyle(naming=naming, links_section=_links_section(Sample(parsed, template)))
    sample = Sample(parsed, template)
    return FolderStyle(naming=naming, **{name: rule(sample) for name, rule in RULES.items()})


def _default_status(open_statuses: list[str]) -> str:
    """The open status the folder uses most (``proposed`` on a tie, and for a folder that records only decisions)."""
    counted = Counter(open_statuses)
    if not counted:
        return "proposed"
    best = max(counted.values())
    return "proposed" if counted.get("proposed") == best else _majority(open_statuses, "proposed")


def _level(parsed: AdrText) -> int | None:
    levels = [s.level for s in parsed.sections]
    return min(levels) if levels else None


def _tags_hold_status(parsed: Sequence[AdrText]) -> bool:
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
