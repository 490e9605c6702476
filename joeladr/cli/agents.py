"""`joeladr mcp`: the Model Context Protocol server for agents."""

from typing import Annotated

import typer

from joeladr.cli.common import settings_of


def mcp(
    ctx: typer.Context,
    http: Annotated[
        int | None,
        typer.Option("--http", metavar="PORT", help="Serve Streamable HTTP on 127.0.0.1:PORT instead of stdio."),
    ] = None,
) -> None:
    """Serve the evidence, the evaluation and the decision to an agent (Model Context Protocol).

    Speaks stdio by default (for local agent clients); with --http, Streamable HTTP at
    http://127.0.0.1:PORT/mcp. Tools: search_evidence, list_sources, ingest, list_adrs,
    show_adr, new_adr, set_adr_status, lint_adrs, evaluate_adr, evidence_candidates,
    submit_picks, curate_finding, decide.

    Example: joeladr mcp --http 8765
    """
    from joeladr.agents.server import serve

    if http is not None and not 0 <= http <= 65535:
        raise typer.BadParameter(f"{http} is not a TCP port (0-65535)", param_hint="--http")
    debug = bool((ctx.find_root().obj or {}).get("debug"))
    serve(settings_of(ctx), http_port=http, debug=debug)


def register(app: typer.Typer) -> None:
    """Add the agent commands to ``app``."""
    app.command()(mcp)
