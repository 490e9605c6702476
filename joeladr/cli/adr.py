"""`joeladr adr ...`: parse into a request of :mod:`joeladr.app.adrs`, run it, print the result."""

from pathlib import Path
from typing import Annotated

import typer

from joeladr.cli.common import JsonFlag, console, echo, print_json, run, styled


def new(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The decision's title.")],
    template: Annotated[
        str | None,
        typer.Option(help="joelclaw | madr | madr2 | nygard (default: the folder's own template or style)."),
    ] = None,
    status: Annotated[str | None, typer.Option(help="Initial status (default: the folder's, else proposed).")] = None,
    deciders: Annotated[str | None, typer.Option(help="Who decides.")] = None,
    package: Annotated[
        str | None, typer.Option(help="Create it in this log4brains package's folder (.log4brains.yml packages).")
    ] = None,
) -> None:
    """Create the next-numbered ADR in the folder's own style (naming, template, status, line endings).

    Example: joeladr adr new "Use Qdrant for vector search" --template madr
    """
    from joeladr.app.adrs import NewAdr

    created = run(ctx, NewAdr(title, template, status, deciders, package))
    echo(str(created.path))


def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="Only this (normalized) status.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only ADRs with this tag.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List ADRs with number, title, status and date.

    Example: joeladr adr list --status proposed --json
    """
    from joeladr.app.adrs import ListAdrs

    listed = run(ctx, ListAdrs(status, tag))
    if as_json:
        print_json(listed.to_json())
    else:
        from rich.table import Table

        table = Table("ADR", "Title", "Status", "Date", box=None, header_style="bold")
        for adr in listed.adrs:
            table.add_row(adr.number_text, adr.title, adr.status or "-", adr.date or "-")
        console().print(table)
    for failure in listed.skipped:
        echo(f"warning: skipped {failure.path.name}: {failure.error.message}", err=True)


def show(
    ctx: typer.Context, number: Annotated[str, typer.Argument(help="ADR number or file.")], as_json: JsonFlag = False
) -> None:
    """Show an ADR's structure: criteria, options, sources, relations.

    Example: joeladr adr show 0064 --json
    """
    from joeladr.adr.model import label_of
    from joeladr.app.adrs import ShowAdr

    adr = run(ctx, ShowAdr(number))
    if as_json:
        print_json(adr.to_json())
        return
    out = console()
    out.print(
        styled((f"{adr.label}: {adr.title}", "bold"), f"  ({adr.status or 'no status'}, {adr.date or 'no date'})")
    )
    out.print(styled((str(adr.path), "dim")))
    if adr.criteria:
        out.print(styled("\n", ("Criteria", "bold")))
        for c in adr.criteria:
            out.print(styled(f"  {c.name}", (" (must-have)", "red") if c.must_have else "", f": {c.question}"))
    if adr.options:
        out.print(styled("\n", ("Options", "bold")))
        for o in adr.options:
            out.print(f"  {o.id}. {o.title}")
    if adr.sources:
        out.print(styled("\n", ("Sources", "bold")))
        for s in adr.sources:
            out.print(f"  [{'x' if s.done else ' '}] {s.url}")
    if adr.deciders:
        out.print(styled("\n", ("Deciders", "bold"), f": {', '.join(adr.deciders)}"))
    relations = [
        ("Supersedes", adr.supersedes),
        ("Superseded by", adr.superseded_by),
        ("Amends", adr.amends),
        ("Amended by", adr.amended_by),
        ("Related", adr.related),
    ]
    for name, values in relations:
        if values:
            out.print(styled("\n", (name, "bold"), ": " + ", ".join(label_of(v) for v in values)))
    if adr.links:
        out.print(styled("\n", ("Links", "bold")))
        for item in adr.links:
            out.print(f"  {item.label} {label_of(item.target)}")


def status_(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="ADR number.")],
    value: Annotated[str, typer.Argument(help="New status, e.g. accepted.")],
    custom: Annotated[bool, typer.Option("--custom", help="Allow a status outside the standard set.")] = False,
) -> None:
    """Change an ADR's status where and how the file writes it (front matter, bullet, field, Status section).

    Example: joeladr adr status 0064 accepted
    """
    from joeladr.app.adrs import SetStatus

    edited = run(ctx, SetStatus(number, value, custom))
    echo(f"{'updated' if edited.changed else 'unchanged'} {edited.paths[0]}")


def supersede(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The ADR being replaced.")],
    new: Annotated[str, typer.Argument(help="The ADR that replaces it.")],
) -> None:
    """Mark OLD as superseded by NEW, writing both files both ways.

    Example: joeladr adr supersede 0064 0114
    """
    from joeladr.app.adrs import Supersede

    for path in run(ctx, Supersede(old, new)).paths:
        echo(f"updated {path}")


def link(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="One ADR.")],
    b: Annotated[str, typer.Argument(help="The other ADR.")],
) -> None:
    """Record two ADRs as related, in both files.

    Example: joeladr adr link 0064 0037
    """
    from joeladr.app.adrs import Link

    for path in run(ctx, Link(a, b)).paths:
        echo(f"updated {path}")


def index(ctx: typer.Context) -> None:
    """Write the ADR index (README.md table or index.md adr-log list), keeping any text around it.

    Example: joeladr adr index
    """
    from joeladr.app.adrs import WriteIndex

    edited = run(ctx, WriteIndex())
    echo(f"{'updated' if edited.changed else 'unchanged'} {edited.paths[0]}")


def graph(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="mermaid | dot")] = "mermaid",
    mentions: Annotated[bool, typer.Option("--mentions", help="Also draw ADR-NNNN mentions.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
) -> None:
    """Draw supersession and related links as Mermaid or Graphviz DOT.

    Example: joeladr adr graph --format dot -o adrs.dot
    """
    from joeladr.app.adrs import DrawGraph

    text = run(ctx, DrawGraph(fmt, mentions))
    if output:
        from joeladr.atomic import atomic_write_text

        atomic_write_text(output, text)
        echo(f"wrote {output}")
    else:
        echo(text, nl=False)


def lint_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Check numbering, the index, statuses, supersession and links; exit 1 on errors.

    Example: joeladr adr lint --json
    """
    from joeladr.app.adrs import LintAdrs

    linted = run(ctx, LintAdrs())
    if as_json:
        print_json([i.to_json() for i in linted.issues])
    else:
        for issue in linted.issues:
            echo(f"{issue.severity}: [{issue.code}] {issue.message}")
        echo(f"{linted.errors} errors, {len(linted.issues) - linted.errors} warnings")
    if linted.errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the adr commands to ``app``."""
    app.command("new")(new)
    app.command("list")(list_)
    app.command("show")(show)
    app.command("status")(status_)
    app.command("supersede")(supersede)
    app.command("link")(link)
    app.command("index")(index)
    app.command("graph")(graph)
    app.command("lint")(lint_)
