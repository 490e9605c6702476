"""The workspace a request runs against: settings, the ADR folder, the catalog and the engines.

The write lock is not here: each core step that reads, modifies and writes takes it (``locking``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from joeladr.settings import Settings

if TYPE_CHECKING:
    from joeladr.adr.model import Adr
    from joeladr.adr.repo import AdrRepository
    from joeladr.catalog import Catalog
    from joeladr.engines import LazyEmbedder
    from joeladr.store import VectorStore

R = TypeVar("R", covariant=True)


class Engines(Protocol):
    """What a request needs of the engines: the query embedder and the store.

    :class:`joeladr.engines.OneRunEngines` opens them for one command (the CLI);
    :class:`joeladr.engines.ResidentEngines` keeps them between calls (``joeladr mcp``).
    """

    embedder: LazyEmbedder

    def store(self) -> AbstractContextManager[VectorStore]:
        """The store for the length of a block."""
        ...

    def store_on_demand(self) -> AbstractContextManager[Callable[[], VectorStore]]:
        """A function that opens the store on its first call, for the length of a block."""
        ...


class Progress(Protocol):
    def __call__(self, stage: str, completed: float, total: float | None) -> None: ...


class Request(Protocol[R]):
    """A command with its inputs, checked when it is made; ``run`` does what the command means."""

    def run(self, workspace: Workspace) -> R: ...


def _no_progress(stage: str, completed: float, total: float | None) -> None:
    pass


def _no_warning(message: str) -> None:
    pass


def _no_turns() -> AbstractContextManager[object]:
    return nullcontext()


@dataclass
class Workspace:
    """One workspace as a front end sees it, and how that front end hears about long work.

    ``base``: where relative paths in a request resolve (the current folder for the CLI, the
    workspace root for a server). ``progress`` hears long work by stage; ``warn`` hears what the
    user should know that is not an error. ``ingest_turn`` is held around each source an ingest
    works on: a server that runs ingests for several sessions passes a fair lock, so one long
    call does not keep the others waiting until it ends.
    """

    settings: Settings
    engines: Engines
    base: Path
    progress: Progress = _no_progress
    warn: Callable[[str], None] = field(default=_no_warning)
    ingest_turn: Callable[[], AbstractContextManager[object]] = field(default=_no_turns)

    @classmethod
    def for_command(
        cls,
        settings: Settings,
        *,
        progress: Progress | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> Workspace:
        """A workspace for one command in this process: engines opened on demand and closed with it."""
        from joeladr.engines import OneRunEngines

        return cls(settings, OneRunEngines(settings), Path.cwd(), progress or _no_progress, warn or _no_warning)

    def run(self, request: Request[R]) -> R:
        """Do what ``request`` asks (every front end calls this, and only this)."""
        return request.run(self)

    def repo(self) -> AdrRepository:
        """The ADR folder, its edits under the workspace lock."""
        from joeladr.adr.repo import AdrRepository

        return AdrRepository.of(self.settings)

    def adr(self, ref: str) -> Adr:
        return self.repo().get(ref)

    @property
    def catalog(self) -> Catalog:
        from joeladr.catalog import Catalog

        return Catalog(self.settings.home)
