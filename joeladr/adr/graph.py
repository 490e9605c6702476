"""The ADR graph (supersession, amendments, related links and links of the user's own types) as Mermaid or
Graphviz DOT, and the supersession graph's paths and circles."""

from __future__ import annotations

import re

from joeladr.adr.fields import RELATION_WORDS
from joeladr.adr.model import Adr

EDGE_LABELS = {"supersedes": "supersedes", "amends": "amends", "related": "related", "mention": "mentions"}


def edges(adrs: list[Adr], mentions: bool = False) -> list[tuple[str, str, str]]:
    """(from, to, kind) for every link between the ADRs: supersedes, amends, related, a link of the user's
    own type by its label (adr-tools' ``Drives``; a reverse ``Driven by`` only when its pair states no
    other link, as ``adr generate graph`` draws them), and with ``mentions`` the ``ADR-NNNN`` mentions."""
    known = {a.key for a in adrs}
    found: set[tuple[str, str, str]] = set()
    reverse: list[tuple[str, str, str]] = []
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
        for link in adr.links:
            if link.label.lower() in RELATION_WORDS or link.target == me:
                continue
            if link.label.lower().endswith(" by"):
                reverse.append((link.target, me, link.label))
            else:
                found.add((me, link.target, link.label))
        if mentions:
            for ref in adr.references:
                if ref.kind == "mention" and ref.target != me and ref.target in known:
                    found.add((me, ref.target, "mention"))
    linked = {frozenset(e[:2]) for e in found}
    found.update(e for e in reverse if frozenset(e[:2]) not in linked)
    return sorted(e for e in found if e[0] in known or e[1] in known)


def _edge_label(kind: str) -> str:
    return EDGE_LABELS.get(kind) or re.sub(r'["|\\]', "'", kind)


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
        out.append(f"  {_node(source)} {arrow}|{_edge_label(kind)}| {_node(target)}")
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
        out.append(f'  "{source}" -> "{target}" [label="{_edge_label(kind)}"{style}];')
    out.append("}")
    return "\n".join(out) + "\n"


# -- supersession: who replaces whom, and circles -------------------------------------


def superseded_by(adrs: list[Adr]) -> dict[str, set[str]]:
    """Each ADR's key -> the keys of the ADRs that supersede it, as either end says it."""
    graph: dict[str, set[str]] = {adr.key: set() for adr in adrs}
    for adr in adrs:
        graph[adr.key].update(adr.superseded_by)
        for old in adr.supersedes:
            graph.setdefault(old, set()).add(adr.key)
    return graph


def supersession_path(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """The keys from ``start`` to ``goal`` following "is superseded by", or None (breadth first)."""
    previous: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for key in frontier:
            for nxt in sorted(graph.get(key, ())):
                if nxt in previous:
                    continue
                previous[nxt] = key
                if nxt == goal:
                    path = [goal]
                    while (back := previous[path[-1]]) is not None:
                        path.append(back)
                    return path[::-1]
                following.append(nxt)
        frontier = following
    return None


def supersession_cycles(adrs: list[Adr]) -> list[list[str]]:
    """Every circle of supersession (2 supersedes 3 supersedes 2), once each, as the keys around it from
    the smallest key and back to it."""
    graph = superseded_by(adrs)
    found: list[list[str]] = []
    seen: set[str] = set()
    for key in sorted(graph):
        if key in seen:
            continue
        circle = next(
            (path for nxt in sorted(graph[key]) if (path := supersession_path(graph, nxt, key)) is not None), None
        )
        if circle is None:
            continue
        members = [key, *circle[:-1]]
        seen.update(members)
        found.append([key, *circle])
    return found
