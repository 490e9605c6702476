"""A workspace with the fixture talks ingested once per test session (real engines), and helpers."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from joeladr.settings import Settings, resolve_settings
from joeladr.store.edge import EdgeStore

TALKS = Path(__file__).resolve().parent / "fixtures" / "talks"
BEAM = TALKS / "beam-talk.webm"
TYPESCRIPT = TALKS / "typescript-talk.webm"


@dataclass
class Ingested:
    root: Path
    url: str

    def args(self) -> list[str]:
        return [
            "--home",
            str(self.root / "home"),
            "--vault",
            str(self.root / "vault"),
            "--adr-dir",
            str(self.root / "adrs"),
        ]

    @property
    def settings(self) -> Settings:
        return resolve_settings(
            cwd=self.root,
            env={},
            overrides={"home": self.root / "home", "vault": self.root / "vault", "adr_dir": self.root / "adrs"},
        )


def copy_of(ingested: Ingested, target: Path) -> Ingested:
    shutil.copytree(ingested.root, target)
    return Ingested(target, ingested.url)


def notes(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((root / "vault" / "sources").glob("*.md"))}


def store_count(root: Path, opened: EdgeStore | None = None) -> int:
    """How many points the workspace's store holds (every point is within cosine -1..1 of any probe)."""
    store = opened or EdgeStore.open(root / "home" / "store" / "joeladr", 384)
    try:
        return len(store.nearest([1.0] + [0.0] * 383, 1_000_000))
    finally:
        if opened is None:
            store.close()


def start(args: list[str], env: dict[str, str], pause: str | None = None) -> subprocess.Popen[str]:
    """A real `joeladr` process; with ``pause`` it stops at that named step (``JOELADR_PAUSE_AT``)."""
    full = dict(env)
    if pause:
        full["JOELADR_PAUSE_AT"] = pause
    return subprocess.Popen(
        [sys.executable, "-m", "joeladr", *args], env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def kill_at(args: list[str], env: dict[str, str], step: str) -> None:
    """Run `joeladr`, wait until it reaches ``step``, then SIGKILL it there."""
    proc = start(args, env, step)
    assert proc.stderr is not None
    deadline = time.monotonic() + 300
    line = ""
    while time.monotonic() < deadline and "paused at" not in line:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
    assert f"paused at {step}" in line, f"never reached {step}: {line}{proc.stderr.read()}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
