"""Issue 22, items 1-9: joeladr on folders adr-tools and log4brains made, as those tools wrote them.

The folders are the tools' own output kept as fixtures (``tests/fixtures/adr-tools-made/``, written by
adr-tools 3.0.0; ``tests/fixtures/adr-folders/log4brains/``, log4brains' own repository), so these run
without the tools; ``tests/test_interop_*.py`` drive the real tools both ways.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joeladr.cli import app
from tests.conftest import FIXTURES

runner = CliRunner()
ADR_TOOLS = FIXTURES / "adr-tools-made" / "doc" / "adr"


@pytest.fixture
def adr_tools(tmp_path: Path) -> Path:
    """A copy of the folder adr-tools made: 3 supersedes 2, 4 drives 2, 5 amends 4."""
    folder = tmp_path / "doc" / "adr"
    shutil.copytree(ADR_TOOLS, folder)
    return folder


def _run(folder: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--adr-dir", str(folder), "adr", *args])
    return result.exit_code, result.output


# -- 1. adr status keeps adr-tools' "Superseded by" link, or refuses --------------------


def test_status_of_an_adr_tools_superseded_adr_is_refused_not_unlinked(adr_tools: Path) -> None:
    """On main this replaced `Superseded by [3. Use Y](0003-use-y.md)` with `Accepted` (exit 0), and
    lint then warned of a one-way supersession."""
    before = (adr_tools / "0002-use-x.md").read_bytes()
    code, output = _run(adr_tools, "status", "2", "accepted")
    assert code == 1 and "its status says it is superseded by ADR-0003" in output, output
    assert "would drop that link" in output and "Traceback" not in output
    assert (adr_tools / "0002-use-x.md").read_bytes() == before
    code, output = _run(adr_tools, "lint")
    assert "one-way" not in output and "0 errors" in output, output


# -- 2. no circle of supersessions ------------------------------------------------------


def test_supersede_refuses_a_circle_and_lint_reports_one(adr_tools: Path) -> None:
    """3 supersedes 2 (adr-tools' -s). On main `supersede 3 2` succeeded: both superseded, and lint said 0 errors."""
    before = {p.name: p.read_bytes() for p in adr_tools.iterdir()}
    code, output = _run(adr_tools, "supersede", "3", "2")
    assert code == 1 and "ADR-0002 cannot supersede ADR-0003: ADR-0003 already supersedes it" in output, output
    assert {p.name: p.read_bytes() for p in adr_tools.iterdir()} == before
    # a circle through a third ADR, written by hand the adr-tools way: 2 -> 3 -> 5 -> 2
    for name, line in (
        ("0003-use-y.md", "Superseded by [5. Use W](0005-use-w.md)"),
        ("0005-use-w.md", "Supersedes [3. Use Y](0003-use-y.md)"),
    ):
        path = adr_tools / name
        path.write_text(path.read_text().replace("## Context", f"{line}\n\n## Context", 1))
    code, output = _run(adr_tools, "supersede", "5", "2")
    assert (
        code == 1 and "ADR-0002 cannot supersede ADR-0005: ADR-0005 already supersedes it (through ADR-0003)" in output
    )
    path = adr_tools / "0002-use-x.md"
    path.write_text(path.read_text().replace("## Context", "Supersedes [5. Use W](0005-use-w.md)\n\n## Context", 1))
    code, output = _run(adr_tools, "lint", "--json")
    circles = [i for i in json.loads(output) if i["code"] == "supersession-cycle"]
    assert code == 1 and [i["message"] for i in circles] == [
        "ADR-0002 → ADR-0003 → ADR-0005 → ADR-0002 supersede each other in a circle: none of them is in force"
    ]


# -- 3. adr-tools' own link types --------------------------------------------------------


def test_links_of_any_label_are_read_drawn_and_not_doubled(adr_tools: Path) -> None:
    """`adr link 4 Drives 2 "Driven by"` and `adr new -l "4:Amends:Amended by"`: on main `Drives` was in neither
    `adr show --json` nor `adr graph`, and `joeladr adr link 4 2` added a second, `Related to`, line."""
    code, output = _run(adr_tools, "show", "4", "--json")
    assert code == 0 and json.loads(output)["links"] == [
        {"label": "Drives", "target": "0002"},
        {"label": "Amended by", "target": "0005"},
    ]
    shown = json.loads(_run(adr_tools, "show", "2", "--json")[1])
    assert {"label": "Driven by", "target": "0004"} in shown["links"] and shown["superseded_by"] == ["0003"]
    code, dot = _run(adr_tools, "graph", "--format", "dot")
    drawn = sorted(line.strip() for line in dot.splitlines() if "->" in line)
    # the edges `adr generate graph` draws for this folder (tests/fixtures/adr-tools-made/graph.dot)
    assert drawn == [
        '"0003" -> "0002" [label="supersedes"];',
        '"0004" -> "0002" [label="Drives", style=dashed];',
        '"0005" -> "0004" [label="amends", style=dashed];',
    ]
    before = {p.name: p.read_bytes() for p in adr_tools.iterdir()}
    code, output = _run(adr_tools, "link", "4", "2")
    assert code == 0 and {p.name: p.read_bytes() for p in adr_tools.iterdir()} == before, output
    code, output = _run(adr_tools, "link", "1", "3")
    assert (
        code == 0
        and "Related to [3. Use Y](0003-use-y.md)" in (adr_tools / "0001-record-architecture-decisions.md").read_text()
    )
    again = {p.name: p.read_bytes() for p in adr_tools.iterdir()}
    assert _run(adr_tools, "link", "3", "1")[0] == 0 and {p.name: p.read_bytes() for p in adr_tools.iterdir()} == again
