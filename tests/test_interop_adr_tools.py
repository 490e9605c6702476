"""adr-tools and joeladr on one folder, both ways, with the real adr-tools 3.0.0 (Debian; `make tools`).

adr-tools creates and joeladr edits, then adr-tools reads the folder back (`adr generate toc`, `adr
generate graph`, its Status sections); and joeladr creates, adr-tools edits (`adr new -s`, `adr link`)
and reads, and joeladr reads adr-tools' edits back. Both must agree on numbers, titles, statuses and links.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joeladr.cli import app
from tests.tools import adr, adr_tools, run

runner = CliRunner()
LINK_LABELS = {"supersedes": "Supersedes", "amends": "Amends", "related": "Related to"}


def _joeladr(folder: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--adr-dir", str(folder), "adr", *args])
    assert result.exit_code == code, result.output
    return result.stdout


def _adrs(folder: Path) -> dict[int, dict]:  # type: ignore[type-arg]
    return {r["number"]: r for r in json.loads(_joeladr(folder, "list", "--json"))}


def _toc(project: Path) -> list[str]:
    return [line for line in adr(project, "generate", "toc").splitlines() if line.startswith("* ")]


def _adr_tools_edges(project: Path) -> set[tuple[int, int, str]]:
    """The links `adr generate graph` draws: ``_3 -> _2 [label="Supersedes", weight=0]`` (not the dotted
    sequence of numbers)."""
    graph = adr(project, "generate", "graph")
    return {
        (int(a), int(b), label)
        for a, b, label in re.findall(r'^\s*_(\d+) -> _(\d+) \[label="([^"]+)", weight=0\]', graph, re.MULTILINE)
    }


def _joeladr_edges(folder: Path) -> set[tuple[int, int, str]]:
    """joeladr's graph, labels as adr-tools writes its own kinds (``supersedes`` is adr-tools' ``Supersedes``)."""
    dot = _joeladr(folder, "graph", "--format", "dot")
    return {
        (int(a), int(b), LINK_LABELS.get(label, label))
        for a, b, label in re.findall(r'"(\d+)" -> "(\d+)" \[label="([^"]+)"', dot)
    }


def _adr_tools_status(project: Path, number: int) -> str | None:
    """The status as adr-tools keeps it, in the Status section lines its `_adr_status` prints (what its `adr
    generate graph` reads): superseded when one says `Superseded by` (`adr new -s` adds it and removes an
    `Accepted` line), else the first one, in lower case."""
    helper = Path(adr_tools()).resolve().parent.parent / "libexec" / "adr-tools" / "_adr_status"
    lines = run([str(helper), str(number)], project).splitlines()
    if any(line.lower().startswith(("superseded by", "superceded by")) for line in lines):
        return "superseded"
    return lines[0].strip().lower() if lines else None


def _undirected_related(edges: set[tuple[int, int, str]]) -> set[tuple[int, int, str]]:
    """`Related to` both ways is one relation (adr-tools draws each file's line, joeladr the pair once)."""
    return {(min(a, b), max(a, b), label) if label == "Related to" else (a, b, label) for a, b, label in edges}


def _agree(project: Path, folder: Path) -> dict[int, dict]:  # type: ignore[type-arg]
    """adr-tools reads back what joeladr reads: numbers and titles (its table of contents), statuses (its
    Status sections) and links (its graph)."""
    adrs = _adrs(folder)
    expected_toc = [f"* [{n}. {adrs[n]['title']}]({Path(adrs[n]['path']).name})" for n in sorted(adrs)]
    assert _toc(project) == expected_toc
    for number, data in adrs.items():
        assert _adr_tools_status(project, number) == data["status"], number
    assert _undirected_related(_adr_tools_edges(project)) == _undirected_related(_joeladr_edges(folder))
    return adrs


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    adr_tools()
    return folder


def test_adr_tools_creates_joeladr_edits_adr_tools_reads_back(project: Path) -> None:
    adr(project, "init")
    adr(project, "new", "Use", "X")
    adr(project, "new", "-s", "2", "Use", "Y")
    adr(project, "new", "Use", "Z")
    adr(project, "link", "4", "Drives", "2", "Driven by")
    adr(project, "new", "-l", "4:Amends:Amended by", "Use", "W")
    folder = project / "doc" / "adr"
    _agree(project, folder)  # before joeladr touches it

    _joeladr(folder, "status", "2", "accepted", code=1)  # the status is the link to ADR 3: refused
    _joeladr(folder, "supersede", "3", "2", code=1)  # a circle: refused
    _joeladr(folder, "status", "5", "deprecated")
    _joeladr(folder, "supersede", "4", "5")
    _joeladr(folder, "link", "1", "3")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    _joeladr(folder, "link", "4", "2")  # already linked (Drives): nothing added
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    made = Path(_joeladr(folder, "new", "Use Rust").strip())
    assert made.name == "0006-use-rust.md"

    adrs = _agree(project, folder)
    assert {n: a["status"] for n, a in adrs.items()} == {
        1: "accepted",
        2: "superseded",
        3: "accepted",
        4: "superseded",
        5: "deprecated",
        6: "proposed",
    }
    assert _adr_tools_edges(project) == {
        (3, 2, "Supersedes"),
        (4, 2, "Drives"),
        (5, 4, "Amends"),
        (5, 4, "Supersedes"),
        (1, 3, "Related to"),
        (3, 1, "Related to"),
    }
    assert "0 errors" in _joeladr(folder, "lint")


def test_joeladr_creates_adr_tools_edits_and_reads_back(project: Path) -> None:
    """A fresh adr-tools folder (its `.adr-dir`, nothing in it yet): joeladr writes adr-tools' own form, adr-tools
    supersedes and links joeladr's ADRs, and joeladr reads that back."""
    (project / ".adr-dir").write_text("decisions\n")
    folder = project / "decisions"
    folder.mkdir()
    for title, status in (("Record architecture decisions", "accepted"), ("Use Postgres", "accepted")):
        _joeladr(folder, "new", title, "--status", status)
    _joeladr(folder, "new", "Use Redis")
    _joeladr(folder, "supersede", "2", "3")
    first = (folder / "0001-record-architecture-decisions.md").read_text()
    assert first.startswith("# 1. Record architecture decisions\n\nDate: ") and "\n## Status\n\nAccepted\n" in first
    _agree(project, folder)

    adr(project, "new", "-s", "3", "Use", "Valkey")
    adr(project, "link", "4", "Builds on", "1", "Built upon by")
    adr(project, "new", "-l", "1:Amends:Amended by", "Use", "Flyway")

    adrs = _agree(project, folder)
    assert [adrs[n]["title"] for n in sorted(adrs)] == [
        "Record architecture decisions",
        "Use Postgres",
        "Use Redis",
        "Use Valkey",
        "Use Flyway",
    ]
    redis = json.loads(_joeladr(folder, "show", "3", "--json"))
    assert (redis["status"], redis["superseded_by"], redis["supersedes"]) == ("superseded", ["0004"], ["0002"])
    valkey = json.loads(_joeladr(folder, "show", "4", "--json"))
    assert valkey["supersedes"] == ["0003"] and {"label": "Builds on", "target": "0001"} in valkey["links"]
    assert json.loads(_joeladr(folder, "show", "5", "--json"))["amends"] == ["0001"]
    lint = _joeladr(folder, "lint")
    assert "0 errors" in lint and "one-way" not in lint, lint
