"""A client the project did not write: MCP Inspector's CLI mode lists and calls every tool, over stdio and HTTP.

`make test` installs the Inspector (npm, pinned) into ``.tools/`` (git-ignored); it runs on this
machine's Node 20 in CLI mode. Its catalog and HOME point into the test's temp folder, so nothing
is written outside it. The workspace is the session's ingested one (the fixture talks, ADR-0064),
so ``ingest`` of an ingested talk comes back unchanged and fast.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ingested import BEAM, Ingested, copy_of
from tests.test_mcp import TOKEN, TOOLS, http_server, server_env

ROOT = Path(__file__).resolve().parents[1]
INSPECTOR = ROOT / ".tools" / "node_modules" / "@modelcontextprotocol" / "inspector" / "clients" / "launcher"
LAUNCHER = INSPECTOR / "build" / "index.js"


def inspector(tmp: Path, target: list[str], *args: str) -> Any:
    """Run the Inspector's CLI once; its JSON answer (it exits non-zero on a failed call)."""
    if not LAUNCHER.is_file():
        pytest.fail(f"MCP Inspector is missing at {LAUNCHER}: `make tools` installs it")
    env = {**server_env(), "HOME": str(tmp), "MCP_CATALOG_PATH": str(tmp / "catalog.json"), "NO_COLOR": "1"}
    proc = subprocess.run(
        ["node", str(LAUNCHER), "--cli", *target, *args],
        env=env,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, f"{args}: {proc.stdout[-2000:]} {proc.stderr[-2000:]}"
    return json.loads(proc.stdout)


def calls(copy: Ingested, talk: str) -> list[tuple[str, dict[str, str]]]:
    """One call of every tool, with arguments the Inspector passes as key=value."""
    return [
        ("list_sources", {}),
        ("search_evidence", {"query": "supervisor restarts a crashed process", "limit": "2"}),
        ("ingest", {"inputs": json.dumps([talk])}),
        ("list_adrs", {}),
        ("show_adr", {"number": "64"}),
        ("lint_adrs", {}),
        ("evaluate_adr", {"number": "64"}),
        ("evidence_candidates", {"number": "64", "target": "supervision-model", "candidates": "5"}),
        (
            "submit_picks",
            {"number": "64", "target": "supervision-model", "picks": '[{"candidate": 1, "supports": ["A"]}]'},
        ),
        ("curate_finding", {"number": "64", "finding_id": "{finding}", "status": "accepted", "supports": '["B"]'}),
        ("decide", {"number": "64", "option": "B", "reason": "keep TypeScript for LLM work"}),
        ("new_adr", {"title": "Use the Inspector"}),
        ("set_adr_status", {"number": "65", "status": "accepted"}),
    ]


def every_tool(tmp: Path, target: list[str], copy: Ingested, talk: str) -> None:
    listed = inspector(tmp, target, "--method", "tools/list")
    assert {t["name"] for t in listed["tools"]} == TOOLS
    finding = ""
    for tool, arguments in calls(copy, talk):
        pairs = [f"{k}={v.replace('{finding}', finding)}" for k, v in arguments.items()]
        answer = inspector(
            tmp, target, "--method", "tools/call", "--tool-name", tool, *(["--tool-arg", *pairs] if pairs else [])
        )
        assert not answer.get("isError"), (tool, answer)
        data = answer["structuredContent"]
        if tool == "evaluate_adr":
            finding = next(f["id"] for c in data["criteria"] for f in c["findings"])
        if tool == "ingest":
            assert data["ingested"][0]["steps"] == [], data  # already ingested: unchanged
        if tool == "decide":
            assert data["dry_run"] is True and "+status: accepted" in data["diff"]
    assert "accepted" in (copy.root / "adrs" / "0065-use-the-inspector.md").read_text()


def _workspace(ingested: Ingested, tmp_path: Path) -> tuple[Ingested, Path]:
    """A copy of the ingested workspace, with the BEAM talk inside it (the server is confined to the workspace)."""
    copy = copy_of(ingested, tmp_path / "copy")
    talk = copy.root / "vault" / "beam-talk.webm"  # the same bytes: the same source, already ingested
    talk.write_bytes(BEAM.read_bytes())
    return copy, talk


def test_the_inspector_drives_every_tool_over_stdio(ingested: Ingested, tmp_path: Path) -> None:
    copy, talk = _workspace(ingested, tmp_path)
    target = [sys.executable, "-m", "joeladr", *copy.args(), "mcp"]
    every_tool(tmp_path, target, copy, str(talk))
    prompt = inspector(
        tmp_path, target, "--method", "prompts/get", "--prompt-name", "evaluate-adr", "--prompt-args", "number=0064"
    )
    assert "dry_run=true" in json.dumps(prompt)


def test_the_inspector_drives_every_tool_over_http(ingested: Ingested, tmp_path: Path) -> None:
    copy, talk = _workspace(ingested, tmp_path)
    with http_server(copy.root, copy.args(), server_env()) as (_, url):
        target = [url, "--transport", "http", "--header", f"Authorization: Bearer {TOKEN}"]
        every_tool(tmp_path, target, copy, str(talk))
        resources = inspector(tmp_path, target, "--method", "resources/list")
        assert "adr://0064" in {r["uri"] for r in resources["resources"]}
