"""The evaluation note (``decisions/ADR-NNNN evaluation.md``): findings the user curates in Obsidian.

Each target (criterion, pain point, counter-argument, option) has a marked block. Its
first line holds the settings a user may change, as Dataview-style inline fields::

    [weight:: 1] [must-have:: no] [A:: auto] [B:: auto] [C:: auto]

and each finding is one line the user ticks (``[x]`` accept, ``[-]`` reject) and
annotates with ``[supports:: B]``, ``[weakens:: A]`` and ``[note:: ...]``::

    - [x] [[beam-talk]] [01:14](https://youtu.be/ID?t=74) "the quote" (0.62) [supports:: B] ^f-1a2b3c4d

A finding a judge picked (``evaluate/judge.py``) starts pending with the judge's stance as a
suggestion and its reason as the note: ``[suggests:: +B -A] [note:: why]``. Ticking it takes the
suggestion (an accepted line without ``supports``/``weakens`` of its own counts as suggested);
``joeladr finding --accept`` writes it out as ``[supports:: B] [weakens:: A]``.

joeladr never rewrites a line the user touched: a rerun appends new findings after the
existing lines, so nothing the user decided is lost or reordered. The one line it may change
is one it wrote and nobody touched since (still pending, no fields), to add a judge's suggestion.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from joeladr.adr.model import Adr
from joeladr.errors import EvaluationError
from joeladr.evaluate import matrix as mx
from joeladr.evaluate.findings import Evaluation, Finding
from joeladr.evaluate.targets import Target
from joeladr.markdown import split_lines
from joeladr.text import strip_controls
from joeladr.vault.blocks import block, blocks, escape_inline, merge_properties, plain_text, replace_blocks, safe_url

Status = Literal["pending", "accepted", "rejected"]

FINDING_LINE = re.compile(r"^(?P<lead>\s*[-*+]\s\[)(?P<box>[^\]])(?P<mid>\]\s.*?)\s\^(?P<id>f-[0-9a-f]{8})\s*$")
FIELD = re.compile(r"\[(?P<key>[A-Za-z][\w -]*?)::\s*(?P<value>[^\]]*)\]")
SETTINGS_LINE = re.compile(r"\[weight::")
NO_FINDINGS = "_No findings yet._"
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
    problem: str = ""  # why the line's stance is not counted (an option list that is not one)
    suggests_supports: list[str] = field(default_factory=list)  # a judge's stance, taken when ticked
    suggests_weakens: list[str] = field(default_factory=list)


@dataclass
class TargetSettings:
    weight: float = 1.0
    must_have: bool = False
    scores: dict[str, int] = field(default_factory=dict)  # explicit scores; absent = derived ("auto")


@dataclass
class BlockState:
    settings: TargetSettings | None
    findings: list[FindingMark]


OPTION_SEPARATOR = re.compile(r"[\s,]+")


def parse_options(value: str, options: Sequence[str]) -> list[str] | None:
    """The options a ``[supports:: ...]`` or ``[weakens:: ...]`` value names, or None when it is not a list of them.

    A list is labels of the ADR's options (any case) separated by commas and/or spaces: ``B``, ``B, C``,
    ``b c``; empty names none. Anything else (``B and C``, ``B/C``, ``option B``, a label the ADR lacks) is
    no list: guessing letters out of it would count options nobody named.
    """
    labels = {o.upper(): o for o in options}
    named = [token for token in OPTION_SEPARATOR.split(value.strip()) if token]
    if any(token.upper() not in labels for token in named):
        return None
    return list(dict.fromkeys(labels[token.upper()] for token in named))


def parse_finding(line: str, where: str, options: Sequence[str] = ()) -> FindingMark | None:
    """A finding line as the user left it (None: not a finding line). An option list that is not one
    (see :func:`parse_options`; ``options`` are the ADR's labels) sets ``problem`` and counts no stance."""
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
    stated = False
    for field_match in FIELD.finditer(match.group("mid")):
        key, value = field_match.group("key").strip().lower(), field_match.group("value").strip()
        if key in ("supports", "weakens"):
            named = parse_options(value, options)
            if named is None:
                labels = ", ".join(options) or "none: the ADR lists no options"
                mark.problem = mark.problem or (
                    f"[{key}:: {plain_text(value)}] is not a list of option labels ({labels}; separated by "
                    f"commas or spaces), so finding {mark.id} counts for no option until it is"
                )
            setattr(mark, key, named or [])
            stated = True
        elif key == "note":
            mark.note = read_note(value)
        elif key == "suggests":
            mark.suggests_supports, mark.suggests_weakens = parse_suggestion(value)
    if status == "accepted" and not stated:  # one tick takes the judge's suggestion
        mark.supports, mark.weakens = list(mark.suggests_supports), list(mark.suggests_weakens)
    if mark.problem:
        mark.supports, mark.weakens = [], []
    return mark


STANCE = re.compile(r"([+-])\s*([A-Za-z0-9]+)")  # +B, -A: an option supported or weakened


def parse_stance(value: str) -> tuple[list[str], list[str]] | None:
    """``+B -A`` -> (["B"], ["A"]), or None when the text is anything else (nothing in it is dropped)."""
    if not re.fullmatch(rf"(?:\s*{STANCE.pattern})+\s*", value):
        return None
    return parse_suggestion(value)


def parse_suggestion(value: str) -> tuple[list[str], list[str]]:
    """``+B -A`` -> (["B"], ["A"]): the options a suggestion supports and weakens (as a note holds it)."""
    supports: list[str] = []
    weakens: list[str] = []
    for sign, option in STANCE.findall(value):
        target = supports if sign == "+" else weakens
        if option.upper() not in target:
            target.append(option.upper())
    return supports, weakens


def render_suggestion(supports: Sequence[str], weakens: Sequence[str]) -> str:
    """The marker beside a judged finding: ``[suggests:: +B -A]`` ("" when the judge took no stance)."""
    parts = [f"+{o}" for o in supports] + [f"-{o}" for o in weakens]
    return f"[suggests:: {' '.join(parts)}]" if parts else ""


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
            if problem := mx.weight_problem(settings.weight):
                raise EvaluationError(f"{where}: weight {problem}", hint="write a number from 0 to 100")
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
            if settings is None and SETTINGS_LINE.search(line):
                settings = parse_settings(line, options, f"{where}:{index + 1}")
                continue
            mark = parse_finding(line, f"{where}:{index + 1}", options)
            if mark is not None:
                mark.line = index
                marks.append(mark)
        result[name] = BlockState(settings, marks)
    return result


def _inside(lines: Sequence[str], spans: Mapping[str, tuple[int, int]], name: str) -> list[str]:
    if name not in spans:
        return []
    start, stop = spans[name]
    inside = [line.rstrip("\r\n") for line in lines[start + 1 : stop]]
    return [line for line in inside if line.strip() != NO_FINDINGS]


def edit_finding_line(
    line: str,
    *,
    status: Status | None = None,
    supports: Sequence[str] | None = None,
    weakens: Sequence[str] | None = None,
    note: str | None = None,
    take_suggestion: bool = False,
) -> str:
    """Change a finding line's box and fields, keeping everything else the user wrote on it.

    Whatever a caller passes, the line stays one line and its fields stay fields: a note is
    written inert (:func:`inert_note`), and an option that is not a label is refused.
    ``take_suggestion``: a judge's ``[suggests:: ...]`` becomes ``supports``/``weakens`` (unless they
    are given), and the marker goes."""
    match = FINDING_LINE.match(line)
    if not match:
        raise EvaluationError("not a finding line")
    box = BOX_FOR[status] if status else match.group("box")
    mid = match.group("mid")
    suggestion = re.search(r"\[suggests::([^\]]*)\]", mid, re.IGNORECASE)
    if take_suggestion and suggestion:
        if supports is None and weakens is None:
            supports, weakens = parse_suggestion(suggestion.group(1))
        mid = re.sub(r"\s?\[suggests::[^\]]*\]", "", mid, flags=re.IGNORECASE)
    for key, values in (("supports", supports), ("weakens", weakens), ("note", note)):
        if values is None:
            continue
        rendered = inert_note(values) if isinstance(values, str) else ", ".join(_labels(values))
        pattern = re.compile(rf"\s?\[{key}::[^\]]*\]", re.IGNORECASE)
        mid = pattern.sub("", mid)
        if rendered:
            mid = f"{mid} [{key}:: {rendered}]"
    return f"{match.group('lead')}{box}{mid} ^{match.group('id')}"


def _labels(values: Sequence[str]) -> list[str]:
    for value in values:
        if not re.fullmatch(r"[A-Za-z0-9]+", value):
            raise EvaluationError(
                f"'{plain_text(value)}' is not an option label", hint="options are labels like A, B, C"
            )
    return list(values)


_NOTE_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}


def inert_note(text: str) -> str:
    """A curation note as the value of ``[note:: ...]``: one line that cannot end its field, start another
    field, link, embed, or open a comment (``%%``, ``<!--``) that hides the rest of the note in Obsidian.

    Line breaks and control characters become spaces, brackets become parentheses, ``&``, ``<`` and ``>``
    become entities, and a zero-width space splits ``%%`` and ``::``. :func:`read_note` reads it back.
    """
    text = plain_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("[", "(").replace("]", ")")
    return re.sub(r"([%:])(?=\1)", "\\1\u200b", text)


def read_note(value: str) -> str:
    """What a ``[note:: ...]`` value says, as its reader sees it (the inverse of :func:`inert_note`)."""
    text = re.sub(r"&(?:amp|lt|gt);", lambda m: _NOTE_ENTITIES[m.group(0)], value)
    return re.sub(r"([%:])\u200b(?=\1)", "\\1", text).strip()


# -- what the note says, and merging new findings into it ---------------------------
def block_name(target: Target) -> str:
    return f"criterion-{target.id}" if target.kind == "criterion" else target.id


@dataclass
class NoteContent:
    """What the note says per target: its settings and its finding lines, in the note's order."""

    settings: dict[str, TargetSettings]
    marks: dict[str, list[FindingMark]]


def merge_findings(
    text: str | None,
    adr: Adr,
    targets: Sequence[Target],
    fresh: Mapping[str, Sequence[Finding]],
    *,
    known: set[str],
    weights: Mapping[str, float] | None = None,
    must_have: Sequence[str] = (),
    where: str = "note",
) -> tuple[str, NoteContent]:
    """The note with new findings appended to their blocks and weights / must-haves applied, and what it says.

    A finding is new when the note does not list it and it was never listed (``known``):
    a line the user deleted stays deleted. Lines already in a block are kept as they are;
    only a criterion's settings line is rewritten, and only when an option changes it.
    """
    options = [o.id for o in adr.options]
    states = read_blocks(text, options, where) if text else {}
    spans = blocks(text, where) if text else {}  # read once: a note with 10,000 criteria has 10,000 blocks
    note_lines = split_lines(text) if text else []
    content = NoteContent({}, {})
    bodies: dict[str, str] = {}
    for target in targets:
        name = block_name(target)
        state = states.get(name, BlockState(None, []))
        settings = state.settings or TargetSettings()
        lines = _inside(note_lines, spans, name)
        if target.kind == "criterion":
            if weights and target.id in weights:
                settings.weight = float(weights[target.id])
            if target.id in must_have:
                settings.must_have = True
            _put_settings_line(lines, render_settings(settings, options))
        listed = {m.id for m in state.findings}
        for finding in fresh.get(target.id, ()):
            if finding.id in listed and (finding.suggests_supports or finding.suggests_weakens or finding.note):
                _suggest_on_untouched_line(lines, state.findings, finding)
        additions = [f for f in fresh.get(target.id, ()) if f.id not in listed and f.id not in known]
        lines.extend(finding_line(f) for f in additions)
        bodies[name] = "\n".join(lines) if lines else NO_FINDINGS
        content.settings[target.id] = settings
        content.marks[target.id] = [*state.findings, *(_new_mark(f) for f in additions)]
    base = text if text is not None else render_skeleton(adr, targets)
    return replace_blocks(base, bodies, source=where), content


def relocate_marks(content: NoteContent, text: str) -> bool:
    """Point each mark at its line in ``text`` (the note as it is written, after its matrix block was redrawn);
    return whether any moved."""
    found: dict[str, int] = {}
    for index, line in enumerate(split_lines(text)):
        match = FINDING_LINE.match(line.rstrip("\r\n"))
        if match:
            found.setdefault(match.group("id"), index)
    moved = False
    for marks in content.marks.values():
        for mark in marks:
            now = found.get(mark.id, mark.line)
            moved |= now != mark.line
            mark.line = now
    return moved


def _new_mark(finding: Finding) -> FindingMark:
    """What the note says about a finding just added: pending, with a judge's suggestion and reason if any."""
    return FindingMark(
        finding.id,
        "pending",
        note=read_note(inert_note(finding.note)) if finding.note else "",
        suggests_supports=list(finding.suggests_supports),
        suggests_weakens=list(finding.suggests_weakens),
    )


_SCORE = re.compile(r" \(-?\d+\.\d\d\)(?= |$)")


def _suggest_on_untouched_line(lines: list[str], marks: Sequence[FindingMark], finding: Finding) -> None:
    """A judge's suggestion added to the finding's line, if that line is still as joeladr wrote it (pending,
    no fields, the same quote; the score may have moved): a line the user touched is never changed."""
    plain = finding_line(replace(finding, suggests_supports=[], suggests_weakens=[], note=""))
    for index, line in enumerate(lines):
        match = FINDING_LINE.match(line)
        if not match or match.group("id") != finding.id:
            continue
        if _SCORE.sub("", line) == _SCORE.sub("", plain):  # pending, no fields, the same words: untouched
            lines[index] = finding_line(finding)
            for mark in marks:
                if mark.id == finding.id:
                    mark.suggests_supports = list(finding.suggests_supports)
                    mark.suggests_weakens = list(finding.suggests_weakens)
                    mark.note = read_note(inert_note(finding.note))
        return


def _put_settings_line(lines: list[str], settings_line: str) -> None:
    for index, line in enumerate(lines):
        if SETTINGS_LINE.search(line):
            lines[index] = settings_line
            return
    lines.insert(0, settings_line)


def finish_note(text: str, evaluation: Evaluation, where: str = "note", charts: str = "") -> str:
    """The note with its matrix block, its charts block (``charts``: the embeds) and properties up to date."""
    bodies = {"matrix": render_matrix(evaluation), "charts": charts_block(evaluation.adr, charts)}
    text = replace_blocks(text, bodies, source=where, after={"charts": "matrix"})
    return merge_properties(text, note_properties(evaluation.adr), source=where)


def charts_block(adr: Adr, embeds: str) -> str:
    """The chart embeds, and how to redraw them after editing the note in Obsidian."""
    if not embeds:
        return ""
    return (
        f"{embeds}\n\n"
        f"*Drawn from this note by the last joeladr command; `joeladr report {adr.number_text}` redraws them "
        "after edits made here, and writes the whole decision as a page.*"
    )


# -- rendering ------------------------------------------------------------------------
def finding_line(finding: Finding) -> str:
    source = f"[[{finding.note_name}]]" if finding.note_name else escape_inline(finding.title)
    url = safe_url(finding.url)
    stamp = f"[{escape_inline(finding.at)}]({url})" if url else f"`{strip_controls(finding.at).replace('`', '')}`"
    quote = escape_inline(finding.text).replace("::", ":\u200b:")
    judged = [render_suggestion(finding.suggests_supports, finding.suggests_weakens)]
    if finding.note:
        judged.append(f"[note:: {inert_note(finding.note)}]")
    extra = "".join(f" {part}" for part in judged if part)
    return f"- [ ] {source} {stamp} “{quote}” ({finding.score:.2f}){extra} ^{finding.id}"


def render_matrix(evaluation: Evaluation) -> str:
    """The matrix as a Markdown table and a verdict (the note's matrix block; decide puts it in the ADR too)."""
    matrix = evaluation.matrix
    options = list(matrix.options)
    names = {t.id: t.name for t in evaluation.targets}
    header = "| Criterion | Weight | " + " | ".join(options) + " |"
    rule = "|---|---:|" + "---:|" * len(options)
    rows = []
    for criterion in matrix.criteria:
        must = " (must-have)" if criterion in matrix.must_have else ""
        cells = " | ".join(f"{matrix.score(criterion, o):+d}" for o in options)
        rows.append(f"| {escape_inline(names[criterion])}{must} | {matrix.weights.get(criterion, 1.0):g} | {cells} |")
    totals = " | ".join(("knocked out" if matrix.knocked_out(o) else f"**{matrix.total(o):g}**") for o in options)
    rows.append(f"| **Total** | | {totals} |")
    summary = mx.summary(matrix)
    lines = [header, rule, *rows, ""]
    if summary["winner"]:
        title = next((o.title for o in evaluation.adr.options if o.id == summary["winner"]), "")
        lines.append(
            f"> [!success] Winner: option {summary['winner']} ({escape_inline(title)}), margin {summary['margin']:.0%}"
        )
    else:
        leader = summary["leader"]
        lead = f" (option {leader} leads by {summary['margin']:.0%})" if leader else ""
        lines.append(f"> [!warning] No clear winner{lead}: accept findings and mark what they support or weaken")
    sens = summary["sensitivity"]
    if sens["weight"]:
        w = sens["weight"]
        lines.append(
            f"> Weight sensitivity: changing the weight of {escape_inline(names[w['criterion']])} by "
            f"{w['delta']:+.2f} (to {w['new_weight']:.2f}) unseats the winner."
        )
    elif summary["leader"]:
        lines.append("> Weight sensitivity: no single weight change (weights stay >= 0) unseats the leader.")
    if sens["score"]:
        s = sens["score"]
        lines.append(
            f"> Score sensitivity: option {s['option']} on {escape_inline(names[s['criterion']])} "
            f"moving {s['delta']:+d} (to {s['new_score']:+d}) unseats the winner."
        )
    return "\n".join(lines)


GUIDE = """> [!tip] How to curate
> Tick `[x]` to accept a finding or write `[-]` to reject it. Add `[supports:: B]` or `[weakens:: A]`
> to say which options it bears on, and `[note:: ...]` for your own words. A judge's `[suggests:: +B -A]`
> is taken when you tick the line (unless you write `supports`/`weakens` yourself). Each criterion's first line
> sets its weight, whether it is a must-have, and any score you set yourself (`auto` = from the
> accepted findings: +1 per support, -1 per weakening, within -2..+2). Run `joeladr evaluate` again:
> your lines are kept as you left them, new findings are added below them."""

_HEADINGS = {"pain-point": "Pain points", "counter": "Counter-arguments", "option": "Options"}


def render_skeleton(adr: Adr, targets: Sequence[Target]) -> str:
    parts = [
        f"# {adr.label} evaluation: {escape_inline(adr.title)}",
        "",
        block("guide", GUIDE),
        "",
        "## Matrix",
        "",
        block("matrix", ""),
        "",
        block("charts", ""),
        "",
    ]
    questions = {c.id: c.question for c in adr.criteria}
    current_kind = "criterion"
    for target in targets:
        if target.kind != current_kind:
            parts += [f"## {_HEADINGS[target.kind]}", ""]
            current_kind = target.kind
        level = "##" if target.kind == "criterion" else "###"
        parts += [f"{level} {escape_inline(target.name)}", ""]
        if target.kind == "criterion":
            parts += [f"> {escape_inline(questions.get(target.id, ''))}", ""]
        parts += [block(block_name(target), ""), ""]
    return "\n".join(parts)


def note_properties(adr: Adr) -> dict[str, Any]:
    return {
        "type": "evaluation",
        "adr": adr.number_text,
        "title": adr.title,
        "status": adr.status or "",
        "options": [f"{o.id}: {o.title}" for o in adr.options],
        "tags": ["joeladr/evaluation"],
        "updated": dt.date.today().isoformat(),
    }
