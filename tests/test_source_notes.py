"""One note per source, found again wherever the user moves it; a damaged note or vault stops ingest early."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from joeladr.cli import app
from joeladr.store.edge import EdgeStore
from tests.ingested import BEAM, TYPESCRIPT, Ingested, copy_of, store_count

runner = CliRunner()


def _ingest(copy: Ingested, *inputs: str, vault: Path | None = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    args = copy.args() if vault is None else [*copy.args()[:2], "--vault", str(vault), *copy.args()[4:]]
    result = runner.invoke(app, [*args, "ingest", "--quiet", "--json", *inputs])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {"output": result.output}


def _sources(copy: Ingested) -> dict[str, dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, [*copy.args(), "sources", "--json"])
    assert result.exit_code == 0, result.output
    return {r["source_id"]: r for r in json.loads(result.stdout)}


def test_two_files_with_one_title_get_two_notes(ingested: Ingested, tmp_path: Path) -> None:
    from joeladr.vault.source_notes import note_owner

    copy = copy_of(ingested, tmp_path / "copy")
    beam_note = copy.root / "vault" / "sources" / "beam-talk.md"
    beam_text = beam_note.read_text()
    other = tmp_path / "b" / "beam-talk.webm"  # another talk, the same file name: the same title
    other.parent.mkdir()
    shutil.copy(TYPESCRIPT, other)
    code, data = _ingest(copy, str(other))
    assert code == 0, data
    second = Path(data["ingested"][0]["note"])
    assert second != beam_note and second.parent == beam_note.parent
    assert beam_note.read_text() == beam_text  # the first talk's note is untouched
    assert note_owner(second) == data["ingested"][0]["source_id"] != note_owner(beam_note)
    assert "TypeScript" in second.read_text() and "TypeScript" not in beam_text
    # re-ingesting either keeps each one's note to itself
    code, again = _ingest(copy, str(BEAM), str(other))
    assert code == 0, again
    assert [Path(r["note"]) for r in again["ingested"]] == [beam_note, second]
    assert [r["steps"] for r in again["ingested"]] == [[], []]
    assert beam_note.read_text() == beam_text


def test_a_moved_and_renamed_note_is_found_by_its_id(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    sources = copy.root / "vault" / "sources"
    moved = copy.root / "vault" / "talks" / "BEAM, my notes.md"
    moved.parent.mkdir()
    (sources / "beam-talk.md").rename(moved)
    moved.write_text(moved.read_text() + "\nMy own words.\n")
    code, data = _ingest(copy, str(BEAM))
    assert code == 0, data
    assert Path(data["ingested"][0]["note"]) == moved and not (sources / "beam-talk.md").exists()
    assert "My own words." in moved.read_text()
    record = _sources(copy)[data["ingested"][0]["source_id"]]
    assert (sources / record["note"]).resolve() == moved.resolve()
    # a note deleted by the user comes back where links to it point
    moved.unlink()
    code, data = _ingest(copy, str(BEAM))
    assert code == 0 and Path(data["ingested"][0]["note"]).resolve() == moved.resolve(), data


def test_force_on_a_damaged_note_keeps_the_source_listed(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    note = copy.root / "vault" / "sources" / "beam-talk.md"
    damaged = note.read_text().replace("<!-- joeladr:end transcript -->\n", "")
    note.write_text(damaged)
    before = _sources(copy)
    result = runner.invoke(app, [*copy.args(), "ingest", "--quiet", "--force", str(BEAM)])
    assert result.exit_code == 1 and "has no end marker" in result.output, result.output
    assert _sources(copy) == before and note.read_text() == damaged


def test_a_vault_that_cannot_be_written_stores_nothing(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    beam_id = next(s for s, r in _sources(copy).items() if r["title"] == "beam-talk")
    store = EdgeStore.open(copy.root / "home" / "store" / "joeladr", 384)
    try:  # forget the talk (its caches stay), as if it had never been ingested
        store.delete(list(store.source_points(beam_id)))
        total = store_count(copy.root, store)
    finally:
        store.close()
    (copy.root / "home" / "sources" / beam_id / "source.json").unlink()
    blocked = tmp_path / "vault-is-a-file"
    blocked.write_text("not a folder")
    code, data = _ingest(copy, str(BEAM), vault=blocked)
    assert code == 1 and "cannot write" in data["failed"][0]["error"], data
    assert store_count(copy.root) == total  # nothing searchable that `sources` does not list
    assert beam_id not in _sources(copy)


def test_finding_on_a_damaged_evaluation_note_changes_nothing(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    data = json.loads(runner.invoke(app, [*copy.args(), "evaluate", "0064", "--json"]).stdout)
    first, second = (c["findings"][0]["id"] for c in data["criteria"][:2])
    note = copy.root / "vault" / "decisions" / "ADR-0064 evaluation.md"
    damaged = note.read_text().replace(f"<!-- joeladr:end criterion-{data['criteria'][0]['id']} -->\n", "")
    note.write_text(damaged)
    for finding in (first, second):
        result = runner.invoke(app, [*copy.args(), "finding", "0064", finding, "--accept"])
        assert result.exit_code == 1 and "has no end marker" in result.output, result.output
        assert note.read_text() == damaged
