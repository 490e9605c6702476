"""`joeladr init` and `joeladr adr ...` through typer's CliRunner, on real files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joeladr.adr import load_adr
from joeladr.cli import app
from tests.conftest import CORPUS

runner = CliRunner()


def _commands() -> list[list[str]]:
    """Every command path of the app, read from the app itself (as sqlite-utils' docs test does)."""
    import typer.main

    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        found.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _commands()


def test_the_command_list_is_the_apps() -> None:
    top = {c[0] for c in COMMANDS if len(c) == 1}
    assert top >= {"init", "ingest", "search", "sources", "evaluate", "finding", "decide", "adr"}
    assert {c[1] for c in COMMANDS if len(c) == 2 and c[0] == "adr"} >= {"new", "list", "show", "lint"}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "joeladr")
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: joeladr" in result.stdout


def test_init_creates_the_workspace_and_is_idempotent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JOELADR_ADR_DIR", "JOELADR_VAULT", "JOELADR_HOME"):
        monkeypatch.delenv(name)
    target = tmp_path / "new-ws"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (
        (target / "joeladr.toml").is_file() and (target / "adrs").is_dir() and (target / "vault" / "sources").is_dir()
    )
    assert ".joeladr/" in (target / ".gitignore").read_text().splitlines()
    snapshot = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 0 and "already" in again.stdout
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == snapshot


@pytest.mark.parametrize("args", [[], ["."]], ids=["no path", "dot"])
def test_init_here_git_ignores_the_cache(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`joeladr init` and `joeladr init .` ignore the cache as `init /abs/path` does (else `git add -A` commits
    the media and the vector store)."""
    here = tmp_path / "project"
    here.mkdir()
    monkeypatch.chdir(here)
    result = runner.invoke(app, ["init", *args])
    assert result.exit_code == 0, result.output
    assert ".joeladr/" in (here / ".gitignore").read_text().splitlines()
    again = runner.invoke(app, ["init", *args])
    assert again.exit_code == 0 and "already" in again.stdout
    assert (here / ".gitignore").read_text().count(".joeladr/") == 1


def test_show_0064_json(adr_dir: Path) -> None:
    result = runner.invoke(app, ["adr", "show", "0064", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["criteria"]) == 5 and set(data["criteria"][0]) >= {"id", "name", "question"}
    assert [o["id"] for o in data["options"]] == ["A", "B", "C"]
    assert [s["id"] for s in data["sources"]] == ["JvBT4XBdoUE", "raX9fCy8Lfc"]
    assert set(data["sources"][0]) >= {"kind", "id", "url", "done"}
    text = runner.invoke(app, ["adr", "show", "ADR-64"])
    assert text.exit_code == 0 and "Selective adoption" in text.stdout and "raX9fCy8Lfc" in text.stdout


def test_list_filters_and_json_shape() -> None:
    result = runner.invoke(app, ["--adr-dir", str(CORPUS), "adr", "list", "--json", "--status", "rejected"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 1 and set(rows[0]) >= {"number", "title", "status", "date", "path"}
    tagged = json.loads(
        runner.invoke(app, ["--adr-dir", str(CORPUS), "adr", "list", "--json", "--tag", "elixir"]).stdout
    )
    assert tagged and all("elixir" in [t.lower() for t in r["tags"]] for r in tagged)
    table = runner.invoke(app, ["--adr-dir", str(CORPUS), "adr", "list"])
    assert "Evaluate Elixir/BEAM" in table.stdout


@pytest.mark.parametrize("template", ["joelclaw", "madr", "nygard"])
def test_new_uses_the_next_number_and_the_template(adr_dir: Path, template: str) -> None:
    result = runner.invoke(app, ["adr", "new", "Use Qdrant Edge", "--template", template])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.name == "0065-use-qdrant-edge.md"
    adr = load_adr(path)
    assert (adr.number, adr.title, adr.status) == (65, "Use Qdrant Edge", "proposed")
    expected_style = {"joelclaw": "front-matter", "madr": "front-matter", "nygard": "section"}[template]
    assert adr.style == expected_style
    status = runner.invoke(app, ["adr", "status", "65", "accepted"])
    assert status.exit_code == 0 and load_adr(path).status == "accepted"


def test_status_keeps_style_and_refuses_unknown_values(adr_dir: Path) -> None:
    path = adr_dir / "0064-elixir-beam-evaluation.md"
    before = path.read_text()
    bad = runner.invoke(app, ["adr", "status", "64", "maybe"])
    assert bad.exit_code == 2 and "not a known status" in bad.output
    assert path.read_text() == before
    ok = runner.invoke(app, ["adr", "status", "64", "accepted"])
    assert ok.exit_code == 0
    assert path.read_text() == before.replace("status: proposed", "status: accepted", 1)


def test_supersede_writes_both_files_both_ways(corpus_copy: Path) -> None:
    result = runner.invoke(app, ["--adr-dir", str(corpus_copy), "adr", "supersede", "0017", "0108"])
    assert result.exit_code == 0, result.output
    old = load_adr(next(corpus_copy.glob("0017-*.md")))
    new = load_adr(next(corpus_copy.glob("0108-*.md")))  # inline style
    assert old.status == "superseded" and old.superseded_by == ["0108"]
    assert "0017" in new.supersedes and new.style == "inline"
    lint = json.loads(runner.invoke(app, ["--adr-dir", str(corpus_copy), "adr", "lint", "--json"]).stdout)
    assert not [i for i in lint if i["code"] == "one-way-supersession" and i["number"] in (17, 108)]
    # and again: nothing more changes
    snapshot = {p.name: p.read_bytes() for p in corpus_copy.glob("*.md")}
    runner.invoke(app, ["--adr-dir", str(corpus_copy), "adr", "supersede", "0017", "0108"])
    assert {p.name: p.read_bytes() for p in corpus_copy.glob("*.md")} == snapshot


def test_supersede_of_an_inline_adr_keeps_its_style(corpus_copy: Path) -> None:
    result = runner.invoke(app, ["--adr-dir", str(corpus_copy), "adr", "supersede", "0130", "0017"])
    assert result.exit_code == 0, result.output
    old = load_adr(next(corpus_copy.glob("0130-*.md")))
    assert old.style == "inline" and old.status == "superseded" and old.superseded_by == ["0017"]
    assert load_adr(next(corpus_copy.glob("0017-*.md"))).supersedes == ["0130"]


def test_link_is_recorded_in_both(adr_dir: Path) -> None:
    shutil.copy(next(CORPUS.glob("0037-*.md")), adr_dir)
    result = runner.invoke(app, ["adr", "link", "64", "37"])
    assert result.exit_code == 0, result.output
    assert "0037" in load_adr(adr_dir / "0064-elixir-beam-evaluation.md").related
    assert "0064" in load_adr(next(adr_dir.glob("0037-*.md"))).related


def test_index_keeps_user_text_and_lists_every_adr(corpus_copy: Path) -> None:
    index = corpus_copy / "README.md"
    original = index.read_text()
    index.write_text(original + "\nNotes the user wrote after the table.\n")
    result = runner.invoke(app, ["--adr-dir", str(corpus_copy), "adr", "index"])
    assert result.exit_code == 0, result.output
    text = index.read_text()
    assert text.startswith(original.split("| ADR |")[0])
    assert text.endswith("\nNotes the user wrote after the table.\n")
    assert text.count("](0") == 173
    assert (
        "| [0064](0064-elixir-beam-evaluation.md) | Evaluate Elixir/BEAM as joelclaw Backbone | superseded by 0114 |"
        in text
    )
    lint = json.loads(runner.invoke(app, ["--adr-dir", str(corpus_copy), "adr", "lint", "--json"]).stdout)
    assert not [i for i in lint if i["code"] == "not-in-index"]
    assert runner.invoke(app, ["--adr-dir", str(corpus_copy), "adr", "index"]).stdout.startswith("unchanged")


@pytest.mark.parametrize("fmt,marker", [("mermaid", "graph LR"), ("dot", "digraph adrs")])
def test_graph(fmt: str, marker: str) -> None:
    result = runner.invoke(app, ["--adr-dir", str(CORPUS), "adr", "graph", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(marker)
    assert (
        ("adr0064 -->|supersedes| adr0114" in result.stdout)
        or ('"0114" -> "0064"' in result.stdout)
        or ("adr0114 -->|supersedes| adr0064" in result.stdout)
    )


def test_file_text_is_printed_as_text_never_as_markup(adr_dir: Path) -> None:
    """A title with rich markup in it (``[/b]``, ``[live]``) is shown as written, not parsed (it crashed ``adr
    list`` with MarkupError, and ``sources`` dropped ``[live]``)."""
    from joeladr.catalog import Catalog, SourceRecord

    made = runner.invoke(app, ["adr", "new", "Use [/b] markup [red]now[/red]"])
    assert made.exit_code == 0, made.output
    for args in (["adr", "list"], ["adr", "show", "65"]):
        shown = runner.invoke(app, args)
        assert shown.exit_code == 0, shown.output
        assert "Use [/b] markup [red]now[/red]" in " ".join(shown.stdout.split()), shown.stdout
    record = SourceRecord(
        "abcdefghijk", "[live] Elixir in production [bold]", None, None, None, None, 60.0, 3, "m", "whisper", "tiny",
        "c", "2026-12-06", "talk.md",
    )  # fmt: skip
    Catalog(adr_dir.parent / ".joeladr").put(record)
    listed = runner.invoke(app, ["sources"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "[live] Elixir in production [bold]" in listed.stdout, listed.output


def test_a_closed_pipe_ends_quietly(adr_dir: Path) -> None:
    """``joeladr adr show 64 --json | true``: the reader is gone before joeladr writes (here: its end of the pipe is
    closed at once), and joeladr ends as other Unix tools do, not with an internal error."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "joeladr", "adr", "show", "64", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait() == 141, stderr
    assert stderr == "", stderr


def test_an_agent_is_told_the_status_as_joeladr_reads_it(adr_dir: Path) -> None:
    """`set_adr_status` reports the status normalized as the ADR's reader does (`✅ Accepted` is accepted); it
    lower-cased the raw text before ('✅ accepted')."""
    from joeladr.app.adrs import SetStatus
    from joeladr.app.workspace import Workspace
    from joeladr.settings import resolve_settings

    edited = Workspace.for_command(resolve_settings()).run(SetStatus("64", "✅ Accepted"))
    assert edited.status == "accepted" and load_adr(edited.paths[0]).status == "accepted"
