"""Checks over a folder of ADRs, one rule per function: numbering, index, statuses, dates,
supersession, links. :data:`RULES` is the list :func:`lint` runs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from joeladr.adr.fields import KNOWN_STATUSES
from joeladr.adr.graph import supersession_cycles
from joeladr.adr.index import indexed_files
from joeladr.adr.model import STANDARD_STATUSES, Adr, label_of
from joeladr.adr.naming import read_name
from joeladr.adr.repo import AdrRepository, LoadFailure

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class LintIssue:
    severity: Severity
    code: str
    message: str
    path: str
    number: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Folder:
    """What the rules look at: the repository, its ADRs as read, the files that could not be read."""

    repo: AdrRepository
    adrs: list[Adr]
    failures: list[LoadFailure]
    statuses: tuple[str, ...]
    by_key: dict[str, list[Adr]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for adr in self.adrs:
            self.by_key.setdefault(adr.key, []).append(adr)


def lint(repo: AdrRepository, statuses: tuple[str, ...] | None = None) -> list[LintIssue]:
    """Every problem :data:`RULES` find, errors first, then by file.

    ``statuses`` are the accepted status values (default: the common ones of MADR, Nygard,
    log4brains and EIP-like processes, see :data:`joeladr.adr.fields.KNOWN_STATUSES`).
    """
    if statuses is None:
        statuses = tuple(dict.fromkeys((*STANDARD_STATUSES, *KNOWN_STATUSES)))
    adrs, failures = repo.load_all()
    folder = Folder(repo, adrs, failures, statuses)
    issues = [issue for rule in RULES for issue in rule(folder)]
    order = {"error": 0, "warning": 1}
    return sorted(
        issues, key=lambda i: (order[i.severity], i.number if i.number is not None else -1, i.code, i.message)
    )


# -- the rules ------------------------------------------------------------------------


def unreadable(folder: Folder) -> Iterable[LintIssue]:
    for failure in folder.failures:
        yield LintIssue("error", "unreadable", f"{failure.path.name}: {failure.error.message}", str(failure.path))


def not_an_adr(folder: Folder) -> Iterable[LintIssue]:
    """Markdown files of the folder that are not read as ADRs (nor index nor template)."""
    for path in folder.repo.unrecognized():
        why = (
            "is named like an ADR but has no heading or front matter"
            if read_name(path.name, folder.repo.pattern) is not None
            else "is not named like an ADR (0001-title.md, 001-title.md, adr-001-title.md, ADR-1.md, "
            "20200925-title.md), so it is not read; set [adr] pattern if it is one"
        )
        yield LintIssue("warning", "not-an-adr", f"{path.name} {why}", str(path))


def no_adrs(folder: Folder) -> Iterable[LintIssue]:
    """No ADR at all: an error when the folder holds markdown files none of which is named like an ADR."""
    if folder.adrs or folder.failures:
        return
    where = folder.repo.folder
    strangers = folder.repo.unrecognized()
    if strangers:
        count = len(strangers)
        yield LintIssue(
            "error",
            "no-adrs",
            f"no ADRs found in {where}: {count} markdown file{'s' if count != 1 else ''}, none named like an ADR",
            str(where),
        )
    else:
        yield LintIssue("warning", "no-adrs", f"no ADRs in {where} yet", str(where))


def duplicate_numbers(folder: Folder) -> Iterable[LintIssue]:
    for number, paths in sorted(folder.repo.by_number().items()):
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            message = f"ADR {number:04d} is used by {len(paths)} files: {names}"
            yield LintIssue("error", "duplicate-number", message, str(paths[0]), number)


def not_in_index(folder: Folder) -> Iterable[LintIssue]:
    """Checked only when the folder has an index (a README.md or index.md that lists ADRs)."""
    index = folder.repo.index_file()
    if index is None:
        return
    listed = indexed_files(index)
    for adr in folder.adrs:
        if adr.path.name not in listed:
            message = f"{adr.path.name} is missing from {index.name}"
            yield LintIssue("warning", "not-in-index", message, str(adr.path), adr.number)


def status(folder: Folder) -> Iterable[LintIssue]:
    for adr in folder.adrs:
        if adr.status is None:
            yield LintIssue("warning", "no-status", f"{adr.path.name} has no status", str(adr.path), adr.number)
        elif adr.status not in folder.statuses:
            message = f"{adr.path.name}: status '{adr.raw_status}' is not one of {', '.join(folder.statuses)}"
            yield LintIssue("warning", "nonstandard-status", message, str(adr.path), adr.number)


def date(folder: Folder) -> Iterable[LintIssue]:
    for adr in folder.adrs:
        if adr.date is not None and _impossible_date(adr.date):
            message = f"{adr.path.name}: date {adr.date} is not a real date"
            yield LintIssue("warning", "invalid-date", message, str(adr.path), adr.number)


def supersession(folder: Folder) -> Iterable[LintIssue]:
    """Both ends of every supersession exist and say so."""
    for adr in folder.adrs:
        where, me = str(adr.path), adr.label
        for target in adr.superseded_by:
            other = label_of(target)
            if target not in folder.by_key:
                message = f"{adr.path.name} is superseded by {other}, which does not exist"
                yield LintIssue("error", "missing-supersession-target", message, where, adr.number)
            elif not any(adr.key in o.supersedes for o in folder.by_key[target]):
                message = (
                    f"{adr.path.name} says it is superseded by {other}, but {other} does not say it supersedes {me}"
                )
                yield LintIssue("warning", "one-way-supersession", message, where, adr.number)
        for target in adr.supersedes:
            other = label_of(target)
            if target not in folder.by_key:
                message = f"{adr.path.name} supersedes {other}, which does not exist"
                yield LintIssue("error", "missing-supersession-target", message, where, adr.number)
            elif not any(adr.key in o.superseded_by for o in folder.by_key[target]):
                message = f"{adr.path.name} supersedes {other}, but {other} does not say it is superseded by {me}"
                yield LintIssue("warning", "one-way-supersession", message, where, adr.number)


def supersession_cycle(folder: Folder) -> Iterable[LintIssue]:
    """ADRs that supersede each other in a circle: none of them is in force."""
    for circle in supersession_cycles(folder.adrs):
        first = folder.by_key[circle[0]][0] if circle[0] in folder.by_key else None
        names = " → ".join(label_of(key) for key in circle)
        message = f"{names} supersede each other in a circle: none of them is in force"
        path = str(first.path) if first is not None else str(folder.repo.folder)
        yield LintIssue("error", "supersession-cycle", message, path, first.number if first else None)


def broken_link(folder: Folder) -> Iterable[LintIssue]:
    """Relative links to files that do not exist."""
    for adr in folder.adrs:
        for ref in adr.references:
            if ref.kind != "link":
                continue
            target_path = unquote(ref.target.split("#", 1)[0].split("?", 1)[0])
            if not target_path or target_path.startswith(("/", "~")):
                continue
            if not (adr.path.parent / target_path).exists():
                line = f":{ref.line + 1}" if ref.line is not None else ""
                message = f"{adr.path.name}{line} links to {ref.target}, which does not exist"
                yield LintIssue("error", "broken-link", message, str(adr.path), adr.number)


RULES: list[Callable[[Folder], Iterable[LintIssue]]] = [
    unreadable,
    not_an_adr,
    no_adrs,
    duplicate_numbers,
    not_in_index,
    status,
    date,
    supersession,
    supersession_cycle,
    broken_link,
]
"""The checks :func:`lint` runs, each a function of the :class:`Folder`."""


def _impossible_date(text: str) -> bool:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not match:
        return False
    try:
        dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return True
    return False
