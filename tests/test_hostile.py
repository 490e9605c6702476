"""Bad input refused up front, downloads bounded, untrusted text inert, secrets never shown,
and nothing written outside the workspace, the cache and the temp folder.

The servers here are loopback stand-ins for what cannot run in a test: a server that sends an
endless or trickling body, a page that links to ftp://, and a Qdrant server that echoes the
request's secrets back (tests/loopback.py and ``_EchoingQdrant``).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joeladr.cli import app
from tests.ingested import TYPESCRIPT, Ingested, copy_of
from tests.loopback import hostile, listener, running

runner = CliRunner()
ADR_NAME = "0064-elixir-beam-evaluation.md"


def _joeladr(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "joeladr", *args], env=full, capture_output=True, text=True, timeout=timeout
    )


def _one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: ") and len(lines) <= 2, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    return lines[0]


# -- options refused up front (6) --------------------------------------------------------------------
def test_bad_weights_are_refused_and_never_reach_the_note_or_the_adr(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    assert runner.invoke(app, [*copy.args(), "evaluate", "0064"]).exit_code == 0
    note = copy.root / "vault" / "decisions" / "ADR-0064 evaluation.md"
    adr = copy.root / "adrs" / ADR_NAME
    before, adr_before = note.read_text(), adr.read_text()
    for weight in ("-1", "nan", "inf", "1e9"):
        result = runner.invoke(app, [*copy.args(), "evaluate", "0064", "--weight", f"supervision-model={weight}"])
        assert result.exit_code == 2, (weight, result.output)
        line = _one_line_error(result.output)
        assert line.startswith("error: --weight supervision-model=") and "the weight must be a number from 0 to" in line
        assert note.read_text() == before
    note.write_text(before.replace("[weight:: 1]", "[weight:: nan]", 1))  # written by hand in Obsidian
    for command in (["evaluate", "0064"], ["decide", "0064", "--option", "B", "--reason", "r"]):
        result = runner.invoke(app, [*copy.args(), *command])
        assert result.exit_code == 1 and "weight must be a number from 0 to 100, not nan" in result.output
    assert adr.read_text() == adr_before


@pytest.mark.parametrize(
    "args,needle",
    [
        (["search", "x", "--limit", "99999999999999999999"], "--limit"),
        (["search", "x", "--limit", "0"], "--limit"),
        (["evaluate", "0064", "--top-k", "1000000000000000000000"], "--top-k"),
        (["evaluate", "0064", "--min-score", "nan"], "--min-score"),
        (["evaluate", "0064", "--min-score", "7"], "--min-score"),
    ],
)
def test_out_of_range_options_are_one_line_not_an_internal_error(adr_dir: Path, args: list[str], needle: str) -> None:
    proc = _joeladr(*args)
    assert proc.returncode == 2, proc.stderr
    assert needle in _one_line_error(proc.stderr)


def test_an_adr_title_must_be_one_short_line(adr_dir: Path) -> None:
    before = sorted(p.name for p in adr_dir.iterdir())
    for title, needle in (("x" * 5000, "at most 200 characters"), ("Use X\x1b[2J\x07", "no control characters")):
        proc = _joeladr("adr", "new", title)
        assert proc.returncode == 2 and needle in _one_line_error(proc.stderr), proc.stderr
    assert sorted(p.name for p in adr_dir.iterdir()) == before
    proc = _joeladr("adr", "new", "y" * 200)  # the longest title: a file name the file system takes
    assert proc.returncode == 0, proc.stderr
    assert len(Path(proc.stdout.strip()).name) < 100
    proc = _joeladr("adr", "new", "Use X\nstatus: hacked")  # line breaks become spaces: one heading line
    assert proc.returncode == 0, proc.stderr
    text = Path(proc.stdout.strip()).read_text()
    assert "Use X status: hacked" in text and "\nstatus: hacked" not in text


def test_a_collection_name_cannot_leave_the_cache(workspace: Path, tmp_path: Path) -> None:
    proc = _joeladr("search", "anything", env={"JOELADR_COLLECTION": "../../evil"})
    assert proc.returncode == 2
    assert "collection must be a name" in _one_line_error(proc.stderr)
    assert not [p for p in tmp_path.rglob("*") if "evil" in p.name]


# -- downloads are bounded (7) -----------------------------------------------------------------------
def test_an_endless_body_stops_at_the_ceiling_and_leaves_nothing(workspace: Path) -> None:
    with hostile() as base:
        proc = _joeladr("ingest", "--quiet", f"{base}/endless.webm", env={"JOELADR_DOWNLOAD_MAX_MB": "3"})
    assert proc.returncode == 1
    assert "passed the ceiling of 3.0 MB" in _one_line_error(proc.stderr)
    cache = workspace / ".joeladr"
    assert sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) < 1_000_000  # the partial file is gone


def test_a_size_announced_over_the_ceiling_is_refused_before_reading(workspace: Path) -> None:
    with hostile() as base:
        proc = _joeladr("ingest", "--quiet", f"{base}/big.webm")
    assert proc.returncode == 1
    assert "announces 10,000 MB, more than the ceiling of 2,048 MB" in _one_line_error(proc.stderr)


def test_the_ceiling_follows_the_media_duration(tmp_path: Path) -> None:
    from joeladr.errors import DownloadError
    from joeladr.ingest.download import DownloadLimits, YtDlpDownloader
    from joeladr.ingest.inputs import parse_input

    downloader = YtDlpDownloader(limits=DownloadLimits(max_kbps=8, max_mb=2048, headroom_mb=1))
    with hostile() as base:
        (media,) = downloader.resolve(parse_input(f"{base}/endless.webm"))
        media.info["duration"] = 60.0  # a minute at 8 kbps is 60 kB, plus 1 MB of headroom
        with pytest.raises(DownloadError, match=r"passed the ceiling of 1\.1 MB"):
            downloader.download(media, tmp_path, captions=False, progress=lambda *a: None)
    assert not list(tmp_path.glob("media.*"))


def test_a_trickling_body_is_given_up_with_one_line(workspace: Path) -> None:
    with hostile() as base:
        proc = _joeladr(
            "ingest", "--quiet", f"{base}/trickle.webm", env={"JOELADR_DOWNLOAD_STALL_SECONDS": "2"}, timeout=45
        )
    assert proc.returncode == 1
    assert "the download stalled: less than 64 KB in 2 s" in _one_line_error(proc.stderr)


def test_progress_shows_a_stalled_download(workspace: Path) -> None:
    """In a terminal (a real pseudo-terminal here) the download bar says how long it has been stalled."""
    import pty
    import select

    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "JOELADR_DOWNLOAD_STALL_SECONDS": "7",
        "TERM": "xterm",
        "COLUMNS": "160",
    }
    with hostile() as base:
        main, child = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "joeladr", "ingest", f"{base}/trickle.webm"],
            env=env,
            stdin=child,
            stdout=child,
            stderr=child,
        )
        os.close(child)
        seen = b""
        while True:
            ready, _, _ = select.select([main], [], [], 60)
            if not ready:
                break
            try:
                data = os.read(main, 4096)
            except OSError:
                break
            if not data:
                break
            seen += data
        proc.wait(timeout=60)
        os.close(main)
    text = seen.decode("utf-8", "replace")
    assert "stalled for 4 s" in text and "the download stalled" in text, text[-2000:]


# -- only http(s), at any depth of a playlist (8) ------------------------------------------------------
def test_a_page_entry_with_another_scheme_is_refused_and_named(workspace: Path, media_server: str) -> None:
    with hostile() as base, listener() as (port, connections):
        ftp = f"ftp://127.0.0.1:{port}/talk.webm"
        page = f"{base}/page.html?links={ftp},{media_server}/beam-talk.webm"
        result = runner.invoke(app, ["ingest", "--quiet", "--json", page])
        assert connections == []  # joeladr never connected to the ftp server
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert [f["input"] for f in data["failed"]] == [ftp]
    assert data["failed"][0]["error"].startswith(f"entry 1 of {page} uses the ftp:// scheme")
    assert len(data["ingested"]) == 1 and data["ingested"][0]["chunks"] > 0


# -- untrusted text is inert (9) ---------------------------------------------------------------------
EVIL = "x\x07\x1b[2J [click](javascript:alert(1)) ![](http://tracker.example/pixel.png) <img src=x> [[Secret]]"


def _live(markdown: str) -> list[str]:
    """Every link, image and raw HTML a Markdown renderer would make of ``markdown``."""
    from markdown_it import MarkdownIt

    found = []
    for token in MarkdownIt("commonmark").parse(markdown):
        for child in [token, *(token.children or [])]:
            if child.type == "link_open":
                found.append(f"link {child.attrs.get('href')}")
            elif child.type == "image":
                found.append(f"image {child.attrs.get('src')}")
            elif child.type in ("html_inline", "html_block") and not child.content.startswith("<!-- joeladr:"):
                found.append(f"html {child.content}")  # joeladr's own block markers are the only HTML allowed
    return found


def test_titles_and_transcripts_cannot_put_live_links_or_controls_into_notes(tmp_path: Path) -> None:
    from joeladr.evaluate.findings import Finding
    from joeladr.evaluate.note import finding_line
    from joeladr.transcript import Segment, Transcript
    from joeladr.vault.source_notes import SourceInfo, properties, write_source_note

    info = SourceInfo("abcdefghijk", EVIL, "https://youtu.be/abcdefghijk", "abcdefghijk", EVIL, None, 60.0)
    transcript = Transcript((Segment(0, 5, EVIL), Segment(40, 45, "fine words " + EVIL)), "whisper", "tiny.en")
    path = tmp_path / "note.md"
    write_source_note(path, info, transcript, properties(info, transcript, ingested="2026", embedding_model="m"))
    body = path.read_text().split("\n---\n", 1)[1]
    assert [live for live in _live(body) if not live.startswith("link https://youtu.be/abcdefghijk")] == []
    assert "\x07" not in path.read_text() and "\x1b" not in path.read_text()
    finding = Finding(
        id="f-0123abcd",
        target="t",
        source_id="s",
        title=EVIL,
        note_name=None,
        url="javascript:alert(1)",
        start=3.0,
        end=9.0,
        text=EVIL,
        score=0.5,
    )
    line = finding_line(finding)
    assert _live(line) == [] and "\x1b" not in line and "\x07" not in line


def test_a_hostile_title_reaches_neither_the_terminal_nor_the_note_live(workspace: Path) -> None:
    evil_file = workspace / "talk\x1b[31m\x07 [x](javascript:alert(1)).webm"
    shutil.copy(TYPESCRIPT, evil_file)
    ingest = _joeladr("ingest", "--quiet", str(evil_file))
    listed = _joeladr("sources")
    found = _joeladr("search", "TypeScript")
    for proc in (ingest, listed, found):
        assert proc.returncode == 0, proc.stderr
        assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout + proc.stderr
    (note,) = (workspace / "vault" / "sources").glob("*.md")
    text = note.read_text()
    assert "\x1b" not in text and "\x07" not in text
    assert _live(text.split("\n---\n", 1)[1]) == []


# -- secrets (10, 11) --------------------------------------------------------------------------------
class _EchoingQdrant(http.server.BaseHTTPRequestHandler):
    """A stand-in for a Qdrant server (none can run here) that refuses the key and echoes the request."""

    def _answer(self) -> None:
        body = json.dumps({"status": {"error": "Unauthorized"}, "echoed": dict(self.headers)}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_no_key_or_password_in_errors_or_debug_output(workspace: Path) -> None:
    with running(_EchoingQdrant) as base:
        port = int(base.rsplit(":", 1)[1])
        env = {
            "JOELADR_QDRANT_URL": f"http://admin:hunter2-password@127.0.0.1:{port}",
            "JOELADR_QDRANT_API_KEY": "sk-live-0123456789",
        }
        plain = _joeladr("search", "anything", env=env)
        debug = _joeladr("--debug", "search", "anything", env=env)
    assert plain.returncode == 1 and debug.returncode == 1
    line = _one_line_error(plain.stderr)
    assert (
        line
        == f"error: cannot use the Qdrant server at http://***@127.0.0.1:{port}: HTTP 401 Unauthorized: Unauthorized"
    )
    assert "Traceback" in debug.stderr
    for proc in (plain, debug):
        everything = proc.stdout + proc.stderr
        for secret in ("sk-live-0123456789", "hunter2-password", "admin:", "echoed"):
            assert secret not in everything, (secret, everything[-3000:])


def test_a_mistyped_key_in_the_config_is_not_echoed(workspace: Path) -> None:
    (workspace / "joeladr.toml").write_text('[store]\nqdrant_url = "http://127.0.0.1:9"\nqdrant_api_key = 123456789\n')
    proc = _joeladr("search", "anything")
    assert proc.returncode == 2 and "123456789" not in proc.stderr
    assert "qdrant_api_key must be text, got a number (not shown)" in _one_line_error(proc.stderr)


COOKIES = (
    "# Netscape HTTP Cookie File\n"
    ".example.com\tTRUE\t/\tFALSE\t0\tsession\tgood-cookie-value-1\n"
    "a line that is no cookie holding secret-cookie-value-2\n"
    ".example.com\tTRUE\t/\tFALSE\tnever\ttoken\tsecret-cookie-value-3\n"
    "example.com\tTRUE\t/\tFALSE\t0\tsid\tsecret-cookie-value-4\n"
)


def test_cookies_are_used_from_a_private_copy_and_never_printed(workspace: Path, media_server: str) -> None:
    cookies = workspace / "cookies.txt"
    cookies.write_text(COOKIES)
    proc = _joeladr("ingest", "--quiet", "--cookies", str(cookies), f"{media_server}/typescript-talk.html")
    assert proc.returncode == 0, proc.stderr
    assert cookies.read_text() == COOKIES  # not rewritten, no line dropped
    assert "cookie-value" not in proc.stdout + proc.stderr
    assert f"warning: {cookies}: left out 3 malformed line(s) (line 3, 4, 5)" in proc.stderr
    assert not list(Path(tempfile.gettempdir()).glob("joeladr-cookies-*"))  # the private copy is gone


# -- nothing written outside the workspace, the cache and the temp folder (12) -----------------------
def test_search_and_evaluate_write_nothing_in_the_home_folder(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")} | {"HOME": str(home), "HF_HUB_OFFLINE": "1"}
    for args in (["search", "supervisor restarts a crashed process"], ["evaluate", "0064"]):
        proc = subprocess.run(
            [sys.executable, "-m", "joeladr", *copy.args(), *args], env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == []
