"""`joeladr decide`: the decision record, written into the ADR in its own style, the vault and the index.

Everything is computed first, as a list of file changes; ``--dry-run`` prints them as a
diff, otherwise :func:`joeladr.atomic.write_all` stages every file before renaming any,
so a failure leaves every file as it was. :func:`decide` plans and applies under the
workspace lock, so a second decision made at the same time sees the first; a plan applied
later (:meth:`DecisionPlan.apply`) is refused if any file it read has changed since.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from joeladr.adr.edit import AdrDocument, LinkTarget
from joeladr.adr.fields import is_open
from joeladr.adr.index import render_index
from joeladr.adr.model import Adr, Option
from joeladr.adr.naming import INDEX_NAMES
from joeladr.adr.parse import normalize_heading, read_adr
from joeladr.adr.repo import AdrRepository
from joeladr.adr.workflow import open_document, refuse_cycle
from joeladr.atomic import Snapshot, atomic_write_text, read_text, sweep_stale_temps, write_all
from joeladr.catalog import Catalog, SourceRecord
from joeladr.errors import AdrError, EvaluationError, InvalidRequest, UsageError, WriteConflict
from joeladr.evaluate import matrix as mx
from joeladr.evaluate.findings import Evaluation, Finding
from joeladr.evaluate.note import charts_block, render_matrix
from joeladr.evaluate.run import current_evaluation, note_path_for
from joeladr.locking import workspace_lock
from joeladr.report.vault import plan_charts, refresh_charts
from joeladr.report.view import ReportView, load_view
from joeladr.settings import Settings
from joeladr.vault.blocks import block, escape_inline, merge_properties, replace_blocks, safe_url

STATUSES = ("accepted", "rejected", "deprecated")


@dataclass
class FileChange:
    path: Path
    old: str | None
    new: str


@dataclass
class DecisionPlan:
    adr: Adr
    option: Option
    status: str
    reason: str
    evaluation: Evaluation
    changes: list[FileChange] = field(default_factory=list)
    settings: Settings | None = None
    view: ReportView | None = None  # what the vault charts draw; they are refreshed when the plan is applied
    root: Path | None = None  # the workspace: the diff names files relative to it, as git does
    basis: dict[Path, str | None] = field(default_factory=dict)  # read, not written: must not change before apply

    @property
    def changed(self) -> list[FileChange]:
        return [c for c in self.changes if c.old != c.new]

    def diff(self) -> str:
        parts: list[str] = []
        for change in self.changed:
            old = (change.old or "").splitlines(keepends=True)
            new = change.new.splitlines(keepends=True)
            label = _relative(change.path, self.root)
            parts.extend(
                difflib.unified_diff(
                    old, new, fromfile=f"a/{label}" if change.old is not None else "/dev/null", tofile=f"b/{label}"
                )
            )
        return "".join(parts)

    def apply(self) -> list[Path]:
        """Write every changed file (all or none), if nothing the plan read has changed since."""
        with workspace_lock(self.settings) if self.settings is not None else nullcontext():
            changed = self.changed
            read = {**self.basis, **{c.path: c.old for c in changed}}
            for path, text in read.items():  # before the charts: a plan gone stale changes nothing at all
                if not Snapshot.of_text(text).matches(path):
                    raise WriteConflict(
                        f"{path} changed after the decision was planned; nothing was written",
                        hint="run decide again",
                        path=path,
                    )
            if self.settings is not None and self.view is not None:
                refresh_charts(self.settings, self.view)  # before any file changes: a chart that fails stops here
            write_all({c.path: c.new for c in changed}, expected={c.path: c.old for c in changed})
            for change in self.changes:  # a killed run's temp files go even when nothing changes now
                sweep_stale_temps(change.path)
        return [c.path for c in changed]

    def to_json(self, *, written: Sequence[Path] | None = None) -> dict[str, object]:
        """The plan as data: the diff when nothing was written (a dry run), else the files written."""
        data: dict[str, object] = {
            "adr": self.adr.number_text,
            "title": self.adr.title,
            "status": self.status,
            "option": {"id": self.option.id, "title": self.option.title},
            "reason": self.reason,
            "winner": self.evaluation.matrix.clear_winner(),
            "files": [str(c.path) for c in self.changed],
        }
        if written is None:
            data |= {"dry_run": True, "diff": self.diff()}
        else:
            data |= {"dry_run": False, "written": [str(p) for p in written]}
        return data


def holds_decision(text: str) -> bool:
    """Whether a decision section records a choice: MADR's ``Chosen option: "X"``, or joeladr's own record.
    Template text (``Chosen option: "", because ...``, ``[option 1]``) and ``Pending.`` are no choice."""
    cleaned = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    chosen = re.search(r"chosen option\s*:?\**\s*(.*)", cleaned, re.IGNORECASE)
    if chosen is None:
        return False
    option = chosen.group(1).strip(" *\"'“”`")
    return bool(option) and not re.match(r"^(?:\[[^\]]*\]|\{[^}]*\}|,|because\b|\.\.\.|…)", option, re.IGNORECASE)


def _user_text(text: str) -> bool:
    """Text someone wrote in a decision section, as opposed to a template's placeholder."""
    cleaned = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL).strip().strip("*_ ")
    if not cleaned:
        return False
    placeholders = (
        r"^pending\b",
        r"^tbd\b",
        r"^to be decided\b",
        r"^not (?:yet )?decided\b",
        r"^chosen option: \"\", because",
        r"^chosen option: \"\[option 1\]\"",
        r"^the change that we're proposing or have agreed to implement\.?$",
        r"^\[.*\]$",
        r"^\{.*\}$",
    )
    return not any(re.search(p, cleaned, re.IGNORECASE | re.DOTALL) for p in placeholders)


def is_decided(adr: Adr) -> bool:
    """Decided: the status says so in any style (accepted, approved, rejected, superseded, Final, Living, ...),
    or the decision section records a choice."""
    return not is_open(adr.status) or holds_decision(adr.decision)


@dataclass(frozen=True)
class DecisionChoice:
    """What the decider chose: the option (default: the matrix's clear winner), why, the status it gives the
    ADR, an ADR it supersedes, whether it replaces an earlier decision, and who decided."""

    option: str | None = None
    reason: str | None = None
    status: str = "accepted"
    supersedes: str | None = None
    revise: bool = False
    deciders: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise InvalidRequest("status", f"must be one of {', '.join(STATUSES)}, not '{self.status}'")


def decide(
    settings: Settings, ref: str, choice: DecisionChoice, *, today: dt.date | None = None
) -> tuple[DecisionPlan, list[Path]]:
    """Plan and write a decision while holding the workspace lock (a second decision made at the same time
    sees this one)."""
    with workspace_lock(settings):
        plan = plan_decision(settings, ref, choice, today=today)
        return plan, plan.apply()


def plan_decision(
    settings: Settings, ref: str, choice: DecisionChoice | None = None, *, today: dt.date | None = None
) -> DecisionPlan:
    """Every file change the decision makes, computed from a consistent read of the workspace."""
    with workspace_lock(settings):
        return _plan(settings, ref, choice or DecisionChoice(), today or dt.date.today())


def _plan(settings: Settings, ref: str, choice: DecisionChoice, today: dt.date) -> DecisionPlan:
    repo = AdrRepository.of(settings)
    path = repo.find(ref)
    style = repo.style()
    document = open_document(repo, path, style=style)
    adr = document.parse()
    status, supersedes, revise = choice.status, choice.supersedes, choice.revise
    if not adr.options:
        raise EvaluationError(
            f"{adr.label} lists no options to choose from",
            hint="add an 'Options Under Consideration' or 'Considered Options' section",
        )
    note_path = note_path_for(settings, adr)
    basis = {note_path: read_text(note_path) if note_path.exists() else None}
    evaluation = current_evaluation(settings, adr, note=basis[note_path])  # scored on the text apply() checks
    summary = mx.summary(evaluation.matrix)
    chosen = _choose(adr, evaluation, summary, choice.option, choice.reason)
    reason = (choice.reason or "").strip() or _default_reason(evaluation, summary)
    date = today.isoformat()

    before = document.text
    madr = any(normalize_heading(t) == "decision outcome" for t in adr.section_titles)
    if status != adr.status:
        document.set_status(status)
    document.set_date(date, add=adr.date is not None or style.date_form is not None)
    catalog = Catalog(settings.home)
    sources = catalog.all()
    view = load_view(evaluation, catalog, sources)
    body = render_decision(adr, chosen, status, reason, evaluation, sources, madr=madr, bullet=style.bullet)
    old_decision = adr.decision
    document.replace_section("decision", body, title="Decision", after=("options", "context"))
    _tick_sources(settings, document, evaluation, sources)
    changes: list[FileChange] = []
    if supersedes:
        old_path = repo.find(supersedes)
        if old_path == path:
            raise UsageError("an ADR cannot supersede itself")
        old_doc = open_document(repo, old_path, style=style)
        old_adr = old_doc.parse()
        refuse_cycle(repo, old_adr.key, adr.key)
        old_doc.mark_superseded(adr)
        document.add_relation("supersedes", LinkTarget.of(old_adr))
        changes.append(FileChange(old_path, old_doc.original, old_doc.text))
    earlier = old_decision.strip() and old_decision.strip() != body.strip() and _user_text(old_decision)
    if document.text != before and is_decided(adr):
        if not revise:
            state = adr.status if not is_open(adr.status) else "decided (its decision section names a chosen option)"
            raise EvaluationError(
                f"{adr.label} is already {state}",
                hint="pass --revise to record a new decision (the earlier one stays visible as a dated update)",
            )
        quoted = "\n".join("> " + line if line.strip() else ">" for line in old_decision.splitlines())
        document.replace_section(
            f"Update ({date})",
            f"Decision revised on {date}: option {chosen.id} ({chosen.title}), status {status}. "
            f"The earlier decision read:\n\n{quoted}",
            title=f"Update ({date})",
            after=("decision",),
        )
    elif earlier:  # a proposal written in the decision section stays, under its own heading
        title = f"Proposal (as written before the decision of {date})"
        document.replace_section(title, old_decision.strip(), title=title, after=("decision",))
    changes.insert(0, FileChange(path, before, document.text))

    decided = document.parse()
    embeds = plan_charts(settings, view).embeds()
    changes.append(
        _decision_note(settings, decided, chosen, status, reason, date, evaluation, sources, choice.deciders, embeds)
    )
    if basis[note_path] is not None:  # the evaluation note says the ADR's status too: in the same write
        noted = merge_properties(basis[note_path] or "", {"status": status}, source=str(note_path))
        changes.append(FileChange(note_path, basis[note_path], noted))
    index = _index_change(repo, {c.path: c.new for c in changes if c.path.suffix == ".md"})
    if index is not None:
        changes.append(index)
    return DecisionPlan(decided, chosen, status, reason, evaluation, changes, settings, view, settings.root, basis)


def _relative(path: Path, root: Path | None) -> str:
    if root is not None and path.is_absolute() and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return str(path).lstrip("/")


def _choose(
    adr: Adr, evaluation: Evaluation, summary: dict[str, object], option: str | None, reason: str | None
) -> Option:
    winner = summary["winner"]
    if option:
        chosen = adr.option(option)
        if chosen is None:
            raise EvaluationError(
                f"{adr.label} has no option '{option}'",
                hint="options: " + ", ".join(f"{o.id} ({o.title})" for o in adr.options),
            )
        if chosen.id != winner and not (reason and reason.strip()):
            why = f"the matrix winner is {winner}" if winner else "the matrix has no clear winner"
            raise EvaluationError(f"option {chosen.id} needs a --reason: {why}")
        return chosen
    if not winner:
        leader = summary["leader"]
        lead = f" (option {leader} leads by {summary['margin']:.0%})" if leader else ""
        raise EvaluationError(
            f"{adr.label} has no clear winner{lead}",
            hint="choose with --option X --reason '...', or curate more findings",
        )
    chosen = adr.option(str(winner))
    assert chosen is not None
    return chosen


def _default_reason(evaluation: Evaluation, summary: dict[str, object]) -> str:
    ranking = evaluation.matrix.ranking()
    runner_up = ranking[1][0] if len(ranking) > 1 else None
    against = f" over option {runner_up}" if runner_up else ""
    return f"it leads the weighted decision matrix by a {summary['margin']:.0%} margin{against}"


def _cite(finding: Finding) -> str:
    """A quote for the ADR: the transcript's words, the source's name and the user's note made inert (they come
    from the web, a file name, or an agent)."""
    name = escape_inline(finding.note_name or finding.title)
    url = safe_url(finding.url)
    when = f"[{escape_inline(finding.at)}]({url})" if url else escape_inline(finding.at)
    stance = []
    if finding.supports:
        stance.append("supports " + ", ".join(finding.supports))
    if finding.weakens:
        stance.append("weakens " + ", ".join(finding.weakens))
    tail = f" ({'; '.join(stance)})" if stance else ""
    note = f" — {escape_inline(finding.note)}" if finding.note else ""
    return f"“{escape_inline(finding.text)}” — {name} at {when}{tail}{note}"


def inert_reason(reason: str) -> str:
    """A decision reason as the end of a sentence: text in every file it reaches (a heading, a ``Status:`` line
    or a marker in it stays words on the line), without its closing full stop."""
    return escape_inline(reason).rstrip(".")


def render_decision(
    adr: Adr,
    chosen: Option,
    status: str,
    reason: str,
    evaluation: Evaluation,
    sources: Sequence[SourceRecord],
    *,
    madr: bool,
    bullet: str | None = None,
) -> str:
    bullet = bullet or ("*" if madr else "-")
    lines: list[str] = []
    if status == "rejected":
        lines.append(
            f"**Rejected.** Option {chosen.id} ({chosen.title}) was the best candidate, and is not adopted, "
            f"because {inert_reason(reason)}."
        )
    elif madr:
        lines.append(f'Chosen option: "{chosen.id}: {chosen.title}", because {inert_reason(reason)}.')
    else:
        lines.append(f"**Chosen option: {chosen.id}, {chosen.title}**, because {inert_reason(reason)}.")
    if status == "deprecated":
        lines.append("")
        lines.append("This decision is deprecated.")
    sub = "###"
    good = [p if p.lower().startswith("good") else f"Good, because {p}" for p in chosen.pros]
    bad = [c if c.lower().startswith("bad") else f"Bad, because {c}" for c in chosen.cons]
    accepted = evaluation.accepted()
    good += [f"Good, because {_cite(f)}" for f in accepted if chosen.id in f.supports]
    bad += [f"Bad, because {_cite(f)}" for f in accepted if chosen.id in f.weakens]
    lines += ["", f"{sub} Consequences", ""]
    lines += [f"{bullet} {item}" for item in (good + bad)] or [f"{bullet} None recorded yet."]
    names = {t.id: t.name for t in evaluation.targets}
    lines += ["", f"{sub} Evidence", ""]
    if accepted:
        for target in evaluation.targets:
            mine = [f for f in accepted if f.target == target.id]
            if not mine:
                continue
            lines += [f"**{names[target.id]}**", ""]
            lines += [f"{bullet} {_cite(f)}" for f in sorted(mine, key=lambda f: (-f.score, f.start))]
            lines.append("")
        lines.pop()
    else:
        lines.append("No findings were accepted; the decision rests on the reason above.")
    if evaluation.matrix.criteria:
        matrix = render_matrix(evaluation).replace("> [!success] ", "> ").replace("> [!warning] ", "> ")
        lines += ["", f"{sub} Decision matrix", "", matrix]
    cited = sorted({escape_inline(f.note_name or f.title) for f in accepted})
    if cited:
        lines += ["", "Sources: " + ", ".join(cited) + "."]
    return "\n".join(lines)


def _tick_sources(
    settings: Settings, document: AdrDocument, evaluation: Evaluation, sources: Sequence[SourceRecord]
) -> None:
    """Tick the Source Material items that were ingested, name each one's vault note; add cited sources.

    The ADR is read where it lives (a repository, a code review), not in the vault: a source is linked by its
    web address, a vault note by its path relative to the ADR when both are in one tree, and otherwise named
    in plain text (never a wikilink that is dead outside the vault, nor a path of this machine)."""
    by_id = {r.source_id: r for r in sources}
    by_url = {r.url: r for r in sources if r.url}
    links = SourceLinks(settings, document.path)
    listed: set[str] = set()
    for item in document.parse().sources:  # line numbers as the file is now
        record = by_id.get(item.id) if item.kind == "youtube" else by_url.get(item.url)
        if record is None:
            continue
        listed.add(record.source_id)
        if item.done is not None:
            document.set_checkbox(item.line, True, f"— vault note: {links.note(record)}")
    cited = list(dict.fromkeys(f.source_id for f in evaluation.accepted() if f.source_id not in listed))
    items = []
    for source_id in cited:
        record = by_id.get(source_id)
        if record is None:
            items.append(f"- [x] Evidence: {escape_inline(source_id)} — cited in the decision")
            continue
        note = links.relative(record)
        also = f" (vault note: [{escape_inline(record.note_name)}]({note}))" if note else ""
        items.append(f"- [x] Evidence: {links.source(record)} — cited in the decision{also}")
    if items:
        document.append_items("sources", items, title="Source Material", after=("decision",))


@dataclass(frozen=True)
class SourceLinks:
    """How the ADR at ``adr_path`` names a source and its vault note: links that work where the ADR is read."""

    settings: Settings
    adr_path: Path

    def source(self, record: SourceRecord) -> str:
        """The source: its title linked to its web address, else its title and the file's name, as text."""
        title = escape_inline(record.title)
        url = safe_url(record.url)
        if url:
            return f"[{title}]({url})"
        if record.url:  # a local file: its name says which; its folder is this machine's alone
            return f"{title} (local file {escape_inline(Path(record.url).name)})"
        return title

    def note(self, record: SourceRecord) -> str:
        """The vault note: a link relative to the ADR when one tree holds both, else its name as text."""
        relative = self.relative(record)
        name = escape_inline(record.note_name)
        return f"[{name}]({relative})" if relative else name

    def relative(self, record: SourceRecord) -> str | None:
        """The note's path from the ADR's folder (percent-encoded for a Markdown link), when the note exists
        and lies in the ADR's tree: the git repository the ADR is in, else the workspace of joeladr.toml."""
        note = Path(os.path.abspath(self.settings.sources_dir / record.note))
        tree = self.tree
        if tree is None or not note.is_file() or not note.is_relative_to(tree):
            return None
        from urllib.parse import quote

        return quote(Path(os.path.relpath(note, self.adr_path.parent)).as_posix(), safe="/")

    @cached_property
    def tree(self) -> Path | None:
        folder = Path(os.path.abspath(self.adr_path.parent))
        for candidate in (folder, *folder.parents):
            if (candidate / ".git").exists():
                return candidate
        if self.settings.config_path is not None:
            root = Path(os.path.abspath(self.settings.root))
            return root if folder.is_relative_to(root) else None
        return None


def _decision_note(
    settings: Settings,
    adr: Adr,
    chosen: Option,
    status: str,
    reason: str,
    date: str,
    evaluation: Evaluation,
    sources: Sequence[SourceRecord],
    deciders: str | None,
    embeds: str = "",
) -> FileChange:
    path = decision_note_path(settings, adr)
    old = read_text(path) if path.exists() else None
    accepted = evaluation.accepted()
    used = sorted({f.note_name for f in accepted if f.note_name})
    body = "\n".join(
        [
            f"**{status.capitalize()}: option {chosen.id}, {escape_inline(chosen.title)}**, "
            f"because {inert_reason(reason)}.",
            "",
            f"- ADR: {escape_inline(adr.path.name)} ({adr.label}, {escape_inline(adr.title)})",
            f"- Evaluation: [[{adr.label} evaluation]]",
            "- Sources: " + (", ".join(f"[[{name}]]" for name in used) if used else "none cited"),
            "",
            render_matrix(evaluation) if evaluation.matrix.criteria else "No evaluation criteria.",
        ]
    )
    props = {
        "type": "decision",
        "adr": adr.number_text,
        "title": adr.title,
        "status": status,
        "chosen": f"{chosen.id}: {chosen.title}",
        "date": date,
        "deciders": [d.strip() for d in (deciders.split(",") if deciders else adr.deciders) if d.strip()],
        "sources": [f"[[{name}]]" for name in used],
        "evaluation": f"[[{adr.label} evaluation]]",
        "tags": ["joeladr/decision"],
    }
    charts = charts_block(adr, embeds)
    if old is None:
        text = (
            f"# {adr.label} decision: {chosen.title}\n\n{block('decision', body)}\n\n"
            f"{block('charts', charts)}\n\n## Notes\n\n"
        )
    else:
        text = replace_blocks(old, {"decision": body, "charts": charts}, source=str(path), after={"charts": "decision"})
    return FileChange(path, old, merge_properties(text, props, source=str(path)))


def decision_note_path(settings: Settings, adr: Adr) -> Path:
    return settings.decisions_dir / f"{adr.label} decision.md"


def refresh_decision_note_charts(settings: Settings, adr: Adr, embeds: str) -> bool:
    """Bring an existing decision note's charts block up to date (``report`` does; ``decide`` writes it whole)."""
    path = decision_note_path(settings, adr)
    with workspace_lock(settings):
        if not path.is_file():
            return False
        old = read_text(path)
        new = replace_blocks(old, {"charts": charts_block(adr, embeds)}, source=str(path), after={"charts": "decision"})
        if new == old:
            return False
        atomic_write_text(path, new, expected=Snapshot.of_text(old))
        return True


def _index_change(repo: AdrRepository, pending: dict[Path, str]) -> FileChange | None:
    """The index with the decision in it: an index that lists the ADRs (joeladr's table, adr-log's list), or a
    new README.md where the folder has neither README.md nor index.md. A prose README is left alone."""
    path = repo.index_file()
    if path is None:
        if any((repo.folder / name).exists() for name in INDEX_NAMES):
            return None
        path = repo.folder / INDEX_NAMES[0]
    adrs = []
    for entry in repo.entries():
        text = pending.get(entry.path)
        try:
            source = text if text is not None else read_text(entry.path)
            adrs.append(read_adr(repo.document(entry, source)))  # its key (a package/slug) as the folder knows it
        except Exception:  # an unreadable neighbour does not stop a decision; lint reports it
            continue
    old = read_text(path) if path.exists() else None  # index_file() found it listing ADRs, or it is new
    try:
        return FileChange(path, old, render_index(old, adrs, path))
    except AdrError:  # an index in a form joeladr does not write: left as it is
        return None
