"""Checks over a folder of ADRs: numbering, index, statuses, supersession, links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal
from urllib.parse import unquote

from joeladr.adr.fields import KNOWN_STATUSES
from joeladr.adr.index import indexed_files
from joeladr.adr.model import STANDARD_STATUSES, Adr
from joeladr.adr.naming import read_name
from joeladr.adr.repo import AdrRepository

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


def lint(repo: AdrRepository, statuses: tuple[str, ...] | None = None) -> list[LintIssue]:
    """Every problem found, errors first, then by file.

    ``statuses`` are the accepted status values (default: the common ones of MADR, Nygard,
    log4brains and EIP-like processes, see :data:`joeladr.adr.fields.KNOWN_STATUSES`).
    """
    if statuses is None:
        statuses = tuple(dict.fromkeys((*STANDARD_STATUSES, *KNOWN_STATUSES)))
    adrs, failures = repo.load_all()
    issues: list[LintIssue] = [
        LintIssue("error", "unreadable", f"{f.path.name}: {f.error.message}", str(f.path)) for f in failures
    ]
    issues += _folder_issues(repo, adrs, failures)
    for number, paths in sorted(repo.by_number().items()):
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            issues.append(
                LintIssue(
                    "error",
                    "duplicate-number",
                    f"ADR {number:04d} is used by {len(paths)} files: {names}",
                    str(paths[0]),
                    number,
                )
            )
    numbers = {a.number for a in adrs}
    by_number: dict[int | None, list[Adr]] = {}
    for adr in adrs:
        by_number.setdefault(adr.number, []).append(adr)

    index = repo.index_file()
    if index is not None:
        listed = indexed_files(index)
        for adr in adrs:
            if adr.path.name not in listed:
                issues.append(
                    LintIssue(
                        "warning",
                        "not-in-index",
                        f"{adr.path.name} is missing from {index.name}",
                        str(adr.path),
                        adr.number,
                    )
                )

    for adr in adrs:
        where = str(adr.path)
        if adr.status is None:
            issues.append(LintIssue("warning", "no-status", f"{adr.path.name} has no status", where, adr.number))
        elif adr.status not in statuses:
            issues.append(
                LintIssue(
                    "warning",
                    "nonstandard-status",
                    f"{adr.path.name}: status '{adr.raw_status}' is not one of {', '.join(statuses)}",
                    where,
                    adr.number,
                )
            )
        if adr.date is not None and _impossible_date(adr.date):
            issues.append(
                LintIssue(
                    "warning", "invalid-date", f"{adr.path.name}: date {adr.date} is not a real date", where, adr.number
                )
            )
        for target in adr.superseded_by:
            if int(target) not in numbers:
                issues.append(
                    LintIssue(
                        "error",
                        "missing-supersession-target",
                        f"{adr.path.name} is superseded by ADR-{target}, which does not exist",
                        where,
                        adr.number,
                    )
                )
            elif not any(adr.number_text in other.supersedes for other in by_number[int(target)]):
                issues.append(
                    LintIssue(
                        "warning",
                        "one-way-supersession",
                        f"{adr.path.name} says it is superseded by ADR-{target}, "
                        f"but ADR-{target} does not say it supersedes ADR-{adr.number_text}",
                        where,
                        adr.number,
                    )
                )
        for target in adr.supersedes:
            if int(target) not in numbers:
                issues.append(
                    LintIssue(
                        "error",
                        "missing-supersession-target",
                        f"{adr.path.name} supersedes ADR-{target}, which does not exist",
                        where,
                        adr.number,
                    )
                )
            elif not any(adr.number_text in other.superseded_by for other in by_number[int(target)]):
                issues.append(
                    LintIssue(
                        "warning",
                        "one-way-supersession",
                        f"{adr.path.name} supersedes ADR-{target}, "
                        f"but ADR-{target} does not say it is superseded by ADR-{adr.number_text}",
                        where,
                        adr.number,
                    )
                )
        for ref in adr.references:
            if ref.kind != "link":
                continue
            target_path = unquote(ref.target.split("#", 1)[0].split("?", 1)[0])
            if not target_path or target_path.startswith(("/", "~")):
                continue
            if not (adr.path.parent / target_path).exists():
                line = f":{ref.line + 1}" if ref.line is not None else ""
                issues.append(
                    LintIssue(
                        "error",
                        "broken-link",
                        f"{adr.path.name}{line} links to {ref.target}, which does not exist",
                        where,
                        adr.number,
                    )
                )
    order = {"error": 0, "warning": 1}
    return sorted(
        issues, key=lambda i: (order[i.severity], i.number if i.number is not None else -1, i.code, i.message)
    )


def _folder_issues(repo: AdrRepository, adrs: list[Adr], failures: Sequence[object]) -> list[LintIssue]:
    """No ADR found at all, and markdown files that are not read as ADRs (nor index nor template)."""
    issues: list[LintIssue] = []
    strangers = repo.unrecognized()
    for path in strangers:
        why = (
            "is named like an ADR but has no heading or front matter"
            if read_name(path.name, repo.pattern) is not None
            else "is not named like an ADR (0001-title.md, 001-title.md, adr-001-title.md, ADR-1.md, "
            "20200925-title.md), so it is not read; set [adr] pattern if it is one"
        )
        issues.append(LintIssue("warning", "not-an-adr", f"{path.name} {why}", str(path)))
    if not adrs and not failures:
        if strangers:
            issues.append(
                LintIssue(
                    "error",
                    "no-adrs",
                    f"no ADRs found in {repo.folder}: {len(strangers)} markdown "
                    f"file{'s' if len(strangers) != 1 else ''}, none named like an ADR",
                    str(repo.folder),
                )
            )
        else:
            issues.append(LintIssue("warning", "no-adrs", f"no ADRs in {repo.folder} yet", str(repo.folder)))
    return issues


def _impossible_date(text: str) -> bool:
    import datetime as dt
    import re

    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not match:
        return False
    try:
        dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return True
    return False


def has_errors(issues: list[LintIssue]) -> bool:
    return any(i.severity == "error" for i in issues)
