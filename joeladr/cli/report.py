"""`joeladr report`: the :class:`joeladr.app.decisions.Report` request."""

from pathlib import Path
from typing import Annotated

import typer

from joeladr.cli.common import JsonFlag, echo, print_json, run


def report(
    ctx: typer.Context,
    adr: Annotated[str, typer.Argument(help="ADR number.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the page here (a file, or a folder). Default: beside the notes."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing --out file that joeladr did not write.")
    ] = False,
    open_page: Annotated[bool, typer.Option("--open", help="Open the page in the browser.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """See the decision: one self-contained page (matrix heatmap, how fragile the lead is, where the
    evidence sits in each talk, every quote one click from playing), and the same charts in the vault.

    Works before a decision and after. The page needs no server and loads nothing until you press play.

    Example: joeladr report 0064 --open
    """
    from joeladr.app.decisions import Report

    result = run(ctx, Report(adr, out, force))
    if as_json:
        print_json(result.to_json())
    else:
        for chart in result.charts:
            echo(f"chart  {chart}")
        echo(f"{'wrote' if result.changed else 'unchanged'} {result.path}")
    if open_page:
        import webbrowser

        webbrowser.open(result.path.resolve().as_uri())


def register(app: typer.Typer) -> None:
    """Add the report command to ``app``."""
    app.command()(report)
