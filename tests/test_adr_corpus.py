"""The ADR engine against 173 real ADRs written by someone else."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joeladr.adr import load_adr
from joeladr.adr.edit import AdrDocument
from joeladr.cli import app
from tests.conftest import ADR_0064, CORPUS, HISTORY, corpus_files, numbered_corpus_files

runner = CliRunner()


def test_every_corpus_file_parses() -> None:
    files = corpus_files()
    assert len(files) >= 173 + 3 + 5
    for path in files:
        adr = load_adr(path)
        assert adr.title, path


def test_normalized_status_counts() -> None:
    files = numbered_corpus_files()
    assert len(files) == 173
    counts = Counter(load_adr(p).status for p in files)
    assert counts == {"shipped": 73, "proposed": 57, "accepted": 24, "superseded": 17, "rejected": 1, "researching": 1}


def test_styles_match_the_corpus_facts() -> None:
    inline = sorted(p.name[:4] for p in numbered_corpus_files() if load_adr(p).style == "inline")
    assert inline == [
        "0108",
        "0119",
        "0124",
        "0125",
        "0126",
        "0127",
        "0130",
        "0131",
        "0160",
        "0162",
        "0163",
        "0164",
        "0165",
        "0166",
        "0167",
        "0169",
        "0170",
        "0171",
        "0172",
    ]


def test_superseded_by_inside_the_status_becomes_a_link() -> None:
    old = load_adr(HISTORY / "0064-elixir-beam-evaluation@b684f3e3.md")
    assert old.raw_status is not None and "0114" in old.raw_status
    assert (old.status, old.superseded_by) == ("superseded", ["0114"])
    newer = load_adr(HISTORY / "0064-elixir-beam-evaluation@e4027e0f.md")
    assert (newer.status, newer.superseded_by) == ("superseded", ["0114"])


def test_adr_0064_structure() -> None:
    adr = load_adr(ADR_0064)
    assert adr.number == 64 and adr.status == "proposed"
    assert [c.name for c in adr.criteria] == [
        "Supervision model",
        "Agent orchestration",
        "Interop story",
        "Selective adoption",
        "LiveView for TUI/web",
    ]
    assert adr.criteria[2].question == "can Elixir call TS/JS tools, or would everything need porting?"
    assert [(o.id, o.title) for o in adr.options] == [
        ("A", "Full replacement"),
        ("B", "Selective adoption"),
        ("C", "Study and shelve"),
    ]
    assert [(s.id, s.done) for s in adr.sources] == [("JvBT4XBdoUE", False), ("raX9fCy8Lfc", False)]
    pain = adr.tables[0].records()
    assert len(pain) == 7 and pain[2]["Pain point"] == "Process supervision / restarts"
    assert len(adr.counter_arguments) == 5 and adr.counter_arguments[0].startswith("LLM SDKs are JS-first")
    assert "0037" in {r.target for r in adr.references if r.kind == "mention"}


def test_madr_drivers_options_and_pros_cons() -> None:
    adr = load_adr(next(CORPUS.glob("0005-*.md")))
    assert adr.criteria[0].name == "Durability"
    assert [o.id for o in adr.options] == ["A", "B", "C", "D"]
    option_c = adr.option("C")
    assert option_c is not None and option_c.title.startswith("Inngest multi-agent pipeline")
    assert option_c.pros and all(p.startswith("Good") for p in option_c.pros)
    assert option_c.cons and all(c.startswith("Bad") for c in option_c.cons)


def test_front_matter_relations_in_every_spelling() -> None:
    by_prefix = {p.name[:4]: load_adr(p) for p in numbered_corpus_files()}
    spelled = [a for a in by_prefix.values() if a.superseded_by]
    assert len(spelled) >= 10
    assert any(a.supersedes and len(a.supersedes) >= 2 for a in by_prefix.values())
    assert any(r.kind == "wikilink" for a in by_prefix.values() for r in a.references)
    assert any(r.kind == "link" and r.target.endswith(".md") for a in by_prefix.values() for r in a.references)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_round_trip_is_byte_identical(path: Path, tmp_path: Path) -> None:
    original = path.read_bytes()
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    document = AdrDocument.load(copy)
    assert document.text.encode() == original
    assert document.save() is False
    assert copy.read_bytes() == original


@pytest.mark.parametrize("path", numbered_corpus_files(), ids=lambda p: p.name)
def test_status_change_touches_only_the_status_lines(path: Path, tmp_path: Path) -> None:
    """Only lines that state the status change: the front matter key or field, and a ``## Status`` section
    line that says the same status (a file that states it twice stays consistent)."""
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    before = copy.read_bytes().decode().splitlines(keepends=True)
    adr_before = load_adr(copy)
    new_status = "deprecated" if adr_before.status != "deprecated" else "accepted"
    document = AdrDocument.load(copy)
    document.set_status(new_status)
    assert document.save() is True
    after = copy.read_bytes().decode().splitlines(keepends=True)
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert 1 <= len(changed) <= 2
    assert "status" in before[changed[0]].lower()
    status = str(adr_before.status)
    for index in changed[1:]:  # the same status repeated under "## Status": only its words change
        assert before[index].strip().lower().startswith(status)
        assert before[index - 2].strip().lower() == "## status"
        assert after[index].lower() == before[index].lower().replace(status, new_status, 1)
    assert load_adr(copy).status == new_status


def test_lint_names_the_duplicates_and_fails() -> None:
    result = runner.invoke(app, ["--adr-dir", str(CORPUS), "adr", "lint", "--json"])
    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    duplicates = sorted(i["number"] for i in issues if i["code"] == "duplicate-number")
    assert duplicates == [88, 89, 153, 154, 158]
    missing = {i["path"] for i in issues if i["code"] == "not-in-index"}
    assert len(missing) == 173 - 107
