"""Curation from the command line: the same edits a user makes in the evaluation note."""

from __future__ import annotations

import re
from collections.abc import Sequence

from joeladr.adr.model import Adr
from joeladr.errors import EvaluationError, UsageError
from joeladr.evaluate.findings import Evaluation
from joeladr.evaluate.note import FINDING_LINE, Status, edit_finding_line
from joeladr.evaluate.run import ChartHook, note_path_for, update_note
from joeladr.markdown import split_lines
from joeladr.settings import Settings

FINDING_ID = re.compile(r"(?:f-)?[0-9a-f]{8}")


def curate(
    settings: Settings,
    adr: Adr,
    finding_id: str,
    *,
    status: Status | None = None,
    supports: Sequence[str] | None = None,
    weakens: Sequence[str] | None = None,
    note: str | None = None,
    charts: ChartHook | None = None,
) -> Evaluation:
    """Edit one finding's line in the evaluation note and rescore, in one write (no retrieval, no models)."""
    if not FINDING_ID.fullmatch(finding_id):
        raise UsageError(
            f"'{finding_id}' is not a finding id", hint="finding ids look like f-1a2b3c4d (evaluate lists them)"
        )
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
    wanted = finding_id if finding_id.startswith("f-") else f"f-{finding_id}"

    def edit(text: str) -> str:
        lines = split_lines(text)
        hits = [
            i for i, line in enumerate(lines) if (m := FINDING_LINE.match(line.rstrip("\r\n"))) and m["id"] == wanted
        ]
        if not hits:
            raise EvaluationError(
                f"no finding {wanted} in {path.name}", hint=f"`joeladr evaluate {adr.number_text}` lists them"
            )
        for index in hits:
            body = lines[index].rstrip("\r\n")
            lines[index] = (
                edit_finding_line(
                    body,
                    status=status,
                    supports=[s.upper() for s in supports] if supports is not None else None,
                    weakens=[w.upper() for w in weakens] if weakens is not None else None,
                    note=note,
                    take_suggestion=status == "accepted",  # accepting takes a judge's suggested stance
                )
                + lines[index][len(body) :]
            )
        return "".join(lines)

    return update_note(settings, adr, edit=edit, charts=charts)
