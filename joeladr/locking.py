"""One writer at a time per workspace: a real cross-process lock around every read-modify-write.

``with workspace_lock(settings):`` wraps the read-modify-write of the evaluation note, the
ADRs, the index and the source notes (in the core, so the CLI and a long-lived server share
it). It is an ``fcntl.flock`` on a file, so the kernel releases it when the holder exits or is
killed. A second process waits up to ``lock_wait`` seconds, then fails naming the holder's
pid and command (written into the lock file). Within one process the lock is re-entrant for
the thread that holds it, and other threads wait their turn.

The lock file lives in the system temp folder (``joeladr-<uid>/``, private to the user), named
by the workspace's cache folder: it never adds a file to the user's folders, and works when
the cache cannot be written.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from joeladr import bounds
from joeladr.errors import WorkspaceLockedError

if TYPE_CHECKING:
    from joeladr.bounds import Bounds
    from joeladr.settings import Settings

POLL_SECONDS = 0.05


@dataclass
class _Held:
    """This process's hold on one lock file: the open descriptor, the owning thread, and the depth."""

    guard: threading.RLock
    fd: int = -1
    depth: int = 0


_registry: dict[str, _Held] = {}
_registry_guard = threading.Lock()


def lock_folder() -> Path:
    """``<temp>/joeladr-<uid>``: created private to this user; refused if someone else owns it."""
    folder = Path(tempfile.gettempdir()) / f"joeladr-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError as exc:
        raise WorkspaceLockedError(f"cannot create the lock folder {folder}: {exc.strerror or exc}") from exc
    if not os.path.isdir(folder) or os.path.islink(folder) or info.st_uid != os.getuid():
        raise WorkspaceLockedError(f"the lock folder {folder} is not a folder owned by you", hint="remove it")
    return folder


def lock_path_for(home: Path) -> Path:
    """The lock file of the workspace whose cache folder is ``home``."""
    key = hashlib.sha256(str(Path(home).resolve()).encode()).hexdigest()[:16]
    return lock_folder() / f"workspace-{key}.lock"


class WriteLock:
    """A re-entrant, cross-process exclusive lock on ``path`` (see the module docstring)."""

    def __init__(
        self,
        path: Path | Callable[[], Path],
        *,
        wait_seconds: float,
        label: str = "the workspace",
        folders: Bounds | None = None,
    ) -> None:
        self._where = path  # a callable is asked only when the lock is first taken
        self.wait_seconds = wait_seconds
        self.label = label
        self.folders = folders  # the workspace this lock guards: a symlinked note may lead inside it

    @functools.cached_property
    def path(self) -> Path:
        return Path(self._where() if callable(self._where) else self._where)

    def _held(self) -> _Held:
        with _registry_guard:
            return _registry.setdefault(str(self.path), _Held(threading.RLock()))

    def __enter__(self) -> WriteLock:
        held = self._held()
        deadline = time.monotonic() + self.wait_seconds
        taken = held.guard.acquire(timeout=self.wait_seconds) if self.wait_seconds > 0 else held.guard.acquire(False)
        if not taken:
            raise self._locked(f"another thread of this process (pid {os.getpid()})")
        try:
            if held.depth == 0:
                held.fd = self._acquire(deadline)
            held.depth += 1
        except BaseException:
            held.guard.release()
            raise
        if self.folders is not None:
            bounds.enter_writing(self.folders)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.folders is not None:
            bounds.leave_writing()
        held = self._held()
        held.depth -= 1
        if held.depth == 0:
            fd, held.fd = held.fd, -1
            with contextlib.suppress(OSError):
                os.close(fd)  # closing the descriptor releases the flock
        held.guard.release()

    def _acquire(self, deadline: float) -> int:
        import fcntl

        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise self._locked(_holder(self.path)) from None
                time.sleep(POLL_SECONDS)
                continue
            except OSError as exc:
                os.close(fd)
                raise WorkspaceLockedError(f"cannot lock {self.path}: {exc.strerror or exc}") from exc
            if _same_file(fd, self.path):  # not unlinked (e.g. by a temp cleaner) while we waited
                _write_holder(fd)
                return fd
            os.close(fd)

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise WorkspaceLockedError(f"cannot open the lock file {self.path}: {exc.strerror or exc}") from exc

    def _locked(self, holder: str) -> WorkspaceLockedError:
        return WorkspaceLockedError(
            f"{self.label} is being written by {holder}",
            hint=f"wait for it to finish and run again (joeladr waited {self.wait_seconds:g} s; see lock_wait)",
        )


def workspace_lock(settings: Settings) -> WriteLock:
    """The lock every writer of this workspace's notes, ADRs and index takes."""
    home = settings.home  # the lock folder is made when a write takes the lock, not when a reader builds one
    return WriteLock(lambda: lock_path_for(home), wait_seconds=settings.lock_wait, folders=bounds.Bounds.of(settings))


def _same_file(fd: int, path: Path) -> bool:
    try:
        mine, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


def _command() -> str:
    """``joeladr finding 0064``: the program and its first two words that are not options or their values."""
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if program in ("__main__.py", "joeladr"):
        program = "joeladr"
    words: list[str] = []
    after_option = False
    for word in sys.argv[1:]:
        if word.startswith("-"):
            after_option = "=" not in word
            continue
        if not after_option:
            words.append(word)
        after_option = False
    return " ".join([program, *words[:2]])


def _write_holder(fd: int) -> None:
    data = json.dumps({"pid": os.getpid(), "command": _command()}).encode()
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)


def _holder(path: Path) -> str:
    try:
        data = json.loads(path.read_text())
        return f"pid {int(data['pid'])} ({data['command']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
