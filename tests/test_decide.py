"""Decide: the decision record in the ADR (its own style), the vault and the index; dry run; atomicity."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joeladr.adr import load_adr
from joeladr.cli import app
from joeladr.markdown import parse_front_matter, split_lines
from tests.conftest import CORPUS, SHARED
from tests.ingested import Ingested, copy_of

runner = CliRunner()
ADR_NAME = "0064-elixir-beam-evaluation.md"


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*.md"))
        if p.is_file() and "home" not in p.parts
    }


@pytest.fixture
def curated(ingested: Ingested, tmp_path: Path) -> tuple[Ingested, dict]:  # type: ignore[type-arg]
    """A copy of the ingested workspace, evaluated, with findings curated through the CLI so that B wins."""
    copy = copy_of(ingested, tmp_path / "copy")
    adr = copy.root / "adrs" / ADR_NAME
    # the ADR names the TypeScript talk by its (loopback) URL, as an author would name a talk they watched
    adr.write_text(adr.read_text().replace("YouTube `raX9fCy8Lfc` — also ingesting", f"{copy.url} — also ingesting"))
    # the floor is lowered for the synthetic talk (see tests/test_evaluate.py's `evaluated`)
    data = json.loads(runner.invoke(app, [*copy.args(), "evaluate", "0064", "--json", "--min-score", "0.2"]).stdout)
    stances = {
        "supervision-model": ["--supports", "B", "--supports", "A"],
        "selective-adoption": ["--supports", "B"],
        "liveview-for-tui-web": ["--supports", "B"],
        "interop-story": ["--weakens", "A"],
    }
    for criterion in data["criteria"]:
        if criterion["id"] in stances:
            first = criterion["findings"][0]["id"]
            result = runner.invoke(app, [*copy.args(), "finding", "0064", first, "--accept", *stances[criterion["id"]]])
            assert result.exit_code == 0, result.output
    counter = next(c for c in data["counter_arguments"] if c["id"] == "counter-llm-sdks-are-js-first")
    runner.invoke(app, [*copy.args(), "finding", "0064", counter["findings"][0]["id"], "--accept", "--weakens", "A"])
    final = json.loads(runner.invoke(app, [*copy.args(), "evaluate", "0064", "--json"]).stdout)
    assert final["winner"] == "B", final["options"]
    return copy, final


def _parts_outside(text: str) -> Counter[str]:
    """Lines outside the status/date lines, the Decision section and the Source Material section."""
    kept: list[str] = []
    skip = False
    for line in text.splitlines():
        if line.startswith("## "):
            skip = line in ("## Decision", "## Source Material")
        if skip or line.startswith(("status:", "date:")):
            continue
        kept.append(line)
    return Counter(kept)


def test_decide_with_the_winner(curated: tuple[Ingested, dict]) -> None:  # type: ignore[type-arg]
    copy, data = curated
    adr_path = copy.root / "adrs" / ADR_NAME
    before = adr_path.read_text()
    result = runner.invoke(app, [*copy.args(), "decide", "0064"])
    assert result.exit_code == 0, result.output
    text = adr_path.read_text()
    adr = load_adr(adr_path)
    assert adr.status == "accepted" and adr.style == "front-matter"
    assert "**Chosen option: B, Selective adoption**, because it leads the weighted decision matrix" in adr.decision
    for criterion in data["criteria"]:
        accepted = [f for f in criterion["findings"] if f["status"] == "accepted"]
        if accepted:
            section = adr.decision.split(f"**{criterion['name']}**", 1)[1].split("**", 1)[0]
            assert re.search(r"\[\d\d:\d\d\]\(https?://[^)]+\)|at \d\d:\d\d", section), criterion["name"]
    assert "### Decision matrix" in adr.decision and "| **Total** |" in adr.decision
    ticked = [s for s in adr.sources if s.done]
    assert ticked and any(s.url == copy.url for s in ticked)
    # the ADR names the vault notes in text (no tree holds both the ADR and the vault here), never a wikilink
    assert "— vault note: typescript-talk" in text and "[[" not in text
    assert "- [x] Evidence: beam-talk (local file beam-talk.webm) — cited in the decision" in text
    assert _parts_outside(before) == _parts_outside(text)
    decision_note = copy.root / "vault" / "decisions" / "ADR-0064 decision.md"
    note = decision_note.read_text()
    assert "chosen: 'B: Selective adoption'" in note and "[[ADR-0064 evaluation]]" in note and "[[beam-talk]]" in note
    index = (copy.root / "adrs" / "README.md").read_text()
    assert "| [0064](0064-elixir-beam-evaluation.md) | Evaluate Elixir/BEAM as joelclaw Backbone | accepted |" in index
    # the same decide again changes nothing
    state = snapshot(copy.root)
    again = runner.invoke(app, [*copy.args(), "decide", "0064"])
    assert again.exit_code == 0 and "nothing changed" in again.output
    assert snapshot(copy.root) == state


def test_decide_another_option_needs_a_reason(curated: tuple[Ingested, dict]) -> None:  # type: ignore[type-arg]
    copy, _ = curated
    adr_path = copy.root / "adrs" / ADR_NAME
    before = adr_path.read_bytes()
    refused = runner.invoke(app, [*copy.args(), "decide", "0064", "--option", "C"])
    assert refused.exit_code == 1 and refused.output.startswith("error: option C needs a --reason")
    assert adr_path.read_bytes() == before
    result = runner.invoke(app, [*copy.args(), "decide", "0064", "--option", "c", "--reason", "the team has no time"])
    assert result.exit_code == 0, result.output
    adr = load_adr(adr_path)
    assert (
        adr.status == "accepted"
        and "**Chosen option: C, Study and shelve**, because the team has no time." in adr.decision
    )
    assert _parts_outside(before.decode()) == _parts_outside(adr_path.read_text())
    # a second decision needs --revise, which keeps the first one visible
    refused = runner.invoke(app, [*copy.args(), "decide", "0064"])
    assert refused.exit_code == 1 and "already accepted" in refused.output
    revised = runner.invoke(app, [*copy.args(), "decide", "0064", "--revise"])
    assert revised.exit_code == 0, revised.output
    text = adr_path.read_text()
    assert "**Chosen option: B, Selective adoption**" in load_adr(adr_path).decision
    assert re.search(r"## Update \(\d{4}-\d\d-\d\d\)", text) and "> **Chosen option: C, Study and shelve**" in text


def test_dry_run_writes_nothing(curated: tuple[Ingested, dict]) -> None:  # type: ignore[type-arg]
    copy, _ = curated
    state = snapshot(copy.root)
    result = runner.invoke(app, [*copy.args(), "decide", "0064", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "+status: accepted" in result.stdout and "-status: proposed" in result.stdout
    assert "ADR-0064 decision.md" in result.stdout
    assert snapshot(copy.root) == state


def test_a_failure_in_the_middle_leaves_every_file_as_it_was(curated: tuple[Ingested, dict]) -> None:  # type: ignore[type-arg]
    copy, _ = curated
    # the decision note cannot be written: a folder stands where the file should be (permissions
    # cannot simulate this here: the tests run as root)
    (copy.root / "vault" / "decisions" / "ADR-0064 decision.md").mkdir()
    state = snapshot(copy.root)
    result = runner.invoke(app, [*copy.args(), "decide", "0064"])
    assert result.exit_code == 1 and "ADR-0064 decision.md" in result.output.splitlines()[0]
    assert snapshot(copy.root) == state
    assert (
        not list((copy.root / "adrs").glob(".*.tmp")) and load_adr(copy.root / "adrs" / ADR_NAME).status == "proposed"
    )


def test_supersedes_writes_both(curated: tuple[Ingested, dict]) -> None:  # type: ignore[type-arg]
    copy, _ = curated
    shutil.copy(next(CORPUS.glob("0037-*.md")), copy.root / "adrs")
    result = runner.invoke(app, [*copy.args(), "decide", "0064", "--supersedes", "37"])
    assert result.exit_code == 0, result.output
    assert load_adr(copy.root / "adrs" / ADR_NAME).supersedes == ["0037"]
    old = load_adr(next((copy.root / "adrs").glob("0037-*.md")))
    assert old.status == "superseded" and old.superseded_by == ["0064"]


@pytest.mark.parametrize("name", ["0017", "0119"], ids=["front-matter", "inline"])
def test_corpus_adrs_keep_their_style(adr_dir: Path, name: str) -> None:
    source = next(CORPUS.glob(f"{name}-*.md"))
    shutil.copy(source, adr_dir)
    path = adr_dir / source.name
    before = load_adr(path)
    args = ["decide", name, "--option", "B", "--reason", "it fits our constraints"]
    if before.status not in ("proposed", None):
        refused = runner.invoke(app, args)
        assert refused.exit_code == 1 and f"already {before.status}" in refused.output
        args.append("--revise")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    after = load_adr(path)
    assert after.style == before.style and after.status == "accepted"
    text = path.read_text()
    if before.style == "inline":
        assert re.search(r"^(- )?\*\*Status:?\*\*:? [Aa]ccepted *$", text, re.M) and not text.startswith("---")
    else:
        assert text.startswith("---\n") and "\nstatus: accepted\n" in text
    assert "because it fits our constraints." in after.decision


def test_madr_file_gets_a_decision_outcome(adr_dir: Path) -> None:
    made = runner.invoke(app, ["adr", "new", "Pick a queue", "--template", "madr"])
    path = Path(made.stdout.strip())
    result = runner.invoke(app, ["decide", path.name[:4], "--option", "A", "--reason", "simplest to run"])
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert 'Chosen option: "A: first option", because simplest to run.' in text
    assert text.count("## Decision Outcome") == 1 and "\n## Decision\n" not in text
    outcome = text.split("## Decision Outcome")[1].split("## Pros and Cons")[0]
    assert "### Consequences" in outcome and "* Good, because" in outcome  # the option's pros, MADR bullets
    assert load_adr(path).status == "accepted"


def test_errors(adr_dir: Path) -> None:
    shutil.copy(next(CORPUS.glob("0108-*.md")), adr_dir)
    no_options = runner.invoke(app, ["decide", "108", "--option", "A", "--reason", "x"])
    assert no_options.exit_code == 1 and "lists no options" in no_options.output
    unknown = runner.invoke(app, ["decide", "64", "--option", "Q", "--reason", "x"])
    assert unknown.exit_code == 1 and unknown.output.startswith("error: ADR-0064 has no option 'Q'")
    no_winner = runner.invoke(app, ["decide", "64"])
    assert no_winner.exit_code == 1 and "no clear winner" in no_winner.output


def test_decide_on_a_decided_madr2_adr_keeps_every_word_and_its_deciders(adr_dir: Path) -> None:
    """A real MADR 2 ADR, already decided (`- Status: accepted` bullet, a Decision Outcome with Positive and
    Negative Consequences, six deciders): without --revise nothing is written; with it the status bullet
    changes in place, the earlier decision and both consequence sections stay, and the note names the six."""
    source = SHARED / "corpus" / "outside" / "elastisys-compliantkubernetes" / "0001-use-rook-storage-orchestrator.md"
    path = adr_dir / source.name
    shutil.copy(source, path)
    before = path.read_text()
    args = ["decide", "1", "--option", "A", "--reason", "testing"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and "already accepted" in refused.output, refused.output
    assert path.read_text() == before
    revised = runner.invoke(app, [*args, "--status", "rejected", "--revise"])
    assert revised.exit_code == 0, revised.output
    after = path.read_text()
    assert "**Status**" not in after and "**Date**" not in after
    assert after.startswith("# Use Rook for Storage Orchestrator\n\n- Status: rejected\n- Deciders: Cristian Klein")
    kept = (
        "We no longer need to worry about",
        "We need to deprecate our NFS storage provider.",
        'Chosen option: "Rook"',
    )
    assert all(words in after for words in kept)
    assert re.search(r"## Update \(\d{4}-\d\d-\d\d\)", after)
    assert "### Positive Consequences" in after and "### Negative Consequences" in after
    for line in before.splitlines():  # every line the author wrote is still there (the old decision quoted)
        if line.strip() and not line.startswith(("- Status:", "- Date:")):
            assert line in after or f"> {line}" in after, line
    note = (adr_dir.parent / "vault" / "decisions" / "ADR-0001 decision.md").read_text()
    deciders = parse_front_matter(split_lines(note)).data["deciders"]
    names = ["Cristian Klein", "Lars Larsson", "Pradyumna Kashyap", "Daniel Harr", "Viktor Forsberg", "Fredrik Liv"]
    assert list(deciders) == names


def test_decide_keeps_a_proposal_written_in_the_decision_section(adr_dir: Path) -> None:
    """A proposed ADR whose Decision section already says what is proposed: deciding it moves that text under
    its own heading instead of deleting it; no --revise needed (nothing was decided yet)."""
    source = next(CORPUS.glob("0017-*.md"))
    path = adr_dir / source.name
    shutil.copy(source, path)
    before = load_adr(path)
    assert before.status == "proposed" and before.decision
    result = runner.invoke(app, ["decide", "17", "--option", "B", "--reason", "it fits"])
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert "## Proposal (as written before the decision of" in text
    assert before.decision.splitlines()[0] in text
    assert "because it fits." in load_adr(path).decision


def test_decide_refuses_to_supersede_in_a_circle(adr_dir: Path) -> None:
    """`decide --supersedes` never writes a circle of supersessions (64 already supersedes 65): refused, nothing
    written (whichever check speaks first: the circle, or 65's status holding its link to 64)."""
    assert runner.invoke(app, ["adr", "new", "Use Gleam"]).exit_code == 0
    assert runner.invoke(app, ["adr", "supersede", "65", "64"]).exit_code == 0
    before = {p.name: p.read_text() for p in adr_dir.glob("*.md")}
    refused = runner.invoke(app, ["decide", "65", "--option", "A", "--reason", "r", "--supersedes", "64"])
    assert refused.exit_code == 1 and "supersede" in refused.output, refused.output
    assert {p.name: p.read_text() for p in adr_dir.glob("*.md")} == before
