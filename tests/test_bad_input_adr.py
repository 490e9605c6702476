"""Bad input to the ADR commands: one clear line, non-zero exit, no traceback, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joeladr.cli import app

runner = CliRunner()


def _snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _one_line_error(result_output: str) -> None:
    lines = [line for line in result_output.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: "), result_output
    assert len(lines) <= 2 and "Traceback" not in result_output


def test_malformed_front_matter(adr_dir: Path) -> None:
    (adr_dir / "0065-broken.md").write_text("---\nstatus: [proposed\ndate: 2026-01-01\n---\n\n# Broken\n")
    before = _snapshot(adr_dir)
    result = runner.invoke(app, ["adr", "status", "65", "accepted"])
    assert result.exit_code == 1
    _one_line_error(result.output)
    assert "malformed front matter" in result.output and "0065-broken.md" in result.output
    assert _snapshot(adr_dir) == before
    listing = runner.invoke(app, ["adr", "list", "--json"])
    assert listing.exit_code == 0 and "skipped 0065-broken.md" in listing.output


def test_unknown_adr_number(adr_dir: Path) -> None:
    result = runner.invoke(app, ["adr", "show", "9999"])
    assert result.exit_code == 1
    _one_line_error(result.output)
    assert "no ADR numbered 9999" in result.output


def test_not_an_adr_file(adr_dir: Path) -> None:
    (adr_dir / "0066-binary.md").write_bytes(b"\x00\x01\x02binary\xff\xfe")
    before = _snapshot(adr_dir)
    result = runner.invoke(app, ["adr", "status", "66", "accepted"])
    assert result.exit_code == 1
    _one_line_error(result.output)
    assert _snapshot(adr_dir) == before


def test_not_a_number(adr_dir: Path) -> None:
    result = runner.invoke(app, ["adr", "show", "sixty-four"])
    assert result.exit_code == 2
    _one_line_error(result.output)


def test_missing_adr_folder(workspace: Path) -> None:
    result = runner.invoke(app, ["adr", "list"])
    assert result.exit_code == 1 and "joeladr init" in result.output


@pytest.mark.parametrize("args", [["adr", "show", "1234"], ["adr", "status", "1", "x"]])
def test_real_process_prints_no_traceback(adr_dir: Path, args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "joeladr", *args], capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    debug = subprocess.run(
        [sys.executable, "-m", "joeladr", "--debug", *args], capture_output=True, text=True, check=False
    )
    assert "Traceback" in debug.stderr


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys, runpy; sys.argv=['joeladr','--help']\n"
        "try:\n    runpy.run_module('joeladr', run_name='__main__')\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('torch','transformers','sentence_transformers','faster_whisper','qdrant_edge',"
        "'qdrant_client','yt_dlp','ruamel','markdown_it','numpy','altair','vl_convert','jinja2','narwhals',"
        "'playwright','mcp','uvicorn','pydantic') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in proc.stdout
