"""Shared fixtures: an isolated workspace per test, and the real ADR corpus beside the checkout."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "joelclaw-adrs"
HISTORY = SHARED / "corpus" / "joelclaw-adr-history"
ADR_0064 = ROOT / "adrs" / "0064-elixir-beam-evaluation.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():  # CI puts shared/ beside the checkout; without it these tests cannot mean anything
        raise RuntimeError(f"the ADR corpus is missing: expected {CORPUS}")
    return sorted(CORPUS.glob("*.md")) + sorted(CORPUS.glob("*/*.md")) + sorted(HISTORY.glob("*.md"))


def numbered_corpus_files() -> list[Path]:
    return [p for p in corpus_files() if p.parent == CORPUS and p.name[:4].isdigit()]


@pytest.fixture(autouse=True)
def isolated_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test runs in its own empty workspace; no setting leaks in from the machine."""
    for name in (
        "JOELADR_CONFIG",
        "JOELADR_QDRANT_URL",
        "JOELADR_QDRANT_API_KEY",
        "JOELADR_WHISPER_MODEL",
        "JOELADR_EMBEDDING_MODEL",
        "JOELADR_ADR_TEMPLATE",
        "JOELADR_TOP_K",
        "JOELADR_MIN_SCORE",
    ):
        monkeypatch.delenv(name, raising=False)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    monkeypatch.setenv("JOELADR_ADR_DIR", str(workspace / "adrs"))
    monkeypatch.setenv("JOELADR_VAULT", str(workspace / "vault"))
    monkeypatch.setenv("JOELADR_HOME", str(workspace / ".joeladr"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(workspace)
    yield workspace


@pytest.fixture
def workspace(isolated_workspace: Path) -> Path:
    return isolated_workspace


@pytest.fixture
def adr_dir(workspace: Path) -> Path:
    """A workspace ADR folder holding the project's own ADR-0064 (proposed)."""
    folder = workspace / "adrs"
    folder.mkdir(exist_ok=True)
    shutil.copy(ADR_0064, folder / ADR_0064.name)
    return folder


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the 173-ADR corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
