"""Writers of the same file never lose each other's change: real processes, started together.

Each concurrency test runs 8 trials. ``JOELADR_PAUSE_AT`` + ``JOELADR_PAUSE_UNTIL`` stop every
process at the same named step and release them at the same moment, so on code without a
lock both pass their checks before either writes; that is the race a user meets by chance.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joeladr.adr import load_adr
from joeladr.cli import app
from joeladr.markdown import parse_front_matter, split_lines
from tests.ingested import Ingested, copy_of, kill_at

runner = CliRunner()
TRIALS = 8
ADR_NAME = "0064-elixir-beam-evaluation.md"


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", **extra}


def _together(commands: list[list[str]], step: str, lead: float = 3.0) -> list[subprocess.CompletedProcess[str]]:
    """Run every command as its own `joeladr` process; each one that reaches ``step`` waits there for the others."""
    release = f"{time.time() + lead:.3f}"
    env = _env(JOELADR_PAUSE_AT=step, JOELADR_PAUSE_UNTIL=release)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "joeladr", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for args in commands
    ]
    results = []
    for proc, args in zip(procs, commands, strict=True):
        out, err = proc.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return results


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line and not line.startswith("joeladr: paused at")]


@pytest.fixture
def evaluated_copy(ingested: Ingested, tmp_path: Path) -> tuple[Ingested, dict]:  # type: ignore[type-arg]
    copy = copy_of(ingested, tmp_path / "copy")
    result = runner.invoke(app, [*copy.args(), "evaluate", "0064", "--json"])
    assert result.exit_code == 0, result.output
    return copy, json.loads(result.stdout)


def test_two_findings_at_once_keep_both_edits(evaluated_copy: tuple[Ingested, dict]) -> None:  # type: ignore[type-arg]
    copy, data = evaluated_copy
    first, second = (c["findings"][0]["id"] for c in data["criteria"][:2])
    note = copy.root / "vault" / "decisions" / "ADR-0064 evaluation.md"
    original = note.read_text()
    for trial in range(TRIALS):
        note.write_text(original)
        results = _together(
            [
                [*copy.args(), "finding", "0064", first, "--accept", "--supports", "B", "--json"],
                [*copy.args(), "finding", "0064", second, "--reject", "--note", "mine", "--json"],
            ],
            "merged",
        )
        for result in results:
            assert result.returncode == 0, (trial, result.stderr)
        lines = note.read_text().splitlines()
        accepted = next(line for line in lines if line.endswith(first))
        rejected = next(line for line in lines if line.endswith(second))
        assert accepted.startswith("- [x]") and "[supports:: B]" in accepted, (trial, accepted)
        assert rejected.startswith("- [-]") and "[note:: mine]" in rejected, (trial, rejected)


def test_a_finding_and_an_editor_save_keep_both(evaluated_copy: tuple[Ingested, dict]) -> None:  # type: ignore[type-arg]
    copy, data = evaluated_copy
    first = data["criteria"][0]["findings"][0]["id"]
    note = copy.root / "vault" / "decisions" / "ADR-0064 evaluation.md"
    proc = subprocess.Popen(
        [sys.executable, "-m", "joeladr", *copy.args(), "finding", "0064", first, "--accept"],
        env=_env(JOELADR_PAUSE_AT="merged", JOELADR_PAUSE_SECONDS="3"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None and "paused at merged" in proc.stderr.readline()
    note.write_text(note.read_text() + "\nMy thoughts, saved in Obsidian while the finding was being written.\n")
    assert proc.wait() == 0
    after = note.read_text()
    assert "saved in Obsidian while the finding" in after
    assert next(line for line in after.splitlines() if line.endswith(first)).startswith("- [x]")


def test_two_decisions_at_once_one_wins_the_other_is_refused(
    evaluated_copy: tuple[Ingested, dict],  # type: ignore[type-arg]
) -> None:
    copy, _ = evaluated_copy
    adr = copy.root / "adrs" / ADR_NAME
    decision = copy.root / "vault" / "decisions" / "ADR-0064 decision.md"
    index = copy.root / "adrs" / "README.md"
    original = adr.read_text()
    for trial in range(TRIALS):
        adr.write_text(original)
        decision.unlink(missing_ok=True)
        index.unlink(missing_ok=True)
        results = _together(
            [
                [*copy.args(), "decide", "0064", "--option", "B", "--reason", "the supervision story"],
                [*copy.args(), "decide", "0064", "--option", "C", "--reason", "not now"],
            ],
            "staged",
        )
        ok = [r for r in results if r.returncode == 0]
        refused = [r for r in results if r.returncode != 0]
        assert len(ok) == 1 and len(refused) == 1, (trial, [(r.returncode, r.stdout, r.stderr) for r in results])
        lines = _errors(refused[0].stderr)
        assert lines[0].startswith("error: ") and "Traceback" not in refused[0].stderr, (trial, lines)
        chosen = ok[0].args[ok[0].args.index("--option") + 1]
        decided = load_adr(adr)
        assert decided.status == "accepted" and f"**Chosen option: {chosen}," in decided.decision, (trial, chosen)
        assert "## Update" not in adr.read_text()
        front = parse_front_matter(split_lines(decision.read_text()))
        assert front is not None and str(front.data["chosen"]).startswith(f"{chosen}:"), trial


def test_a_killed_decides_temp_files_are_swept_by_the_rerun(
    evaluated_copy: tuple[Ingested, dict],  # type: ignore[type-arg]
) -> None:
    copy, _ = evaluated_copy
    args = [*copy.args(), "decide", "0064", "--option", "B", "--reason", "the supervision story"]
    kill_at(args, _env(), "staged")
    folders = [copy.root / "adrs", copy.root / "vault" / "decisions"]
    left = [p.name for folder in folders for p in folder.glob(".*.tmp")]
    assert len(left) >= 3, left  # the ADR's, the index's and the decision note's staged copies
    rerun = subprocess.run([sys.executable, "-m", "joeladr", *args], env=_env(), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert [p.name for folder in folders for p in folder.glob(".*.tmp")] == []


HOLD = """
import sys, time
from joeladr.locking import workspace_lock
from joeladr.settings import resolve_settings
settings = resolve_settings(overrides={"home": sys.argv[1]})
with workspace_lock(settings):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_writer_waits_for_the_workspace_lock_or_names_the_holder(
    evaluated_copy: tuple[Ingested, dict],  # type: ignore[type-arg]
) -> None:
    copy, data = evaluated_copy
    first = data["criteria"][0]["findings"][0]["id"]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(copy.root / "home"), "5"], env=_env(), stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    args = [sys.executable, "-m", "joeladr", *copy.args(), "finding", "0064", first, "--accept"]
    refused = subprocess.run(args, env=_env(JOELADR_LOCK_WAIT="0.5"), capture_output=True, text=True)
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"error: the workspace is being written by pid {holder.pid} "), refused.stderr
    note = copy.root / "vault" / "decisions" / "ADR-0064 evaluation.md"
    assert next(line for line in note.read_text().splitlines() if line.endswith(first)).startswith("- [ ]")
    waited = subprocess.run(args, env=_env(JOELADR_LOCK_WAIT="60"), capture_output=True, text=True)
    assert waited.returncode == 0, waited.stderr
    assert holder.wait() == 0
    assert next(line for line in note.read_text().splitlines() if line.endswith(first)).startswith("- [x]")


def test_a_killed_lock_holder_releases_the_lock(evaluated_copy: tuple[Ingested, dict]) -> None:  # type: ignore[type-arg]
    copy, data = evaluated_copy
    first = data["criteria"][0]["findings"][0]["id"]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(copy.root / "home"), "600"], env=_env(), stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    holder.kill()
    holder.wait()
    args = [sys.executable, "-m", "joeladr", *copy.args(), "finding", "0064", first, "--accept"]
    done = subprocess.run(args, env=_env(JOELADR_LOCK_WAIT="0.5"), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_lock_is_reentrant_and_other_threads_wait(tmp_path: Path) -> None:
    import threading

    from joeladr.errors import WorkspaceLockedError
    from joeladr.locking import WriteLock

    lock = WriteLock(tmp_path / "x.lock", wait_seconds=0.3)
    failures: list[str] = []

    def other_thread() -> None:
        try:
            with WriteLock(tmp_path / "x.lock", wait_seconds=0.3):
                failures.append("entered while held")
        except WorkspaceLockedError as exc:
            failures.append(str(exc))

    with lock, lock:  # a core function calling another under the same lock
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert len(failures) == 1 and failures[0].startswith("the workspace is being written by another thread")
    with WriteLock(tmp_path / "x.lock", wait_seconds=0.3):  # released: free again
        pass


def test_an_adr_saved_by_an_editor_in_between_is_not_overwritten(tmp_path: Path) -> None:
    from joeladr.adr.edit import AdrDocument
    from joeladr.errors import WriteConflict
    from tests.conftest import ADR_0064

    path = tmp_path / ADR_0064.name
    path.write_text(ADR_0064.read_text())
    document = AdrDocument.load(path)
    document.set_status("accepted")
    path.write_text(ADR_0064.read_text() + "\nSaved in the editor.\n")
    with pytest.raises(WriteConflict):
        document.save()
    assert path.read_text().endswith("Saved in the editor.\n")


def test_temp_files_of_dead_writers_go_at_once_live_ones_stay(tmp_path: Path) -> None:
    from joeladr.atomic import atomic_write_text

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        left = tmp_path / f".note.md.{dead_pid}.abcd1234.tmp"
        busy = tmp_path / f".note.md.{alive.pid}.efgh5678.tmp"
        left.write_text("half")
        busy.write_text("being written")
        atomic_write_text(tmp_path / "note.md", "whole")
        assert not left.exists() and busy.exists()
    finally:
        alive.kill()
        alive.wait()


def test_readers_do_not_need_the_lock_folder(adr_dir: Path, tmp_path: Path) -> None:
    """Only a writer makes the lock folder: `adr list` / `adr show` work where it cannot exist."""
    temp = tmp_path / "temp"
    temp.mkdir()
    (temp / f"joeladr-{os.getuid()}").write_text("not a folder")  # the lock folder cannot be made here
    env = _env(TMPDIR=str(temp))
    for args in (["adr", "list"], ["adr", "show", "0064"]):
        proc = subprocess.run([sys.executable, "-m", "joeladr", *args], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "joeladr", "adr", "status", "0064", "accepted"], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1 and "lock folder" in proc.stderr, proc.stderr  # a writer still refuses
