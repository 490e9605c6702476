"""The ADR graph (supersession, amendments and related links) as Mermaid or Graphviz DOT."""

from __future__ import annotations

import re

from joeladr.adr.model import Adr

EDGE_LABELS = {"supersedes": "supersedes", "amends": "amends", "related": "related", "mention": "mentions"}


def edges(adrs: list[Adr], mentions: bool = False) -> list[tuple[str, str, str]]:
    known = {a.key for a in adrs}
    found: set[tuple[str, str, str]] = set()
    for adr in adrs:
        me = adr.key
        for target in adr.supersedes:
            found.add((me, target, "supersedes"))
        for target in adr.superseded_by:
            found.add((target, me, "supersedes"))
        for target in adr.amends:
            found.add((me, target, "amends"))
        for target in adr.amended_by:
            found.add((target, me, "amends"))
        for target in adr.related:
            if (target, me, "related") not in found and target != me:
                found.add((me, target, "related"))
        if mentions:
            for ref in adr.references:
                if ref.kind == "mention" and ref.target != me and ref.target in known:
                    found.add((me, ref.target, "mention"))
    return sorted(e for e in found if e[0] in known or e[1] in known)


def _label(adr: Adr) -> str:
    title = adr.title.replace('"', "'")
    return f"{adr.key}: {title[:60]}"


def _node(key: str) -> str:
    """A Mermaid node id for a key (``adr0012``, ``adr20240301_adopt_envoy``)."""
    return "adr" + re.sub(r"\W", "_", key)


def to_mermaid(adrs: list[Adr], mentions: bool = False) -> str:
    out = ["graph LR"]
    by_number = {a.key: a for a in adrs}
    used = {n for e in edges(adrs, mentions) for n in e[:2]}
    for number in sorted(used):
        label = _label(by_number[number]) if number in by_number else f"{number}: (missing)"
        status = by_number[number].status if number in by_number else "missing"
        out.append(f'  {_node(number)}["{label}"]:::{status or "unknown"}')
    for source, target, kind in edges(adrs, mentions):
        arrow = "-.->" if kind != "supersedes" else "-->"
        out.append(f"  {_node(source)} {arrow}|{EDGE_LABELS[kind]}| {_node(target)}")
    out.append("  classDef superseded stroke-dasharray: 4 4,color:#888")
    return "\n".join(out) + "\n"


def to_dot(adrs: list[Adr], mentions: bool = False) -> str:
    out = ["digraph adrs {", "  rankdir=LR;", "  node [shape=box];"]
    by_number = {a.key: a for a in adrs}
    used = {n for e in edges(adrs, mentions) for n in e[:2]}
    for number in sorted(used):
        label = _label(by_number[number]) if number in by_number else f"{number}: (missing)"
        style = ", style=dashed" if number in by_number and by_number[number].status == "superseded" else ""
        out.append(f'  "{number}" [label="{label}"{style}];')
    for source, target, kind in edges(adrs, mentions):
        style = "" if kind == "supersedes" else ", style=dashed"
        out.append(f'  "{source}" -> "{target}" [label="{EDGE_LABELS[kind]}"{style}];')
    out.append("}")
    return "\n".join(out) + "\n"
