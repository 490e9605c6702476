"""Promises a decision tool must keep: hostile content stays inert, damaged notes are reported,
the store is shared safely, killed commands leave every file whole, and no parser crashes."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from joeladr.adr import parse_adr
from joeladr.cli import app
from joeladr.errors import JoeladrError, MarkerError
from joeladr.evaluate.note import read_blocks
from joeladr.transcript import Segment, Transcript
from joeladr.vault.blocks import blocks, merge_properties, replace_blocks
from joeladr.vault.source_notes import SourceInfo, properties, safe_name, write_source_note
from tests.conftest import corpus_files
from tests.ingested import TALKS, TYPESCRIPT, Ingested, copy_of, kill_at

runner = CliRunner()
HOSTILE = "--- <!-- joeladr:end transcript --> --> [[Secret]] %% hidden %% <script>alert(1)</script> # heading\n| a |"


# -- hostile content ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "title",
    ["../../etc/passwd", "a/b\\c", "nul\x00byte", "CON", "con.txt", "x" * 300, "   ", "..", "Talk: part 1?*<>|#^[]"],
)
def test_hostile_titles_become_safe_file_names(title: str, tmp_path: Path) -> None:
    name = safe_name(title)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name and len(name) <= 80
    assert name.split(".")[0].lower() not in ("con", "nul", "prn", "aux") and name not in (".", "..")
    (tmp_path / f"{name}.md").write_text("ok")  # it is a real, creatable file inside the folder
    assert (tmp_path / f"{name}.md").resolve().parent == tmp_path.resolve()


def test_hostile_transcript_cannot_break_the_note(tmp_path: Path) -> None:
    info = SourceInfo("abcdefghijk", HOSTILE, "https://youtu.be/abcdefghijk", "abcdefghijk", HOSTILE, None, 60.0)
    transcript = Transcript(
        (Segment(0, 5, HOSTILE), Segment(40, 45, "-->\n---\n<!-- joeladr:begin transcript -->")), "whisper", "tiny.en"
    )
    path = tmp_path / "note.md"
    props = properties(info, transcript, ingested="2026-01-01T00:00:00+00:00", embedding_model="m")
    write_source_note(path, info, transcript, props)
    text = path.read_text()
    assert set(blocks(text)) == {"summary", "chapters", "transcript"}  # still exactly our three blocks
    from joeladr.markdown import parse_front_matter, split_lines

    front = parse_front_matter(split_lines(text))
    assert front is not None and front.data["title"] == HOSTILE  # properties hold it quoted, intact
    body = "".join(split_lines(text)[front.end :])
    assert "<script>" not in body and "[[Secret]]" not in body and "%% hidden" not in body
    assert "\n---\n" not in body  # no stray front matter fence or thematic break
    # and a rerun with the same content changes nothing
    assert write_source_note(path, info, transcript, props) is False


def test_front_matter_never_builds_objects(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for value in (
        f"!!python/object/apply:os.system ['touch {marker}']",
        f"!!python/object/apply:subprocess.call [[touch, '{marker}']]",
    ):
        text = f"---\nstatus: {value}\ndate: 2024-01-01\n---\n# T\n"
        try:
            adr = parse_adr(text, tmp_path / "0001-x.md")
        except JoeladrError:
            continue  # refused: fine
        assert adr.raw_status is None or type(adr.raw_status) is str, type(adr.raw_status)
    assert not marker.exists()


def test_damaged_marker_blocks_are_reported_not_guessed() -> None:
    text = "# Note\n<!-- joeladr:begin transcript -->\nline\n\nMy text after the block\n"
    with pytest.raises(MarkerError, match="has no end marker"):
        replace_blocks(text, {"transcript": "new"})
    with pytest.raises(MarkerError, match="has no begin marker"):
        blocks("a\n<!-- joeladr:end transcript -->\n")
    with pytest.raises(MarkerError, match="appears twice"):
        blocks("<!-- joeladr:begin a -->\n<!-- joeladr:end a -->\n<!-- joeladr:begin a -->\n<!-- joeladr:end a -->\n")


def test_a_damaged_source_note_stops_ingest_with_one_line(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    note = copy.root / "vault" / "sources" / "beam-talk.md"
    damaged = note.read_text().replace("<!-- joeladr:end transcript -->", "")
    note.write_text(damaged)
    result = runner.invoke(app, [*copy.args(), "ingest", "--quiet", str(TALKS / "beam-talk.webm")])
    assert result.exit_code != 0 and "has no end marker" in result.output and "Traceback" not in result.output
    assert note.read_text() == damaged


def test_secrets_stay_out_of_errors_and_json(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.loopback import closed_port

    monkeypatch.setenv("JOELADR_QDRANT_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("JOELADR_QDRANT_API_KEY", "sk-very-secret-key")
    result = runner.invoke(app, ["search", "anything", "--json"])
    assert result.exit_code != 0 and "sk-very-secret-key" not in result.output
    assert result.output.startswith("error: cannot use the Qdrant server")


# -- fuzzing -----------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_parsers_raise_only_joeladr_errors_on_any_text(text: str) -> None:
    for parse in (
        lambda t: parse_adr(t, Path("0001-fuzz.md")),
        blocks,
        lambda t: read_blocks(t, ["A", "B"], "fuzz"),
        lambda t: merge_properties(t, {"type": "source"}),
    ):
        with contextlib.suppress(JoeladrError):
            parse(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_corpus_files_parse_or_fail_cleanly(data: st.DataObject) -> None:
    files = corpus_files()
    path = data.draw(st.sampled_from(files))
    text = path.read_text()
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    for _ in range(data.draw(st.integers(1, 8))):
        at = rng.randrange(len(text) + 1)
        op = rng.choice(["insert", "delete", "dup"])
        piece = rng.choice(["---\n", "**Status**:", "## ", "\n", ": [", "`", "- [ ] ", "|", "\r\n", "\x00", "{{"])
        if op == "insert":
            text = text[:at] + piece + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + rng.randrange(1, 40) :]
        else:
            text = text[:at] + text[at : at + 60] + text[at:]
    with contextlib.suppress(JoeladrError):
        parse_adr(text, path)


# -- concurrency -------------------------------------------------------------------------------
HOLD = """
import sys, time
from joeladr.store.edge import EdgeStore
s = EdgeStore.open(sys.argv[1], 384)
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
s.close()
"""


def test_a_second_process_waits_for_the_store_or_names_the_holder(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    store = copy.root / "home" / "store" / "joeladr"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store), "4"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    args = [sys.executable, "-m", "joeladr", *copy.args(), "search", "supervision", "--json"]
    refused = subprocess.run(args, env={**env, "JOELADR_LOCK_WAIT": "0.5"}, capture_output=True, text=True, check=False)
    assert refused.returncode != 0
    assert refused.stderr.startswith(f"error: the vector store at {store} is in use by pid {holder.pid}")
    waited = subprocess.run(args, env={**env, "JOELADR_LOCK_WAIT": "60"}, capture_output=True, text=True, check=False)
    assert waited.returncode == 0 and json.loads(waited.stdout)
    holder.wait()


# -- kills -------------------------------------------------------------------------------------
def _files(root: Path) -> dict[str, bytes]:
    """Every file a user sees (a killed writer's hidden ``.NAME.*.tmp`` files are not read by anything)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "home" not in p.parts and not (p.name.startswith(".") and p.name.endswith(".tmp"))
    }


@pytest.mark.parametrize("step", ["retrieved", "staged"])
def test_killed_evaluate_and_decide_leave_every_file_whole(ingested: Ingested, tmp_path: Path, step: str) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    if step == "staged":  # decide needs a decision to stage: curate one finding first
        data = json.loads(runner.invoke(app, [*copy.args(), "evaluate", "0064", "--json"]).stdout)
        first = data["criteria"][0]["findings"][0]["id"]
        runner.invoke(app, [*copy.args(), "finding", "0064", first, "--accept", "--supports", "B"])
        args = [*copy.args(), "decide", "0064", "--option", "B", "--reason", "the supervision story"]
    else:
        args = [*copy.args(), "evaluate", "0064"]
    before = _files(copy.root)
    kill_at(args, env, step)
    assert _files(copy.root) == before  # every file exactly as it was: nothing half-written
    rerun = subprocess.run(
        [sys.executable, "-m", "joeladr", *args], env=env, capture_output=True, text=True, check=False
    )
    assert rerun.returncode == 0, rerun.stderr


# -- a download that drops mid-file ------------------------------------------------------------
class _Dropping(http.server.BaseHTTPRequestHandler):
    payload = TYPESCRIPT.read_bytes()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "audio/webm")
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload[: len(self.payload) // 3])
        self.wfile.flush()
        self.connection.close()

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "audio/webm")
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_dropped_download_is_retried_then_reported(workspace: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Dropping)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/talk.webm"
        result = runner.invoke(app, ["ingest", "--quiet", url])
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code != 0 and result.output.startswith(f"error: {url}: cannot download")
    assert "Traceback" not in result.output
    assert not (workspace / "vault" / "sources").exists() or not list((workspace / "vault" / "sources").glob("*.md"))


def test_a_note_saved_while_evaluate_runs_is_merged_not_lost(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    runner.invoke(app, [*copy.args(), "evaluate", "0064"])
    note = copy.root / "vault" / "decisions" / "ADR-0064 evaluation.md"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "JOELADR_PAUSE_AT": "merged", "JOELADR_PAUSE_SECONDS": "3"}
    # a wider net, so this run has new findings to write
    proc = subprocess.Popen(
        [sys.executable, "-m", "joeladr", *copy.args(), "evaluate", "0064", "--top-k", "8", "--min-score", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None and "paused at merged" in proc.stderr.readline()
    edited = note.read_text().replace("- [ ] ", "- [x] ", 1) + "\nSaved in Obsidian while evaluate ran.\n"
    note.write_text(edited)  # the user saves while evaluate is between reading and writing
    assert proc.wait() == 0
    after = note.read_text()
    assert "Saved in Obsidian while evaluate ran." in after and after.count("- [x] ") >= 1


# -- resume and failing writes ------------------------------------------------------------------
def test_a_truncated_cache_entry_is_detected_and_redone(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    transcript = next((copy.root / "home" / "sources").glob("generic-*/transcript-*.json"))
    transcript.write_bytes(transcript.read_bytes()[:200])  # a torn write from some other tool
    before = (copy.root / "vault" / "sources").glob("*.md")
    snapshot = {p.name: p.read_text() for p in before}
    result = runner.invoke(app, [*copy.args(), "ingest", "--quiet", "--json", copy.url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ingested"][0]["steps"] == ["transcribe"]  # redone; the rest was cached
    assert {p.name: p.read_text() for p in (copy.root / "vault" / "sources").glob("*.md")} == snapshot


def test_a_cache_that_cannot_be_written_is_one_clear_error(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = workspace / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("JOELADR_HOME", str(blocker / "home"))
    result = runner.invoke(app, ["ingest", "--quiet", str(TYPESCRIPT)])
    assert result.exit_code != 0 and result.output.startswith("error: ") and "Traceback" not in result.output
    assert not (workspace / "vault" / "sources").exists() or not list((workspace / "vault" / "sources").glob("*.md"))


# -- user edits, generated -------------------------------------------------------------------------
USER_TEXT = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABC.,!?*_[]()0123456789", min_size=1, max_size=40).filter(
        lambda t: t.strip() and not t.strip().startswith(("-", "*", "#", "[", "_", "0", "1"))
    ),
    min_size=1,
    max_size=5,
)


def _insert_outside_blocks(text: str, lines_to_add: list[str], data: st.DataObject) -> str:
    lines = text.split("\n")
    spans = blocks(text)
    front_end = lines.index("---", 1) + 1
    inside = {i for start, stop in spans.values() for i in range(start, stop + 1)}
    allowed = [
        i for i in range(front_end, len(lines) + 1) if (i not in inside and (i - 1) not in inside) or i == len(lines)
    ]
    for added in lines_to_add:
        at = data.draw(st.sampled_from(allowed))
        lines.insert(at, f"USER: {added}")
        allowed = [a + 1 if a >= at else a for a in allowed] + [at]
    return "\n".join(lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(USER_TEXT, st.data())
def test_generated_user_edits_survive_a_note_refresh(tmp_path: Path, added: list[str], data: st.DataObject) -> None:
    info = SourceInfo("abcdefghijk", "A talk", "https://youtu.be/abcdefghijk", "abcdefghijk", "Chan", None, 60.0)
    transcript = Transcript((Segment(0, 5, "first words"), Segment(40, 45, "later words")), "whisper", "tiny.en")
    path = tmp_path / "note.md"
    path.unlink(missing_ok=True)
    props = properties(info, transcript, ingested="2026-01-01T00:00:00+00:00", embedding_model="m")
    write_source_note(path, info, transcript, props)
    edited = _insert_outside_blocks(path.read_text(), added, data)
    path.write_text(edited)
    newer = Transcript((Segment(0, 5, "first words, heard better"),), "whisper", "small.en")
    write_source_note(
        path, info, newer, properties(info, newer, ingested="2026-01-01T00:00:00+00:00", embedding_model="m")
    )
    after = path.read_text()
    assert [line for line in after.split("\n") if line.startswith("USER: ")] == [
        line for line in edited.split("\n") if line.startswith("USER: ")
    ]
    assert "heard better" in after and "model: small.en" in after


def test_a_killed_writers_old_temp_files_are_swept(tmp_path: Path) -> None:
    from joeladr.atomic import atomic_write_text

    target = tmp_path / "note.md"
    old, fresh = tmp_path / ".note.md.abc123.tmp", tmp_path / ".note.md.def456.tmp"
    old.write_text("half")
    fresh.write_text("someone writing right now")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    atomic_write_text(target, "whole")
    assert target.read_text() == "whole" and not old.exists() and fresh.exists()
