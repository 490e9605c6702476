"""`joeladr adr ...`: thin commands over the ADR engine."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from joeladr.cli.common import JsonFlag, console, print_json, settings_of
from joeladr.errors import UsageError

if TYPE_CHECKING:
    from joeladr.adr.repo import AdrRepository


def _repo(ctx: typer.Context) -> "AdrRepository":
    from joeladr.adr.repo import AdrRepository

    settings = settings_of(ctx)
    return AdrRepository.of(settings)


def new(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The decision's title.")],
    template: Annotated[
        str | None,
        typer.Option(help="joelclaw | madr | madr2 | nygard (default: the style of the folder's ADRs)."),
    ] = None,
    status: Annotated[str | None, typer.Option(help="Initial status (default: the folder's, else proposed).")] = None,
    deciders: Annotated[str | None, typer.Option(help="Who decides.")] = None,
) -> None:
    """Create the next-numbered ADR in the folder's own style (naming, template, status, line endings).

    Example: joeladr adr new "Use Qdrant for vector search" --template madr
    """
    settings = settings_of(ctx)
    path = _repo(ctx).create(title, template, status=status, deciders=deciders, fallback_template=settings.adr_template)
    typer.echo(str(path))


def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="Only this (normalized) status.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only ADRs with this tag.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List ADRs with number, title, status and date.

    Example: joeladr adr list --status proposed --json
    """
    adrs, failures = _repo(ctx).select(status, tag)
    if as_json:
        print_json([a.summary() for a in adrs])
    else:
        from rich.table import Table

        table = Table("ADR", "Title", "Status", "Date", box=None, header_style="bold")
        for adr in adrs:
            table.add_row(adr.number_text, adr.title, adr.status or "-", adr.date or "-")
        console().print(table)
    for failure in failures:
        typer.echo(f"warning: skipped {failure.path.name}: {failure.error.message}", err=True)


def show(
    ctx: typer.Context, number: Annotated[str, typer.Argument(help="ADR number or file.")], as_json: JsonFlag = False
) -> None:
    """Show an ADR's structure: criteria, options, sources, relations.

    Example: joeladr adr show 0064 --json
    """
    adr = _repo(ctx).get(number)
    if as_json:
        print_json(adr.to_json())
        return
    out = console()
    out.print(f"[bold]{adr.label}: {adr.title}[/bold]  ({adr.status or 'no status'}, {adr.date or 'no date'})")
    out.print(f"[dim]{adr.path}[/dim]")
    if adr.criteria:
        out.print("\n[bold]Criteria[/bold]")
        for c in adr.criteria:
            must = " [red](must-have)[/red]" if c.must_have else ""
            out.print(f"  {c.name}{must}: {c.question}", markup=True)
    if adr.options:
        out.print("\n[bold]Options[/bold]")
        for o in adr.options:
            out.print(f"  {o.id}. {o.title}")
    if adr.sources:
        out.print("\n[bold]Sources[/bold]")
        for s in adr.sources:
            box = "x" if s.done else " "
            out.print(f"  \\[{box}] {s.url}")
    relations = [
        ("supersedes", adr.supersedes),
        ("superseded by", adr.superseded_by),
        ("amends", adr.amends),
        ("amended by", adr.amended_by),
        ("related", adr.related),
    ]
    if adr.deciders:
        out.print(f"\n[bold]Deciders[/bold]: {', '.join(adr.deciders)}", markup=True)
    for name, values in relations:
        if values:
            out.print(f"\n[bold]{name.capitalize()}[/bold]: " + ", ".join(f"ADR-{v}" for v in values))


def status_(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="ADR number.")],
    value: Annotated[str, typer.Argument(help="New status, e.g. accepted.")],
    custom: Annotated[bool, typer.Option("--custom", help="Allow a status outside the standard set.")] = False,
) -> None:
    """Change an ADR's status where and how the file writes it (front matter, bullet, field, Status section).

    Example: joeladr adr status 0064 accepted
    """
    from joeladr.adr.workflow import set_status

    path, changed = set_status(_repo(ctx), number, value, allow_custom=custom)
    typer.echo(f"{'updated' if changed else 'unchanged'} {path}")


def supersede(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The ADR being replaced.")],
    new: Annotated[str, typer.Argument(help="The ADR that replaces it.")],
) -> None:
    """Mark OLD as superseded by NEW, writing both files both ways.

    Example: joeladr adr supersede 0064 0114
    """
    from joeladr.adr.workflow import supersede as do_supersede

    for path in do_supersede(_repo(ctx), old, new):
        typer.echo(f"updated {path}")


def link(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="One ADR.")],
    b: Annotated[str, typer.Argument(help="The other ADR.")],
) -> None:
    """Record two ADRs as related, in both files.

    Example: joeladr adr link 0064 0037
    """
    from joeladr.adr.workflow import link as do_link

    for path in do_link(_repo(ctx), a, b):
        typer.echo(f"updated {path}")


def index(ctx: typer.Context) -> None:
    """Write the ADR index (README.md table or index.md adr-log list), keeping any text around it.

    Example: joeladr adr index
    """
    from joeladr.adr.workflow import update_index

    path, changed = update_index(_repo(ctx))
    typer.echo(f"{'updated' if changed else 'unchanged'} {path}")


def graph(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="mermaid | dot")] = "mermaid",
    mentions: Annotated[bool, typer.Option("--mentions", help="Also draw ADR-NNNN mentions.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
) -> None:
    """Draw supersession and related links as Mermaid or Graphviz DOT.

    Example: joeladr adr graph --format dot -o adrs.dot
    """
    from joeladr.adr.graph import to_dot, to_mermaid

    renderers = {"mermaid": to_mermaid, "dot": to_dot}
    if fmt not in renderers:
        raise UsageError(f"unknown graph format '{fmt}'", hint="use mermaid or dot")
    adrs, _ = _repo(ctx).load_all()
    text = renderers[fmt](adrs, mentions)
    if output:
        from joeladr.atomic import atomic_write_text

        atomic_write_text(output, text)
        typer.echo(f"wrote {output}")
    else:
        typer.echo(text, nl=False)


def lint_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Check numbering, the index, statuses, supersession and links; exit 1 on errors.

    Example: joeladr adr lint --json
    """
    from joeladr.adr.lint import has_errors, lint

    issues = lint(_repo(ctx))
    if as_json:
        print_json([i.to_json() for i in issues])
    else:
        for issue in issues:
            typer.echo(f"{issue.severity}: [{issue.code}] {issue.message}")
        errors = sum(i.severity == "error" for i in issues)
        typer.echo(f"{errors} errors, {len(issues) - errors} warnings")
    if has_errors(issues):
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
