"""`joeladr evaluate`, `joeladr finding`, `joeladr decide`: requests of :mod:`joeladr.app.decisions`."""

from typing import Annotated, Any

import typer

from joeladr.cli.common import JsonFlag, console, echo, print_json, run, stamp, styled
from joeladr.errors import UsageError


def _pairs(values: list[str] | None) -> dict[str, float]:
    """``--weight CRITERION=NUMBER`` options as a mapping (the request checks the numbers)."""
    result = {}
    for value in values or []:
        name, sep, number = value.partition("=")
        if not sep:
            raise UsageError(f"--weight takes CRITERION=NUMBER, not '{value}'")
        try:
            result[name.strip()] = float(number)
        except ValueError as exc:
            raise UsageError(f"--weight {value}: '{number}' is not a number") from exc
    return result


def evaluate(
    ctx: typer.Context,
    adr: Annotated[str, typer.Argument(help="ADR number.")],
    top_k: Annotated[int | None, typer.Option(help="Findings per criterion, 1-100 (default from settings).")] = None,
    min_score: Annotated[
        float | None,
        typer.Option(help="Relevance floor, 0-1: the lowest context cosine kept (default: calibrated for the model)."),
    ] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only this source id (repeatable).")] = None,
    weight: Annotated[list[str] | None, typer.Option(help="Set a weight: CRITERION=NUMBER (repeatable).")] = None,
    must_have: Annotated[list[str] | None, typer.Option(help="Make a criterion a must-have (repeatable).")] = None,
    judge: Annotated[
        str | None,
        typer.Option(
            help="An `llm` model (id or alias) that judges the candidates; 'off' for none (default: settings)."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Link what the talks say to the ADR's criteria, and score its options.

    Writes decisions/ADR-NNNN evaluation.md in the vault, where you accept, reject and
    annotate findings; rerunning keeps every edit.

    Example: joeladr evaluate 0064 --weight supervision-model=2
    """
    from joeladr.app.decisions import Evaluate

    request = Evaluate(adr, top_k, min_score, tuple(source or ()), _pairs(weight), tuple(must_have or ()), judge)
    show(run(ctx, request, _judge_steps).to_json(), as_json)


def _judge_steps(stage: str, completed: float, total: float | None) -> None:
    """The judge's progress, one line per target decided, on stderr (the model may take seconds each)."""
    if stage == "judge" and total:
        echo(f"judge: {completed:g} of {total:g} targets", err=True)


def _pick(value: str) -> dict[str, Any]:
    """``3`` or ``3:+B-A`` (candidate 3, supporting B, weakening A) as a pick (the request checks it)."""
    from joeladr.evaluate.note import parse_stance

    number, sep, stance = value.partition(":")
    try:
        pick: dict[str, Any] = {"candidate": int(number)}
    except ValueError as exc:
        raise UsageError(
            f"a pick is a candidate number, optionally with a stance (3 or 3:+B-A), not '{value}'"
        ) from exc
    if sep:
        stated = parse_stance(stance)
        if stated is None:
            raise UsageError(f"pick {value}: the stance is +OPTION or -OPTION, e.g. 3:+B-A")
        pick |= {"supports": stated[0], "weakens": stated[1]}
    return pick


def candidates(
    ctx: typer.Context,
    adr: Annotated[str, typer.Argument(help="ADR number.")],
    target: Annotated[str, typer.Argument(help="A criterion, pain point, counter-argument or option id.")],
    count: Annotated[
        int | None, typer.Option("--candidates", help="Passages to show, 1-50 (default: [evaluate] judge_candidates).")
    ] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only this source id (repeatable).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show what a judge reads for one target: the ADR, the question, the options, numbered passages.

    You (or an agent) can be the judge: read them, then send your picks with `joeladr picks`.

    Example: joeladr candidates 0064 supervision-model
    """
    from joeladr.app.decisions import Candidates

    packet = run(ctx, Candidates(adr, target, count, tuple(source or ())))
    if as_json:
        print_json(packet.to_json())
        return
    echo(packet.prompt())
    same = "".join(f" --candidates {count}" if count else "") + "".join(f" --source {s}" for s in source or ())
    echo(
        f"\npacket {packet.packet_id}: joeladr picks {adr} {packet.target} 3:+B 1 --packet {packet.packet_id}{same}",
        err=True,
    )


def picks(
    ctx: typer.Context,
    adr: Annotated[str, typer.Argument(help="ADR number.")],
    target: Annotated[str, typer.Argument(help="The target the candidates were shown for.")],
    chosen: Annotated[
        list[str] | None, typer.Argument(help="Candidates you would cite, best first: 3 or 3:+B-A (a stance).")
    ] = None,
    packet: Annotated[
        str | None, typer.Option(help="The packet id `candidates` showed (refused if they changed since).")
    ] = None,
    none: Annotated[bool, typer.Option("--none", help="Nothing among the candidates is worth citing.")] = False,
    count: Annotated[int | None, typer.Option("--candidates", help="As given to `candidates`.")] = None,
    source: Annotated[list[str] | None, typer.Option(help="As given to `candidates` (repeatable).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Record a judge's picks among one target's candidates, as pending findings with a suggested stance.

    Example: joeladr picks 0064 supervision-model 3:+B-A 1 --packet p-1a2b3c4d5e6f
    """
    from joeladr.app.decisions import Candidates, SubmitPicks

    if bool(chosen) == none:
        raise UsageError("give the candidates you would cite (best first), or --none")
    judged = Candidates(adr, target, count, tuple(source or ()))
    request = SubmitPicks(judged, tuple(_pick(v) for v in chosen or ()), packet)
    show(run(ctx, request).to_json(), as_json)


def show(data: dict[str, Any], as_json: bool) -> None:
    """An evaluation: its messages, the matrix as a table, the winner, the top findings per criterion."""
    if as_json:
        print_json(data)
        return
    from rich.table import Table

    from joeladr.retrieve import shorten

    out = console()
    for message in data["messages"]:
        out.print(styled((message, "yellow")))
    options = [o["id"] for o in data["options"]]
    table = Table("Criterion", "Weight", *options, "Findings", title=f"ADR-{data['adr']}: {data['title']}")
    for criterion in data["criteria"]:
        accepted = sum(f["status"] == "accepted" for f in criterion["findings"])
        table.add_row(
            styled(criterion["name"], (" (must)", "red") if criterion["must_have"] else ""),
            f"{criterion['weight']:g}",
            *(f"{criterion['scores'][o]:+d}" for o in options),
            f"{len(criterion['findings'])} ({accepted} accepted)",
        )
    table.add_row(
        styled(("Total", "bold")),
        "",
        *(styled(("knocked out", "dim") if o["knocked_out"] else (f"{o['total']:g}", "bold")) for o in data["options"]),
        "",
    )
    out.print(table)
    if data["winner"]:
        out.print(f"Winner: option {data['winner']}, margin {data['margin']:.0%}")
    else:
        leader = f" (option {data['leader']} leads by {data['margin']:.0%})" if data["leader"] else ""
        out.print(f"No clear winner{leader}.")
    for criterion in data["criteria"]:
        out.print(styled("\n", (criterion["name"], "bold")))
        if not criterion["findings"]:
            out.print(styled(("  nothing relevant found in the ingested sources", "dim")))
        for finding in criterion["findings"][:3]:
            out.print(
                styled(
                    f"  {finding['id']} [{finding['status']}] {finding['title']} ",
                    stamp(finding["at"], finding["url"]),
                    f" ({finding['score']:.2f}): {shorten(finding['text'], 160)}",
                    (_suggestion(finding), "cyan"),
                )
            )
    out.print(styled((f"\nnote: {data['note']}", "dim")))


def _suggestion(finding: dict[str, Any]) -> str:
    """A judge's suggested stance, as the note writes it (`` suggests +B -A``); "" when there is none."""
    suggests = finding.get("suggests") or {}
    signs = [f"+{o}" for o in suggests.get("supports", [])] + [f"-{o}" for o in suggests.get("weakens", [])]
    return f" suggests {' '.join(signs)}" if signs else ""


def finding(
    ctx: typer.Context,
    adr: Annotated[str, typer.Argument(help="ADR number.")],
    finding_id: Annotated[str, typer.Argument(help="Finding id, e.g. f-1a2b3c4d.")],
    accept: Annotated[bool, typer.Option("--accept", help="Accept the finding.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the finding.")] = False,
    pending: Annotated[bool, typer.Option("--pending", help="Undecide the finding.")] = False,
    supports: Annotated[list[str] | None, typer.Option(help="An option it supports (repeatable).")] = None,
    weakens: Annotated[list[str] | None, typer.Option(help="An option it weakens (repeatable).")] = None,
    note: Annotated[str | None, typer.Option(help="Your note on it (one line).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Curate a finding: accept or reject it, say which options it supports or weakens.

    Example: joeladr finding 0064 f-1a2b3c4d --accept --supports B --weakens A
    """
    from joeladr.app.decisions import Curate

    if accept + reject + pending > 1:
        raise UsageError("give only one of --accept, --reject, --pending")
    status = "accepted" if accept else "rejected" if reject else "pending" if pending else None
    request = Curate(
        adr,
        finding_id,
        status,
        tuple(supports) if supports is not None else None,
        tuple(weakens) if weakens is not None else None,
        note,
    )
    show(run(ctx, request).to_json(), as_json)


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
    from joeladr.app.decisions import Decide
    from joeladr.decide import DecisionChoice

    choice = DecisionChoice(option, reason, status, supersedes, revise, deciders)
    decided = run(ctx, Decide(adr, choice, dry_run))
    plan = decided.plan
    if decided.written is None:
        echo(plan.diff(), nl=False)
        echo(f"dry run: {len(plan.changed)} file(s) would change; nothing written", err=True)
        return
    if not decided.written:
        echo(f"{plan.adr.label} is already decided this way: nothing changed")
    for path in decided.written:
        echo(f"updated {path}")
    echo(f"{plan.adr.label}: {plan.status}, option {plan.option.id} ({plan.option.title})")
    echo(f"see the decision as a page: joeladr report {plan.adr.number_text}")


def register(app: typer.Typer) -> None:
    """Add the evaluate commands to ``app``."""
    app.command()(evaluate)
    app.command()(finding)
    app.command()(decide)
    app.command()(candidates)
    app.command()(picks)
