"""`joeladr mcp`: a real MCP client (the SDK's ClientSession) drives a real server process over stdio and
over Streamable HTTP, with the real models, the real store and yt-dlp over loopback."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TextIO

import anyio
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError as McpError
from mcp_types import INVALID_PARAMS
from typer.testing import CliRunner

from joeladr.catalog import Catalog
from joeladr.cli import app
from tests.conftest import ADR_0064
from tests.ingested import BEAM, Ingested, copy_of

TOOLS = {
    "search_evidence",
    "list_sources",
    "ingest",
    "list_adrs",
    "show_adr",
    "new_adr",
    "set_adr_status",
    "lint_adrs",
    "evaluate_adr",
    "curate_finding",
    "decide",
    "evidence_candidates",
    "submit_picks",
}


TOKEN = "test-token-0123456789abcdef"  # what the HTTP tests' servers ask of every request


def server_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "JOELADR_MCP_TOKEN": TOKEN, **extra}


@asynccontextmanager
async def over_stdio(
    cwd: Path, args: list[str], env: dict[str, str], errlog: TextIO = sys.stderr
) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "joeladr", *args, "mcp"], env=env, cwd=cwd)
    async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


@contextmanager
def http_server(cwd: Path, args: list[str], env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`joeladr mcp --http 0` as a real process; yields it and the URL it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "joeladr", *args, "mcp", "--http", "0"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    try:
        match = re.search(r"serving (http://127\.0\.0\.1:\d+/mcp)", line)
        assert match, f"the server did not start: {line}{proc.stderr.read() if proc.poll() is not None else ''}"
        yield proc, match.group(1)
    finally:
        proc.terminate()
        assert proc.wait(timeout=60) == 0  # a clean stop: the store is closed, not left to the kernel


@asynccontextmanager
async def over_http(url: str, token: str = TOKEN) -> AsyncIterator[ClientSession]:
    client = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    async with (
        client,
        streamable_http_client(url, http_client=client) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def call(session: ClientSession, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await session.call_tool(tool, arguments)
    text = result.content[0].text if result.content and result.content[0].type == "text" else ""
    assert not result.is_error, f"{tool}: {text}"
    assert result.structured_content is not None
    return result.structured_content


async def fails(session: ClientSession, tool: str, **arguments: Any) -> str:
    result = await session.call_tool(tool, arguments)
    assert result.is_error, f"{tool} should have failed: {result.structured_content}"
    assert result.content[0].type == "text"
    return result.content[0].text


def cli_error(args: list[str]) -> str:
    """What the CLI prints for a failing command (its `error:` and `hint:` lines)."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0, result.output
    return result.output.strip()


Progress = list[tuple[float, str]]


async def ingest_with_progress(session: ClientSession, **arguments: Any) -> tuple[dict[str, Any], Progress]:
    seen: Progress = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        seen.append((value, message or ""))

    result = await session.call_tool("ingest", arguments, progress_callback=progress)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content, seen


async def the_loop(session: ClientSession, talk: str, adr_file: Path) -> None:
    """What an agent does with the demo workspace: ingest, search, evaluate ADR-0064, curate, dry-run decide."""
    listed = await session.list_tools()
    assert {t.name for t in listed.tools} == TOOLS
    for tool in listed.tools:
        assert tool.description and len(tool.description) > 60, tool.name
        assert tool.input_schema["type"] == "object"
    decide = next(t for t in listed.tools if t.name == "decide")
    assert "human's call" in (decide.description or "")
    assert decide.input_schema["properties"]["dry_run"]["default"] is True

    done, progress = await ingest_with_progress(session, inputs=[talk])
    [source] = done["ingested"]
    assert {"download", "transcribe", "embed"} <= set(source["steps"]) and not done["failed"]
    stages = {message.split()[0] for _, message in progress}
    assert {"download", "transcribe", "embed"} <= stages, progress
    assert any(re.fullmatch(r"transcribe \d\d:\d\d of \d\d:\d\d of audio", m) for _, m in progress), progress
    assert any(re.fullmatch(r"download [\d.]+ of [\d.]+ MB", m) for _, m in progress), progress
    values = [v for v, _ in progress]
    assert values == sorted(set(values)), "progress must grow with every notification"

    talk_id = source["source_id"]
    found = await call(session, "search_evidence", query="why this choice", limit=3, source_ids=[talk_id])
    assert found["hits"] and all(h["source_id"] == talk_id for h in found["hits"])
    first = found["hits"][0]
    assert first["url"] == f"{talk}#t={int(first['start'])}" and re.fullmatch(r"\d\d:\d\d", first["at"])

    evaluation = await call(session, "evaluate_adr", number=64)
    assert evaluation["adr"] == "0064" and [o["id"] for o in evaluation["options"]] == ["A", "B", "C"]
    assert {"winner", "margin", "sensitivity"} <= set(evaluation)
    finding = next(f for c in evaluation["criteria"] for f in c["findings"] if f["source_id"] == talk_id)
    assert finding["url"] == f"{talk}#t={int(finding['start'])}" and finding["status"] == "pending"

    curated = await call(
        session, "curate_finding", number="0064", finding_id=finding["id"], status="accepted", supports=["B"]
    )
    line = next(f for c in curated["criteria"] for f in c["findings"] if f["id"] == finding["id"])
    assert line["status"] == "accepted" and line["supports"] == ["B"]
    assert next(o["total"] for o in curated["options"] if o["id"] == "B") > 0
    assert f"^{finding['id']}" in Path(curated["note"]).read_text()  # the note the human curates says so too

    before = adr_file.read_bytes()
    plan = await call(session, "decide", number=64, option="B", reason="keep TypeScript for the LLM work")
    assert plan["dry_run"] is True and plan["option"]["id"] == "B"
    assert "-status: proposed" in plan["diff"] and "+status: accepted" in plan["diff"]
    assert adr_file.read_bytes() == before  # a dry run writes nothing

    resources = {str(r.uri) for r in (await session.list_resources()).resources}
    assert {"adr://0064", f"source://{source['source_id']}", "evaluation://0064"} <= resources
    note = await session.read_resource(f"source://{source['source_id']}")
    assert note.contents[0].text == Path(source["note"]).read_text()  # type: ignore[union-attr]
    prompt = await session.get_prompt("evaluate-adr", {"number": "0064"})
    assert "dry_run=true" in prompt.messages[0].content.text  # type: ignore[union-attr]


def test_an_agent_runs_the_whole_loop_over_stdio(workspace: Path, media_server: str) -> None:
    (workspace / "adrs").mkdir()
    adr_file = workspace / "adrs" / ADR_0064.name
    shutil.copy(ADR_0064, adr_file)

    async def main() -> None:
        async with over_stdio(workspace, [], server_env()) as session:
            await the_loop(session, f"{media_server}/typescript-talk.webm", adr_file)

    anyio.run(main)


def _forget_source(root: Path, url: str) -> Path:
    """Remove one ingested talk's caches and record (its points stay in the store), so it ingests anew."""
    catalog = Catalog(root / "home")
    [record] = [r for r in catalog.all() if r.url == url]
    shutil.rmtree(catalog.folder(record.source_id))
    return catalog.folder(record.source_id)


def test_the_same_loop_over_http(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    _forget_source(copy.root, copy.url)

    async def main(url: str) -> None:
        async with over_http(url) as session:
            await the_loop(session, copy.url, copy.root / "adrs" / ADR_0064.name)

    with http_server(copy.root, copy.args(), server_env()) as (_, url):
        anyio.run(main, url)


def test_bad_arguments_are_tool_errors_and_the_server_keeps_serving(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(BEAM, outside / "talk.webm")
    (outside / "0099-secret.md").write_text("---\nstatus: proposed\n---\n# ADR-0099: not yours\n")
    (copy.root / "vault" / "talk.webm").symlink_to(outside / "talk.webm")
    (copy.root / "adrs" / "0099-secret.md").symlink_to(outside / "0099-secret.md")
    log = tmp_path / "server.log"

    async def main() -> None:
        with log.open("w") as errlog:
            async with over_stdio(copy.root, copy.args(), server_env(), errlog) as session:
                await bad_calls(session)

    async def bad_calls(session: ClientSession) -> None:
        # the same line as the CLI; the hint in the tools' words
        unknown = await fails(session, "show_adr", number=9999)
        assert unknown.splitlines()[0] == cli_error([*copy.args(), "adr", "show", "9999"]).splitlines()[0]
        assert unknown.startswith("error: no ADR numbered 9999 in ") and "\nhint: the list_adrs tool" in unknown
        option = await fails(session, "decide", number=64, option="Q", reason="why not")
        assert option == cli_error([*copy.args(), "decide", "0064", "--option", "Q", "--reason", "why not"])
        assert option.startswith("error: ADR-0064 has no option 'Q'")
        await call(session, "evaluate_adr", number=64)
        malformed = await fails(session, "curate_finding", number=64, finding_id="../../etc", status="accepted")
        assert malformed.startswith("error: finding_id must be a finding id such as f-1a2b3c4d, not '../../etc'")
        assert (await fails(session, "curate_finding", number=64, finding_id="f-00000000")).startswith(
            "error: no finding f-00000000 in ADR-0064 evaluation.md"
        )
        # paths outside the workspace: ../, absolute, a symlink out; file:// URLs
        for path in ("../outside/talk.webm", str(outside / "talk.webm"), "/etc/passwd", "../outside/missing.webm"):
            refused = await fails(session, "ingest", inputs=[path])
            assert refused.startswith(f"error: {copy.root / path if not path.startswith('/') else path}")
            assert "is outside the workspace" in refused, refused
        linked = await fails(session, "ingest", inputs=["vault/talk.webm"])
        assert "is outside the workspace (a symlink leads out of it)" in linked
        assert "is a file:// URL" in await fails(session, "ingest", inputs=[f"file://{outside / 'talk.webm'}"])
        secret = await fails(session, "show_adr", number=99)
        assert "is outside the workspace (a symlink leads out of it)" in secret and "not yours" not in secret
        listed = await call(session, "list_adrs")
        assert [a["number"] for a in listed["adrs"]] == [64]
        assert listed["skipped"][0]["file"] == "0099-secret.md"
        # arguments the schema refuses
        schema = await session.call_tool("search_evidence", {"query": "", "limit": 0})
        assert schema.is_error
        # and the server keeps serving
        found = await call(session, "search_evidence", query="supervision", limit=1)
        assert found["hits"]

    anyio.run(main)
    text = log.read_text()
    assert "Traceback" not in text and "not yours" not in text
    assert "show_adr: error: no ADR numbered 9999" in text  # one line per failed call


def test_no_secret_in_a_tool_error_or_the_log(ingested: Ingested, tmp_path: Path) -> None:
    from tests.loopback import closed_port

    copy = copy_of(ingested, tmp_path / "copy")
    env = server_env(
        JOELADR_QDRANT_URL=f"http://admin:hunter2-pass@127.0.0.1:{closed_port()}",
        JOELADR_QDRANT_API_KEY="sk-very-secret-key",
    )
    log = tmp_path / "server.log"

    async def main() -> None:
        with log.open("w") as errlog:
            async with over_stdio(copy.root, copy.args(), env, errlog) as session:
                error = await fails(session, "search_evidence", query="supervision")
                assert error.startswith("error: cannot use the Qdrant server at http://***@127.0.0.1:")
                assert "sk-very-secret-key" not in error and "hunter2" not in error

    anyio.run(main)
    assert "sk-very-secret-key" not in log.read_text() and "hunter2" not in log.read_text()


HOLD = """
import sys
from joeladr.store.edge import EdgeStore
s = EdgeStore.open(sys.argv[1], 384)
print("holding", flush=True)
sys.stdin.readline()
s.close()
"""


def _wait_for(condition: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_the_cli_and_the_server_share_the_store(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    store = copy.root / "home" / "store" / "joeladr"
    cli = [sys.executable, "-m", "joeladr", *copy.args(), "search", "supervision", "--json"]
    impatient = server_env(JOELADR_LOCK_WAIT="0")

    async def search(url: str) -> dict[str, Any]:
        async with over_http(url) as session:
            return await call(session, "search_evidence", query="supervision", limit=1)

    # a server that keeps the store: a CLI command gets the one-line "in use by pid N" error
    with http_server(copy.root, copy.args(), server_env(JOELADR_MCP_RELEASE_AFTER="600")) as (proc, url):
        assert anyio.run(search, url)["hits"]
        refused = subprocess.run(cli, env=impatient, capture_output=True, text=True, check=False)
        assert refused.returncode == 1
        assert refused.stderr.startswith(f"error: the vector store at {store} is in use by pid {proc.pid} (")
        assert len(refused.stderr.strip().splitlines()) == 2 and "Traceback" not in refused.stderr

    env = server_env(JOELADR_MCP_RELEASE_AFTER="0.5", JOELADR_LOCK_WAIT="0")
    with http_server(copy.root, copy.args(), env) as (proc, url):
        # idle: the server lets go of the store, and a CLI command gets it at once
        assert anyio.run(search, url)["hits"]
        _wait_for(lambda: not (store / "holder.json").exists(), "the server to release the idle store")
        # (the holder file goes just before the lock: a few seconds' patience covers that instant only)
        done = subprocess.run(cli, env=server_env(JOELADR_LOCK_WAIT="10"), capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)

        # the other way round: a process holds the store, the server says who, and carries on after
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(store)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "holding"

        async def collide() -> str:
            async with over_http(url) as session:
                return await fails(session, "search_evidence", query="supervision")

        busy = anyio.run(collide)
        assert busy.startswith(f"error: the vector store at {store} is in use by pid {holder.pid} (")
        holder.stdin.close()
        holder.wait()
        assert anyio.run(search, url)["hits"]


def test_a_cancelled_ingest_resumes_from_its_cache(ingested: Ingested, tmp_path: Path) -> None:
    copy = copy_of(ingested, tmp_path / "copy")
    cache = _forget_source(copy.root, copy.url)
    # the server lingers 2 s after the download: the cancellation arrives while it is there
    env = server_env(JOELADR_PAUSE_AT="downloaded", JOELADR_PAUSE_SECONDS="2")

    async def main() -> None:
        async with over_stdio(copy.root, copy.args(), env) as session:
            seen: list[str] = []
            with anyio.CancelScope() as scope:

                async def progress(value: float, total: float | None, message: str | None) -> None:
                    seen.append(message or "")
                    if value >= 1.0:  # the download is complete
                        scope.cancel()

                await session.call_tool("ingest", {"inputs": [copy.url]}, progress_callback=progress)
            assert scope.cancelled_caught and seen[-1].startswith("download")
            assert copy.url not in [s["url"] for s in (await call(session, "list_sources"))["sources"]]
            # the next ingest waits for the cancelled one to stop, then resumes: the download was cached,
            # the transcription had not started
            again = await call(session, "ingest", inputs=[copy.url])
            [source] = again["ingested"]
            assert source["source_id"] == cache.name
            assert "download" not in source["steps"] and "transcribe" in source["steps"], source
            assert (await call(session, "search_evidence", query="TypeScript", source_ids=[source["source_id"]]))[
                "hits"
            ]

    anyio.run(main)


def test_an_agent_is_answered_in_tool_words_and_never_with_silence(adr_dir: Path, tmp_path: Path) -> None:
    """Errors name tool arguments, not CLI flags; a prompt asked wrongly, or a line that is not JSON-RPC,
    gets a JSON-RPC error back (not code 0, not silence) and no traceback in the log."""
    log = tmp_path / "server.log"

    async def main() -> None:
        with log.open("w") as errlog:
            async with over_stdio(adr_dir.parent, [], server_env(), errlog) as session:
                not_yet = await fails(session, "decide", number=64)
                assert "no clear winner" in not_yet and "option=X" in not_yet, not_yet
                assert "--" not in not_yet and "joeladr " not in not_yet, not_yet
                out_of_range = await fails(session, "evaluate_adr", number=64, source_ids=["nobody-ingested-this"])
                assert out_of_range.startswith("error: source_ids names 'nobody-ingested-this'"), out_of_range
                assert (await session.call_tool("show_adr", {"number": True})).is_error  # true is not ADR 1
                for name, arguments in (("no-such-prompt", {}), ("evaluate-adr", {})):
                    with pytest.raises(McpError) as refused:
                        await session.get_prompt(name, arguments)
                    assert refused.value.error.code == INVALID_PARAMS, refused.value.error

    anyio.run(main)
    assert "Traceback" not in log.read_text(), log.read_text()

    proc = subprocess.Popen(
        [sys.executable, "-m", "joeladr", "mcp"],
        cwd=adr_dir.parent,
        env=server_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("{this is not json\n")
        proc.stdin.flush()
        reply = json.loads(proc.stdout.readline())
        assert reply["id"] is None and reply["error"]["code"] == -32700, reply
    finally:
        proc.kill()
        proc.wait()


def _post(url: str, token: str | None, body: dict[str, Any]) -> tuple[int, dict[str, str]]:
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def test_the_http_server_answers_only_its_owner(adr_dir: Path) -> None:
    """Without the bearer token nothing is reached (401); the token is made at start, kept in a file only its
    owner can read (another local user, uid 65534, cannot), and never printed."""
    env = {k: v for k, v in server_env().items() if k != "JOELADR_MCP_TOKEN"}
    with http_server(adr_dir.parent, [], env) as (proc, url):
        token_file = adr_dir.parent / ".joeladr" / "mcp-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        token = token_file.read_text().strip()
        for wrong in (None, "", token[:-1], "Bearer " + token):
            status, headers = _post(url, wrong, INITIALIZE)
            assert status == 401 and headers.get("www-authenticate", "").startswith("Bearer"), (wrong, status)
        assert _post(url, token, INITIALIZE)[0] == 200
        other = subprocess.run(
            ["runuser", "-u", "nobody", "--", "cat", str(token_file)], capture_output=True, check=False
        )
        assert other.returncode != 0 and token.encode() not in other.stdout

        async def listed() -> set[str]:
            async with over_http(url, token) as session:
                return {t.name for t in (await session.list_tools()).tools}

        assert anyio.run(listed) == TOOLS
    assert proc.stderr is not None and token not in proc.stderr.read()


def test_http_sessions_are_capped(adr_dir: Path) -> None:
    with http_server(adr_dir.parent, [], server_env(JOELADR_MCP_MAX_SESSIONS="2")) as (_, url):
        opened = [_post(url, TOKEN, INITIALIZE) for _ in range(3)]
        assert [status for status, _ in opened] == [200, 200, 503], opened


def test_sessions_take_turns_source_by_source(ingested: Ingested, tmp_path: Path) -> None:
    """The server's ingest lock is fair (first asked, first served) and is taken per source, not per call:
    a call naming many sources does not keep another session waiting until its last one is done."""
    import threading

    from joeladr.agents.bridge import TakingTurns
    from joeladr.app.evidence import Ingest
    from joeladr.app.workspace import Workspace

    turns = TakingTurns()
    order: list[str] = []
    first_in = threading.Event()
    release = threading.Event()

    def take(name: str, hold: bool = False) -> None:
        with turns.turn():
            order.append(name)
            if hold:
                first_in.set()
                release.wait(10)

    holder = threading.Thread(target=take, args=("a1", True))
    holder.start()
    first_in.wait(10)
    waiting = [threading.Thread(target=take, args=(name,)) for name in ("b1", "c1")]
    for thread in waiting:
        thread.start()
        time.sleep(0.2)  # b1 asks before c1
    again = threading.Thread(target=take, args=("a2",))  # the holder's next source asks last
    again.start()
    time.sleep(0.2)
    release.set()
    for thread in [holder, *waiting, again]:
        thread.join(10)
    assert order == ["a1", "b1", "c1", "a2"]

    copy = copy_of(ingested, tmp_path / "copy")
    taken: list[int] = []

    @contextmanager
    def counted() -> Iterator[None]:
        taken.append(1)
        yield

    workspace = Workspace.for_command(copy.settings)
    workspace.ingest_turn = counted
    done = workspace.run(Ingest((str(BEAM), copy.url)))
    assert len(done.results) == 2 and len(taken) == 3  # one turn per source, and the last that finds no more


def test_mcp_help_names_every_tool() -> None:
    """`joeladr mcp --help` lists the tools; it had fallen two behind the server."""
    from typer.testing import CliRunner

    from joeladr.cli import app

    shown = CliRunner().invoke(app, ["mcp", "--help"]).output
    assert [tool for tool in sorted(TOOLS) if tool not in shown] == []
