"""The evaluation note (``decisions/ADR-NNNN evaluation.md``): findings the user curates in Obsidian.

Each target (criterion, pain point, counter-argument, option) has a marked block. Its
first line holds the settings a user may change, as Dataview-style inline fields::

    [weight:: 1] [must-have:: no] [A:: auto] [B:: auto] [C:: auto]

and each finding is one line the user ticks (``[x]`` accept, ``[-]`` reject) and
annotates with ``[supports:: B]``, ``[weakens:: A]`` and ``[note:: ...]``::

    - [x] [[beam-talk]] [01:14](https://youtu.be/ID?t=74) "the quote" (0.62) [supports:: B] ^f-1a2b3c4d

joeladr never rewrites a line that is already in a block: a rerun appends new findings
after the existing lines, so nothing the user decided is lost or reordered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from joeladr.errors import EvaluationError
from joeladr.markdown import split_lines
from joeladr.notes import blocks

Status = Literal["pending", "accepted", "rejected"]

FINDING_LINE = re.compile(r"^(?P<lead>\s*[-*+]\s\[)(?P<box>[^\]])(?P<mid>\]\s.*?)\s\^(?P<id>f-[0-9a-f]{8})\s*$")
FIELD = re.compile(r"\[(?P<key>[A-Za-z][\w -]*?)::\s*(?P<value>[^\]]*)\]")
SETTINGS_HINT = re.compile(r"\[weight::")
BOX = {" ": "pending", "x": "accepted", "X": "accepted", "-": "rejected"}
BOX_FOR = {"pending": " ", "accepted": "x", "rejected": "-"}


@dataclass
class FindingMark:
    """What the note says about one finding."""

    id: str
    status: Status
    supports: list[str] = field(default_factory=list)
    weakens: list[str] = field(default_factory=list)
    note: str = ""
    line: int = 0


@dataclass
class TargetSettings:
    weight: float = 1.0
    must_have: bool = False
    scores: dict[str, int] = field(default_factory=dict)  # explicit scores; absent = derived ("auto")


@dataclass
class BlockState:
    settings: TargetSettings | None
    findings: list[FindingMark]


def _options(value: str) -> list[str]:
    return [v.upper() for v in re.findall(r"[A-Za-z]", value)]


def parse_finding(line: str, where: str) -> FindingMark | None:
    match = FINDING_LINE.match(line.rstrip("\r\n"))
    if not match:
        return None
    box = match.group("box")
    status = BOX.get(box)
    if status is None:
        raise EvaluationError(
            f"{where}: finding {match.group('id')} has an unknown box [{box}]",
            hint="use [ ] pending, [x] accepted or [-] rejected",
        )
    mark = FindingMark(match.group("id"), status)  # type: ignore[arg-type]
    for field_match in FIELD.finditer(match.group("mid")):
        key, value = field_match.group("key").strip().lower(), field_match.group("value").strip()
        if key == "supports":
            mark.supports = _options(value)
        elif key == "weakens":
            mark.weakens = _options(value)
        elif key == "note":
            mark.note = value
    return mark


def parse_settings(line: str, options: Sequence[str], where: str) -> TargetSettings:
    settings = TargetSettings()
    for match in FIELD.finditer(line):
        key, value = match.group("key").strip(), match.group("value").strip()
        lowered = key.lower()
        if lowered == "weight":
            try:
                settings.weight = float(value)
            except ValueError as exc:
                raise EvaluationError(f"{where}: weight '{value}' is not a number") from exc
            if settings.weight < 0:
                raise EvaluationError(f"{where}: weight {value} is negative")
        elif lowered in ("must-have", "must"):
            settings.must_have = value.lower() in ("yes", "true", "y", "1")
        elif key.upper() in options:
            if value.lower() in ("auto", ""):
                continue
            try:
                score = int(value.replace("+", ""))
            except ValueError as exc:
                raise EvaluationError(f"{where}: score for option {key} must be auto or -2..+2, not '{value}'") from exc
            if not -2 <= score <= 2:
                raise EvaluationError(f"{where}: score for option {key} must be within -2..+2, not {value}")
            settings.scores[key.upper()] = score
    return settings


def render_settings(settings: TargetSettings, options: Sequence[str]) -> str:
    weight = f"{settings.weight:g}"
    parts = [f"[weight:: {weight}]", f"[must-have:: {'yes' if settings.must_have else 'no'}]"]
    for option in options:
        value = settings.scores.get(option)
        parts.append(f"[{option}:: {'auto' if value is None else f'{value:+d}'}]")
    return " ".join(parts)


def read_blocks(text: str, options: Sequence[str], where: str) -> dict[str, BlockState]:
    lines = split_lines(text)
    result: dict[str, BlockState] = {}
    for name, (start, stop) in blocks(text, where).items():
        settings: TargetSettings | None = None
        marks: list[FindingMark] = []
        for index in range(start + 1, stop):
            line = lines[index]
            if settings is None and SETTINGS_HINT.search(line):
                settings = parse_settings(line, options, f"{where}:{index + 1}")
                continue
            mark = parse_finding(line, f"{where}:{index + 1}")
            if mark is not None:
                mark.line = index
                marks.append(mark)
        result[name] = BlockState(settings, marks)
    return result


def block_lines(text: str, name: str) -> list[str]:
    """The lines inside a block, without line endings (empty when the block is absent)."""
    spans = blocks(text)
    if name not in spans:
        return []
    start, stop = spans[name]
    return [line.rstrip("\r\n") for line in split_lines(text)[start + 1 : stop]]


def edit_finding_line(
    line: str,
    *,
    status: Status | None = None,
    supports: Sequence[str] | None = None,
    weakens: Sequence[str] | None = None,
    note: str | None = None,
) -> str:
    """Change a finding line's box and fields, keeping everything else the user wrote on it."""
    match = FINDING_LINE.match(line)
    if not match:
        raise EvaluationError("not a finding line")
    box = BOX_FOR[status] if status else match.group("box")
    mid = match.group("mid")
    for key, values in (("supports", supports), ("weakens", weakens), ("note", note)):
        if values is None:
            continue
        rendered = values if isinstance(values, str) else ", ".join(values)
        pattern = re.compile(rf"\s?\[{key}::[^\]]*\]", re.IGNORECASE)
        mid = pattern.sub("", mid)
        if rendered:
            safe = rendered.replace("]", ")").replace("[", "(") if key == "note" else rendered
            mid = f"{mid} [{key}:: {safe}]"
    return f"{match.group('lead')}{box}{mid} ^{match.group('id')}"
