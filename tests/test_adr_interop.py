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

from joeladr.adr.repo import AdrRepository
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


# -- 4. adr new fills the folder's own template -----------------------------------------

TEAM_TEMPLATE = (
    "# NUMBER. TITLE\n\nDate: DATE\n\n## Status\n\nSTATUS\n\n## Context\n\nWhy TITLE, not TITLE (NUMBER)?\n\n"
    "## Reviewers\n"
)


def test_adr_new_fills_adr_tools_templates_template(adr_tools: Path) -> None:
    """`adr help new`: "If the ADR directory contains a file `templates/template.md`, this is used". Filled as
    adr-tools' sed does (the first NUMBER, TITLE, DATE and STATUS of each line); main used its own Nygard text."""
    import datetime as dt

    (adr_tools / "templates").mkdir()
    (adr_tools / "templates" / "template.md").write_text(TEAM_TEMPLATE)
    code, output = _run(adr_tools, "new", "Use Rust")
    assert code == 0, output
    today = dt.date.today().isoformat()
    assert Path(output.strip()) == adr_tools / "0006-use-rust.md"
    assert (adr_tools / "0006-use-rust.md").read_text() == (
        f"# 6. Use Rust\n\nDate: {today}\n\n## Status\n\nProposed\n\n## Context\n\nWhy Use Rust, not TITLE (6)?\n\n"
        "## Reviewers\n"
    )


@pytest.mark.parametrize("version", ["madr-4.0.0", "madr-3.0.0"])
def test_adr_new_fills_madrs_adr_template(version: str, tmp_path: Path) -> None:
    """MADR keeps `adr-template.md` beside the ADRs; its title, status and date placeholders are filled (MADR 3's
    status placeholder is not even YAML) and every other line is the template's."""
    import datetime as dt

    folder = tmp_path / "docs" / "decisions"
    folder.mkdir(parents=True)
    template = (FIXTURES / "adr-templates" / version / "adr-template.md").read_text()
    (folder / "adr-template.md").write_text(template)
    code, output = _run(folder, "new", "Use Postgres")
    assert code == 0, output
    text = Path(output.strip()).read_text()
    changed = [(a, b) for a, b in zip(template.splitlines(), text.splitlines(), strict=True) if a != b]
    today = dt.date.today().isoformat()
    assert [b for _, b in changed] == [
        'status: "proposed"' if version == "madr-4.0.0" else "status: proposed",
        f"date: {today}",
        "# Use Postgres",
    ]
    adr = AdrRepository(folder).load(Path(output.strip()))
    assert (adr.title, adr.status, adr.date) == ("Use Postgres", "proposed", today)


def test_adr_new_fills_log4brains_template_and_keeps_its_naming(tmp_path: Path) -> None:
    """log4brains' `template.md`: the first heading becomes the title (as `log4brains adr new` does), the status and
    date are written over their placeholders, without the `<!-- optional -->` that would make log4brains read
    draft; a second ADR of the same day and title gets log4brains' `-2`."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "adr-log4brains-made", project)
    folder = project / "docs" / "adr"
    template = (folder / "template.md").read_text()
    made = [Path(_run(folder, "new", "Adopt Caching")[1].strip()) for _ in range(2)]
    assert made[1].name == made[0].stem + "-2.md" and made[0].name.endswith("-adopt-caching.md")
    text = made[0].read_text()
    assert text.splitlines()[:5] == [
        "# Adopt Caching",
        "",
        "- Status: proposed",
        "- Deciders: [list everyone involved in the decision] <!-- optional -->",
        f"- Date: {made[0].name[:4]}-{made[0].name[4:6]}-{made[0].name[6:8]}",
    ]
    assert text.splitlines()[5:] == template.splitlines()[5:]


# -- 6. links in log4brains' own form -------------------------------------------------


@pytest.fixture
def log4brains(tmp_path: Path) -> Path:
    """A copy of the project log4brains made; its ADR folder."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "adr-log4brains-made", project)
    return project / "docs" / "adr"


def test_supersede_writes_log4brains_links(log4brains: Path) -> None:
    """log4brains takes a link's text as the slug of the ADR it names: main wrote `[ADR-0003](...)` and
    `log4brains build` failed. The superseding ADR lists `Supersedes [slug](file)` under `## Links`, as
    log4brains' own supersede does (the section added at the end when the ADR has none)."""
    code, output = _run(log4brains, "supersede", "20261206-use-kafka", "20261206-adopt-envoy")
    assert code == 0, output
    old = (log4brains / "20261206-use-kafka.md").read_text().splitlines()
    assert old[2] == "- Status: superseded by [20261206-adopt-envoy](20261206-adopt-envoy.md)"
    new = (log4brains / "20261206-adopt-envoy.md").read_text()
    assert new.endswith(
        "- … <!-- numbers of links can vary -->\n- Supersedes [20261206-use-kafka](20261206-use-kafka.md)\n"
    )
    old_name, new_name = (
        "20261206-use-markdown-architectural-decision-records",
        "20261206-use-log4brains-to-manage-the-adrs",
    )
    assert _run(log4brains, "supersede", old_name, new_name)[0] == 0
    assert (
        (log4brains / f"{new_name}.md")
        .read_text()
        .endswith(f"\n\n## Links\n\n- Supersedes [{old_name}]({old_name}.md)\n")
    )
    shown = json.loads(_run(log4brains, "show", old_name, "--json")[1])
    assert (shown["status"], shown["superseded_by"]) == ("superseded", [new_name])
    code, output = _run(log4brains, "lint")
    assert "0 errors" in output and "one-way" not in output, output


# -- 8. log4brains' template placeholders -------------------------------------------


def test_log4brains_placeholders_are_not_values(log4brains: Path) -> None:
    """A file from `log4brains adr new`: main kept `<!-- optional -->` after the new status (log4brains then still
    read draft), read its tag hint as two tags, and lint called the example link `yyyymmdd-xxx.md` broken."""
    code, output = _run(log4brains, "status", "20261206-adopt-envoy", "accepted")
    assert code == 0, output
    assert (log4brains / "20261206-adopt-envoy.md").read_text().splitlines()[2] == "- Status: accepted"
    assert json.loads(_run(log4brains, "show", "20261206-use-kafka", "--json")[1])["tags"] == []
    assert json.loads(_run(log4brains, "show", "20261206-use-log4brains-to-manage-the-adrs", "--json")[1])["tags"] == [
        "dev-tools",
        "doc",
    ]
    code, output = _run(log4brains, "lint")
    assert "broken-link" not in output and "0 errors" in output, output


# -- 9. log4brains packages ---------------------------------------------------------


def test_log4brains_packages_are_read(log4brains: Path) -> None:
    """`.log4brains.yml` `packages:` folders hold ADRs too, named `package/slug` as log4brains names them; main
    read the main folder only."""
    listed = json.loads(_run(log4brains, "list", "--json")[1])
    assert "20261206-split-the-billing-service.md" in [Path(r["path"]).name for r in listed] and len(listed) == 5
    assert "backend/20261206-split-the-billing-service" in [r["key"] for r in listed]
    shown = json.loads(_run(log4brains, "show", "backend/20261206-split-the-billing-service", "--json")[1])
    assert shown["title"] == "Split the billing service"
    code, output = _run(log4brains, "supersede", "backend/20261206-split-the-billing-service", "20261206-adopt-envoy")
    assert code == 0, output
    package_adr = (
        log4brains.parent.parent / "packages" / "backend" / "docs" / "adr" / "20261206-split-the-billing-service.md"
    )
    assert package_adr.read_text().splitlines()[2] == (
        "- Status: superseded by [20261206-adopt-envoy](../../../../docs/adr/20261206-adopt-envoy.md)"
    )
    assert (
        "- Supersedes [backend/20261206-split-the-billing-service](../../packages/backend/docs/adr/"
        in (log4brains / "20261206-adopt-envoy.md").read_text()
    )
    assert json.loads(_run(log4brains, "show", "20261206-adopt-envoy", "--json")[1])["supersedes"] == [
        "backend/20261206-split-the-billing-service"
    ]
    made = Path(_run(log4brains, "new", "Cache invoices")[1].strip())
    assert made.parent == log4brains
    assert _run(log4brains, "index")[0] == 0  # log4brains' README.md is prose: a table is appended
    index = (log4brains / "README.md").read_text()
    assert "| [backend/20261206-split-the-billing-service](../../packages/backend/docs/adr/20261206-split" in index
    assert "missing from" not in _run(log4brains, "lint")[1]


def test_decide_keeps_a_package_adrs_link_in_the_index(log4brains: Path, tmp_path: Path) -> None:
    """`decide` rewrites the index with the decision in it: main linked a package's ADR there by its bare file
    name (dead from the index's folder) while `adr index` links it by its path, so the two fought."""
    assert _run(log4brains, "index")[0] == 0
    package_row = "| [backend/20261206-split-the-billing-service](../../packages/backend/docs/adr/20261206-split"
    assert package_row in (log4brains / "README.md").read_text()
    where = ["--adr-dir", str(log4brains), "--home", str(tmp_path / "home"), "--vault", str(tmp_path / "vault")]
    decided = runner.invoke(app, [*where, "decide", "20261206-adopt-envoy", "--option", "A", "--reason", "cheaper"])
    assert decided.exit_code == 0, decided.output
    index = (log4brains / "README.md").read_text()
    assert package_row in index and "| accepted |" in index


# -- a fresh folder of either tool --------------------------------------------------------


@pytest.mark.parametrize(
    ("marker", "content", "name", "start"),
    [
        (".adr-dir", "decisions\n", r"0001-use-rust\.md", "# 1. Use Rust\n\nDate: "),
        (
            ".log4brains.yml",
            "project:\n  name: x\n  tz: UTC\n  adrFolder: ./decisions\n",
            r"\d{8}-use-rust\.md",
            "# Use Rust\n\n* Status: proposed\n",
        ),
    ],
    ids=["adr-tools", "log4brains"],
)
def test_an_empty_folder_of_a_tool_gets_the_tools_form(
    marker: str, content: str, name: str, start: str, tmp_path: Path
) -> None:
    """Nothing to learn from yet: an adr-tools folder gets adr-tools' template (`# 1. Title`, the first line its
    toc and graph read), a log4brains one log4brains' naming and MADR 2 bullets; main wrote joelclaw's front
    matter and 0001-names in both."""
    import re

    (tmp_path / marker).write_text(content)
    folder = tmp_path / "decisions"
    folder.mkdir()
    code, output = _run(folder, "new", "Use Rust")
    assert code == 0, output
    made = Path(output.strip())
    assert re.fullmatch(name, made.name) and made.read_text().startswith(start), made.read_text()[:200]


def test_an_agent_reads_a_package_adr_by_its_resource(log4brains: Path) -> None:
    """A package ADR's key holds a `/` (`backend/20261206-...`): its resource URI encodes it as one segment,
    and reading that URI gives the file."""
    import anyio

    from joeladr.agents.server import build_server
    from joeladr.settings import resolve_settings

    server = build_server(resolve_settings(overrides={"adr_dir": log4brains}))
    listed = {str(r.uri) for r in anyio.run(server.list_resources)}
    package_uri = next(u for u in listed if u.startswith("adr://backend%2F"))
    contents = anyio.run(server.read_resource, package_uri)
    assert "Split the billing service" in next(iter(contents)).content
