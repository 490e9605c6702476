"""New ADRs: from the folder's own template file, in the folder's own style, or from a named template
(MADR 4, MADR 2, Nygard, joelclaw).

A template file the folder keeps is the style its team chose, and is filled the way its tool
fills it: adr-tools' ``templates/template.md`` (``NUMBER``, ``TITLE``, ``DATE`` and ``STATUS``, the
first of each on a line, as ``adr new`` does), log4brains' and MADR 2's ``template.md`` and MADR 3/4's
``adr-template.md`` (the first ``#`` heading becomes the title, as ``log4brains adr new`` does); then
the status and date are set where the template states them, placeholders replaced.

A folder that already holds ADRs gives the new one its header (front matter keys in their
order, MADR bullets, bold fields or a Nygard ``Date:`` line and ``## Status`` section), its
title heading (``# 12. Title``, ``# ADR 005: Title``, no heading when the title lives in
front matter), its default status in the folder's case (with the folder's emoji), its line
endings, and a body of its template family. ``--template`` picks the family instead. Only
the joelclaw family has the Source Material section joeladr ingests talks from.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from joeladr.adr.fields import is_placeholder
from joeladr.adr.format import KEY_LINE, AdrText, yaml_scalar
from joeladr.adr.style import FolderStyle
from joeladr.errors import JoeladrError, UsageError
from joeladr.markdown import find_front_matter, line_ending, split_lines, strip_eol

JOELCLAW = """\
---
status: {status}
date: {date}
deciders: {deciders_yaml}
tags: []
---

# ADR-{number:04d}: {title}

{body}"""

JOELCLAW_BODY = """\
## Context

What is the issue that motivates this decision?

## Evaluation Criteria

1. **First criterion** — the question this decision must answer well

## Source Material

- [ ] Video: YouTube `VIDEO_ID_11` — what it covers

## Decision

**Pending.**

## Options Under Consideration

### Option A: First option
What it means.

### Option B: Second option
What it means.

## Consequences

What becomes easier or harder because of this change.
"""

MADR = """\
---
status: {status}
date: {date}
decision-makers: {deciders_yaml}
---

# {title}

{body}"""

MADR_BODY = """\
## Context and Problem Statement

Describe the context and problem statement in two or three sentences.

## Decision Drivers

{bullet} First driver — the force or concern behind it

## Considered Options

{bullet} Option A: first option
{bullet} Option B: second option

## Decision Outcome

Chosen option: "", because ...

### Consequences

{bullet} Good, because ...
{bullet} Bad, because ...

## Pros and Cons of the Options

### Option A: first option

{bullet} Good, because ...
{bullet} Bad, because ...

### Option B: second option

{bullet} Good, because ...
{bullet} Bad, because ...
"""

MADR2 = """\
# {title}

{bullet} Status: {status}
{bullet} Deciders: {deciders}
{bullet} Date: {date}

{body}"""

NYGARD = """\
# {number}. {title}

Date: {date}

## Status

{status_title}

{body}"""

NYGARD_BODY = """\
## Context

The issue motivating this decision, and any context that influences or constrains it.

## Decision

The change that we're proposing or have agreed to implement.

## Consequences

What becomes easier or more difficult to do because of this change.
"""

TEMPLATES = {"joelclaw": JOELCLAW, "madr": MADR, "madr2": MADR2, "nygard": NYGARD}
BODIES = {"joelclaw": JOELCLAW_BODY, "madr": MADR_BODY, "madr2": MADR_BODY, "nygard": NYGARD_BODY}


def _check(name: str) -> str:
    if name.lower() not in TEMPLATES:
        raise UsageError(f"unknown template '{name}'", hint=f"choose one of: {', '.join(TEMPLATES)}")
    return name.lower()


def render_template(name: str, *, number: int | None, title: str, status: str, date: str, deciders: str) -> str:
    """A named template as joeladr ships it (LF, 4-digit numbers in joelclaw headings; no number in the
    heading when ``number`` is None: a folder whose names carry none, as log4brains')."""
    family = _check(name)
    deciders_yaml = deciders if deciders else "[]"
    safe_title = title.replace("\n", " ")
    template = TEMPLATES[family]
    if number is None:
        template = template.replace("# ADR-{number:04d}: ", "# ").replace("# {number}. ", "# ")
    return template.format(
        number=number,
        title=safe_title,
        status=status,
        status_title=status.capitalize(),
        date=date,
        deciders_yaml=deciders_yaml,
        deciders=deciders,
        bullet="*",
        body=BODIES[family].format(bullet="*"),
    )


def render_new(
    style: FolderStyle,
    template: str | None,
    *,
    fallback: str,
    number: int,
    title: str,
    status: str | None,
    date: str,
    deciders: str,
) -> str:
    """A new ADR's text in the folder's style; ``template`` chooses the family, ``fallback`` serves an empty folder."""
    if template is not None:
        _check(template)
    status_value = status or style.default_status
    if style.family is None or (template is not None and template.lower() != style.family):
        text = render_template(
            template or fallback,
            number=number if style.naming.numbered else None,
            title=title,
            status=status_value,
            date=date,
            deciders=deciders,
        )
    else:
        text = _render_learned(style, number=number, title=title, status=status_value, date=date, deciders=deciders)
    if style.eol != "\n":
        text = text.replace("\n", style.eol)
    return text


def _render_learned(style: FolderStyle, *, number: int, title: str, status: str, date: str, deciders: str) -> str:
    family = style.family or "nygard"
    cased = style.cased(status)
    parts: list[str] = []
    if style.front_keys or style.status_form == "front-matter":
        parts.append(_front_matter(style, number=number, title=title, status=cased, date=date, deciders=deciders))
    if style.heading:
        parts.append("# " + style.heading.format(number=number, title=title) + "\n\n")
    if style.status_form in ("bullet", "inline", "line", "table"):
        parts.append(_header_fields(style, status=cased, date=date, deciders=deciders))
    elif style.status_form == "section" or (family == "nygard" and style.status_form != "front-matter"):
        if style.date_form == "line":
            parts.append(f"Date: {date}\n\n")
        mark = style.emoji.get(status.lower())
        parts.append(f"## Status\n\n{mark + ' ' if mark else ''}{cased}\n\n")
    parts.append(BODIES[family].format(bullet=style.bullet))
    text = "".join(parts)
    if style.section_level == 1:  # MADR variants whose sections are "# Context and Problem Statement"
        text = re.sub(r"^#(#+) ", r"\1 ", text, flags=re.MULTILINE)
    return text


def _yaml(value: Any) -> str:
    """A front matter value that reads back as written: a title ``2024`` stays the text "2024"."""
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return "[" + ", ".join(yaml_scalar(str(v), flow=True) for v in value) + "]"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return yaml_scalar(str(value))


def _front_matter(style: FolderStyle, *, number: int, title: str, status: str, date: str, deciders: str) -> str:
    keys = list(style.front_keys)
    if not keys:
        keys = [("status", None), ("date", None)]
    if style.status_form == "front-matter" and not any(k.lower() == "status" for k, _ in keys):
        keys.insert(0, ("status", None))
    names = [d.strip() for d in deciders.split(",") if d.strip()]
    lines = ["---"]
    for key, shared in keys:
        lowered = key.lower()
        if lowered == "status":
            value: Any = status
        elif lowered == "date":
            lines.append(f"{key}: {date}")  # an ISO date, read back as the date it is
            continue
        elif lowered == "title":
            value = style.front_title.format(number=number, title=title)
            if style.front_title_block:
                lines.append(f"{key}: |\n  {value}")
                continue
        elif lowered in ("adr", "number", "id", "slug"):
            value = number
        elif lowered in ("deciders", "decision-makers", "decision_makers"):
            value = names if names else []
        elif lowered == "tags":
            value = [status] if style.tags_hold_status else []
        elif lowered in ("authors", "consulted", "informed"):
            value = []
        else:
            value = shared
        rendered = _yaml(value)
        lines.append(f"{key}: {rendered}".rstrip() if rendered else f"{key}:")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def _header_fields(style: FolderStyle, *, status: str, date: str, deciders: str) -> str:
    keys = list(style.header_keys) or ["Status", "Date"]
    if not any(k.lower() == "status" for k in keys):
        keys.insert(0, "Status" if style.key_case == "capital" else "status")
    values = {"status": status, "date": date, "deciders": deciders, "decision-makers": deciders}
    lines = []
    for key in keys:
        lowered = key.lower()
        if lowered not in values:
            continue
        if lowered == "date" and style.date_form is None:
            continue
        value = values[lowered]
        if style.status_form == "inline":
            lines.append(f"- **{key}**: {value}".rstrip())
        elif style.status_form == "line":
            lines.append(f"{key}: {value}".rstrip())
        else:
            lines.append(f"{style.bullet} {key}: {value}".rstrip())
    return "\n".join(lines) + "\n\n"


TEMPLATE_FILES = (("templates/template.md", "adr-tools"), ("template.md", "heading"), ("adr-template.md", "heading"))
"""Where a folder keeps its template, and how its tool fills it: adr-tools (documented by ``adr help new``),
log4brains and MADR 2, MADR 3/4."""

_ADR_TOOLS_WORDS = re.compile(r"NUMBER|TITLE|DATE|STATUS")


def fillable(text: str, kind: str, path: Path) -> bool:
    """Whether a template file is one to fill (not a page about templates): adr-tools' has its ``TITLE`` or
    ``NUMBER`` word; the others a title heading still to write (``# [short title of solved problem]``,
    ``# {short title ...}``, ``# Title``)."""
    if kind == "adr-tools":
        return bool(re.search(r"\b(?:TITLE|NUMBER)\b", text))
    try:
        doc = AdrText.of(_fill_front_placeholders(text, status="proposed", date="2000-01-01"), path)
    except JoeladrError:
        return False
    heading = next((h for h in doc.headings if h.level == 1), None)
    if heading is None:
        return False
    title = heading.text.strip()
    return bool(re.fullmatch(r"[\[{].*[\]}]", title)) or title.lower() in ("title", "short title", "titel")


def fill_template(
    text: str, kind: str, *, style: FolderStyle, path: Path, number: int, title: str, status: str, date: str
) -> str:
    """A new ADR from a folder's template file, filled as its tool fills it, with ``status`` and ``date``
    written where the template keeps them (in its own form: the edits of :class:`AdrDocument`)."""
    from joeladr.adr.edit import AdrDocument

    if kind == "adr-tools":
        values = {"NUMBER": str(number), "TITLE": title, "DATE": date, "STATUS": style.cased(status)}
        text = "".join(_fill_first_of_each(line, values) for line in split_lines(text))
    else:
        text = _fill_title(_fill_front_placeholders(text, status=status, date=date), title, path)
    document = AdrDocument(text, path, style=style, number=number)
    document.set_status(status)
    document.set_date(date, add=False)
    return document.text


def _fill_front_placeholders(text: str, *, status: str, date: str) -> str:
    """MADR's ``status: {proposed | rejected | ...}`` and ``date: {YYYY-MM-DD ...}`` front matter lines filled in
    the text itself: MADR 3's status placeholder holds a link, which is no YAML at all."""
    lines = split_lines(text.removeprefix("\ufeff"))
    span = find_front_matter(lines)
    if span is None:
        return text
    values = {"status": status, "date": date}
    for index in range(span[0] + 1, span[1] - 1):
        line = strip_eol(lines[index])
        match = KEY_LINE.match(line)
        key = match.group("key").strip().lower() if match else ""
        if match and key in values and is_placeholder(match.group("value").strip("\"' ")):
            value = yaml_scalar(values[key], match.group("value"), date=key == "date")  # the placeholder's quoting
            lines[index] = line[: match.start("value")] + value + lines[index][len(line) :]
    return ("\ufeff" if text.startswith("\ufeff") else "") + "".join(lines)


def _fill_first_of_each(line: str, values: dict[str, str]) -> str:
    """``sed -e s|NUMBER|n| -e s|TITLE|t| ...``: the first of each word on the line (a value is not filled
    again, as it would be by the next sed expression)."""
    done: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in done:
            return word
        done.add(word)
        return values[word]

    return _ADR_TOOLS_WORDS.sub(fill, line)


def _fill_title(text: str, title: str, path: Path) -> str:
    """log4brains' ``setFirstH1Title``: the first ``#`` heading's text becomes the title (a heading is added
    above the body when there is none)."""

    doc = AdrText.of(text, path)
    heading = next((h for h in doc.headings if h.level == 1), None)
    lines = list(doc.lines)
    eol = line_ending(lines)
    if heading is None:
        lines[doc.body_start : doc.body_start] = [f"# {title}{eol}", eol]
    else:
        line = lines[heading.line]
        marks = re.match(r"^[ \t]*#[ \t]*", line)
        lines[heading.line] = (marks.group(0) if marks else "# ") + title + line[len(strip_eol(line)) :]
    return ("\ufeff" if doc.bom else "") + "".join(lines)
