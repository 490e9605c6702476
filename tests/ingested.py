"""A workspace with the fixture talks ingested once per test session (real engines), and helpers."""

from __future__ import annotations

import shutil
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


def store_count(root: Path) -> int:
    store = EdgeStore.open(root / "home" / "store" / "joeladr", 384)
    try:
        return store.count()
    finally:
        store.close()
