"""The domain words of an ADR, to prime the speech recognizer (faster-whisper ``hotwords``).

A small recognizer hears "Phoenix live new" for "Phoenix LiveView" and "type crypt" for
"TypeScript". The ADR that names the talks already spells the words that matter: product,
language and protocol names, acronyms, CamelCase identifiers. This picks those out of its
title, context, criteria, options, tables and counter-arguments:

- CamelCase or inner capitals (``LiveView``, ``GenServer``, ``WebSocket``, ``iOS``);
- acronyms of two or more capitals (``OTP``, ``BEAM``, ``LLM``), with digits (``K8s``),
  or with inner dots, slashes or pluses (``Next.js``, ``C++``);
- capitalized words that are not the first word of a sentence, a heading or a list item,
  and that the ADR never writes in lower case (``Elixir``, ``Redis``, ``Inngest``);
- words in backticks that are not ids.

The terms are ordered by how often the ADR uses them and cut to what faster-whisper keeps
(it truncates hotwords at 223 tokens; ``MAX_TERMS`` stays well under).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from joeladr.adr.model import Adr
from joeladr.settings import Settings

MAX_TERMS = 40
_TOKEN = re.compile(r"[^\W\d_][^\W_]*(?:[.#][^\W_#]+#?)*(?:\++(?![^\W_]))?")
_CODE = re.compile(r"`([^`\n]{2,40})`")
_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)[*_]|[*_](?!\w))")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;|]\s*|\n\s*(?:[-*+>]|\d+[.)])?\s*|^#+\s*|\(\s*)$")
_COMMON = {
    "I", "A", "An", "The", "This", "That", "These", "Those", "It", "We", "You", "Our", "If", "When", "And",
    "Or", "But", "Not", "No", "Yes", "Option", "Options", "ADR", "TBD", "OK", "TODO", "N/A", "Pending",
}  # fmt: skip


def join_terms(terms: Iterable[str]) -> str | None:
    """Terms as faster-whisper's hotwords: comma-separated, each once, at most ``MAX_TERMS``."""
    unique = list(dict.fromkeys(t.strip() for t in terms if t.strip()))[:MAX_TERMS]
    return ", ".join(unique) or None


_TITLE_STARTERS = {
    "How", "Why", "What", "When", "Where", "Who", "Which", "Is", "Are", "Do", "Does", "Can", "Should", "Will",
    "Building", "Introducing", "Using", "Making", "Getting", "Beyond", "Inside", "Into", "Ten", "One", "Two",
    "Three", "Five", "Keynote", "Episode", "Evaluate", "Choose", "Adopt", "Use", "Record", "Decide", "Language",
}  # fmt: skip


def adr_vocabulary(adr: Adr) -> list[str]:
    """The ADR's domain terms, most used first (at most ``MAX_TERMS``)."""
    parts = [adr.context]
    parts += [f"{c.name}: {c.question}" for c in adr.criteria]
    parts += [f"{o.title}. {o.description}" for o in adr.options]
    parts += [" | ".join(row) for table in adr.tables for row in table.rows]
    parts += adr.counter_arguments
    return domain_terms(parts, title=adr.title)


def domain_terms(texts: Iterable[str], *, title: str = "") -> list[str]:
    """Domain terms in ``texts`` and ``title`` by the rules above, most used first. A title's capitals say
    little (title case), so of its plain capitalized words only the first counts, unless it is a common
    opener ("How", "Building", ...) or the text writes it in lower case elsewhere; a title's short or
    numeric tokens ("j2", "S3", "v10") count only when the text uses them too."""
    texts = [_EMPHASIS.sub("", text) for text in texts]
    lowered = {t.lower() for text in [*texts, title] for t in _TOKEN.findall(text) if t.islower()}
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}

    def count(word: str) -> None:
        counts[word] += 1
        first_seen.setdefault(word, len(first_seen))

    for text in texts:
        for code in _CODE.findall(text):
            if not re.fullmatch(r"[A-Za-z0-9_-]{11}", code) and not code.isdigit() and " " not in code:
                count(code)
        prose = _CODE.sub(lambda m: " " * len(m.group(0)), text)  # same offsets, code blanked
        for match in _TOKEN.finditer(prose):
            if _is_term(match.group(0).rstrip("."), prose[: match.start()], lowered):
                count(match.group(0).rstrip("."))
    for position, word in enumerate(_TOKEN.findall(title)):
        if word in counts:
            count(word)
            continue
        if not _title_shaped(word):
            continue
        lead = position == 0 and word[:1].isupper() and word.lower() not in lowered
        lead = lead and word not in _TITLE_STARTERS and word not in _COMMON
        if lead or _is_term(word, "", lowered):
            count(word)
    return sorted(counts, key=lambda w: (-counts[w], first_seen[w]))[:MAX_TERMS]


def _title_shaped(word: str) -> bool:
    """Whether a title's token may prime the recognizer: three characters or more, more letters than digits.
    A file named "beam-j2" is not about "j2": alone, that hotword made tiny.en drop 29 s of speech."""
    letters = sum(ch.isalpha() for ch in word)
    return len(word) >= 3 and letters > sum(ch.isdigit() for ch in word)


def _is_term(word: str, before: str, lowered: set[str]) -> bool:
    if len(word) < 2 or word in _COMMON or re.fullmatch(r"[A-Z]+-?\d+", word):
        return False
    if re.search(r"[a-z][A-Z]|[A-Z]{2}|\d|[.+#]", word):
        return True
    if not word[0].isupper() or word.lower() in lowered:
        return False
    return not _SENTENCE_START.search(before)


def priming_off(settings: Settings, given: str | None) -> bool:
    """Whether the user turned priming off (``none``, given or set), even an ADR's own words."""
    chosen = settings.vocabulary if given is None else given
    return chosen is not None and chosen.strip().lower() == "none"


def primed_vocabulary(settings: Settings, adr: Adr | None, given: str | None) -> str | None:
    """The words the recognizer is primed with: ``given`` (``none`` turns priming off), else the setting,
    plus the domain terms of ``adr`` when one is named (measured in bench/eval: README, "Evidence quality")."""
    if priming_off(settings, given):
        return None
    chosen = settings.vocabulary if given is None else given
    terms = [t.strip() for t in (chosen or "").split(",") if t.strip()]
    if adr is not None:
        terms += adr_vocabulary(adr)
    return join_terms(terms)
