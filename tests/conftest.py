"""Shared fixtures: an isolated workspace per test, and the real ADR corpus beside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.ingested import BEAM, TALKS, Ingested
from tests.loopback import serve

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "joelclaw-adrs"
HISTORY = SHARED / "corpus" / "joelclaw-adr-history"
EVALSET = SHARED / "evalset" / "transcripts"
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
    """Every test runs in its own empty workspace; no setting leaks in from the machine (every JOELADR_*
    variable is cleared, then the workspace's folders are set)."""
    for name in [n for n in os.environ if n.startswith("JOELADR_")]:
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


@pytest.fixture(scope="session")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/documents/ with the blog post, docs page and paper that quote the evalset beside it (and
    ``paragraphs.json``: what each holds). The evalset stays out of the tree (its README), so
    scripts/make_document_fixtures.py builds them here once per session (Chromium prints the PDF)."""
    if not EVALSET.is_dir():  # CI puts shared/ beside the checkout, as for the corpus
        raise RuntimeError(f"the evalset is missing: expected {EVALSET}")
    folder = tmp_path_factory.mktemp("documents")
    shutil.copytree(FIXTURES / "documents", folder, dirs_exist_ok=True)
    script = ROOT / "scripts" / "make_document_fixtures.py"
    built = subprocess.run([sys.executable, str(script), str(folder)], capture_output=True, text=True, timeout=300)
    if built.returncode:
        raise RuntimeError(f"{script.name} failed: {built.stderr.strip() or built.stdout.strip()}")
    return folder


@pytest.fixture(scope="session")
def media_server() -> Iterator[str]:
    """The fixture talks over a loopback HTTP server, for the real yt-dlp."""
    with serve(TALKS) as base:
        yield base


@pytest.fixture(scope="session")
def ingested(tmp_path_factory: pytest.TempPathFactory, media_server: str) -> Ingested:
    """One workspace, ingested once per session: the BEAM talk as a local file, the TypeScript talk by URL,
    and the project's ADR-0064 (proposed) in its ADR folder."""
    from joeladr.cli import app

    root = tmp_path_factory.mktemp("ingested")
    (root / "adrs").mkdir()
    shutil.copy(ADR_0064, root / "adrs" / ADR_0064.name)
    done = Ingested(root, f"{media_server}/typescript-talk.webm")
    result = CliRunner().invoke(app, [*done.args(), "ingest", "--quiet", str(BEAM), done.url])
    assert result.exit_code == 0, result.output
    return done
