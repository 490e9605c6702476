"""`joeladr evaluate`: retrieve findings, merge them into the user's evaluation note, score the options."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joeladr.adr.model import Adr
from joeladr.atomic import atomic_write_text, read_text
from joeladr.cache import read_entry, write_entry
from joeladr.embed import Embedder
from joeladr.errors import EvaluationError
from joeladr.evaluate import matrix as mx
from joeladr.evaluate.note import (
    BlockState,
    FindingMark,
    TargetSettings,
    block_lines,
    read_blocks,
    render_settings,
)
from joeladr.evaluate.retrieve import find_passages, trim_quotes
from joeladr.evaluate.targets import Target, targets_of
from joeladr.faults import checkpoint
from joeladr.ingest import list_sources
from joeladr.notes import block, escape_inline, merge_properties, replace_blocks
from joeladr.settings import Settings
from joeladr.store.base import VectorStore
from joeladr.vault import timestamp


@dataclass
class Finding:
    id: str
    target: str
    source_id: str
    title: str
    note_name: str | None
    url: str | None
    start: float
    end: float
    text: str
    score: float
    status: str = "pending"
    supports: list[str] = field(default_factory=list)
    weakens: list[str] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source_id": self.source_id,
            "title": self.title,
            "url": self.url,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 4),
            "status": self.status,
            "supports": self.supports,
            "weakens": self.weakens,
            "note": self.note,
        }


@dataclass
class Evaluation:
    adr: Adr
    note_path: Path
    targets: list[Target]
    findings: dict[str, list[Finding]]  # target id -> findings, best first
    settings: dict[str, TargetSettings]
    matrix: mx.Matrix
    new_findings: int = 0
    messages: list[str] = field(default_factory=list)

    def criteria(self) -> list[Target]:
        return [t for t in self.targets if t.kind == "criterion"]

    def to_json(self) -> dict[str, Any]:
        titles = {o.id: o.title for o in self.adr.options}
        summary = mx.summary(self.matrix, titles)

        def section(kind: str) -> list[dict[str, Any]]:
            return [
                {"id": t.id, "name": t.name, "findings": [f.to_json() for f in self.findings.get(t.id, [])]}
                for t in self.targets
                if t.kind == kind
            ]

        return {
            "adr": self.adr.number_text,
            "title": self.adr.title,
            "note": str(self.note_path),
            "criteria": [
                {
                    "id": t.id,
                    "name": t.name,
                    "question": next((c.question for c in self.adr.criteria if c.id == t.id), ""),
                    "weight": self.matrix.weights.get(t.id, 1.0),
                    "must_have": t.id in self.matrix.must_have,
                    "findings": [f.to_json() for f in self.findings.get(t.id, [])],
                    "scores": {o: self.matrix.score(t.id, o) for o in self.matrix.options},
                }
                for t in self.criteria()
            ],
            "pain_points": section("pain-point"),
            "counter_arguments": section("counter"),
            "option_findings": section("option"),
            **summary,
            "messages": self.messages,
        }


def note_path_for(settings: Settings, adr: Adr) -> Path:
    return settings.decisions_dir / f"{adr.label} evaluation.md"


def state_path_for(settings: Settings, adr: Adr) -> Path:
    return settings.home / "evaluations" / f"{adr.label}.json"


def evaluate(
    settings: Settings,
    adr: Adr,
    *,
    store: VectorStore | None,
    embedder: Embedder | None,
    top_k: int | None = None,
    min_score: float | None = None,
    source_ids: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    must_have: Sequence[str] = (),
    write: bool = True,
    require_criteria: bool = True,
) -> Evaluation:
    """Retrieve (when a store is given), merge into the note, score. Without a store: rescore the note only.
    With ``write=False`` nothing is written (``decide --dry-run``)."""
    if not adr.criteria and require_criteria:
        raise EvaluationError(
            f"{adr.label} has no evaluation criteria (an 'Evaluation Criteria' or 'Decision Drivers' list)",
            hint="add the criteria to the ADR, then run evaluate again",
        )
    targets = targets_of(adr)
    criterion_ids = {c.id for c in adr.criteria}
    for name in [*(weights or {}), *must_have]:
        if name not in criterion_ids:
            raise EvaluationError(
                f"{adr.label} has no criterion '{name}'", hint="criteria: " + ", ".join(c.id for c in adr.criteria)
            )
    options = [o.id for o in adr.options]
    note_path = note_path_for(settings, adr)
    state_path = state_path_for(settings, adr)
    state = read_entry(state_path) or {"findings": {}}
    stored: dict[str, dict[str, Any]] = state.get("findings", {})
    messages: list[str] = []

    fresh: dict[str, list[Finding]] = {}
    if store is not None and embedder is not None:
        if store.count() == 0:
            messages.append(
                "nothing has been ingested yet: run `joeladr ingest --adr "
                f"{adr.number_text}` (or ingest any talk), then evaluate again"
            )
        else:
            fresh = retrieve_all(
                settings,
                store,
                embedder,
                targets,
                top_k or settings.top_k,
                settings.min_score if min_score is None else min_score,
                source_ids,
            )
            checkpoint("retrieved")
    for target_findings in fresh.values():
        for finding in target_findings:
            stored[finding.id] = _finding_record(finding)

    for _attempt in range(3):
        existing_text = read_text(note_path) if note_path.exists() else None
        blocks_state = read_blocks(existing_text, options, str(note_path)) if existing_text else {}
        target_settings: dict[str, TargetSettings] = {}
        findings: dict[str, list[Finding]] = {}
        new_count = 0
        bodies: dict[str, str] = {}
        previous_known = set(state.get("known", []))
        for target in targets:
            name = block_name(target)
            current = blocks_state.get(name, BlockState(None, []))
            ts = current.settings or TargetSettings()
            if target.kind == "criterion":
                if weights and target.id in weights:
                    ts.weight = float(weights[target.id])
                if target.id in must_have:
                    ts.must_have = True
            target_settings[target.id] = ts
            marks = {m.id: m for m in current.findings}
            lines = _block_lines(existing_text, name) if existing_text else []
            if target.kind == "criterion":
                settings_line = render_settings(ts, options)
                replaced = False
                for index, line in enumerate(lines):
                    if "[weight::" in line:
                        lines[index] = settings_line
                        replaced = True
                        break
                if not replaced:
                    lines.insert(0, settings_line)
            additions = [f for f in fresh.get(target.id, []) if f.id not in marks and f.id not in previous_known]
            for finding in additions:
                lines.append(finding_line(finding))
                new_count += 1
            bodies[name] = "\n".join(lines) if lines else "_No findings yet._"
            listed = [*marks.values(), *(FindingMark(f.id, "pending") for f in additions)]
            findings[target.id] = _findings_for(target, listed, stored)

        scores = {
            t.id: derived_scores(findings.get(t.id, []), target_settings[t.id], options)
            for t in targets
            if t.kind == "criterion"
        }
        matrix = mx.build(
            options,
            [t.id for t in targets if t.kind == "criterion"],
            {t.id: target_settings[t.id].weight for t in targets if t.kind == "criterion"},
            scores,
            [t.id for t in targets if t.kind == "criterion" and target_settings[t.id].must_have],
        )
        evaluation = Evaluation(adr, note_path, targets, findings, target_settings, matrix, new_count, messages)
        bodies["matrix"] = render_matrix(evaluation)
        text = existing_text if existing_text is not None else render_skeleton(adr, targets)
        text = replace_blocks(text, bodies, source=str(note_path))
        text = merge_properties(text, _properties(adr), source=str(note_path))
        if not write:
            return evaluation
        if text == existing_text:
            break
        checkpoint("merged")
        if (read_text(note_path) if note_path.exists() else None) != existing_text:
            continue  # the user saved the note meanwhile: merge again, from their version
        atomic_write_text(note_path, text)
        break
    else:
        raise EvaluationError(
            f"{note_path.name} kept changing while evaluate ran", hint="save your edits, then run evaluate again"
        )
    all_ids = previous_known | {f.id for fs in findings.values() for f in fs}
    new_state = {"findings": stored, "known": sorted(all_ids)}
    if new_state != state:
        write_entry(state_path, new_state)
    return evaluation


def block_name(target: Target) -> str:
    return f"criterion-{target.id}" if target.kind == "criterion" else target.id


def _block_lines(text: str, name: str) -> list[str]:
    lines = block_lines(text, name)
    return [line for line in lines if line.strip() != "_No findings yet._"]


def _finding_record(finding: Finding) -> dict[str, Any]:
    return {
        "target": finding.target,
        "source_id": finding.source_id,
        "title": finding.title,
        "note_name": finding.note_name,
        "url": finding.url,
        "start": finding.start,
        "end": finding.end,
        "text": finding.text,
        "score": finding.score,
    }


def _findings_for(target: Target, marks: list[FindingMark], stored: Mapping[str, Mapping[str, Any]]) -> list[Finding]:
    found = []
    for mark in marks:
        record = stored.get(mark.id)
        if record is None:
            continue  # a line the user copied from elsewhere: nothing known about it
        found.append(
            Finding(
                id=mark.id,
                target=target.id,
                source_id=record["source_id"],
                title=record["title"],
                note_name=record.get("note_name"),
                url=record.get("url"),
                start=record["start"],
                end=record["end"],
                text=record["text"],
                score=record["score"],
                status=mark.status,
                supports=mark.supports,
                weakens=mark.weakens,
                note=mark.note,
            )
        )
    return sorted(found, key=lambda f: (-f.score, f.source_id, f.start))


def derived_scores(findings: Sequence[Finding], settings: TargetSettings, options: Sequence[str]) -> dict[str, int]:
    scores = {}
    for option in options:
        if option in settings.scores:
            scores[option] = settings.scores[option]
            continue
        accepted = [f for f in findings if f.status == "accepted"]
        scores[option] = mx.derive_score(
            sum(option in f.supports for f in accepted), sum(option in f.weakens for f in accepted)
        )
    return scores


def retrieve_all(
    settings: Settings,
    store: VectorStore,
    embedder: Embedder,
    targets: Sequence[Target],
    top_k: int,
    min_score: float,
    source_ids: Sequence[str] | None,
) -> dict[str, list[Finding]]:
    notes = {r["source_id"]: Path(r["note"]).stem for r in list_sources(settings) if r.get("note")}
    vectors = embedder.embed([t.query for t in targets])
    chosen = {
        target.id: find_passages(store, vector, target.query, limit=top_k, min_score=min_score, source_ids=source_ids)
        for target, vector in zip(targets, vectors, strict=True)
    }
    items = [(p, vector) for target, vector in zip(targets, vectors, strict=True) for p in chosen[target.id]]
    quotes = iter(trim_quotes(items, embedder))
    return {
        target.id: [
            Finding(
                id=p.finding_id(target.id),
                target=target.id,
                source_id=p.source_id,
                title=p.title,
                note_name=notes.get(p.source_id),
                url=p.link,
                start=p.start,
                end=p.end,
                text=next(quotes),
                score=p.score,
            )
            for p in chosen[target.id]
        ]
        for target in targets
    }


def finding_line(finding: Finding) -> str:
    source = f"[[{finding.note_name}]]" if finding.note_name else escape_inline(finding.title)
    stamp = f"[{timestamp(finding.start)}]({finding.url})" if finding.url else f"`{timestamp(finding.start)}`"
    quote = escape_inline(finding.text).replace("::", ":\u200b:")
    return f"- [ ] {source} {stamp} “{quote}” ({finding.score:.2f}) ^{finding.id}"


def render_matrix(evaluation: Evaluation) -> str:
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
> to say which options it bears on, and `[note:: ...]` for your own words. Each criterion's first line
> sets its weight, whether it is a must-have, and any score you set yourself (`auto` = from the
> accepted findings: +1 per support, -1 per weakening, within -2..+2). Run `joeladr evaluate` again:
> your lines are kept as you left them, new findings are added below them."""


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
    ]
    questions = {c.id: c.question for c in adr.criteria}
    headings = {"pain-point": "Pain points", "counter": "Counter-arguments", "option": "Options"}
    current_kind = "criterion"
    for target in targets:
        if target.kind != current_kind:
            parts += [f"## {headings[target.kind]}", ""]
            current_kind = target.kind
        level = "##" if target.kind == "criterion" else "###"
        parts += [f"{level} {escape_inline(target.name)}", ""]
        if target.kind == "criterion":
            parts += [f"> {escape_inline(questions.get(target.id, ''))}", ""]
        parts += [block(block_name(target), ""), ""]
    return "\n".join(parts)


def _properties(adr: Adr) -> dict[str, Any]:
    return {
        "type": "evaluation",
        "adr": adr.number_text,
        "title": adr.title,
        "status": adr.status or "",
        "options": [f"{o.id}: {o.title}" for o in adr.options],
        "tags": ["joeladr/evaluation"],
        "updated": dt.date.today().isoformat(),
    }
