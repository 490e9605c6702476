"""Curation from the command line: the same edits a user makes in the evaluation note."""

from __future__ import annotations

from collections.abc import Sequence

from joeladr.adr.model import Adr
from joeladr.atomic import atomic_write_text, read_text
from joeladr.errors import EvaluationError
from joeladr.evaluate.note import FINDING_LINE, Status, edit_finding_line
from joeladr.evaluate.run import Evaluation, evaluate, note_path_for
from joeladr.markdown import split_lines
from joeladr.settings import Settings


def curate(
    settings: Settings,
    adr: Adr,
    finding_id: str,
    *,
    status: Status | None = None,
    supports: Sequence[str] | None = None,
    weakens: Sequence[str] | None = None,
    note: str | None = None,
) -> Evaluation:
    """Edit one finding's line in the evaluation note, then rescore (no retrieval, no models)."""
    options = {o.id for o in adr.options}
    for option in [*(supports or []), *(weakens or [])]:
        if option.upper() not in options:
            raise EvaluationError(
                f"{adr.label} has no option '{option}'", hint="options: " + ", ".join(sorted(options))
            )
    path = note_path_for(settings, adr)
    if not path.exists():
        raise EvaluationError(
            f"{adr.label} has not been evaluated yet", hint=f"run `joeladr evaluate {adr.number_text}`"
        )
    text = read_text(path)
    lines = split_lines(text)
    wanted = finding_id if finding_id.startswith("f-") else f"f-{finding_id}"
    hits = [
        i for i, line in enumerate(lines) if (m := FINDING_LINE.match(line.rstrip("\r\n"))) and m.group("id") == wanted
    ]
    if not hits:
        raise EvaluationError(
            f"no finding {wanted} in {path.name}", hint=f"`joeladr evaluate {adr.number_text}` lists them"
        )
    for index in hits:
        ending = lines[index][len(lines[index].rstrip("\r\n")) :]
        lines[index] = (
            edit_finding_line(
                lines[index].rstrip("\r\n"),
                status=status,
                supports=[s.upper() for s in supports] if supports is not None else None,
                weakens=[w.upper() for w in weakens] if weakens is not None else None,
                note=note,
            )
            + ending
        )
    atomic_write_text(path, "".join(lines))
    return evaluate(settings, adr, store=None, embedder=None)
