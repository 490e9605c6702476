"""The report's charts: the matrix heatmap, the sensitivity of the lead, the evidence timeline.

Each chart is first plain data (:class:`ChartData`, cheap, hashed to tell whether a chart
file is stale), then a Vega-Lite chart built with altair and drawn to SVG by vl-convert.
Both libraries load only when a chart is actually drawn.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joeladr.errors import ReportError
from joeladr.evaluate import matrix as mx
from joeladr.report.view import ReportView

WIDTH = 560
STATUS_ORDER = ("accepted", "pending", "rejected")
STATUS_COLOURS = ("#1a7f37", "#8a6d00", "#c62828")
STATUS_SHAPES = ("circle", "diamond", "cross")
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"  # metric-compatible wherever the SVG is shown


@dataclass(frozen=True)
class ChartData:
    """One chart as data: ``name`` (matrix, sensitivity, timeline), its alt text, and what it draws."""

    name: str
    alt: str
    data: dict[str, Any]

    def digest(self) -> str:
        """A hash of everything the drawing depends on: the data, this module's code, the libraries' versions."""
        payload = json.dumps(
            {"name": self.name, "alt": self.alt, "data": self.data, "code": _code(), "libs": _versions()},
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def charts_of(view: ReportView) -> list[ChartData]:
    """The charts this view has: the matrix always (with criteria and options), the sensitivity when one
    option leads alone, the timeline when there are findings."""
    charts = []
    if view.criteria and view.options:
        charts.append(matrix_chart(view))
        if view.summary["leader"]:
            charts.append(sensitivity_chart(view))
    if view.sources and view.findings():
        charts.append(timeline_chart(view))
    return charts


# -- data -------------------------------------------------------------------------------
def _criterion_label(name: str, weight: float, must_have: bool) -> str:
    return f"{name} ×{weight:g}" + (" (must-have)" if must_have else "")


def signed(value: float) -> str:
    """A score or change as the page shows it: +1, 0, −0.5 (a true minus sign)."""
    return "0" if abs(value) < 1e-9 else f"{value:+g}".replace("-", "−")


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of about ``width`` characters (the last one cut with an ellipsis)."""
    import textwrap

    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1 :]), width, placeholder="…")]
    return wrapped


def verdict(view: ReportView) -> str:
    """One sentence: who leads, by how much, and whether that is a clear win."""
    summary = view.summary
    leader = summary["leader"]
    margin = float(summary["margin"])  # type: ignore[arg-type]
    if not leader:
        return "No option is alone on top yet."
    ranking = view.matrix.ranking()
    lead = ranking[0][1] - ranking[1][1] if len(ranking) > 1 else None
    ahead = f", {lead:g} points ahead of {ranking[1][0]}" if lead is not None else " (the only option left)"
    clear = "a clear winner" if summary["winner"] else "not a clear winner (under 10%)"
    return f"Option {leader} leads{ahead}: a {margin:.0%} margin, {clear}."


def matrix_chart(view: ReportView) -> ChartData:
    options = [
        {"id": o.id, "label": "\n".join([o.id, *_wrap(o.title, 16, 2), *(["(knocked out)"] if o.knocked_out else [])])}
        for o in view.options
    ]
    labels = {o["id"]: o["label"] for o in options}
    rows: list[dict[str, Any]] = []
    for criterion in view.criteria:
        label = _criterion_label(criterion.name, criterion.weight, criterion.must_have)
        for option in view.options:
            score = criterion.scores.get(option.id, 0)
            rows.append(
                {
                    "row": label,
                    "option": labels[option.id],
                    "score": score,
                    "text": signed(score),
                    "total": False,
                    "faded": option.knocked_out,
                }
            )
    for option in view.options:
        rows.append(
            {
                "row": "Weighted total",
                "option": labels[option.id],
                "score": 0,
                "text": "knocked out" if option.knocked_out else signed(option.total),
                "total": True,
                "faded": option.knocked_out,
            }
        )
    order = [_criterion_label(c.name, c.weight, c.must_have) for c in view.criteria] + ["Weighted total"]
    alt_text = (
        f"Decision matrix of {view.label}: scores from −2 to +2 for options "
        + ", ".join(o.id for o in view.options)
        + f" on {len(view.criteria)} criteria, with weighted totals. {verdict(view)}"
    )
    return ChartData(
        "matrix",
        alt_text,
        {
            "title": f"{view.label} decision matrix",
            "subtitle": verdict(view),
            "rows": rows,
            "row_order": order,
            "option_order": [o["label"] for o in options],
        },
    )


def sensitivity_chart(view: ReportView) -> ChartData:
    matrix = view.matrix
    leader = str(view.summary["leader"])
    spans = []
    for criterion in view.criteria:
        span = mx.weight_range(matrix, criterion.id)
        assert span is not None  # a leader exists
        spans.append((criterion, span))
    finite = [s.high for _, s in spans if s.high is not None]
    reach = max([*(2 * s.weight for _, s in spans), *(1.15 * h for h in finite), 1.0])
    bars: list[dict[str, Any]] = []
    for criterion, span in spans:
        room = min(
            span.weight - span.low if span.flips_at_low else math.inf,
            span.high - span.weight if span.high is not None else math.inf,
        )
        bars.append(
            {
                "row": _criterion_label(criterion.name, criterion.weight, criterion.must_have),
                "low": span.low,
                "high": span.high if span.high is not None else reach,
                "weight": span.weight,
                "text": _holds(leader, span),
                "room": room,
            }
        )
    order = [b["row"] for b in sorted(bars, key=lambda b: (b["room"], b["row"]))]
    for bar in bars:
        del bar["room"]
    cells: list[dict[str, Any]] = []
    for criterion in view.criteria:
        label = _criterion_label(criterion.name, criterion.weight, criterion.must_have)
        for option in view.options:
            change = mx.score_flip(matrix, criterion.id, option.id)
            cells.append(
                {
                    "row": label,
                    "option": option.id,
                    "steps": str(abs(change.delta)) if change else "none",
                    "text": (f"{signed(change.delta)} → {change.new_winner or 'tie'}" if change else "holds"),
                }
            )
    weight = view.summary["sensitivity"]["weight"]  # type: ignore[index]
    alt_text = (
        f"How far each criterion's weight, and each single score, can move before option {leader} stops winning. "
        + (
            f"The closest flip: the weight of {view.criterion_name(weight['criterion'])} "
            f"moving by {weight['delta']:+.2f}."
            if weight
            else "No single weight change unseats it."
        )
    )
    return ChartData(
        "sensitivity",
        alt_text,
        {
            "leader": leader,
            "bars": bars,
            "row_order": order,
            "reach": reach,
            "cells": cells,
            "options": [o.id for o in view.options],
            "criteria_order": [_criterion_label(c.name, c.weight, c.must_have) for c in view.criteria],
        },
    )


def _holds(leader: str, span: mx.WeightRange) -> str:
    low = f"{span.low:.3g}"
    if span.high is None:
        return f"{leader} wins at any weight" if not span.flips_at_low else f"{leader} wins above {low}"
    high = f"{span.high:.3g}"
    return f"{leader} wins below {high}" if not span.flips_at_low else f"{leader} wins between {low} and {high}"


def timeline_chart(view: ReportView) -> ChartData:
    rows = [c.name for c in view.criteria] + [heading for heading, _ in view.groups]
    heading_of = {t.id: heading for heading, group in view.groups for t in group}
    tracks = []
    for source in view.sources:
        marks = [
            {
                "id": f.id,
                "row": heading_of.get(f.target, f.target_name),
                "second": round(f.start, 1),
                "status": f.status,
                "label": f"{f.status} {f.mark}: {f.target_name} at {f.time}" + (f", {f.stance}" if f.stance else ""),
                "href": f"#{f.id}",
            }
            for f in view.findings()
            if f.source_id == source.source_id
        ]
        tracks.append(
            {
                "title": f"{source.title} ({source.length})",
                "duration": max(source.duration, 1.0),
                "marks": marks,
            }
            | ({"unit": "paragraph"} if source.document else {})  # a document's positions count paragraphs
        )
    counts = {s: sum(f.status == s for f in view.findings()) for s in STATUS_ORDER}
    alt_text = (
        f"Where the {len(view.findings())} findings sit along {len(view.sources)} talk(s): "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
        + "."
    )
    return ChartData("timeline", alt_text, {"rows": rows, "tracks": tracks})


# -- drawing -----------------------------------------------------------------------------
def render_svg(chart: ChartData) -> str:
    """The chart drawn as an SVG document (altair builds the Vega-Lite spec, vl-convert draws it)."""
    import vl_convert

    try:
        spec = _BUILDERS[chart.name](chart.data)
        svg: str = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])  # data is inline: fetch nothing
    except Exception as exc:  # altair's validation and vl-convert's JavaScript engine raise their own errors
        raise ReportError(f"cannot draw the {chart.name} chart: {_one_line(str(exc))}") from exc
    # Vega resolves a mark's link against its loader's base URL; every link a chart draws is to a place
    # in the page (``#f-...``), so only the fragment is kept
    return inert_svg(_FRAGMENT_LINK.sub(r'\1"#', svg))


def _one_line(error: str) -> str:
    """An engine's error as one line: its message lines joined, a JavaScript stack's ``at ...`` frames left out."""
    lines = [line.strip() for line in error.splitlines()]
    return " ".join(line for line in lines if line and not line.startswith("at "))


def _config(chart: Any) -> Any:
    return (
        chart.configure(font=FONT, background="white")
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=12, titleFontSize=12, labelColor="#24292f", titleColor="#24292f")
        .configure_title(fontSize=15, subtitleFontSize=12, anchor="start", subtitleColor="#57606a")
    )


def _matrix_spec(data: dict[str, Any]) -> dict[str, Any]:
    import altair as alt

    cell = 112
    rows = data["row_order"]
    base = alt.Chart({"values": data["rows"]}).encode(
        x=alt.X(
            "option:N",
            sort=data["option_order"],
            title=None,
            axis=alt.Axis(
                orient="bottom",
                labelAngle=0,
                labelLimit=cell - 6,
                labelExpr="split(datum.label, '\\n')",
                labelPadding=8,
                labelLineHeight=15,
                domain=False,
                ticks=False,
            ),
        ),
        y=alt.Y("row:N", sort=rows, title=None, axis=alt.Axis(labelLimit=260, domain=False, ticks=False)),
    )
    scored = alt.datum.total == False  # noqa: E712 (a Vega expression, not Python)
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.condition(
            scored,
            alt.Color(
                "score:Q",
                scale=alt.Scale(domain=[-2, 2], scheme="redblue"),
                legend=alt.Legend(title="score", values=[-2, -1, 0, 1, 2], orient="bottom", gradientLength=200),
            ),
            alt.value("#eaeef2"),
        ),
        opacity=alt.condition(alt.datum.faded, alt.value(0.35), alt.value(1.0)),
    )
    text = base.mark_text(fontSize=15, fontWeight="bold").encode(
        text="text:N",
        color=alt.condition("abs(datum.score) >= 2 && !datum.total", alt.value("white"), alt.value("#24292f")),
        description="text:N",
    )
    chart = (rect + text).properties(
        width=cell * len(data["option_order"]),
        height=34 * len(rows),
        title=alt.Title(data["title"], subtitle=data["subtitle"]),
    )
    return _config(chart).to_dict()  # type: ignore[no-any-return]


def _sensitivity_spec(data: dict[str, Any]) -> dict[str, Any]:
    import altair as alt

    order = data["row_order"]
    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=240, domain=False, ticks=False))
    scale = alt.Scale(domain=[0, data["reach"]], nice=False)
    x = alt.X("low:Q", scale=scale, title="weight (the tick marks the weight now)")
    base = alt.Chart({"values": data["bars"]})
    track = base.mark_bar(height=16, color="#eaeef2").encode(y=y, x=alt.X("zero:Q", scale=scale), x2="top:Q")
    track = track.transform_calculate(zero="0", top=str(data["reach"]))
    safe = base.mark_bar(height=16, color="#6e9fd1").encode(y=y, x=x, x2="high:Q")
    now = base.mark_tick(color="#24292f", thickness=3, size=26).encode(y=y, x=alt.X("weight:Q"))
    words = base.mark_text(align="left", dx=6, fontSize=12, color="#24292f").encode(
        y=y, x=alt.value(WIDTH - 250), text="text:N", description="text:N"
    )
    ranges = (track + safe + now + words).properties(
        width=WIDTH - 250,
        height=30 * len(order),
        title=alt.Title(
            f"How far each weight can move before {data['leader']} stops winning",
            subtitle="one weight at a time, the others as they are; the most fragile first",
        ),
    )
    grid = alt.Chart({"values": data["cells"]}).encode(
        x=alt.X("option:N", sort=data["options"], title=None, axis=alt.Axis(orient="top", labelAngle=0, ticks=False)),
        y=alt.Y(
            "row:N", sort=data["criteria_order"], title=None, axis=alt.Axis(labelLimit=240, domain=False, ticks=False)
        ),
    )
    cells = grid.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "steps:N",
            scale=alt.Scale(
                domain=["1", "2", "3", "4", "none"], range=["#e36209", "#f0a35e", "#f6d7b0", "#fbefe0", "#f6f8fa"]
            ),
            legend=None,
        )
    )
    labels = grid.mark_text(fontSize=12, color="#24292f").encode(text="text:N", description="text:N")
    scores = (cells + labels).properties(
        width=100 * len(data["options"]),
        height=30 * len(data["criteria_order"]),
        title=alt.Title(
            f"The smallest change of one score that unseats {data['leader']}",
            subtitle="on the −2..+2 scale, one score at a time; 'holds': no single change does",
        ),
    )
    chart = alt.vconcat(ranges, scores, spacing=28).resolve_scale(color="independent", x="independent")
    return _config(chart).to_dict()  # type: ignore[no-any-return]


def _timeline_spec(data: dict[str, Any]) -> dict[str, Any]:
    import altair as alt

    charts = []
    for track in data["tracks"]:
        hours = track["duration"] >= 3600
        fmt = "%H:%M:%S" if hours else "%M:%S"
        label = (
            "'¶ ' + (floor(datum.value) + 1)"
            if track.get("unit") == "paragraph"
            else f"utcFormat(datum.value * 1000, '{fmt}')"
        )
        x = alt.X(
            "second:Q",
            scale=alt.Scale(domain=[0, track["duration"]], nice=False),
            title=None,
            axis=alt.Axis(labelExpr=label, tickCount=8, grid=False),
        )
        y = alt.Y("row:N", sort=data["rows"], scale=alt.Scale(domain=data["rows"]), title=None)
        lanes = (
            alt.Chart({"values": [{"row": r, "second": 0, "end": track["duration"]} for r in data["rows"]]})
            .mark_rule(color="#d0d7de", aria=False)
            .encode(x=x, x2="end:Q", y=y)
        )
        points = (
            alt.Chart({"values": track["marks"]})
            .mark_point(size=110, filled=True, strokeWidth=2.5, opacity=0.9)
            .encode(
                x=x,
                y=y,
                shape=alt.Shape(
                    "status:N",
                    scale=alt.Scale(domain=list(STATUS_ORDER), range=list(STATUS_SHAPES)),
                    legend=alt.Legend(title=None, orient="top"),
                ),
                color=alt.Color(
                    "status:N",
                    scale=alt.Scale(domain=list(STATUS_ORDER), range=list(STATUS_COLOURS)),
                    legend=alt.Legend(title=None, orient="top"),
                ),
                href="href:N",
                description="label:N",
            )
        )
        charts.append(
            (lanes + points).properties(width=WIDTH - 180, height=22 * len(data["rows"]), title=track["title"])
        )
    chart = alt.vconcat(*charts, spacing=24).properties(
        title=alt.Title("Where the evidence sits in each talk", subtitle="each mark is one finding, at its second")
    )
    return _config(chart).to_dict()  # type: ignore[no-any-return]


_BUILDERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "matrix": _matrix_spec,
    "sensitivity": _sensitivity_spec,
    "timeline": _timeline_spec,
}


# -- keeping drawn text inert --------------------------------------------------------------
_FRAGMENT_LINK = re.compile(r'(\shref=|\sxlink:href=)"[^"#]*#')
_ACTIVE_ELEMENTS = frozenset({"script", "foreignobject", "iframe", "object", "embed", "style", "handler", "listener"})


def inert_svg(svg: str) -> str:
    """The drawn chart, checked to hold no active content: no script or foreign elements, no event
    attributes, no link leaving the page (vl-convert escapes the text it draws; this makes sure of it)."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as exc:
        raise ReportError(f"a drawn chart is not well-formed SVG: {exc}") from exc
    for element in root.iter():
        if _local(element.tag).lower() in _ACTIVE_ELEMENTS:
            raise ReportError(f"a drawn chart holds a <{_local(element.tag)}> element; refusing to write it")
        for name, value in element.attrib.items():
            attribute = _local(name).lower()
            if attribute.startswith("on") or (attribute == "href" and not value.startswith("#")):
                raise ReportError(f"a drawn chart holds an active attribute ({attribute}); refusing to write it")
    return svg


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


@functools.cache
def _code() -> str:
    """This module's source: a change to how charts are drawn redraws every chart file."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


@functools.cache
def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("altair", "vl-convert-python"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "missing"
    return found
