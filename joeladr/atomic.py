"""Atomic file writes: a temp file in the same folder, fsync, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from joeladr import bounds
from joeladr.errors import JoeladrError


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a crash leaves the old file or the new one, never a mix."""
    path = bounds.check(Path(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise JoeladrError(f"cannot write {path}: {exc.strerror or exc}", path=path) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            with contextlib.suppress(OSError):
                os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
        sweep_stale_temps(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise JoeladrError(f"cannot write {path}: {exc.strerror or exc}", path=path) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 without newline translation (line endings are kept as given)."""
    atomic_write_bytes(path, text.encode("utf-8"))


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


def write_all(changes: dict[Path, str]) -> None:
    """Write several files so that a failure before the last rename leaves every one of them as it was.

    Every new text goes to a temp file beside its target first (a folder that is not writable
    fails here, before any target changes); only then are the temp files renamed into place.
    """
    for path in changes:
        bounds.check(Path(path))
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in changes.items():
            path = Path(path)
            if path.is_dir():
                raise JoeladrError(f"cannot write {path}: a folder is in the way", path=path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            except OSError as exc:
                raise JoeladrError(f"cannot write {path}: {exc.strerror or exc}", path=path) from exc
            staged.append((Path(tmp_name), path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
            with contextlib.suppress(OSError):
                os.chmod(tmp_name, mode)
        from joeladr.faults import checkpoint

        checkpoint("staged")
        for tmp, path in staged:
            os.replace(tmp, path)
        for _, path in staged:
            sweep_stale_temps(path)
    except OSError as exc:
        raise JoeladrError(f"cannot write: {exc.strerror or exc}") from exc
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()


STALE_SECONDS = 3600.0


def sweep_stale_temps(path: Path, older_than: float = STALE_SECONDS) -> None:
    """Remove ``.NAME.*.tmp`` files a killed writer left beside ``path`` (an hour old: no live writer's)."""
    import time

    cutoff = time.time() - older_than
    for tmp in Path(path).parent.glob(f".{Path(path).name}.*.tmp"):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
