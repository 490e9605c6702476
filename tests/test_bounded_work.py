"""Work with a bound: what a hostile page, caption track, download or vault can cost an ingest (issue 24)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joeladr.cli import app
from tests.ingested import BEAM, Ingested, copy_of, start
from tests.loopback import serve

runner = CliRunner()


def test_a_fifo_named_like_a_note_does_not_block_an_ingest(ingested: Ingested, tmp_path: Path) -> None:
    """A FIFO (any file that is not a regular one) named `*.md` in the vault is skipped when the vault is
    searched for a source's note; opening it would wait forever for a writer. The BEAM talk's note is moved
    away first, so the rerun has to search the vault for it (a real process: a hang must not hang the suite)."""
    copy = copy_of(ingested, tmp_path / "copy")
    sources = copy.root / "vault" / "sources"
    note = next(p for p in sources.glob("beam-talk*.md"))
    (copy.root / "vault" / "Talks").mkdir()
    moved = note.rename(copy.root / "vault" / "Talks" / note.name)
    os.mkfifo(copy.root / "vault" / "0-pipe.md")
    os.mkfifo(sources / "0-pipe.md")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = start([*copy.args(), "ingest", "--quiet", str(BEAM)], env)
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("the ingest blocked on a FIFO in the vault") from None
    assert proc.returncode == 0, err
    assert moved.is_file() and not any(p.name.startswith("beam-talk") for p in sources.iterdir())  # found again


def test_an_undecodable_download_is_removed_from_the_cache(workspace: Path, tmp_path: Path) -> None:
    """A download that is not audio or video is refused, and the bytes are not kept in the cache."""
    served = tmp_path / "served"
    served.mkdir()
    (served / "junk.webm").write_bytes(b"\x1a\x45\xdf\xa3" + os.urandom(3_000_000))
    with serve(served) as base:
        result = runner.invoke(app, ["ingest", "--quiet", f"{base}/junk.webm"])
    assert result.exit_code == 1 and "is not audio or video that can be decoded" in result.output, result.output
    cached = [p for p in (workspace / ".joeladr" / "sources").rglob("*") if p.is_file()]
    assert not [p for p in cached if p.stat().st_size > 100_000], cached


def _page_with_captions(folder: Path, name: str, vtt: str) -> str:
    """A page whose <video> (the BEAM talk, 2:05) has an English caption track holding ``vtt``."""
    folder.mkdir(exist_ok=True)
    if not (folder / "talk.webm").exists():
        (folder / "talk.webm").write_bytes(BEAM.read_bytes())
    (folder / f"{name}.en.vtt").write_text(vtt)
    (folder / f"{name}.html").write_text(
        f'<html><body><video controls src="talk.webm"><track kind="captions" srclang="en" label="English" '
        f'src="{name}.en.vtt"></video></body></html>'
    )
    return f"{name}.html"


def test_a_caption_track_out_of_proportion_to_the_talk_is_refused(workspace: Path, tmp_path: Path) -> None:
    """Captions are bounded by the media's duration: megabytes of cues for a 2-minute talk, or cues that
    run for hours past its end, are refused in one line (and the hint says how to transcribe instead)."""
    served = tmp_path / "served"
    cue = "00:00:{s:02d}.000 --> 00:00:{e:02d}.000\nline {n} of a caption track that never ends, say it again\n\n"
    huge = "WEBVTT\n\n" + "".join(cue.format(s=n % 59, e=n % 59 + 1, n=n) for n in range(80_000))
    late = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nhello\n\n09:59:00.000 --> 10:00:00.000\nstill here\n"
    pages = {name: _page_with_captions(served, name, vtt) for name, vtt in (("huge", huge), ("late", late))}
    with serve(served) as base:
        for name, expected in (
            ("huge", "caption track is 7.3 MB, more than a 02:06 talk can need"),
            ("late", "captions run to 10:00:00"),
        ):
            result = runner.invoke(app, ["ingest", "--quiet", "--json", f"{base}/{pages[name]}"])
            assert result.exit_code == 1, result.output
            failed = json.loads(result.stdout)["failed"]
            assert len(failed) == 1 and expected in failed[0]["error"], failed
            assert "--captions never" in failed[0]["hint"]
    assert not (workspace / "vault" / "sources").exists() or not list((workspace / "vault" / "sources").iterdir())


def test_captions_with_more_words_than_the_talk_can_hold_are_refused(tmp_path: Path) -> None:
    """A track small enough to read but holding ten times the words anyone says in the time is refused too."""
    from joeladr.errors import IngestError
    from joeladr.ingest.captions import read_captions

    cues = "".join(
        f"00:00:{n % 59:02d}.000 --> 00:00:{n % 59 + 1:02d}.000\nsay {n} " + "word " * 20 + "\n\n" for n in range(400)
    )
    track = tmp_path / "talk.en.vtt"
    track.write_text("WEBVTT\n\n" + cues)
    assert len(read_captions(track, 1200.0)) == 400  # twenty minutes: 8,800 words is plausible
    with pytest.raises(IngestError, match=r"the captions hold 8,800 words, more than a 01:00 talk can hold"):
        read_captions(track, 60.0)


def _page(folder: Path, links: list[str]) -> str:
    folder.mkdir(exist_ok=True)
    body = "".join(f'<video controls src="{link}"></video>\n' for link in links)
    (folder / "page.html").write_text(f"<html><body>{body}</body></html>")
    return "page.html"


def test_a_page_listing_more_entries_than_the_bound_is_refused(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOELADR_INGEST_MAX_ENTRIES", "20")
    page = _page(tmp_path / "served", [f"missing-{n}.webm" for n in range(30)])
    with serve(tmp_path / "served") as base:
        result = runner.invoke(app, ["ingest", "--quiet", "--json", f"{base}/{page}"])
    failed = json.loads(result.stdout)["failed"]
    assert result.exit_code == 2 and len(failed) == 1, result.output
    bound = "one ingest takes at most 20 (see [ingest] max_entries)"
    assert failed[0]["error"] == f"{base}/{page} lists 30 entries; {bound}"
    assert "raise [ingest] max_entries" in failed[0]["hint"]


def test_more_inputs_than_the_bound_are_refused_before_any_work(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOELADR_INGEST_MAX_INPUTS", "3")
    result = runner.invoke(app, ["ingest", "--quiet", *(f"http://127.0.0.1:9/{n}.webm" for n in range(4))])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "error: 4 sources named; one ingest takes at most 3 (see [ingest] max_inputs)",
        "hint: ingest them in smaller groups, or raise [ingest] max_inputs",
    ]
    assert not (workspace / ".joeladr" / "sources").exists()


def test_each_failing_entry_of_a_page_is_named_once_by_its_own_url(workspace: Path, tmp_path: Path) -> None:
    """Every entry of a page used to fail naming the page (3,000 identical lines for 3,000 entries), and each
    failure kept its yt-dlp session alive through its traceback (about 1 MB an entry)."""
    import gc

    from joeladr.app.evidence import Ingest
    from joeladr.app.workspace import Workspace
    from joeladr.settings import resolve_settings

    links = [f"missing-{n}.webm" for n in range(6)] + ["missing-2.webm"]  # one entry listed twice
    page = _page(tmp_path / "served", links)
    settings = resolve_settings()
    with serve(tmp_path / "served") as base:
        run = Workspace.for_command(settings).run(Ingest((f"{base}/{page}",)))
    assert sorted(f.input for f in run.failures) == [f"{base}/missing-{n}.webm" for n in range(6)]
    assert all("404" in f.error.message for f in run.failures)
    gc.collect()
    sessions = [o for o in gc.get_objects() if type(o).__name__ == "GuardedYoutubeDL"]
    assert sessions == [], f"{len(sessions)} yt-dlp sessions kept alive by {len(run.failures)} failures"
