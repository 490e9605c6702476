"""Nothing changes a decision silently, and the decision record reads right where it is read.

Option lists in the evaluation note are parsed strictly; curation notes, decision reasons and
everything from a file name, title or transcript are inert text in every file they reach; a
symlinked ADR or note is edited where it points (inside the workspace) or refused; the ADR
links to sources where it is read (a URL, a path relative to it, or plain text) while the
vault keeps wikilinks; properties keep one type.

No audio is ingested here: the findings come from a made-up retrieval handed to the real note
writer (``update_note``), with real catalog records and real vault notes beside them; every
command after that runs as the user runs it (the CLI).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from joeladr.adr.repo import AdrRepository
from joeladr.catalog import Catalog, SourceRecord
from joeladr.cli import app
from joeladr.evaluate.findings import Finding
from joeladr.evaluate.run import Retrieved, update_note
from joeladr.settings import Settings, resolve_settings
from joeladr.vault.blocks import blocks

runner = CliRunner()
ADR_NAME = "0064-elixir-beam-evaluation.md"
HOSTILE_FILE = '"><img src=x onerror=alert(1)>[[x]] %% <!-- talk.webm'
TALK_URL = "https://www.youtube.com/watch?v=JvBT4XBdoUE"


def cli(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def record(source_id: str, title: str, url: str | None, note: str, video_id: str | None = None) -> SourceRecord:
    return SourceRecord(
        source_id, title, url, video_id, None, None, 600.0, 10, "sentence-transformers/all-MiniLM-L6-v2",
        "whisper", "tiny.en", "c", "2026-12-01", note,
    )  # fmt: skip


class Workspace:
    """ADR-0064 with two sources (a local file with a hostile name, and a YouTube talk) and findings on
    three criteria, as `evaluate` leaves them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.settings: Settings = resolve_settings()
        self.adr_path = self.settings.adr_dir / ADR_NAME
        self.local = record("file-0123456789abcdef", "beam-talk", f"/home/you/talks/{HOSTILE_FILE}", "beam-talk.md")
        self.talk = record("JvBT4XBdoUE", "Elixir talk", TALK_URL, "Elixir talk (JvBT4XBdoUE).md", "JvBT4XBdoUE")
        catalog = Catalog(self.settings.home)
        for source in (self.local, self.talk):
            catalog.put(source)
            note = self.settings.sources_dir / source.note
            note.parent.mkdir(parents=True, exist_ok=True)
            note.write_text(f"---\ntype: source\njoeladr_id: {source.source_id}\n---\n\n# {source.title}\n")
        found = {
            "supervision-model": [self.finding("f-00000001", "supervision-model", self.local, 10)],
            "selective-adoption": [self.finding("f-00000002", "selective-adoption", self.talk, 20)],
            "interop-story": [self.finding("f-00000003", "interop-story", self.local, 30)],
        }
        update_note(self.settings, self.adr(), Retrieved(found))

    @staticmethod
    def finding(finding_id: str, target: str, source: SourceRecord, start: float) -> Finding:
        url = f"{source.url}&t={int(start)}" if source.url and source.url.startswith("http") else None
        text = f"supervisors restart a crashed process, said at {start:g} seconds"
        return Finding(
            finding_id, target, source.source_id, source.title, source.note_name, url, start, start + 5, text, 0.6
        )

    def adr(self) -> Any:
        return AdrRepository(self.settings.adr_dir).get("0064")

    @property
    def note_path(self) -> Path:
        return self.settings.decisions_dir / "ADR-0064 evaluation.md"

    def note(self) -> str:
        return self.note_path.read_text()

    def edit_line(self, finding_id: str, new: str) -> None:
        """Rewrite a finding's line as a user would in Obsidian (``new`` replaces ``- [ ] ... (0.60)``'s tail)."""
        lines = self.note().splitlines(keepends=True)
        index = next(i for i, line in enumerate(lines) if line.rstrip().endswith(f"^{finding_id}"))
        head = lines[index].rsplit(f" ^{finding_id}", 1)[0].replace("- [ ]", "- [x]", 1)
        lines[index] = f"{head} {new} ^{finding_id}\n"
        self.note_path.write_text("".join(lines))

    def evaluation(self, *args: str) -> dict[str, Any]:
        """What `finding ... --json` reports (a curation that rescores from the note, without models)."""
        data: dict[str, Any] = json.loads(cli("finding", "0064", *args, "--json").stdout)
        return data


@pytest.fixture
def ws(adr_dir: Path) -> Workspace:
    return Workspace(adr_dir.parent)


def scores(data: dict[str, Any], criterion: str) -> dict[str, int]:
    found: dict[str, int] = next(c["scores"] for c in data["criteria"] if c["id"] == criterion)
    return found


# -- 24.1: option lists are parsed strictly -----------------------------------------------------------
def test_an_option_list_that_is_not_one_counts_for_no_option_and_says_where(ws: Workspace) -> None:
    """`[supports:: B and C]` counted B, A, N, D, C (every letter): option A got +1 from the word "and"."""
    ws.edit_line("f-00000001", "[supports:: B and C]")
    ws.edit_line("f-00000003", "[supports:: b, c] [weakens:: A]")
    data = ws.evaluation("f-00000002", "--accept", "--supports", "B")
    assert scores(data, "supervision-model") == {"A": 0, "B": 0, "C": 0}
    assert scores(data, "interop-story") == {"A": -1, "B": 1, "C": 1}
    line = next(i for i, text in enumerate(ws.note().splitlines()) if text.endswith("^f-00000001")) + 1
    warnings = [m for m in data["messages"] if "supports:: B and C" in m]
    assert warnings == [
        f"ADR-0064 evaluation.md, line {line}: [supports:: B and C] is not a list of option labels (A, B, C; "
        "separated by commas or spaces), so finding f-00000001 counts for no option until it is"
    ]
    finding = next(f for c in data["criteria"] for f in c["findings"] if f["id"] == "f-00000001")
    assert finding["status"] == "accepted" and finding["supports"] == [] and finding["weakens"] == []


@pytest.mark.parametrize(
    "field,counted",
    [
        ("[supports:: B]", {"B": 1}),
        ("[supports:: B,C]", {"B": 1, "C": 1}),
        ("[supports:: b  c]", {"B": 1, "C": 1}),
        ("[supports:: B, B]", {"B": 1}),
        ("[supports:: ]", {}),
        ("[supports:: B & C]", None),
        ("[supports:: Option B]", None),
        ("[supports:: B/C]", None),
        ("[supports:: D]", None),
        ("[weakens:: AB]", None),
        ("[supports:: B] [weakens:: all]", None),  # one bad list: the line's whole stance waits
    ],
)
def test_what_an_option_list_accepts(ws: Workspace, field: str, counted: dict[str, int] | None) -> None:
    ws.edit_line("f-00000001", field)
    data = ws.evaluation("f-00000002", "--pending")
    expected = {"A": 0, "B": 0, "C": 0} | (counted or {})
    assert scores(data, "supervision-model") == expected
    assert any("is not a list of option labels" in m for m in data["messages"]) == (counted is None)


# -- 22.11: a curation note is one inert line ---------------------------------------------------------
HOSTILE_NOTE = "agent says %% hidden <!-- x --> [supports:: C] [[embed]] a::b %%%"


def test_a_note_cannot_hide_the_evaluation_note_or_add_a_stance(ws: Workspace) -> None:
    """`%%` or `<!--` in a note were written raw: Obsidian hid the rest of the evaluation note."""
    data = ws.evaluation("f-00000001", "--accept", "--supports", "B", "--note", HOSTILE_NOTE)
    text = ws.note()
    assert "%%" not in text and "<!--" not in re.sub(r"<!-- joeladr:(begin|end) [a-z0-9_-]+ -->", "", text)
    assert "[[embed]]" not in text and "[supports:: C]" not in text
    assert set(blocks(text)) >= {"matrix", "criterion-supervision-model", "criterion-interop-story"}
    finding = next(f for c in data["criteria"] for f in c["findings"] if f["id"] == "f-00000001")
    assert finding["supports"] == ["B"] and scores(data, "supervision-model") == {"A": 0, "B": 1, "C": 0}
    assert finding["note"] == HOSTILE_NOTE.replace("[", "(").replace("]", ")")  # read back as written


def test_a_note_with_a_line_break_stays_on_the_findings_line(ws: Workspace) -> None:
    """A core caller's note with a newline split the finding's line: the finding vanished, and a later
    `finding ... --accept` said "no finding"."""
    from joeladr.evaluate.curate import curate
    from joeladr.evaluate.note import edit_finding_line

    line = next(line for line in ws.note().splitlines() if line.endswith("^f-00000001"))
    edited = edit_finding_line(line, note="agent says\n- [x] extra\r\n## heading")
    assert "\n" not in edited and "\r" not in edited and edited.endswith(" ^f-00000001")
    curate(ws.settings, ws.adr(), "f-00000001", note="agent says\n- [x] extra [weakens:: A]\n## heading")
    data = ws.evaluation("f-00000001", "--accept")
    finding = next(f for c in data["criteria"] for f in c["findings"] if f["id"] == "f-00000001")
    assert finding["status"] == "accepted" and finding["note"] == "agent says - (x) extra (weakens:: A) ## heading"
    assert finding["weakens"] == [] and "\n## heading" not in ws.note()


# -- 24.3: a decision reason is text --------------------------------------------------------------
REASON = "the team said so\n<!-- joeladr:end decision -->\n## Consequences of haste\nStatus: rejected\n- [x] done"


def test_a_reason_cannot_break_the_decision_note_or_add_structure_to_the_adr(ws: Workspace) -> None:
    """A reason with the decision block's end marker broke the decision note (`report` and `decide --revise` then
    failed until fixed by hand); a heading or `Status:` line in it landed in the ADR as structure. The request
    makes a reason one line; a core caller's reason is rendered inert all the same."""
    from joeladr.adr import load_adr
    from joeladr.decide import DecisionChoice, decide

    before = load_adr(ws.adr_path)
    decide(ws.settings, "0064", DecisionChoice(option="C", reason=REASON))
    adr = load_adr(ws.adr_path)
    assert adr.status == "accepted"
    added = [title for title in adr.section_titles if title not in before.section_titles]
    assert added == ["Consequences", "Evidence", "Decision matrix"]  # the record's own, none from the reason
    first = adr.decision.strip().splitlines()[0]
    assert first == (
        "**Chosen option: C, Study and shelve**, because the team said so &lt;!-- joeladr:end decision --&gt; "
        "## Consequences of haste Status: rejected - \\[x\\] done."
    )
    decision_note = ws.settings.decisions_dir / "ADR-0064 decision.md"
    assert set(blocks(decision_note.read_text())) == {"decision", "charts"}
    cli("report", "0064")
    revised = cli("decide", "0064", "--option", "B", "--reason", "on reflection", "--revise")
    assert "ADR-0064" in revised.output
    assert "**Chosen option: B, Selective adoption**, because on reflection." in load_adr(ws.adr_path).decision


# -- 24.5 and 22.10: what the ADR's Source Material says about a source -------------------------------
def source_lines(ws: Workspace) -> list[str]:
    text = ws.adr_path.read_text()
    section = text.split("## Source Material", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("- [")]


def test_a_file_name_is_text_and_no_path_of_this_machine_reaches_the_adr(ws: Workspace) -> None:
    """A local file named `"><img src=x onerror=...>.webm` landed raw in the Source Material line, with
    `[[beam-talk]] (/home/you/talks/...)`: a wikilink dead outside the vault and a path of the writer's machine."""
    ws.evaluation("f-00000001", "--accept", "--supports", "B")
    ws.evaluation("f-00000002", "--accept", "--supports", "B")
    cli("decide", "0064")
    text = ws.adr_path.read_text()
    assert "<img" not in text and "/home/you" not in text and "[[" not in text and "%%" not in text
    lines = source_lines(ws)
    assert lines[0].startswith("- [x] Video: YouTube `JvBT4XBdoUE`")
    assert lines[0].endswith("— vault note: Elixir talk (JvBT4XBdoUE)")  # no tree holds ADR and vault: text
    local = next(line for line in lines if "beam-talk" in line)
    assert local == (
        '- [x] Evidence: beam-talk (local file "&gt;&lt;img src=x onerror=alert(1)&gt;\\[\\[x\\]\\] %\u200b% '
        "&lt;!-- talk.webm) — cited in the decision"
    )
    quotes = ws.adr_path.read_text().split("### Evidence", 1)[1]
    assert (
        "— beam-talk at 00:10" in quotes and "— Elixir talk (JvBT4XBdoUE) at [00:20](https://www.youtube.com/" in quotes
    )
    decision_note = (ws.settings.decisions_dir / "ADR-0064 decision.md").read_text()
    assert "[[beam-talk]]" in decision_note and "[[Elixir talk (JvBT4XBdoUE)]]" in decision_note  # the vault links


def test_in_one_repository_the_adr_links_the_vault_notes_by_relative_paths(ws: Workspace) -> None:
    """When the ADR and the vault are in one git repository, the links are paths from the ADR to the notes
    (percent-encoded), and they lead to the notes."""
    from urllib.parse import unquote

    (ws.root / ".git").mkdir()
    ws.evaluation("f-00000001", "--accept", "--supports", "B")
    ws.evaluation("f-00000003", "--accept", "--weakens", "A")
    ws.evaluation("f-00000002", "--accept", "--supports", "B")
    cli("decide", "0064")
    lines = source_lines(ws)
    assert lines[0].endswith(
        "— vault note: [Elixir talk (JvBT4XBdoUE)](../vault/sources/Elixir%20talk%20%28JvBT4XBdoUE%29.md)"
    )
    local = next(line for line in lines if "beam-talk" in line)
    assert local.endswith("— cited in the decision (vault note: [beam-talk](../vault/sources/beam-talk.md))")
    assert sum("beam-talk" in line for line in lines) == 1  # cited twice, listed once
    for target in re.findall(r"\]\((\.\./[^)]+)\)", "\n".join(lines)):
        assert (ws.adr_path.parent / unquote(target)).resolve().is_file(), target


def test_a_vault_outside_the_adrs_repository_is_named_not_linked(ws: Workspace, tmp_path: Path) -> None:
    """A vault elsewhere on this machine: a relative path would lead nowhere once the ADR is pushed."""
    import shutil

    (ws.root / ".git").mkdir()
    elsewhere = tmp_path / "Obsidian"
    shutil.move(ws.settings.vault, elsewhere)
    env = {"JOELADR_VAULT": str(elsewhere)}
    for finding in ("f-00000001", "f-00000002"):
        result = runner.invoke(app, ["finding", "0064", finding, "--accept", "--supports", "B"], env=env)
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["decide", "0064"], env=env)
    assert result.exit_code == 0, result.output
    lines = source_lines(ws)
    assert lines[0].endswith("— vault note: Elixir talk (JvBT4XBdoUE)") and "](" not in lines[0].split("—")[-1]
    assert "Obsidian" not in ws.adr_path.read_text()


# -- 24.6: a symlinked ADR or note ---------------------------------------------------------------
def test_a_symlinked_adr_and_note_are_edited_where_they_lead_inside_the_workspace(ws: Workspace) -> None:
    """A symlinked ADR or note was replaced by a regular copy, and the file it led to kept its old content.
    Here both lead into the workspace (the folder of joeladr.toml): the files they lead to change, the links stay."""
    (ws.root / "joeladr.toml").write_text("")
    shared = ws.root / "shared"
    shared.mkdir()
    for path, name in ((ws.adr_path, "adr.md"), (ws.note_path, "evaluation.md")):
        path.rename(shared / name)
        path.symlink_to(shared / name)
    ws.evaluation("f-00000001", "--accept", "--supports", "B")
    ws.evaluation("f-00000002", "--accept", "--supports", "B")
    assert ws.note_path.is_symlink() and "- [x]" in (shared / "evaluation.md").read_text()
    cli("decide", "0064")
    assert ws.adr_path.is_symlink() and ws.adr_path.resolve() == shared / "adr.md"
    assert "status: accepted" in (shared / "adr.md").read_text()
    assert not [p for p in (*shared.iterdir(), *ws.adr_path.parent.iterdir()) if p.name.endswith(".tmp")]


def test_a_symlink_out_of_the_workspace_is_refused_in_one_line(ws: Workspace, tmp_path: Path) -> None:
    """An ADR that is a link to a file outside the workspace: decide writes nothing, through the link or over it."""
    (ws.root / "joeladr.toml").write_text("")
    outside = tmp_path / "elsewhere" / "adr.md"
    outside.parent.mkdir()
    ws.adr_path.rename(outside)
    ws.adr_path.symlink_to(outside)
    ws.evaluation("f-00000001", "--accept", "--supports", "B")
    ws.evaluation("f-00000002", "--accept", "--supports", "B")
    before = outside.read_text()
    note = ws.note()
    result = runner.invoke(app, ["decide", "0064"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        f"error: {ws.adr_path} is a symlink to {outside}, outside the workspace: joeladr does not write through it"
    )
    assert lines[1].startswith("hint: edit that file where it is, or put it (or a copy) inside the workspace: ")
    assert ws.adr_path.is_symlink() and outside.read_text() == before and ws.note() == note
    assert not (ws.settings.decisions_dir / "ADR-0064 decision.md").exists()


# -- 22.12: property types ----------------------------------------------------------------------
def yaml11(note: str) -> dict[str, Any]:
    """The note's properties as a YAML 1.1 reader (PyYAML, and tools built on it) types them."""
    from ruamel.yaml import YAML

    front = note.split("---\n", 2)[1]
    data: dict[str, Any] = YAML(typ="safe", pure=True).load("%YAML 1.1\n---\n" + front)
    return data


@pytest.mark.parametrize("seconds", [126.4, 754.0, 3723.0])
def test_a_source_notes_duration_is_seconds_for_every_reader(tmp_path: Path, seconds: float) -> None:
    """`duration: 12:34` and `1:02:03` were the integers 754 and 3723 to a YAML 1.1 reader, while `02:06` stayed
    text. It is a number of seconds now; and titles a YAML 1.1 reader would take for a number or a boolean stay
    text (quoted)."""
    from joeladr.transcript import Segment, Transcript
    from joeladr.vault.source_notes import SourceInfo, properties, write_source_note

    info = SourceInfo("file-0123456789abcdef", "12:34", None, None, "no", "2026-12-01", seconds)
    transcript = Transcript((Segment(0.0, 4.0, "hello"),), "whisper", "tiny.en")
    path = tmp_path / "note.md"
    props = properties(info, transcript, ingested="2026-12-06", embedding_model="m")
    write_source_note(path, info, transcript, props)
    data = yaml11(path.read_text())
    assert data["duration"] == int(seconds) and isinstance(data["duration"], int)
    assert data["title"] == "12:34" and data["channel"] == "no"
    assert write_source_note(path, info, transcript, props) is False  # and it stays as written


def test_notes_written_by_an_older_joeladr_get_the_new_types(tmp_path: Path) -> None:
    from joeladr.vault.blocks import merge_properties

    old = "---\ntitle: 12:34\nchannel: yes\nduration: 02:06\nmine: 1:02\n---\n# talk\n"
    new = merge_properties(old, {"title": "12:34", "channel": "yes", "duration": 126})
    assert yaml11(new) == {"title": "12:34", "channel": "yes", "duration": 126, "mine": 62}  # the user's key kept


def test_decide_brings_the_evaluation_notes_status_along(ws: Workspace) -> None:
    """After `decide` the evaluation note said `status: proposed` until the next `evaluate`."""
    ws.evaluation("f-00000001", "--accept", "--supports", "B")
    ws.evaluation("f-00000002", "--accept", "--supports", "B")
    assert yaml11(ws.note())["status"] == "proposed"
    before = ws.note()
    dry = cli("decide", "0064", "--dry-run").stdout
    assert "+status: accepted" in dry.split("+++ b/vault/decisions/ADR-0064 evaluation.md", 1)[1].split("+++ ")[0]
    assert ws.note() == before
    cli("decide", "0064")
    assert yaml11(ws.note())["status"] == "accepted"
    rejected = cli("decide", "0064", "--status", "rejected", "--option", "B", "--reason", "costs", "--revise")
    assert "ADR-0064" in rejected.output and yaml11(ws.note())["status"] == "rejected"


# -- 24.10: work linear in the number of criteria -------------------------------------------------
def _spliced(text: str, bodies: dict[str, str], after: dict[str, str]) -> str:
    """replace_blocks as it was (one splice per block, quadratic in blocks): the reference for the one-pass one."""
    from joeladr.markdown import split_lines
    from joeladr.vault.blocks import begin, block, end

    lines = split_lines(text)
    spans = blocks(text)
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    placed = {n: spans[a][1] for n, a in after.items() if n in bodies and n not in spans and a in spans}
    edits: list[tuple[float, str]] = [(start, n) for n, (start, _) in spans.items() if n in bodies]
    edits += [(line + 0.5, n) for n, line in placed.items()]
    for position, name in sorted(edits, reverse=True):
        body = bodies[name].rstrip()
        new = [line + eol for line in body.split("\n")] if body else []
        if name in spans:
            start, stop = spans[name]
            lines[start + 1 : stop] = new
        else:
            lines[int(position) + 1 : int(position) + 1] = [eol, begin(name) + eol, *new, end(name) + eol]
    result = "".join(lines)
    for name in [n for n in bodies if n not in spans and n not in placed]:
        if result and not result.endswith("\n"):
            result += eol
        result += eol + block(name, bodies[name]).replace("\n", eol) + eol
    return result


def test_replacing_blocks_in_one_pass_writes_what_splicing_wrote() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from joeladr.vault.blocks import block, replace_blocks

    names = ["a", "b", "c", "d"]

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(st.sampled_from(names), unique=True),
        st.dictionaries(st.sampled_from([*names, "e"]), st.text("xy \n-", max_size=12)),
        st.dictionaries(st.sampled_from(["e", "c"]), st.sampled_from(names), max_size=2),
        st.sampled_from(["\n", "\r\n"]),
        st.booleans(),
    )
    def check(present: list[str], bodies: dict[str, str], after: dict[str, str], eol: str, tail: bool) -> None:
        text = "\n\n".join(f"## {n}\n{block(n, 'old ' + n)}" for n in present) + ("\ntext" if tail else "")
        text = text.replace("\n", eol)
        assert replace_blocks(text, bodies, after=after) == _spliced(text, bodies, after)

    check()


def test_a_chart_too_large_to_draw_is_a_one_line_warning_after_the_note(workspace: Path) -> None:
    """2,000 criteria: the note is written and scored (sensitivity included); the matrix chart is beyond vl-convert's
    JavaScript stack, which is one warning line, not a stack trace."""
    from joeladr.adr import load_adr
    from joeladr.evaluate.run import note_path_for
    from joeladr.report.vault import NoteCharts

    criteria = "\n".join(f"{i + 1}. **Criterion {i + 1}** — does it hold in case {i + 1}?" for i in range(2000))
    path = workspace / "adrs" / "0064-many.md"
    path.parent.mkdir()
    path.write_text(
        f"# ADR-0064: Many\n\n## Evaluation Criteria\n\n{criteria}\n\n## Options Under Consideration\n\n"
        "### Option A: One\nx\n\n### Option B: Two\ny\n"
    )
    settings, adr = resolve_settings(), load_adr(path)
    found = {
        c.id: [Finding(f"f-{i:08x}", c.id, "s", "t", None, None, i, i + 1.0, "x", 0.5)]
        for i, c in enumerate(adr.criteria)
    }
    note = note_path_for(settings, adr)
    update_note(settings, adr, Retrieved(found))
    note.write_text(note.read_text().replace("- [ ]", "- [x]").replace(" ^f-00000001", " [supports:: B] ^f-00000001"))
    warnings: list[str] = []
    evaluation = update_note(settings, adr, charts=NoteCharts(settings, warnings.append))
    assert evaluation.matrix.winner() == "B" and "Score sensitivity" in note.read_text()
    assert len(warnings) == 1 and "\n" not in warnings[0], warnings
    assert warnings[0].startswith("the charts were not drawn: cannot draw the matrix chart: ")
