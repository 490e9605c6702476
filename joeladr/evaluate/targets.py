"""What evaluate looks for: each criterion, option, pain-point row and counter-argument of an ADR."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from joeladr.adr.model import Adr
from joeladr.adr.parse import slugify

Kind = Literal["criterion", "pain-point", "counter", "option"]


@dataclass(frozen=True)
class Target:
    id: str
    kind: Kind
    name: str
    query: str  # what is searched for
    question: str = ""  # a criterion's question, as the ADR asks it (what a judge is asked about)


def targets_of(adr: Adr) -> list[Target]:
    found: list[Target] = [
        Target(c.id, "criterion", c.name, f"{c.name}: {c.question}", c.question) for c in adr.criteria
    ]
    for table in adr.tables:
        for row in table.rows:
            if not row or not row[0].strip():
                continue
            name = row[0].strip()
            query = "; ".join(cell for cell in row if cell.strip())
            found.append(Target(f"pain-{slugify(name, 6)}", "pain-point", name, query))
    for text in adr.counter_arguments:
        name = text.split(" — ")[0].split(" - ")[0].strip()
        found.append(Target(f"counter-{slugify(name, 6)}", "counter", name, text))
    for option in adr.options:
        found.append(
            Target(
                f"option-{option.id.lower()}",
                "option",
                f"Option {option.id}: {option.title}",
                f"{option.title}: {option.description}"[:600],
            )
        )
    unique: dict[str, Target] = {}
    for target in found:
        key = target.id
        suffix = 2
        while key in unique:
            key = f"{target.id}-{suffix}"
            suffix += 1
        unique[key] = replace(target, id=key)
    return list(unique.values())
