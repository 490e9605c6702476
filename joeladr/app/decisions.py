"""Decision commands: evaluate, finding (curation), decide, report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joeladr.app import checks
from joeladr.app.evidence import known_sources
from joeladr.app.workspace import Workspace
from joeladr.errors import InvalidRequest

if TYPE_CHECKING:
    from joeladr.decide import DecisionChoice, DecisionPlan
    from joeladr.evaluate.findings import Evaluation
    from joeladr.evaluate.judge import Judge, Packet
    from joeladr.report.vault import NoteCharts

CURATION = ("accepted", "rejected", "pending")


def _charts(workspace: Workspace) -> NoteCharts:
    from joeladr.report.vault import NoteCharts

    return NoteCharts(workspace.settings, workspace.warn)


def _judge(workspace: Workspace, model: str | None) -> Judge | None:
    """The judge stage ``model`` names (else the ``[evaluate] judge`` setting; "off": none), its steps told to
    the workspace's progress as the stage ``judge``. An unknown model fails here, before any retrieval."""
    from joeladr.evaluate.judge import Judge, JudgeProgress

    def tell(step: JudgeProgress) -> None:
        if step.state != "asking":  # one report per target, once it is decided
            workspace.progress("judge", step.done, step.total)

    return Judge.of(workspace.settings, model, progress=tell)


@dataclass(frozen=True)
class Evaluate:
    """``evaluate``: findings for every criterion, pain point, counter-argument and option of the ADR, merged
    into the evaluation note (the user's curation there kept), scored as a Pugh matrix."""

    adr: str
    top_k: int | None = None
    min_score: float | None = None
    source_ids: tuple[str, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)
    must_have: tuple[str, ...] = ()
    judge: str | None = None  # an `llm` model (id or alias) that judges the candidates; "off": none; None: settings

    def __post_init__(self) -> None:
        object.__setattr__(self, "adr", checks.adr_ref(self.adr))
        if self.top_k is not None:
            checks.whole_number("top_k", self.top_k, *checks.TOP_K)
        if self.min_score is not None:
            object.__setattr__(self, "min_score", checks.fraction("min_score", self.min_score, *checks.MIN_SCORE))
        object.__setattr__(self, "source_ids", checks.names(self.source_ids))
        object.__setattr__(self, "weights", checks.weights(self.weights))
        object.__setattr__(self, "must_have", checks.names(self.must_have))
        if self.judge is not None:
            object.__setattr__(self, "judge", checks.name("judge", self.judge))

    def run(self, workspace: Workspace) -> Evaluation:
        from joeladr.evaluate.run import check_criteria_names, evaluate

        adr = workspace.adr(self.adr)
        check_criteria_names(adr, [*self.weights, *self.must_have])
        known_sources(workspace, self.source_ids)
        judge = _judge(workspace, self.judge)
        with workspace.engines.store() as store:
            return evaluate(
                workspace.settings,
                adr,
                store,
                workspace.engines.embedder,
                top_k=self.top_k,
                min_score=self.min_score,
                source_ids=self.source_ids,
                weights=self.weights,
                must_have=self.must_have,
                charts=_charts(workspace),
                judge=judge or False,
            )


@dataclass(frozen=True)
class Candidates:
    """``candidates``: what a judge reads for one target of the ADR (its packet: the ADR's title and context,
    the target and its question, the options, the numbered candidate passages, no scores). Writes nothing."""

    adr: str
    target: str
    candidates: int | None = None  # passages in the packet (default: ``[evaluate] judge_candidates``)
    source_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "adr", checks.adr_ref(self.adr))
        object.__setattr__(self, "target", checks.name("target", self.target))
        if self.candidates is not None:
            checks.whole_number("candidates", self.candidates, *checks.JUDGE_CANDIDATES)
        object.__setattr__(self, "source_ids", checks.names(self.source_ids))

    def run(self, workspace: Workspace) -> Packet:
        from joeladr.evaluate.candidates import evidence_candidates

        adr = workspace.adr(self.adr)
        known_sources(workspace, self.source_ids)
        with workspace.engines.store() as store:
            return evidence_candidates(
                workspace.settings,
                adr,
                store,
                workspace.engines.embedder,
                self.target,
                candidates=self.candidates,
                source_ids=self.source_ids,
            )


@dataclass(frozen=True)
class SubmitPicks:
    """``picks``: a judge's picks among the candidates of ``packet`` (best first; none: nothing to cite),
    checked as a model's answer is and written to the evaluation note as pending suggestions for the human."""

    packet: Candidates  # the packet judged: the same ADR, target, candidates and sources
    picks: tuple[Mapping[str, Any], ...]  # {"candidate": 3, "supports": ["B"], "weakens": [], "why": "..."}
    packet_id: str | None = None  # the packet they were judged from: refused if the candidates changed since

    def __post_init__(self) -> None:
        if self.packet_id is not None:
            object.__setattr__(self, "packet_id", checks.name("packet_id", self.packet_id))
        for position, pick in enumerate(self.picks, start=1):
            if not isinstance(pick, Mapping):
                raise InvalidRequest("picks", f"item {position} must be an object such as {{'candidate': 3}}")
        object.__setattr__(self, "picks", tuple(dict(pick) for pick in self.picks))

    def run(self, workspace: Workspace) -> Evaluation:
        from joeladr.evaluate.candidates import submit_picks

        packet = self.packet
        adr = workspace.adr(packet.adr)
        known_sources(workspace, packet.source_ids)
        with workspace.engines.store() as store:  # update_note holds the workspace lock
            return submit_picks(
                workspace.settings,
                adr,
                store,
                workspace.engines.embedder,
                packet.target,
                self.picks,
                packet_id=self.packet_id,
                candidates=packet.candidates,
                source_ids=packet.source_ids,
                charts=_charts(workspace),
            )


@dataclass(frozen=True)
class Curate:
    """``finding``: accept, reject or undecide one finding, say which options it supports or weakens, note it.
    The same edit a user makes on the finding's line in the evaluation note; the matrix is rescored."""

    adr: str
    finding_id: str
    status: str | None = None
    supports: tuple[str, ...] | None = None
    weakens: tuple[str, ...] | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        from joeladr.evaluate.curate import FINDING_ID

        object.__setattr__(self, "adr", checks.adr_ref(self.adr))
        if not FINDING_ID.fullmatch(self.finding_id):
            raise InvalidRequest(
                "finding_id",
                f"must be a finding id such as f-1a2b3c4d, not '{self.finding_id}'",
                hint="evaluate lists the findings with their ids",
            )
        if self.status is not None:
            checks.choice("status", self.status, CURATION)
        object.__setattr__(self, "supports", checks.option_ids(self.supports))
        object.__setattr__(self, "weakens", checks.option_ids(self.weakens))
        object.__setattr__(self, "note", checks.one_line("note", self.note))

    def run(self, workspace: Workspace) -> Evaluation:
        from joeladr.evaluate.curate import curate

        return curate(
            workspace.settings,
            workspace.adr(self.adr),
            self.finding_id,
            status=self.status,  # type: ignore[arg-type]  # checked against CURATION
            supports=self.supports,
            weakens=self.weakens,
            note=self.note,
            charts=_charts(workspace),
        )


@dataclass(frozen=True)
class Decided:
    plan: DecisionPlan
    written: list[Path] | None  # None: a dry run

    def to_json(self) -> dict[str, object]:
        return self.plan.to_json(written=self.written)


@dataclass(frozen=True)
class Decide:
    """``decide``: the decision record in the ADR (its own style), a decision note, the index.

    A dry run plans under the workspace lock and writes nothing; otherwise planning and writing
    happen under one hold of the lock, so a second decision made at the same time sees this one.
    """

    adr: str
    choice: DecisionChoice
    dry_run: bool = False

    def __post_init__(self) -> None:
        from dataclasses import replace

        object.__setattr__(self, "adr", checks.adr_ref(self.adr))
        object.__setattr__(
            self,
            "choice",
            replace(
                self.choice,
                reason=checks.one_line("reason", self.choice.reason),
                supersedes=checks.adr_ref(self.choice.supersedes, "supersedes") if self.choice.supersedes else None,
            ),
        )

    def run(self, workspace: Workspace) -> Decided:
        from joeladr.decide import decide, plan_decision

        if self.dry_run:
            return Decided(plan_decision(workspace.settings, self.adr, self.choice), None)
        plan, written = decide(workspace.settings, self.adr, self.choice)
        return Decided(plan, written)


@dataclass
class Reported:
    """What ``report`` wrote: the page, whether it changed, and the vault's chart files."""

    path: Path
    changed: bool
    charts: list[Path] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"report": str(self.path), "changed": self.changed, "charts": [str(p) for p in self.charts]}


@dataclass(frozen=True)
class Report:
    """``report``: bring the evaluation note and the vault charts up to date, then write the page.

    ``out``: a file or a folder (default: beside the notes); an existing file that joeladr did not
    write is replaced only with ``force``, and never an ADR or a note.
    """

    adr: str
    out: Path | None = None
    force: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "adr", checks.adr_ref(self.adr))

    def run(self, workspace: Workspace) -> Reported:
        from joeladr.decide import refresh_decision_note_charts
        from joeladr.errors import ReportError
        from joeladr.evaluate.run import note_path_for, update_note
        from joeladr.report.page import page_target, render_page, report_path_for, write_page
        from joeladr.report.vault import chart_path, plan_charts, refresh_charts

        settings = workspace.settings
        adr = workspace.adr(self.adr)
        if not note_path_for(settings, adr).exists():
            raise ReportError(
                f"{adr.label} has not been evaluated yet: there is no evaluation to show",
                hint=f"run `joeladr evaluate {adr.number_text}` first",
            )
        out = self.out if self.out is None or self.out.is_absolute() else workspace.base / self.out
        path = page_target(settings, out, report_path_for(settings, adr), force=self.force)
        hook = _charts(workspace)
        evaluation = update_note(settings, adr, charts=hook)  # the note's matrix and charts, after edits in Obsidian
        view = hook.view(evaluation)
        charts = refresh_charts(settings, view)
        refresh_decision_note_charts(settings, adr, plan_charts(settings, view).embeds())
        changed = write_page(path, render_page(view, charts))
        return Reported(path, changed, [chart_path(settings, view.label, name) for name in charts])
