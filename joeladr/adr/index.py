"""The ADR index: joelclaw's ``| [NNNN](file.md) | Title | Status | Date |`` table in README.md."""

from __future__ import annotations

import re
from pathlib import Path

from joeladr.adr.model import Adr
from joeladr.atomic import atomic_write_text, read_text
from joeladr.markdown import line_ending, split_lines, strip_eol

HEADER = "| ADR | Title | Status | Date |"
RULE = "|-----|-------|--------|------|"
_HEADER_RE = re.compile(r"^\s*\|\s*ADR\s*\|\s*Title\s*\|\s*Status\s*\|", re.IGNORECASE)
INDEX_LINK = re.compile(r"\[(\d{3,5})\]\(([^)\s]+\.md)\)")


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ").strip()


def status_text(adr: Adr) -> str:
    if adr.status == "superseded" and adr.superseded_by:
        return "superseded by " + ", ".join(adr.superseded_by)
    return adr.status or ""


def render_rows(adrs: list[Adr]) -> list[str]:
    ordered = sorted(adrs, key=lambda a: (a.number if a.number is not None else 10**6, a.path.name))
    return [
        f"| [{a.number_text}]({a.path.name}) | {_cell(a.title)} | {_cell(status_text(a))} | {_cell(a.date)} |"
        for a in ordered
    ]


def table_span(lines: list[str]) -> tuple[int, int] | None:
    """The lines of the index table (header to last row), if the file has one."""
    for index, line in enumerate(lines):
        if _HEADER_RE.match(strip_eol(line)):
            end = index + 1
            while end < len(lines) and strip_eol(lines[end]).lstrip().startswith("|"):
                end += 1
            return index, end
    return None


def indexed_files(index_path: Path) -> set[str]:
    """File names the index table links to."""
    if not index_path.is_file():
        return set()
    return {m.group(2) for m in INDEX_LINK.finditer(read_text(index_path))}


def render_index(existing: str | None, adrs: list[Adr]) -> str:
    """The index file's new text: the table replaced, every other line kept."""
    if existing is None:
        rows = render_rows(adrs)
        return "# Architecture Decision Records\n\n" + "\n".join([HEADER, RULE, *rows]) + "\n"
    lines = split_lines(existing)
    eol = line_ending(lines)
    span = table_span(lines)
    rows = [row + eol for row in render_rows(adrs)]
    if span is None:
        tail = [] if not lines or lines[-1].endswith(("\n", "\r")) else [eol]
        return "".join(lines + tail + [eol, HEADER + eol, RULE + eol, *rows])
    start, end = span
    header = lines[start : start + 2]  # keep the user's header and rule lines as written
    return "".join(lines[:start] + header + rows + lines[end:])


def write_index(index_path: Path, adrs: list[Adr]) -> bool:
    existing = read_text(index_path) if index_path.exists() else None
    new = render_index(existing, adrs)
    if new == existing:
        return False
    atomic_write_text(index_path, new)
    return True
