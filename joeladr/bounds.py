"""The folders a session may read and write, for front ends driven by someone else (an agent).

The CLI runs with no bounds: the user names whatever file they like. ``joeladr mcp`` calls
:func:`confine` once at start; from then on every text file joeladr reads or writes
(:mod:`joeladr.atomic`) and every local media file given to ingest must resolve (symlinks
followed) inside the workspace: the ADR folder, the vault and the cache, plus the folder of
``joeladr.toml`` when there is one. ``../``, absolute paths elsewhere and symlinks that lead
out are refused with :class:`~joeladr.errors.OutsideWorkspace`.

Whatever the front end, a file joeladr writes that is itself a symlink is written where it
leads only when that is inside the workspace being written (:func:`link_folders`): the one
whose lock this thread holds (:func:`enter_writing`), else the folder of the link.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from joeladr.errors import OutsideWorkspace

if TYPE_CHECKING:
    from joeladr.settings import Settings


@dataclass(frozen=True)
class Bounds:
    folders: tuple[Path, ...]  # as configured (absolute)

    @classmethod
    def of(cls, settings: Settings) -> Bounds:
        folders = [settings.adr_dir, settings.vault, settings.home]
        if settings.config_path is not None:  # a real workspace; a bare current folder (say ~) is not one
            folders.insert(0, settings.root)
        return cls(tuple(Path(os.path.abspath(f)) for f in folders))

    @property
    def roots(self) -> tuple[Path, ...]:
        """The folders with their own symlinks resolved (the user chose those)."""
        return tuple(Path(os.path.realpath(f)) for f in self.folders)

    def contains(self, path: Path) -> bool:
        return _within(Path(os.path.realpath(path)), self.roots)

    def check(self, path: Path) -> Path:
        """``path`` itself when it stays inside; else :class:`OutsideWorkspace`."""
        if not self.contains(path):
            named_inside = _within(Path(os.path.abspath(path)), self.folders + self.roots)
            why = " (a symlink leads out of it)" if named_inside else ""
            raise OutsideWorkspace(
                f"{path} is outside the workspace{why}",
                hint="only the ADR folder, the vault and the cache can be read or written: "
                + ", ".join(str(f) for f in self.folders),
            )
        return path


def _within(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


_active: Bounds | None = None


def confine(bounds: Bounds | None) -> None:
    """From now on (for this process), refuse paths outside ``bounds``; ``None`` lifts the bounds."""
    global _active
    _active = bounds


def check(path: Path) -> Path:
    """``path`` when no bounds are set or it is inside them; else :class:`OutsideWorkspace`."""
    return path if _active is None else _active.check(path)


_writing = threading.local()


def enter_writing(workspace: Bounds) -> None:
    """This thread now writes ``workspace`` (it took the workspace's lock): a symlinked ADR or note may lead into
    its folders and still be edited in place, until :func:`leave_writing`."""
    _writing.__dict__.setdefault("stack", []).append(workspace)


def leave_writing() -> None:
    stack: list[Bounds] = _writing.__dict__.get("stack", [])
    if stack:
        stack.pop()


def link_folders(link: Path) -> Bounds:
    """Where a symlink that joeladr writes through may lead: the confinement when one is set, else the workspace
    this thread is writing, else the link's own folder (a write outside any workspace follows no link out)."""
    stack: list[Bounds] = _writing.__dict__.get("stack", [])
    if _active is not None:
        return _active
    if stack:
        return stack[-1]
    return Bounds((Path(os.path.abspath(Path(link).parent)),))
