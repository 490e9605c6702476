"""The values of ADR fields as written by people: status phrases, dates, and references to other ADRs.

Pure text functions, shared by the reader (:mod:`joeladr.adr.parse`) and the editor
(:mod:`joeladr.adr.edit`): a status is found as a *span* of its line, so an edit can
replace exactly the words that say the status and keep the decoration around them
(``*Accepted*``, ``✅ Accepted``, ``accepted; supersedes ADR-0045``, a trailing comment).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from joeladr.adr.naming import number_in_link, slug_in_link

KNOWN_STATUSES = (
    "work in progress",
    "partly superseded",
    "partially superseded",
    "in review",
    "under review",
    "in progress",
    "on hold",
    "last call",
    "proposed",
    "proposal",
    "accepted",
    "rejected",
    "deprecated",
    "superseded",
    "superceded",
    "draft",
    "approved",
    "implemented",
    "decided",
    "final",
    "living",
    "review",
    "withdrawn",
    "stagnant",
    "idea",
    "shipped",
    "researching",
    "pending",
    "obsolete",
    "amended",
    "incomplete",
    "completed",
    "done",
    "active",
    "retired",
    "declined",
    "abandoned",
    "postponed",
    "deferred",
    "experimental",
)
"""Status words and phrases seen in real ADR folders (MADR, Nygard, log4brains, EIP-like and home-grown)."""

OPEN_STATUSES = frozenset(
    {
        "proposed",
        "proposal",
        "draft",
        "idea",
        "in review",
        "under review",
        "review",
        "last call",
        "in progress",
        "work in progress",
        "wip",
        "researching",
        "pending",
        "on hold",
        "open",
        "incomplete",
        "stagnant",
        "experimental",
    }
)
"""Statuses that mean "not decided yet"."""

RELATION_KINDS = ("supersedes", "superseded-by", "amends", "amended-by", "related")

RELATION_WORDS: dict[str, str] = {
    "superseded by": "superseded-by",
    "superceded by": "superseded-by",
    "superseded-by": "superseded-by",
    "superseded_by": "superseded-by",
    "supersededby": "superseded-by",
    "supercededby": "superseded-by",
    "superceded-by": "superseded-by",
    "superseded-by-adr": "superseded-by",
    "replaced by": "superseded-by",
    "supersedes": "supersedes",
    "supercedes": "supersedes",
    "replaces": "supersedes",
    "amends": "amends",
    "amended by": "amended-by",
    "amended-by": "amended-by",
    "amended_by": "amended-by",
    "amendedby": "amended-by",
    "related": "related",
    "related to": "related",
    "relates to": "related",
    "related adrs": "related",
    "related-adrs": "related",
    "related_adrs": "related",
    "relates-to": "related",
    "relates_to": "related",
    "see also": "related",
    "see-also": "related",
    "refined by": "related",
    "refines": "related",
    "clarified by": "related",
    "clarifies": "related",
    "extended by": "related",
    "extends": "related",
}
"""How people write links between ADRs (adr-tools' own spelling "Superceded" included) -> the relation kind."""

_SEPARATORS = re.compile(r"\s*(?:[,;:.(\[—–]|\s-\s|<!--)")
_LEAD_DECORATION = re.compile(r"^[\s>*_`\"'{\[]*")
_EMOJI = re.compile(r"^(?:[^\w\s\[\]{}()<>*_`\"'#|.,;:!?/\\-]\ufe0f?\s*)+")
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
_LINK = re.compile(r"\[(?P<label>(?:[^\[\]]|\[[^\[\]]*\])*)\]\((?P<href>[^)\s]*)\)")
_MENTION = re.compile(r"\b(?:ADR|MADR|RFC|DR)[-\s_]?#?0*(\d{1,5})\b", re.IGNORECASE)
_BARE = re.compile(r"(?<![\w.#/-])0*(\d{1,5})(?![\w/]|\.\d)")
_LABEL_NUMBER = re.compile(r"^\s*0*(\d{1,5})\s*[.:)]")
_NONE = re.compile(r"^\s*(?:n/?a|none|null|~|-|tbd|\.\.\.|…)?\s*$", re.IGNORECASE)
_SUPERSEDED = re.compile(
    r"(?P<lead>(?:partly|partially)\s+)?super[sc]eded\b(?:\s*\([^)]*\))?(?:\s+by\b(?P<refs>.*))?", re.IGNORECASE
)


@dataclass(frozen=True)
class StatusPhrase:
    """A status as written on a line: where it is (``start``/``end`` in that text) and what it means."""

    value: str  # normalized: lower case, one space between words ("in review", "superseded")
    start: int
    end: int
    emoji_start: int  # where a leading emoji begins (== start when there is none)
    relations: dict[str, list[str]] = field(default_factory=dict)


Resolver = Callable[[str], str | None]
"""A link target or label -> the key of the ADR it names (see :attr:`joeladr.adr.model.Adr.key`), given by a
folder that knows its files (log4brains' packages); without one, a link to a file whose name carries no
number names that file's slug."""


def number_text(number: int) -> str:
    return f"{number:04d}"


def references(text: str, resolve: Resolver | None = None) -> list[str]:
    """Every ADR a relation value names, as keys (4-digit numbers, or slugs), in order.

    ``[10. Title](0010-title.md)``, ``[ADR 32](/adr/32)``, ``[MADR 099](099-x.md)``, ``ADR-0003``,
    ``superseded by 0114``, ``https://.../036-internal-listeners.md``, ``RFC0006``, ``[12, 13]``, and
    log4brains' ``[20200926-use-x](20200926-use-x.md)`` (the slug: its names carry no number).
    """
    found: list[str] = []

    def add(key: str | None) -> None:
        if key is not None:
            found.append(key)

    rest = text
    for link in _LINK.finditer(text):
        add(_link_key(link.group("href"), link.group("label"), resolve))
        rest = rest.replace(link.group(0), " ")
    for url in re.findall(r"https?://\S+|\S+\.md\b", rest):
        number = number_in_link(url)
        add(number_text(number) if number is not None else None)
        rest = rest.replace(url, " ")
    for mention in _MENTION.finditer(rest):
        add(number_text(int(mention.group(1))))
    rest = _MENTION.sub(" ", rest)
    for bare in _BARE.finditer(rest):
        add(number_text(int(bare.group(1))))
    return list(dict.fromkeys(found))


def _link_key(href: str, label: str, resolve: Resolver | None) -> str | None:
    """The key of the ADR a markdown link names: by its target's name, number or slug, else by its label."""
    number = number_in_link(href) if href else None
    if number is not None:
        return number_text(number)
    key = resolve(href) if resolve is not None and href else None
    if key is None and href:
        key = slug_in_link(href)
    if key is not None:
        return key
    mention = _MENTION.search(label) or _LABEL_NUMBER.match(label) or re.search(r"/0*(\d{1,5})/?$", href)
    if mention:
        return number_text(int(mention.group(1)))
    return resolve(label.strip()) if resolve is not None else None


_HINT = re.compile(r"\s*[\[{](?P<inner>[^\[\]{}]*)[\]}]\s*(?:<!--.*?-->\s*)?")


def is_placeholder(text: str) -> bool:
    """Template text, not a value: choices (``{proposed | accepted}``), a date to fill
    (``[YYYY-MM-DD when ...]``), or a hint in brackets (log4brains' ``[space and/or comma separated list of
    tags]``, MADR's ``{list everyone involved in the decision}``)."""
    if "|" in text or re.search(r"YYYY|\bwhen the decision\b|\blist everyone\b", text, re.IGNORECASE):
        return True
    hint = _HINT.fullmatch(text)
    return hint is not None and "," not in hint["inner"] and len(hint["inner"].split()) >= 4


def status_phrase(text: str, resolve: Resolver | None = None) -> StatusPhrase | None:
    """The status a line (or a field value) starts with, or None when it is prose or template text.

    ``✅ Accepted`` -> accepted; ``*deprecated*`` -> deprecated; ``In Review`` -> in review;
    ``Accepted, applied in v7`` -> accepted; ``Superseded by [20. X](0020-x.md)`` -> superseded
    (span up to the last reference); ``accepted; supersedes ADR-0045`` -> accepted plus a relation;
    ``{proposed}`` -> proposed; ``Proposal: use A`` -> proposal; a sentence -> None.
    """
    if not text.strip() or is_placeholder(text):
        return None
    head = _LEAD_DECORATION.match(text)
    position = head.end() if head else 0
    emoji_start = position
    emoji = _EMOJI.match(text, position)
    if emoji and emoji.end() > position:
        position = emoji.end()
        tail = _LEAD_DECORATION.match(text, position)
        position = tail.end() if tail else position
    body = text[position:]
    relations: dict[str, list[str]] = {}
    superseded = _SUPERSEDED.match(body)
    if superseded:
        refs_text = superseded.group("refs")
        if refs_text is None:
            end = position + superseded.end()
        else:
            cut = _end_of_references(refs_text)
            end = position + superseded.start("refs") + cut
            numbers = references(refs_text[:cut], resolve)
            if numbers:
                relations["superseded-by"] = numbers
        value = "partly superseded" if superseded.group("lead") else "superseded"
        trailing = text[end:]
        relations = _merge(relations, _trailing_relations(trailing, resolve))
        return StatusPhrase(value, position, end, emoji_start, relations)
    lowered = body.lower()
    for known in KNOWN_STATUSES:
        if lowered.startswith(known) and not re.match(r"[\w]|-\w", lowered[len(known) : len(known) + 2]):
            stop = position + len(known)
            value = "superseded" if known == "superceded" else known
            return StatusPhrase(value, position, stop, emoji_start, _trailing_relations(text[stop:], resolve))
    separator = _SEPARATORS.search(body)
    lead = body[: separator.start()] if separator else body
    lead = lead.rstrip(" *_`\"'}]").rstrip()
    words = lead.split()
    if not words or len(words) > 3 or not _WORD.match(words[0]) or " ".join(words).lower() in RELATION_WORDS:
        return None
    if not all(re.fullmatch(r"[A-Za-z][A-Za-z'-]*", w) for w in words):
        return None
    end = position + len(lead)
    return StatusPhrase(" ".join(words).lower(), position, end, emoji_start, _trailing_relations(text[end:], resolve))


_REFERENCE_TOKEN = re.compile(
    r"\s*(?:,|and|&|\+)?\s*(?:\[(?:[^\[\]]|\[[^\[\]]*\])*\]\([^)\s]*\)|(?:ADR|MADR|RFC|DR)[-\s_]?#?\d{1,5}\b"
    r"|#?\d{1,5}\b|https?://\S+?(?=[\s)*_]|$)|[\w./-]+\.md\b)",
    re.IGNORECASE,
)


def _end_of_references(text: str) -> int:
    """How far a run of references goes (``[ADR 23](/adr/23) and [ADR 26](/adr/26)``, ``ADR-0003, 0004``)."""
    position = 0
    end = 0
    while True:
        match = _REFERENCE_TOKEN.match(text, position)
        if not match or match.end() == position:
            break
        position = end = match.end()
    return end


def _trailing_relations(text: str, resolve: Resolver | None) -> dict[str, list[str]]:
    """Relations written after the status in the same value: ``accepted; supersedes ADR-0045``."""
    found: dict[str, list[str]] = {}
    for part in re.split(r"[;,]", text):
        stripped = part.strip(" *_.`\"'")
        for words, kind in RELATION_WORDS.items():
            if stripped.lower().startswith(words + " ") or stripped.lower().startswith(words + ":"):
                numbers = references(stripped[len(words) :], resolve)
                if numbers:
                    found.setdefault(kind, []).extend(numbers)
                break
    return found


def _merge(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = {k: list(v) for k, v in a.items()}
    for kind, numbers in b.items():
        merged.setdefault(kind, []).extend(n for n in numbers if n not in merged[kind])
    return merged


def is_open(status: str | None) -> bool:
    """Not decided yet: no status, or one of :data:`OPEN_STATUSES`."""
    return status is None or status in OPEN_STATUSES


_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


@dataclass(frozen=True)
class DateValue:
    value: str
    start: int
    end: int


def date_value(text: str) -> DateValue | None:
    """The date a field value holds, where it is in the value: ``2024-05-22 (back dated)`` -> 2024-05-22.

    ISO dates are taken as they are (even an impossible ``2023-13-10``: that is what the file
    says); other forms (``05/02/2018``, ``January 28th, 2022``) are kept as written, since
    ``05/02`` means different days to different readers. Template text gives None.
    """
    if _NONE.match(text) or is_placeholder(text):
        return None
    lead = re.match(r"^[\s{\[*_`\"']*", text)
    start = lead.end() if lead else 0
    iso = _ISO_DATE.match(text, start)
    if iso:
        return DateValue(iso.group(0), iso.start(), iso.end())
    end = len(text.rstrip(" }]*_`\"'"))
    comment = text.find("<!--", start)
    if comment >= 0:
        end = min(end, len(text[:comment].rstrip(" }]*_`\"'")))
    if end <= start:
        return None
    return DateValue(text[start:end], start, end)


def list_value(text: str) -> list[str]:
    """``a, b and c`` / ``[a, b]`` -> the names (empty for placeholders and ``{}``)."""
    text = re.sub(r"<!--.*?-->", "", text).strip()  # a template's "<!-- optional -->" is no name
    if _NONE.match(text) or is_placeholder(text) or text in ("{}", "[]"):
        return []
    text = text.strip("[]{}")
    parts = re.split(r"\s*(?:,|;|\band\b)\s*", text)
    return [p.strip(" *_`\"'") for p in parts if p.strip(" *_`\"'")]
