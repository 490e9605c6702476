"""ADR commands: new, list, show, status, supersede, link, index, graph, lint."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joeladr.app import checks
from joeladr.app.workspace import Workspace
from joeladr.errors import InvalidRequest

if TYPE_CHECKING:
    from joeladr.adr.lint import LintIssue
    from joeladr.adr.model import Adr
    from joeladr.adr.repo import LoadFailure

GRAPH_FORMATS = ("mermaid", "dot")


@dataclass(frozen=True)
class Created:
    path: Path
    adr: Adr

    def to_json(self) -> dict[str, Any]:
        return self.adr.summary()


@dataclass(frozen=True)
class NewAdr:
    """``adr new``: the next-numbered ADR in the folder's own style.

    ``template`` overrides the folder's family; without one the folder's own template file or
    style decides, and an empty folder takes the workspace's ``[adr] template`` setting.
    """

    title: str
    template: str | None = None
    status: str | None = None
    deciders: str | None = None
    package: str | None = None  # a log4brains package's name (.log4brains.yml packages)

    def __post_init__(self) -> None:
        from joeladr.adr.templates import TEMPLATES

        if self.template is not None:
            object.__setattr__(self, "template", checks.choice("template", self.template.strip().lower(), [*TEMPLATES]))

    def run(self, workspace: Workspace) -> Created:
        repo = workspace.repo()
        path = repo.create(
            self.title,
            self.template,
            status=self.status,
            deciders=self.deciders,
            fallback_template=workspace.settings.adr_template,
            package=self.package,
        )
        return Created(path, repo.load(path))


@dataclass(frozen=True)
class Listed:
    adrs: list[Adr]
    skipped: list[LoadFailure]

    def to_json(self) -> list[dict[str, Any]]:
        return [a.summary() for a in self.adrs]


@dataclass(frozen=True)
class ListAdrs:
    """``adr list``: the ADRs, optionally of one (normalized) status and one tag, and the files it skipped."""

    status: str | None = None
    tag: str | None = None

    def run(self, workspace: Workspace) -> Listed:
        adrs, failures = workspace.repo().select(self.status, self.tag)
        return Listed(adrs, failures)


@dataclass(frozen=True)
class ShowAdr:
    """``adr show``: one ADR's structure."""

    adr: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "adr", checks.adr_ref(self.adr))

    def run(self, workspace: Workspace) -> Adr:
        return workspace.adr(self.adr)


@dataclass(frozen=True)
class Edited:
    """Files an ADR command wrote (or would have, had they not been as asked already)."""

    paths: list[Path]
    changed: bool
    status: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"files": [str(p) for p in self.paths], "changed": self.changed}
        if self.status is not None:
            data["status"] = self.status
        return data


@dataclass(frozen=True)
class SetStatus:
    """``adr status``: the status where and how the file writes it."""

    adr: str
    status: str
    custom: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "adr", checks.adr_ref(self.adr))
        if not self.status.strip():
            raise InvalidRequest("status", "is empty")

    def run(self, workspace: Workspace) -> Edited:
        from joeladr.adr.workflow import normal_status, set_status

        path, changed = set_status(workspace.repo(), self.adr, self.status, allow_custom=self.custom)
        return Edited([path], changed, normal_status(self.status))


@dataclass(frozen=True)
class Supersede:
    """``adr supersede``: OLD is superseded by NEW, written in both files."""

    old: str
    new: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "old", checks.adr_ref(self.old, "old"))
        object.__setattr__(self, "new", checks.adr_ref(self.new, "new"))

    def run(self, workspace: Workspace) -> Edited:
        from joeladr.adr.workflow import supersede

        paths = supersede(workspace.repo(), self.old, self.new)
        return Edited(paths, bool(paths))


@dataclass(frozen=True)
class Link:
    """``adr link``: two ADRs recorded as related, in both files."""

    a: str
    b: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "a", checks.adr_ref(self.a, "a"))
        object.__setattr__(self, "b", checks.adr_ref(self.b, "b"))

    def run(self, workspace: Workspace) -> Edited:
        from joeladr.adr.workflow import link

        paths = link(workspace.repo(), self.a, self.b)
        return Edited(paths, bool(paths))


@dataclass(frozen=True)
class WriteIndex:
    """``adr index``: the folder's index, the text around its list kept."""

    def run(self, workspace: Workspace) -> Edited:
        from joeladr.adr.workflow import update_index

        path, changed = update_index(workspace.repo())
        return Edited([path], changed)


@dataclass(frozen=True)
class DrawGraph:
    """``adr graph``: supersession and relations as Mermaid or Graphviz DOT text."""

    format: str = "mermaid"
    mentions: bool = False

    def __post_init__(self) -> None:
        checks.choice("format", self.format, GRAPH_FORMATS)

    def run(self, workspace: Workspace) -> str:
        from joeladr.adr.graph import to_dot, to_mermaid

        adrs, _ = workspace.repo().load_all()
        return (to_mermaid if self.format == "mermaid" else to_dot)(adrs, self.mentions)


@dataclass(frozen=True)
class Linted:
    issues: list[LintIssue] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(i.severity == "error" for i in self.issues)

    def to_json(self) -> dict[str, Any]:
        return {
            "issues": [i.to_json() for i in self.issues],
            "errors": self.errors,
            "warnings": len(self.issues) - self.errors,
        }


@dataclass(frozen=True)
class LintAdrs:
    """``adr lint``: numbering, the index, statuses, supersession and links."""

    def run(self, workspace: Workspace) -> Linted:
        from joeladr.adr.lint import lint

        return Linted(lint(workspace.repo()))
