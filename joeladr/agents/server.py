"""``joeladr mcp``: the tools, resources and prompt an agent uses to go from talks to a decision.

Each tool parses its arguments into the same request of :mod:`joeladr.app` as its CLI twin
(``tests/test_parity.py`` checks it), runs it against the server's workspace and returns the
result's JSON (with ``resource`` links added). The embedder and the store stay open between
calls (:class:`joeladr.engines.ResidentEngines`); the store is released when idle so CLI
commands in the same workspace can run. The process is confined to the workspace
(:mod:`joeladr.bounds`). Errors come back as tool errors: one line and a hint, in the tools'
own words (arguments, not CLI flags).
"""

import contextlib
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import anyio
import anyio.from_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, UnexpectedToolError
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, CallToolResult, GetPromptResult, InputRequiredResult, TextContent, ToolAnnotations
from mcp_types import Resource as MCPResource
from pydantic import Field, StrictInt, StrictStr

from joeladr import __version__, bounds
from joeladr.agents.bridge import ProgressBridge, TakingTurns, error_text, run_blocking
from joeladr.app.evidence import FEED_LIMIT
from joeladr.app.workspace import Progress, Request, Workspace
from joeladr.engines import ResidentEngines
from joeladr.errors import AdrNotFound, JoeladrError, UsageError
from joeladr.redact import redact
from joeladr.settings import JUDGE_CANDIDATES, MIN_SCORE, TOP_K, Settings

if TYPE_CHECKING:
    from joeladr.evaluate.findings import Evaluation

R = TypeVar("R")

log = logging.getLogger("joeladr.agents")

INSTRUCTIONS = """\
joeladr links what recorded talks say to the evaluation criteria of an architecture decision record (ADR).
The loop: show_adr (criteria, options, the talks it names) -> ingest (adr=N, or URLs) -> evaluate_adr
(findings per criterion with quotes and timestamp links, a Pugh matrix) -> propose curation to the human
and record what they agree to with curate_finding -> decide with dry_run=true and show the diff.
The decision is the human's call: write it (decide with dry_run=false) only when the human says so.
search_evidence answers "what did the talks say about X, and where". Resources: adr://NNNN (or the
slug), source://ID (the vault note with the transcript), evaluation://NNNN (the note the human curates)."""

AdrNumber = Annotated[
    StrictInt | StrictStr,
    Field(description="The ADR's number: 64, '0064' or 'ADR-0064', or its file name (list_adrs shows them)."),
]
Ids = Annotated[list[str] | None, Field(description="Only these source ids (list_sources shows them).")]
Options = Annotated[list[str] | None, Field(description="Option ids of the ADR, e.g. ['B'].")]

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITES_NOTES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True)


class JoeladrMCPServer(MCPServer[Any]):
    """MCPServer whose failing tools answer like the CLI, and whose resource list follows the workspace."""

    def __init__(self, settings: Settings, *, debug: bool = False) -> None:
        super().__init__(
            "joeladr",
            version=__version__,
            instructions=INSTRUCTIONS,
            log_level="DEBUG" if debug else "WARNING",
        )
        self.workspace = settings
        self.debug = debug
        self.engines = ResidentEngines(settings)
        self.ingesting = TakingTurns()  # one source at a time (whisper wants every core), sessions in turn

    def execute(self, request: Request[R], *, progress: Progress | None = None) -> R:
        """Run a request against the workspace (relative paths resolve against the workspace root)."""
        workspace = Workspace(
            self.workspace, self.engines, self.workspace.root, warn=_log_warning, ingest_turn=self.ingesting.turn
        )
        if progress is not None:
            workspace.progress = progress
        return workspace.run(request)

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Context[Any, Any] | None = None
    ) -> GetPromptResult | InputRequiredResult:
        """A prompt, or an invalid-params error naming what is wrong (unknown prompt, missing argument)."""
        prompt = self._prompt_manager.get_prompt(name)
        if prompt is None:
            known = ", ".join(p.name for p in self._prompt_manager.list_prompts())
            raise MCPError(INVALID_PARAMS, f"unknown prompt '{name}' (prompts: {known})")
        missing = [a.name for a in prompt.arguments or () if a.required and a.name not in (arguments or {})]
        if missing:
            raise MCPError(INVALID_PARAMS, f"prompt '{name}' needs the argument {', '.join(missing)}")
        return await super().get_prompt(name, arguments, context)

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, JoeladrError):
                text = error_text(cause, names=ARGUMENT_NAMES)
                log.warning("%s: %s", name, text.replace("\n", " / "))
                first, _, hint = text.partition("\nhint: ")
                return _error_result(text, first.removeprefix("error: "), hint or None)
            if cause is None:
                raise
            if self.debug:
                log.exception("%s failed", name, exc_info=cause)
            line = redact(f"internal error: {type(cause).__name__}: {_first_line(cause)}")
            log.warning("%s: %s", name, line)
            hint = "run `joeladr --debug mcp` to log the traceback"
            return _error_result(f"{line}\nhint: {hint}", line, hint)

    async def list_resources(self) -> list[MCPResource]:
        listed = await super().list_resources()
        return listed + await anyio.to_thread.run_sync(self._workspace_resources)

    async def run_stdio_async(self) -> None:
        """Serve over stdio; a line that is not JSON-RPC gets a parse error back (the SDK would drop it)."""
        import mcp_types as types
        from mcp.server.stdio import stdio_server
        from mcp.shared._context_streams import create_context_streams
        from mcp.shared.message import SessionMessage

        async with stdio_server() as (wire_in, write_stream):
            to_server, read_stream = create_context_streams[SessionMessage | Exception](0)

            async def answer_garbage() -> None:
                async with to_server:
                    async for item in wire_in:
                        if isinstance(item, Exception):
                            error = types.ErrorData(
                                code=types.PARSE_ERROR, message="parse error: not a JSON-RPC message"
                            )
                            reply = types.JSONRPCError(jsonrpc="2.0", id=None, error=error)
                            await write_stream.send(SessionMessage(reply))
                            continue
                        await to_server.send(item)

            async with anyio.create_task_group() as group:
                group.start_soon(answer_garbage)
                await self._lowlevel_server.run(
                    read_stream, write_stream, self._lowlevel_server.create_initialization_options()
                )
                group.cancel_scope.cancel()

    def _workspace_resources(self) -> list[MCPResource]:
        from joeladr.adr.repo import AdrRepository
        from joeladr.catalog import Catalog
        from joeladr.evaluate.run import note_path_for

        found: list[MCPResource] = []
        try:
            adrs, _ = AdrRepository.of(self.workspace).load_all()
        except JoeladrError:
            adrs = []
        for adr in adrs:
            found.append(_resource(adr_uri("adr", adr.key), adr.label, adr.title, "the ADR file"))
        for record in Catalog(self.workspace.home).all():
            found.append(
                _resource(f"source://{record.source_id}", record.note_name, record.title, "note and transcript")
            )
        for adr in adrs:
            if note_path_for(self.workspace, adr).is_file():
                found.append(
                    _resource(adr_uri("evaluation", adr.key), f"{adr.label} evaluation", adr.title, "evaluation")
                )
        return found


ARGUMENT_NAMES = {"adr": "number"}  # a request's field -> the tools' argument, where they differ


def _log_warning(message: str) -> None:
    log.warning("%s", message)


def adr_uri(scheme: str, key: str) -> str:
    """``adr://0064``, or a slug with its ``/`` encoded (``adr://backend%2Fadopt-envoy``): one URI segment."""
    from urllib.parse import quote

    return f"{scheme}://{quote(key, safe='')}"


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else ""


def _error_result(text: str, message: str, hint: str | None) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content={
            "error": redact(message.splitlines()[0] if message else ""),
            "hint": redact(hint) if hint else None,
        },
        is_error=True,
    )


def _resource(uri: str, name: str, title: str, what: str) -> MCPResource:
    return MCPResource(uri=uri, name=name, title=title, description=f"{title} ({what})", mime_type="text/markdown")


@contextmanager
def _as_resource_errors() -> Iterator[None]:
    try:
        yield
    except (AdrNotFound, UsageError) as exc:
        raise ResourceNotFoundError(error_text(exc)) from None
    except JoeladrError as exc:
        raise ResourceError(error_text(exc)) from None


def build_server(settings: Settings, *, debug: bool = False) -> JoeladrMCPServer:
    server = JoeladrMCPServer(settings, debug=debug)
    _add_evidence_tools(server)
    _add_adr_tools(server)
    _add_evaluation_tools(server)
    _add_resources(server)
    _add_prompt(server)
    return server


# -- evidence -------------------------------------------------------------------------------
def _add_evidence_tools(server: JoeladrMCPServer) -> None:
    @server.tool(annotations=READ_ONLY)
    def search_evidence(
        query: Annotated[str, Field(min_length=1, description="What you are looking for, in plain words.")],
        limit: Annotated[int, Field(ge=TOP_K[0], le=TOP_K[1], strict=True, description="How many passages.")] = 5,
        source_ids: Ids = None,
    ) -> dict[str, Any]:
        """Find what the ingested talks say about something, and where: the best passages (hybrid
        vector + keyword search), each with its source, a link that opens the talk at that second
        (`url`), the time as text (`at`), the quote and a 0..1 score."""
        from joeladr.app.evidence import Search

        hits = server.execute(Search(query, limit, tuple(source_ids or ())))
        return {"query": query, "hits": [h.to_json() | {"resource": f"source://{h.source_id}"} for h in hits]}

    @server.tool(annotations=READ_ONLY)
    def list_sources() -> dict[str, Any]:
        """The ingested talks: id, title, URL, duration, chunks, transcript origin and the vault note
        (read it, transcript included, as the resource `source://ID`)."""
        from joeladr.app.evidence import ListSources

        records = server.execute(ListSources())
        return {"sources": [r.to_json() | {"resource": f"source://{r.source_id}"} for r in records]}

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=True))
    async def ingest(
        ctx: Context[Any, Any],
        inputs: Annotated[
            list[str] | None,
            Field(
                description="YouTube URLs or 11-character video ids, playlist or feed URLs, other video URLs, "
                "web pages, PDFs, GitHub repositories, or files inside the workspace."
            ),
        ] = None,
        adr: Annotated[
            StrictInt | StrictStr | None,
            Field(description="Also ingest every source this ADR cites (Source Material, References, Links)."),
        ] = None,
        captions: Annotated[
            Literal["prefer", "only", "never"], Field(description="Reuse the video's own captions when it has them.")
        ] = "prefer",
        force: Annotated[bool, Field(description="Redo every stage even when cached.")] = False,
        limit: Annotated[
            int | None,
            Field(ge=FEED_LIMIT[0], le=FEED_LIMIT[1], strict=True, description="At most N episodes of a podcast feed."),
        ] = None,
    ) -> dict[str, Any]:
        """Bring sources into the evidence: talks (downloaded, transcribed), articles, docs pages, READMEs,
        PDFs and podcast feeds (read as text); each is embedded, stored and given a vault note. Long-running:
        sends progress notifications (download bytes, transcription seconds, embedding chunks) when the
        request carries a progress token. Cancelling stops it at the next step; every finished stage
        is cached, so ingesting again resumes. Already ingested sources come back unchanged, fast. With
        `adr`, the citations it skips (other ADRs, private addresses) come back under `skipped`."""
        from joeladr.app.evidence import Ingest

        request = Ingest(tuple(inputs or ()), None if adr is None else str(adr), captions, force=force, limit=limit)
        cancel = threading.Event()
        bridge = ProgressBridge(_progress_sender(ctx), cancel)

        def work() -> dict[str, Any]:
            done = server.execute(request, progress=bridge)
            if done.failed is not None:
                raise done.failed
            return done.to_json()

        try:
            return await run_blocking(work, cancel)
        except anyio.get_cancelled_exc_class():
            log.warning("ingest cancelled; the finished stages are cached: ingest again to resume")
            raise


def _progress_sender(ctx: Context[Any, Any]) -> Callable[[float, str], None]:
    def send(value: float, message: str) -> None:
        try:
            anyio.from_thread.run(ctx.report_progress, value, None, message)
        except Exception:  # progress is best effort: a client that went away does not stop the work
            log.debug("progress notification not sent", exc_info=True)

    return send


# -- ADRs -----------------------------------------------------------------------------------
def _add_adr_tools(server: JoeladrMCPServer) -> None:
    @server.tool(annotations=READ_ONLY)
    def list_adrs(
        status: Annotated[str | None, Field(description="Only this status, e.g. 'proposed' or 'accepted'.")] = None,
        tag: Annotated[str | None, Field(description="Only ADRs with this tag.")] = None,
    ) -> dict[str, Any]:
        """The ADRs of the workspace: number, title, status, date, tags, file (and `adr://NNNN` to read one).
        Files that cannot be read are listed under `skipped` with the reason."""
        from joeladr.app.adrs import ListAdrs

        listed = server.execute(ListAdrs(status, tag))
        return {
            "adrs": [a.summary() | {"resource": adr_uri("adr", a.key)} for a in listed.adrs],
            "skipped": [{"file": f.path.name, "error": f.error.message} for f in listed.skipped],
        }

    @server.tool(annotations=READ_ONLY)
    def show_adr(number: AdrNumber) -> dict[str, Any]:
        """One ADR's structure: status, context, evaluation criteria (ids and questions), options (ids,
        titles, pros and cons), source material (the talks it names, ticked or not) and relations."""
        from joeladr.app.adrs import ShowAdr

        adr = server.execute(ShowAdr(str(number)))
        return adr.to_json() | {"resource": adr_uri("adr", adr.key)}

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False))
    def new_adr(
        title: Annotated[str, Field(min_length=1, description="The decision's title.")],
        template: Annotated[
            str | None,
            Field(description="joelclaw, madr, madr2 or nygard (default: the folder's own template or style)."),
        ] = None,
        status: Annotated[str | None, Field(description="Initial status (default: the folder's, else proposed).")] = (
            None
        ),
        deciders: Annotated[str | None, Field(description="Who decides.")] = None,
        package: Annotated[
            str | None, Field(description="A log4brains package to create it in (.log4brains.yml packages).")
        ] = None,
    ) -> dict[str, Any]:
        """Create the next-numbered ADR in the folder's own style and return it."""
        from joeladr.app.adrs import NewAdr

        created = server.execute(NewAdr(title, template, status, deciders, package))
        return created.to_json() | {"resource": adr_uri("adr", created.adr.key)}

    @server.tool(annotations=WRITES_NOTES)
    def set_adr_status(
        number: AdrNumber,
        status: Annotated[
            str, Field(description="proposed, accepted, rejected, deprecated, superseded (or another with custom).")
        ],
        custom: Annotated[bool, Field(description="Allow a status outside the standard set.")] = False,
    ) -> dict[str, Any]:
        """Change an ADR's status, written in the file's own style (front matter, inline line or section).
        Use decide to record a decision: it also writes the why, the evidence and the matrix."""
        from joeladr.app.adrs import SetStatus

        edited = server.execute(SetStatus(str(number), status, custom))
        return {"file": str(edited.paths[0]), "status": edited.status, "changed": edited.changed}

    @server.tool(annotations=READ_ONLY)
    def lint_adrs() -> dict[str, Any]:
        """Check the ADR folder: numbering, the index, statuses, supersession links, broken links."""
        from joeladr.app.adrs import LintAdrs

        return server.execute(LintAdrs()).to_json()


# -- evaluation and decision ---------------------------------------------------------------------
def _add_evaluation_tools(server: JoeladrMCPServer) -> None:
    @server.tool(annotations=WRITES_NOTES)
    def evaluate_adr(
        number: AdrNumber,
        top_k: Annotated[
            int | None, Field(ge=TOP_K[0], le=TOP_K[1], strict=True, description="Findings per criterion (default 5).")
        ] = None,
        min_score: Annotated[
            float | None,
            Field(
                ge=MIN_SCORE[0], le=MIN_SCORE[1], description="Relevance floor (default: calibrated per model, 0.35)."
            ),
        ] = None,
        weights: Annotated[
            dict[str, float] | None,
            Field(description="Criterion id -> weight from 0 to 100, e.g. {'supervision-model': 2}."),
        ] = None,
        must_have: Annotated[list[str] | None, Field(description="Criterion ids an option must not fail.")] = None,
        source_ids: Ids = None,
        judge: Annotated[
            str | None,
            Field(
                description="An `llm` model (id or alias) that judges the candidates; 'off' for none (default: the "
                "[evaluate] judge setting). To judge them yourself, use evidence_candidates and submit_picks."
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Link what the talks say to the ADR: findings (quote, source, timestamp link, score, id) for each
        criterion, pain point, counter-argument and option; the Pugh matrix (scores -2..+2 per option and
        criterion, from accepted findings), totals, winner, margin and sensitivity. Writes the evaluation
        note the human curates (`evaluation://NNNN`); their edits there are kept and read back."""
        from joeladr.app.decisions import Evaluate

        request = Evaluate(
            str(number), top_k, min_score, tuple(source_ids or ()), dict(weights or {}), tuple(must_have or ()), judge
        )
        return _evaluation(server.execute(request))

    @server.tool(annotations=READ_ONLY)
    def evidence_candidates(
        number: AdrNumber,
        target: Annotated[
            str, Field(description="A criterion, pain point, counter-argument or option id from evaluate_adr.")
        ],
        candidates: Annotated[
            int | None,
            Field(
                ge=JUDGE_CANDIDATES[0],
                le=JUDGE_CANDIDATES[1],
                strict=True,
                description="Passages to read (default: the [evaluate] judge_candidates setting, 20).",
            ),
        ] = None,
        source_ids: Ids = None,
    ) -> dict[str, Any]:
        """Be the judge of one target's evidence: the ADR's title and context, the target's question, the
        options and the numbered candidate passages (no scores), as a model judging them reads them. Decide
        which passages a careful reader would cite in the decision record, best first, or none; then send
        them with submit_picks and this packet_id."""
        from joeladr.app.decisions import Candidates

        return server.execute(Candidates(str(number), target, candidates, tuple(source_ids or ()))).to_json()

    @server.tool(annotations=WRITES_NOTES)
    def submit_picks(
        number: AdrNumber,
        target: Annotated[str, Field(description="The target the packet was for.")],
        picks: Annotated[
            list[dict[str, Any]],
            Field(
                description="Best first, at most top_k: [{'candidate': 3, 'supports': ['B'], 'weakens': ['A'], "
                "'why': 'one line'}]; [] when nothing is worth citing."
            ),
        ],
        packet_id: Annotated[
            str | None, Field(description="The packet_id from evidence_candidates (refused if they changed).")
        ] = None,
        candidates: Annotated[
            int | None,
            Field(
                ge=JUDGE_CANDIDATES[0], le=JUDGE_CANDIDATES[1], strict=True, description="As for evidence_candidates."
            ),
        ] = None,
        source_ids: Ids = None,
    ) -> dict[str, Any]:
        """Record your picks among one target's candidates, checked as a model's answer is: they join the
        evaluation note as pending findings with the suggested stance and your why as the note, for the human
        to take (one tick) or leave. Returns the evaluation."""
        from joeladr.app.decisions import Candidates, SubmitPicks

        judged = Candidates(str(number), target, candidates, tuple(source_ids or ()))
        request = SubmitPicks(judged, tuple(picks), packet_id)
        return _evaluation(server.execute(request))

    @server.tool(annotations=WRITES_NOTES)
    def curate_finding(
        number: AdrNumber,
        finding_id: Annotated[str, Field(description="The finding's id from evaluate_adr, e.g. 'f-1a2b3c4d'.")],
        status: Annotated[
            Literal["accepted", "rejected", "pending"] | None,
            Field(description="accepted counts in the matrix; rejected drops it; pending undecides it."),
        ] = None,
        supports: Options = None,
        weakens: Options = None,
        note: Annotated[str | None, Field(description="A one-line note kept beside the finding.")] = None,
    ) -> dict[str, Any]:
        """Curate one finding, as the human would in the evaluation note: accept or reject it, say which
        options it supports or weakens, add a note; returns the evaluation rescored. Curation is the
        human's judgement: propose it, and record what they agree to."""
        from joeladr.app.decisions import Curate

        request = Curate(
            str(number),
            finding_id,
            status,
            tuple(supports) if supports is not None else None,
            tuple(weakens) if weakens is not None else None,
            note,
        )
        return _evaluation(server.execute(request))

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True))
    def decide(
        number: AdrNumber,
        option: Annotated[str | None, Field(description="The option chosen (default: the clear winner).")] = None,
        reason: Annotated[
            str | None, Field(description="Why; required when it is not the matrix's clear winner.")
        ] = None,
        status: Annotated[Literal["accepted", "rejected", "deprecated"], Field(description="The ADR's status.")] = (
            "accepted"
        ),
        supersedes: Annotated[
            StrictInt | StrictStr | None, Field(description="An ADR this decision supersedes.")
        ] = None,
        revise: Annotated[bool, Field(description="Replace an earlier decision (it stays visible).")] = False,
        deciders: Annotated[str | None, Field(description="Who decided (comma-separated).")] = None,
        dry_run: Annotated[
            bool, Field(description="true (default): return the diff and write nothing. false: write the files.")
        ] = True,
    ) -> dict[str, Any]:
        """Propose the decision record: written into the ADR in its own style (status, date, chosen option and
        why, consequences, quoted evidence with timestamp links, the matrix), a decision note and the ADR
        index. A decision is the human's call: by default this is a dry run returning the unified diff;
        show it to the human, and pass dry_run=false only when they have told you to write it."""
        from joeladr.app.decisions import Decide
        from joeladr.decide import DecisionChoice

        superseded = None if supersedes is None else str(supersedes)
        choice = DecisionChoice(option, reason, status, superseded, revise, deciders)
        return server.execute(Decide(str(number), choice, dry_run)).to_json()


def _evaluation(result: "Evaluation") -> dict[str, Any]:
    data = result.to_json()
    return data | {"resource": adr_uri("evaluation", result.adr.key)}


# -- resources and the prompt --------------------------------------------------------------------
def _add_resources(server: JoeladrMCPServer) -> None:
    from urllib.parse import unquote

    settings = server.workspace

    @server.resource("adr://{number}", name="adr", mime_type="text/markdown")
    def adr_file(number: str) -> str:
        """An ADR file as it is on disk (markdown)."""
        from joeladr.adr.repo import AdrRepository
        from joeladr.atomic import read_text

        with _as_resource_errors():
            return read_text(AdrRepository.of(settings).find(unquote(number)))

    @server.resource("source://{source_id}", name="source", mime_type="text/markdown")
    def source_note(source_id: str) -> str:
        """An ingested talk's vault note: properties, chapters and the transcript with timestamp links."""
        from joeladr.atomic import read_text
        from joeladr.catalog import Catalog

        with _as_resource_errors():
            record = Catalog(settings.home).get(source_id)
            if record is None:
                raise UsageError(f"no source '{source_id}' has been ingested", hint="list_sources shows them")
            return read_text(settings.sources_dir / record.note)

    @server.resource("evaluation://{number}", name="evaluation", mime_type="text/markdown")
    def evaluation_note(number: str) -> str:
        """An ADR's evaluation note: findings per criterion with the human's curation, and the matrix."""
        from joeladr.adr.repo import AdrRepository
        from joeladr.atomic import read_text
        from joeladr.evaluate.run import note_path_for

        with _as_resource_errors():
            adr = AdrRepository.of(settings).get(unquote(number))
            path = note_path_for(settings, adr)
            if not path.is_file():
                raise UsageError(f"{adr.label} has not been evaluated yet", hint="call evaluate_adr first")
            return read_text(path)


def _add_prompt(server: JoeladrMCPServer) -> None:
    @server.prompt(name="evaluate-adr", title="Evaluate an ADR from the talks it names")
    def evaluate_adr_prompt(
        number: Annotated[str, Field(description="The ADR's number, e.g. 0064.")],
        talks: Annotated[str, Field(description="Extra talk URLs or ids, separated by spaces.")] = "",
    ) -> str:
        """Walk through ingest -> evaluate -> proposed curation -> a dry-run decision, with the human deciding."""
        extra = f" and these talks: {talks.split()}" if talks.strip() else ""
        return f"""\
Help me decide ADR {number} from the evidence in the talks, step by step. I make the decision.

1. Read the ADR with show_adr(number="{number}"): its criteria, options and the talks it names.
2. Ingest the talks with ingest(adr="{number}"){extra}. It reports progress; already ingested talks
   come back at once. Tell me which talks failed and why.
3. Evaluate with evaluate_adr(number="{number}"). For each criterion, read the top findings (quote,
   `at`, `url` opening the talk at that second) and counter-arguments.
4. Propose curation: for each finding worth citing, say whether to accept or reject it and which
   options it supports or weakens, quoting it with its timestamp link. Ask me; record only what I
   agree to with curate_finding. Where the talks say nothing about a criterion, say so.
5. Show the matrix (totals, winner, margin, sensitivity) and call decide(number="{number}", dry_run=true).
   Show me the diff. Do not call decide with dry_run=false unless I tell you to write the decision.
"""


# -- running ---------------------------------------------------------------------------------------
def serve(settings: Settings, *, http_port: int | None = None, debug: bool = False) -> None:
    """Serve over stdio (the default) or Streamable HTTP on 127.0.0.1:``http_port``, until the client leaves."""
    bounds.confine(bounds.Bounds.of(settings))
    # plain one-line logs on stderr (before the SDK would install its rich handler); stdout is the wire
    logging.basicConfig(level="DEBUG" if debug else "WARNING", format="joeladr mcp: %(message)s", stream=sys.stderr)
    server = build_server(settings, debug=debug)
    listener = _listen(http_port) if http_port is not None else None
    threading.Thread(target=_preload, args=(server,), daemon=True).start()
    try:
        if listener is None:
            anyio.run(server.run_stdio_async)
        else:
            anyio.run(_serve_http, server, listener)
    finally:
        server.engines.release()


def _preload(server: JoeladrMCPServer) -> None:
    """Load the query model in the background, so the first search costs a query too."""
    try:
        server.engines.embedder.loaded  # noqa: B018
    except JoeladrError as exc:  # the first call that needs it reports the same error
        log.warning("the embedding model did not load: %s", exc.message)


def _listen(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", port))
    except OSError as exc:
        listener.close()
        raise UsageError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", hint="choose another --http port"
        ) from exc
    listener.listen(64)
    return listener


async def _serve_http(server: JoeladrMCPServer, listener: socket.socket) -> None:
    import uvicorn

    class Uvicorn(uvicorn.Server):
        @contextmanager
        def capture_signals(self) -> Iterator[None]:
            """Stop on SIGINT / SIGTERM and return, so the store is closed (uvicorn would re-raise the signal)."""
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    port = listener.getsockname()[1]
    settings = server.workspace
    app = server.streamable_http_app(
        host="127.0.0.1", max_sessions=settings.mcp_max_sessions, session_idle_timeout=settings.mcp_session_idle
    )
    token, where = http_token(settings)
    config = uvicorn.Config(BearerToken(app, token), log_level="warning", lifespan="on")
    sys.stderr.write(f"joeladr mcp: serving http://127.0.0.1:{port}/mcp (bearer token {where})\n")
    sys.stderr.flush()
    await Uvicorn(config).serve(sockets=[listener])


def http_token(settings: Settings) -> tuple[str, str]:
    """The bearer token every HTTP request must carry, and where the owner finds it.

    ``[mcp] token`` / ``JOELADR_MCP_TOKEN`` when set; else a new random token at each start, written to
    ``<home>/mcp-token`` readable by the owner alone (other local users cannot read it, so they cannot
    drive this server: the port alone is not enough).
    """
    import os
    import secrets

    if settings.mcp_token:
        return settings.mcp_token, "from JOELADR_MCP_TOKEN"
    token = secrets.token_urlsafe(32)
    path = settings.home / "mcp-token"
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a new file, so its mode is ours (never a file another user placed here)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token + "\n")
    return token, f"in {path}"


class BearerToken:
    """ASGI middleware: a request without ``Authorization: Bearer <token>`` gets 401 and reaches nothing."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        import hmac

        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"authorization", b"")
        if hmac.compare_digest(given, self.expected):
            await self.app(scope, receive, send)
            return
        body = b'{"error": "unauthorized: send the token of this joeladr mcp server as a bearer token"}'
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Bearer realm="joeladr mcp"'),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
