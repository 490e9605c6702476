"""The ADR index: joelclaw's ``| [NNNN](file.md) | Title | Status | Date |`` table, or adr-log's list.

An index file is a README.md or MADR's index.md that lists ADRs: a joeladr table, an adr-log
block (``<!-- adrlog -->`` ... ``<!-- adrlogstop -->``, written by MADR's tooling) or any
list of links to ADR files. joeladr rewrites the first two in place and keeps every other
line; a list in another form it cannot regenerate is refused rather than doubled.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from joeladr.adr.model import Adr
from joeladr.adr.naming import read_name
from joeladr.atomic import Snapshot, atomic_write_text, read_text
from joeladr.errors import AdrError
from joeladr.markdown import line_ending, split_lines, strip_eol

HEADER = "| ADR | Title | Status | Date |"
RULE = "|-----|-------|--------|------|"
_HEADER_RE = re.compile(r"^\s*\|\s*ADR\s*\|\s*Title\s*\|\s*Status\s*\|", re.IGNORECASE)
_LINK = re.compile(r"\]\(\s*(?:\./)?([^)\s#?]+\.md)(?:#[^)\s]*)?\s*\)")
_ADRLOG_START = re.compile(r"^\s*<!--\s*adrlog\b(?!stop)", re.IGNORECASE)
_ADRLOG_STOP = re.compile(r"^\s*<!--\s*adrlogstop\s*-->", re.IGNORECASE)


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ").strip()


def status_text(adr: Adr) -> str:
    if adr.status == "superseded" and adr.superseded_by:
        return "superseded by " + ", ".join(adr.superseded_by)
    return adr.status or ""


def _href(adr: Adr, base: Path | None) -> str:
    """The link to an ADR from the index: its file name, or its path from ``base`` (a log4brains package's ADR)."""
    if base is None or adr.path.parent == base:
        return adr.path.name
    return Path(os.path.relpath(os.path.abspath(adr.path), os.path.abspath(base))).as_posix()


def render_rows(adrs: list[Adr], base: Path | None = None) -> list[str]:
    ordered = _ordered(adrs)
    return [
        f"| [{a.number_text}]({_href(a, base)}) | {_cell(a.title)} | {_cell(status_text(a))} | {_cell(a.date)} |"
        for a in ordered
    ]


def _ordered(adrs: list[Adr]) -> list[Adr]:
    return sorted(adrs, key=lambda a: (a.number if a.number is not None else 10**6, a.path.name))


def table_span(lines: list[str]) -> tuple[int, int] | None:
    """The lines of the index table (header to last row), if the file has one."""
    for index, line in enumerate(lines):
        if _HEADER_RE.match(strip_eol(line)):
            end = index + 1
            while end < len(lines) and strip_eol(lines[end]).lstrip().startswith("|"):
                end += 1
            return index, end
    return None


def adrlog_span(lines: list[str]) -> tuple[int, int] | None:
    """The lines strictly between adr-log's ``<!-- adrlog -->`` and ``<!-- adrlogstop -->`` markers."""
    start = next((i for i, line in enumerate(lines) if _ADRLOG_START.match(line)), None)
    if start is None:
        return None
    stop = next((i for i in range(start + 1, len(lines)) if _ADRLOG_STOP.match(lines[i])), None)
    return (start + 1, stop) if stop is not None else None


def linked_files(text: str) -> set[str]:
    """The file names a markdown text links to (``./0001-x.md`` -> ``0001-x.md``)."""
    return {m.group(1).rsplit("/", 1)[-1] for m in _LINK.finditer(text)}


def lists_adrs(text: str) -> bool:
    """Whether a README/index text is an index: a joeladr table, an adr-log block, or links to ADR files."""
    lines = split_lines(text)
    if table_span(lines) is not None or adrlog_span(lines) is not None:
        return True
    return any(read_name(name) is not None for name in linked_files(text))


def indexed_files(index_path: Path) -> set[str]:
    """File names the index links to."""
    if not index_path.is_file():
        return set()
    return linked_files(read_text(index_path))


def render_adrlog(adrs: list[Adr], eol: str, base: Path | None = None) -> list[str]:
    """adr-log's lines: ``- [ADR-0001](0001-x.md) - Title as its heading reads``."""
    rows = []
    for adr in _ordered(adrs):
        name = read_name(adr.path.name)
        width = name.width if name is not None and name.width else 4
        label = f"ADR-{adr.number:0{width}d}" if adr.number is not None and adr.slug is None else adr.key
        rows.append(f"- [{label}]({_href(adr, base)}) - {adr.heading or adr.title}{eol}")
    return rows


def render_index(existing: str | None, adrs: list[Adr], index_path: Path) -> str:
    """The text of the index at ``index_path``: the table (or adr-log list) replaced, every other line kept.
    Each ADR is linked by its path from the index's folder (a log4brains package's ADR lives below it)."""
    name, base = index_path.name, index_path.parent
    if existing is None:
        rows = render_rows(adrs, base)
        return "# Architecture Decision Records\n\n" + "\n".join([HEADER, RULE, *rows]) + "\n"
    lines = split_lines(existing)
    eol = line_ending(lines)
    span = table_span(lines)
    if span is not None:
        start, end = span
        header = lines[start : start + 2]  # keep the user's header and rule lines as written
        return "".join(lines[:start] + header + [row + eol for row in render_rows(adrs, base)] + lines[end:])
    log = adrlog_span(lines)
    if log is not None:
        start, end = log
        block = lines[start:end]
        lead = 0
        while lead < len(block) and not strip_eol(block[lead]).strip():
            lead += 1
        trail = len(block)
        while trail > lead and not strip_eol(block[trail - 1]).strip():
            trail -= 1
        body = render_adrlog(adrs, eol, base)
        return "".join(lines[:start] + block[:lead] + body + block[trail:] + lines[end:])
    if lists_adrs(existing):
        raise AdrError(
            f"{name} lists the ADRs in a form joeladr does not write, so `adr index` leaves it alone",
            hint=f"add a `{HEADER}` header line where the table should go, or an adr-log block "
            "(<!-- adrlog --> ... <!-- adrlogstop -->)",
        )
    tail = [] if not lines or lines[-1].endswith(("\n", "\r")) else [eol]
    return "".join(lines + tail + [eol, HEADER + eol, RULE + eol, *[row + eol for row in render_rows(adrs, base)]])


def write_index(index_path: Path, adrs: list[Adr]) -> bool:
    existing = read_text(index_path) if index_path.exists() else None
    new = render_index(existing, adrs, index_path)
    if new == existing:
        return False
    atomic_write_text(index_path, new, expected=Snapshot.of_text(existing))
    return True
