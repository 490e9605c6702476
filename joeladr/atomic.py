"""Atomic file writes: a temp file in the same folder, fsync, then rename.

A symlink is written through, never replaced: the file it leads to is edited in place when it
is inside the workspace, and the write is refused otherwise (:func:`written_path`).

A temp file is named ``.NAME.<pid>.<random>.tmp``, so the next write beside it can tell a
dead writer's leftovers (removed at once) from a live writer's (left alone). A write can be
made conditional on the file still holding what was read (:class:`Snapshot`): if another
program saved it meanwhile, :class:`~joeladr.errors.WriteConflict` is raised and nothing is
written.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from joeladr import bounds
from joeladr.errors import JoeladrError, WriteConflict

STALE_SECONDS = 3600.0


@dataclass(frozen=True)
class Snapshot:
    """What a file held when it was read: a sha256 of its bytes, or None when it did not exist."""

    digest: str | None

    @classmethod
    def of_text(cls, text: str | None) -> Snapshot:
        return cls(None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest())

    @classmethod
    def of_file(cls, path: Path) -> Snapshot:
        try:
            return cls(hashlib.sha256(Path(path).read_bytes()).hexdigest())
        except FileNotFoundError:
            return cls(None)

    def matches(self, path: Path) -> bool:
        try:
            return Snapshot.of_file(path) == self
        except OSError:
            return False


@dataclass
class StagedWrite:
    """New content in a temp file beside its target, not yet renamed into place."""

    path: Path
    tmp: Path
    expected: Snapshot | None = None

    def verify(self) -> None:
        """Refuse if the target no longer holds what was read (another program saved it)."""
        if self.expected is not None and not self.expected.matches(self.path):
            raise WriteConflict(
                f"{self.path} changed while joeladr was updating it (saved by another program); nothing was written",
                hint="run the command again: it starts from the saved version",
                path=self.path,
            )

    def commit(self) -> None:
        """Verify, then rename into place (atomic), and sweep dead writers' temp files."""
        try:
            self.verify()
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.discard()
            raise JoeladrError(f"cannot write {self.path}: {exc.strerror or exc}", path=self.path) from exc
        except BaseException:
            self.discard()
            raise
        sweep_stale_temps(self.path)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.tmp.unlink()


def written_path(path: Path) -> Path:
    """Where a write to ``path`` lands: ``path`` itself, or, when ``path`` is a symlink, the file it leads to.

    Renaming a new file onto a link would replace the link with a copy and leave the file it led to
    unchanged; so the file is edited where it is, when that is inside the workspace being written
    (:func:`joeladr.bounds.link_folders`). A link that leads anywhere else is refused.
    """
    if not os.path.islink(path):
        return path
    target = Path(os.path.realpath(path))
    folders = bounds.link_folders(path)
    if not folders.contains(target):
        raise JoeladrError(
            f"{path} is a symlink to {target}, outside the workspace: joeladr does not write through it",
            hint="edit that file where it is, or put it (or a copy) inside the workspace: "
            + ", ".join(str(f) for f in folders.folders),
            path=path,
        )
    return target


def stage(path: Path, data: bytes, expected: Snapshot | None = None) -> StagedWrite:
    """Write ``data`` to a temp file beside ``path`` (fsynced, with the target's permissions); beside the file a
    symlink at ``path`` leads to, when it may be written (:func:`written_path`)."""
    path = written_path(bounds.check(Path(path)))
    if path.is_dir():
        raise JoeladrError(f"cannot write {path}: a folder is in the way", path=path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise JoeladrError(f"cannot write {path}: {exc.strerror or exc}", path=path) from exc
    staged = StagedWrite(path, Path(tmp_name), expected)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
        with contextlib.suppress(OSError):
            os.chmod(tmp_name, mode)
    except OSError as exc:
        staged.discard()
        raise JoeladrError(f"cannot write {path}: {exc.strerror or exc}", path=path) from exc
    except BaseException:
        staged.discard()
        raise
    return staged


def atomic_write_bytes(path: Path, data: bytes, *, expected: Snapshot | None = None) -> None:
    """Write ``data`` to ``path`` so a crash leaves the old file or the new one, never a mix.

    With ``expected``, write only if the file still holds what was read (else WriteConflict).
    """
    stage(path, data, expected).commit()


def atomic_write_text(path: Path, text: str, *, expected: Snapshot | None = None) -> None:
    """Write ``text`` as UTF-8 without newline translation (line endings are kept as given)."""
    atomic_write_bytes(path, text.encode("utf-8"), expected=expected)


def read_text(path: Path) -> str:
    """Read UTF-8 text keeping line endings exactly (no universal newline translation)."""
    bounds.check(Path(path))
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError as exc:
        raise JoeladrError(f"no such file: {path}", path=Path(path)) from exc
    except IsADirectoryError as exc:
        raise JoeladrError(f"{path} is a folder, not a file", path=Path(path)) from exc
    except PermissionError as exc:
        raise JoeladrError(f"cannot read {path}: permission denied", path=Path(path)) from exc
    except UnicodeDecodeError as exc:
        raise JoeladrError(f"{path} is not UTF-8 text", path=Path(path)) from exc


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_all(changes: Mapping[Path, str], expected: Mapping[Path, str | None] | None = None) -> None:
    """Write several files so that a failure before the last rename leaves every one of them as it was.

    Every new text goes to a temp file beside its target first (a folder that is not writable
    fails here, before any target changes); then every target named in ``expected`` is checked
    to still hold the text read (else WriteConflict, nothing written); only then are the temp
    files renamed into place.
    """
    for path in changes:
        bounds.check(Path(path))
    staged: list[StagedWrite] = []
    try:
        for path, text in changes.items():
            path = Path(path)
            snapshot = Snapshot.of_text(expected[path]) if expected is not None and path in expected else None
            staged.append(stage(path, text.encode("utf-8"), snapshot))
        from joeladr.faults import checkpoint

        checkpoint("staged")
        for item in staged:
            item.verify()
        for item in staged:
            os.replace(item.tmp, item.path)
        for item in staged:
            sweep_stale_temps(item.path)
    except OSError as exc:
        raise JoeladrError(f"cannot write: {exc.strerror or exc}") from exc
    finally:
        for item in staged:
            item.discard()


def sweep_stale_temps(path: Path, older_than: float = STALE_SECONDS) -> None:
    """Remove the ``.NAME.*.tmp`` files that killed writers left beside ``path``.

    A temp file whose writer's pid is gone goes at once; any other goes once it is an hour old
    (a name without a pid, or a pid that was reused).
    """
    path = Path(path)
    cutoff = time.time() - older_than
    prefix = f".{path.name}."
    for tmp in path.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        pid_text = tmp.name[len(prefix) :].split(".", 1)[0]
        pid = int(pid_text) if pid_text.isdigit() and int(pid_text) > 0 else None
        with contextlib.suppress(OSError):
            if (pid is not None and pid != os.getpid() and not _alive(pid)) or tmp.stat().st_mtime < cutoff:
                tmp.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True
