"""`joeladr evaluate` and `joeladr finding`."""

from typing import Annotated, Any

import typer

from joeladr.cli.common import JsonFlag, console, echo, in_range, print_json, settings_of, stamp
from joeladr.errors import UsageError
from joeladr.settings import MIN_SCORE, TOP_K


def _pairs(values: list[str] | None) -> dict[str, float]:
    from joeladr.evaluate.matrix import weight_problem

    result = {}
    for value in values or []:
        name, sep, number = value.partition("=")
        if not sep:
            raise UsageError(f"--weight takes CRITERION=NUMBER, not '{value}'")
        try:
            weight = float(number)
        except ValueError as exc:
            raise UsageError(f"--weight {value}: '{number}' is not a number") from exc
        if problem := weight_problem(weight):
            raise UsageError(f"--weight {value}: the weight {problem}")
        result[name.strip()] = weight
    return result


def evaluate(
    ctx: typer.Context,
    adr: Annotated[str, typer.Argument(help="ADR number.")],
    top_k: Annotated[
        int | None,
        typer.Option(help="Findings per criterion, 1-100 (default from settings).", callback=in_range(*TOP_K)),
    ] = None,
    min_score: Annotated[
        float | None,
        typer.Option(
            help="Relevance floor, 0-1: the lowest context cosine kept (default: calibrated for the model).",
            callback=in_range(*MIN_SCORE),
        ),
    ] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only this source id (repeatable).")] = None,
    weight: Annotated[list[str] | None, typer.Option(help="Set a weight: CRITERION=NUMBER (repeatable).")] = None,
    must_have: Annotated[list[str] | None, typer.Option(help="Make a criterion a must-have (repeatable).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Link what the talks say to the ADR's criteria, and score its options.

    Writes decisions/ADR-NNNN evaluation.md in the vault, where you accept, reject and
    annotate findings; rerunning keeps every edit.

    Example: joeladr evaluate 0064 --weight supervision-model=2
    """
    from joeladr.adr.repo import AdrRepository
    from joeladr.engines import make_query_embedder, opened_store
    from joeladr.evaluate.run import evaluate as run_evaluate

    settings = settings_of(ctx)
    record = AdrRepository.of(settings).get(adr)
    weights = _pairs(weight)
    embedder = make_query_embedder(settings)
    with opened_store(settings, embedder.dimension) as store:
        result = run_evaluate(
            settings,
            record,
            store,
            embedder,
            top_k=top_k,
            min_score=min_score,
            source_ids=source,
            weights=weights,
            must_have=must_have or [],
        )
    show(result.to_json(), as_json)


def show(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(data)
        return
    from rich.markup import escape
    from rich.table import Table

    out = console()
    for message in data["messages"]:
        out.print(f"[yellow]{escape(message)}[/yellow]")
    options = [o["id"] for o in data["options"]]
    table = Table("Criterion", "Weight", *options, "Findings", title=f"ADR-{data['adr']}: {escape(data['title'])}")
    for criterion in data["criteria"]:
        accepted = sum(f["status"] == "accepted" for f in criterion["findings"])
        must = " [red](must)[/red]" if criterion["must_have"] else ""
        table.add_row(
            escape(criterion["name"]) + must,
            f"{criterion['weight']:g}",
            *(f"{criterion['scores'][o]:+d}" for o in options),
            f"{len(criterion['findings'])} ({accepted} accepted)",
        )
    table.add_row(
        "[bold]Total[/bold]",
        "",
        *("[dim]knocked out[/dim]" if o["knocked_out"] else f"[bold]{o['total']:g}[/bold]" for o in data["options"]),
        "",
    )
    out.print(table)
    if data["winner"]:
        out.print(f"Winner: option {data['winner']}, margin {data['margin']:.0%}")
    else:
        leader = f" (option {data['leader']} leads by {data['margin']:.0%})" if data["leader"] else ""
        out.print(f"No clear winner{leader}.")
    from joeladr.retrieve import shorten

    for criterion in data["criteria"]:
        out.print(f"\n[bold]{escape(criterion['name'])}[/bold]")
        if not criterion["findings"]:
            out.print("  [dim]nothing relevant found in the ingested talks[/dim]")
        for finding in criterion["findings"][:3]:
            out.print(
                f"  {finding['id']} [{finding['status']}] {escape(finding['title'])} "
                f"{stamp(finding['start'], finding['url'])} "
                f"({finding['score']:.2f}): {escape(shorten(finding['text'], 160))}"
            )
    out.print(f"\n[dim]note: {escape(data['note'])}[/dim]")


def finding(
    ctx: typer.Context,
    adr: Annotated[str, typer.Argument(help="ADR number.")],
    finding_id: Annotated[str, typer.Argument(help="Finding id, e.g. f-1a2b3c4d.")],
    accept: Annotated[bool, typer.Option("--accept", help="Accept the finding.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the finding.")] = False,
    pending: Annotated[bool, typer.Option("--pending", help="Undecide the finding.")] = False,
    supports: Annotated[list[str] | None, typer.Option(help="An option it supports (repeatable).")] = None,
    weakens: Annotated[list[str] | None, typer.Option(help="An option it weakens (repeatable).")] = None,
    note: Annotated[str | None, typer.Option(help="Your note on it.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Curate a finding: accept or reject it, say which options it supports or weakens.

    Example: joeladr finding 0064 f-1a2b3c4d --accept --supports B --weakens A
    """
    from joeladr.adr.repo import AdrRepository
    from joeladr.evaluate.curate import curate
    from joeladr.evaluate.note import Status

    if accept + reject + pending > 1:
        raise UsageError("give only one of --accept, --reject, --pending")
    status: Status | None = "accepted" if accept else "rejected" if reject else "pending" if pending else None
    settings = settings_of(ctx)
    record = AdrRepository.of(settings).get(adr)
    result = curate(
        settings,
        record,
        finding_id,
        status=status,
        supports=supports,
        weakens=weakens,
        note=note,
    )
    show(result.to_json(), as_json)


def decide(
    ctx: typer.Context,
    adr: Annotated[str, typer.Argument(help="ADR number.")],
    option: Annotated[str | None, typer.Option(help="The option chosen (default: the matrix winner).")] = None,
    reason: Annotated[str | None, typer.Option(help="Why; required when not choosing the clear winner.")] = None,
    status: Annotated[str, typer.Option(help="accepted | rejected | deprecated")] = "accepted",
    supersedes: Annotated[str | None, typer.Option(help="An ADR this decision supersedes.")] = None,
    revise: Annotated[bool, typer.Option("--revise", help="Replace an earlier decision, keeping it visible.")] = False,
    deciders: Annotated[str | None, typer.Option(help="Who decided (comma-separated).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the diff; write nothing.")] = False,
) -> None:
    """Write the decision into the ADR (in its own style), a decision note in the vault, and the index.

    Example: joeladr decide 0064 --option B --reason "keep TS for LLM work" --dry-run
    """
    from joeladr.decide import decide as do_decide
    from joeladr.decide import plan_decision

    settings = settings_of(ctx)
    options: dict[str, Any] = {
        "option": option,
        "reason": reason,
        "status": status,
        "supersedes": supersedes,
        "revise": revise,
        "deciders": deciders,
    }
    if dry_run:
        plan = plan_decision(settings, adr, **options)
        echo(plan.diff(), nl=False)
        typer.echo(f"dry run: {len(plan.changed)} file(s) would change; nothing written", err=True)
        return
    plan, written = do_decide(settings, adr, **options)
    if not written:
        echo(f"{plan.adr.label} is already decided this way: nothing changed")
    for path in written:
        echo(f"updated {path}")
    echo(f"{plan.adr.label}: {plan.status}, option {plan.option.id} ({plan.option.title})")
    echo(f"see the decision as a page: joeladr report {plan.adr.number_text}")


def register(app: typer.Typer) -> None:
    """Add the evaluate commands to ``app``."""
    app.command()(evaluate)
    app.command()(finding)
    app.command()(decide)
