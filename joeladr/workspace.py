"""`joeladr init`: a workspace with joeladr.toml, adrs/, vault/ and a git-ignored cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from joeladr.atomic import atomic_write_text, read_text
from joeladr.settings import CONFIG_NAME, DEFAULT_CONFIG, resolve_settings


@dataclass
class InitResult:
    root: Path
    created: list[Path] = field(default_factory=list)


def init_workspace(root: Path) -> InitResult:
    """Create what is missing; never overwrite what exists. ``root`` may be relative (``.``)."""
    root = Path(root).absolute()  # the settings' paths are absolute: `init .` must git-ignore the cache too
    root.mkdir(parents=True, exist_ok=True)
    result = InitResult(root)
    config = root / CONFIG_NAME
    if not config.exists():
        atomic_write_text(config, _default_config(root))
        result.created.append(config)
    settings = resolve_settings(cwd=root, env={})
    for folder in (settings.adr_dir, settings.vault, settings.sources_dir, settings.decisions_dir):
        if not folder.exists():
            folder.mkdir(parents=True)
            result.created.append(folder)
    gitignore = root / ".gitignore"
    try:
        cache = settings.home.resolve().relative_to(root.resolve()).as_posix().rstrip("/") + "/"
    except ValueError:
        cache = None  # the cache lives outside the workspace: nothing to ignore
    if cache:
        existing = read_text(gitignore) if gitignore.exists() else ""
        entries = {line.strip().rstrip("/") for line in existing.splitlines()}
        if cache.rstrip("/") not in entries and "/" + cache.rstrip("/") not in entries:
            prefix = "" if not existing or existing.endswith("\n") else "\n"
            atomic_write_text(
                gitignore, existing + prefix + "# joeladr cache (media, transcripts, vector store)\n" + cache + "\n"
            )
            result.created.append(gitignore)
    return result


def _default_config(root: Path) -> str:
    """The default joeladr.toml, naming the project's existing ADR folder (adr-tools' ``.adr-dir``,
    log4brains' ``.log4brains.yml``, ``doc/adr``, ``docs/decisions``, ...) when it has one."""
    from joeladr.adr.naming import find_adr_folder

    found = find_adr_folder(root, stop=root)
    if found is None:
        return DEFAULT_CONFIG
    try:
        relative = found.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return DEFAULT_CONFIG
    return DEFAULT_CONFIG.replace('adr_dir = "adrs"      ', f'adr_dir = "{relative}"  ', 1)
