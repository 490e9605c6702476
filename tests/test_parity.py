"""The CLI and the MCP server build the same request from the same inputs, so they cannot drift apart.

Every command both front ends offer is typed into each (``CliRunner`` on the CLI, the MCP server's own
``call_tool`` in this process) with the same inputs; ``Workspace.run`` is replaced by a recorder, so
nothing runs and only the request each front end built is compared. Then every limit is tried at its
edges on both: a front end that changes a range alone (the MCP tool's ``le=50`` beside the CLI's 100,
as before the application layer) fails here.
"""

from __future__ import annotations

import functools
from typing import Any

import anyio
import pytest
from mcp.server.mcpserver.exceptions import ToolError
from typer.testing import CliRunner

from joeladr.agents.server import build_server
from joeladr.app.evidence import FEED_LIMIT
from joeladr.app.workspace import Workspace
from joeladr.cli import app
from joeladr.settings import JUDGE_CANDIDATES, MIN_SCORE, TOP_K, resolve_settings

LOOPBACK = "http://127.0.0.1:9/talk.webm"  # never fetched: the recorder stops before anything runs


class Recorded(Exception):
    """Raised by the recorder in place of running the request."""


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []

    def record(self: Workspace, request: Any) -> Any:
        seen.append(request)
        raise Recorded

    monkeypatch.setattr(Workspace, "run", record)
    return seen


def from_cli(seen: list[Any], *args: str) -> Any:
    """The request the CLI built for ``args`` (or None: it refused them), and its exit code."""
    before = len(seen)
    result = CliRunner().invoke(app, list(args))
    if len(seen) == before:
        assert result.exit_code == 2, result.output  # refused as a usage error, not a crash
        return None
    return seen[-1]


@functools.cache
def _server() -> Any:
    return build_server(resolve_settings())  # its workspace does not matter: the recorder runs nothing


def from_mcp(seen: list[Any], tool: str, **arguments: Any) -> Any:
    """The request the MCP tool built for ``arguments`` (or None: it refused them as a tool error)."""
    server = _server()
    before = len(seen)

    async def call() -> Any:
        try:
            return await server.call_tool(tool, arguments)
        except ToolError:  # the arguments do not fit the tool's schema: the client gets a tool error
            return None

    result = anyio.run(call)
    if len(seen) == before:
        assert result is None or result.is_error, result
        return None
    return seen[-1]


TWINS: list[tuple[list[str], str, dict[str, Any]]] = [
    (["search", "supervisor restarts", "--limit", "7", "--source", "s1"], "search_evidence",
     {"query": "supervisor restarts", "limit": 7, "source_ids": ["s1"]}),
    (["sources"], "list_sources", {}),
    (["ingest", LOOPBACK, "--adr", "64", "--captions", "never", "--force", "--limit", "3"], "ingest",
     {"inputs": [LOOPBACK], "adr": 64, "captions": "never", "force": True, "limit": 3}),
    (["ingest", LOOPBACK], "ingest", {"inputs": [LOOPBACK]}),
    (["adr", "list", "--status", "proposed", "--tag", "beam"], "list_adrs", {"status": "proposed", "tag": "beam"}),
    (["adr", "show", "64"], "show_adr", {"number": 64}),
    (["adr", "show", "ADR-0064"], "show_adr", {"number": "ADR-0064"}),
    (["adr", "new", "Use Gleam", "--template", "MADR", "--status", "accepted", "--deciders", "joel"], "new_adr",
     {"title": "Use Gleam", "template": "MADR", "status": "accepted", "deciders": "joel"}),
    (["adr", "new", "Use Gleam"], "new_adr", {"title": "Use Gleam"}),
    (["adr", "new", "Use Gleam", "--package", "backend"], "new_adr", {"title": "Use Gleam", "package": "backend"}),
    (["adr", "status", "64", "accepted", "--custom"], "set_adr_status",
     {"number": 64, "status": "accepted", "custom": True}),
    (["adr", "lint"], "lint_adrs", {}),
    (["evaluate", "64", "--top-k", "7", "--min-score", "0.4", "--source", "s1", "--weight", "supervision-model=2",
      "--must-have", "interop-story"], "evaluate_adr",
     {"number": 64, "top_k": 7, "min_score": 0.4, "source_ids": ["s1"], "weights": {"supervision-model": 2},
      "must_have": ["interop-story"]}),
    (["evaluate", "0064"], "evaluate_adr", {"number": "0064"}),
    (["evaluate", "64", "--judge", "claude-sonnet-4.5"], "evaluate_adr", {"number": 64, "judge": "claude-sonnet-4.5"}),
    (["candidates", "64", "supervision-model", "--candidates", "12", "--source", "s1"], "evidence_candidates",
     {"number": 64, "target": "supervision-model", "candidates": 12, "source_ids": ["s1"]}),
    (["candidates", "ADR-0064", "supervision-model"], "evidence_candidates",
     {"number": "ADR-0064", "target": "supervision-model"}),
    (["picks", "64", "supervision-model", "3:+B-A", "1", "--packet", "p-0123456789ab", "--candidates", "12"],
     "submit_picks", {"number": 64, "target": "supervision-model", "packet_id": "p-0123456789ab", "candidates": 12,
                      "picks": [{"candidate": 3, "supports": ["B"], "weakens": ["A"]}, {"candidate": 1}]}),
    (["picks", "64", "interop-story", "1", "--source", "s1", "--source", "s2"], "submit_picks",
     {"number": 64, "target": "interop-story", "picks": [{"candidate": 1}], "source_ids": ["s1", "s2"]}),
    (["finding", "64", "f-1a2b3c4d", "--pending"], "curate_finding",
     {"number": 64, "finding_id": "f-1a2b3c4d", "status": "pending"}),
    (["finding", "64", "f-1a2b3c4d", "--note", "why"], "curate_finding",
     {"number": 64, "finding_id": "f-1a2b3c4d", "note": "why"}),
    (["picks", "64", "interop-story", "--none"], "submit_picks",
     {"number": 64, "target": "interop-story", "picks": []}),
    (["finding", "64", "f-1a2b3c4d", "--accept", "--supports", "b", "--weakens", "A", "--note", "two\nlines"],
     "curate_finding", {"number": 64, "finding_id": "f-1a2b3c4d", "status": "accepted", "supports": ["b"],
                        "weakens": ["A"], "note": "two\nlines"}),
    (["finding", "64", "1a2b3c4d", "--reject"], "curate_finding",
     {"number": 64, "finding_id": "1a2b3c4d", "status": "rejected"}),
    (["decide", "64", "--option", "B", "--reason", "keep TS", "--status", "rejected", "--supersedes", "12", "--revise",
      "--deciders", "joel, ana", "--dry-run"], "decide",
     {"number": 64, "option": "B", "reason": "keep TS", "status": "rejected", "supersedes": 12, "revise": True,
      "deciders": "joel, ana", "dry_run": True}),
    (["decide", "64"], "decide", {"number": 64, "dry_run": False}),
]  # fmt: skip


@pytest.mark.parametrize(("cli", "tool", "arguments"), TWINS, ids=[f"{t}:{' '.join(c[:2])}" for c, t, _ in TWINS])
def test_both_front_ends_build_the_same_request(
    recorded: list[Any], cli: list[str], tool: str, arguments: dict[str, Any]
) -> None:
    from_terminal = from_cli(recorded, *cli)
    from_agent = from_mcp(recorded, tool, **arguments)
    assert from_terminal is not None and from_agent is not None
    assert from_terminal == from_agent


def test_every_tool_with_a_cli_twin_is_compared() -> None:
    server = build_server(resolve_settings())
    tools = {t.name for t in anyio.run(server.list_tools)}
    assert tools == {tool for _, tool, _ in TWINS}


EDGES: list[tuple[str, list[str], str, str, dict[str, Any], list[Any]]] = [
    ("limit", ["search", "x"], "search_evidence", "limit", {"query": "x"},
     [TOP_K[0] - 1, TOP_K[0], TOP_K[1], TOP_K[1] + 1]),
    ("top-k", ["evaluate", "64"], "evaluate_adr", "top_k", {"number": 64},
     [TOP_K[0] - 1, TOP_K[0], TOP_K[1], TOP_K[1] + 1]),
    ("limit", ["ingest", LOOPBACK], "ingest", "limit", {"inputs": [LOOPBACK]},
     [FEED_LIMIT[0] - 1, FEED_LIMIT[0], FEED_LIMIT[1], FEED_LIMIT[1] + 1]),
    ("min-score", ["evaluate", "64"], "evaluate_adr", "min_score", {"number": 64},
     [MIN_SCORE[0] - 0.01, MIN_SCORE[0], MIN_SCORE[1], MIN_SCORE[1] + 0.01]),
    ("candidates", ["candidates", "64", "x"], "evidence_candidates", "candidates", {"number": 64, "target": "x"},
     [JUDGE_CANDIDATES[0] - 1, JUDGE_CANDIDATES[0], JUDGE_CANDIDATES[1], JUDGE_CANDIDATES[1] + 1]),
    ("candidates", ["picks", "64", "x", "1"], "submit_picks", "candidates",
     {"number": 64, "target": "x", "picks": [{"candidate": 1}]},
     [JUDGE_CANDIDATES[0] - 1, JUDGE_CANDIDATES[0], JUDGE_CANDIDATES[1], JUDGE_CANDIDATES[1] + 1]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("flag", "cli", "tool", "argument", "base", "values"), EDGES, ids=[f"{e[2]}:{e[0]}" for e in EDGES]
)
def test_both_front_ends_draw_every_limit_at_the_same_place(
    recorded: list[Any], flag: str, cli: list[str], tool: str, argument: str, base: dict[str, Any], values: list[Any]
) -> None:
    for value in values:
        from_terminal = from_cli(recorded, *cli, f"--{flag}", str(value))
        from_agent = from_mcp(recorded, tool, **base, **{argument: value})
        assert (from_terminal is None) == (from_agent is None), (flag, value)
        assert from_terminal == from_agent, (flag, value)
    assert from_cli(recorded, *cli, f"--{flag}", str(values[1])) is not None  # the edges themselves are allowed
    assert from_cli(recorded, *cli, f"--{flag}", str(values[0])) is None


@pytest.mark.parametrize("weight", [-1, 0, 100, 101, float("inf")])
def test_weights_are_checked_once_for_both(recorded: list[Any], weight: float) -> None:
    from_terminal = from_cli(recorded, "evaluate", "64", "--weight", f"supervision-model={weight}")
    from_agent = from_mcp(recorded, "evaluate_adr", number=64, weights={"supervision-model": weight})
    assert (from_terminal is None) == (from_agent is None) == (not 0 <= weight <= 100)


def test_true_is_not_an_adr_number(recorded: list[Any]) -> None:
    assert from_mcp(recorded, "show_adr", number=True) is None
    assert from_mcp(recorded, "evaluate_adr", number=True) is None
    assert from_mcp(recorded, "show_adr", number=1) is not None
