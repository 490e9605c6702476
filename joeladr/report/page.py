"""`joeladr report`: the decision as one self-contained HTML page (jinja2, autoescaped).

The page holds everything it shows: its style, its script, its charts (inline SVG). It
loads nothing, from anywhere, until the reader presses play on a quote: then a YouTube
embed (youtube-nocookie.com, at that second) or a media element (the local or downloaded
file, at that second) is created. A Content-Security-Policy pins that down: only the
page's own script runs, and only media files and the YouTube embed may be loaded.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from joeladr import __version__
from joeladr.adr.model import Adr
from joeladr.adr.repo import AdrRepository
from joeladr.atomic import atomic_write_text, read_text
from joeladr.catalog import Catalog
from joeladr.decide import refresh_decision_note_charts
from joeladr.errors import ReportError
from joeladr.evaluate.run import note_path_for, update_note
from joeladr.report.charts import charts_of, signed, verdict
from joeladr.report.view import ReportView, load_view
from joeladr.settings import Settings
from joeladr.vault.charts import chart_path, plan_charts, refresh_charts

YOUTUBE_EMBED = "https://www.youtube-nocookie.com"


@dataclass
class Report:
    """What ``joeladr report`` wrote: the page, whether it changed, and the vault's chart files."""

    path: Path
    changed: bool
    charts: list[Path] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"report": str(self.path), "changed": self.changed, "charts": [str(p) for p in self.charts]}


def report_path_for(settings: Settings, adr: Adr) -> Path:
    """Where the page goes by default: beside the evaluation and decision notes."""
    return settings.decisions_dir / f"{adr.label} report.html"


def write_report(settings: Settings, ref: str, out: Path | None = None) -> Report:
    """Bring the evaluation note and the vault charts up to date, then write the page (only if it changed)."""
    adr = AdrRepository.of(settings).get(ref)
    if not note_path_for(settings, adr).exists():
        raise ReportError(
            f"{adr.label} has not been evaluated yet: there is no evaluation to show",
            hint=f"run `joeladr evaluate {adr.number_text}` first",
        )
    path = _target(out, report_path_for(settings, adr))
    evaluation = update_note(settings, adr)  # the note's matrix and charts, after edits made in Obsidian
    view = load_view(evaluation, Catalog(settings.home))
    charts = refresh_charts(settings, view)
    refresh_decision_note_charts(settings, adr, plan_charts(settings, view).embeds())
    html = render_page(view, charts)
    old = read_text(path) if path.is_file() else None
    if old != html:
        atomic_write_text(path, html)
    return Report(path, old != html, [chart_path(settings, view.label, name) for name in charts])


def _target(out: Path | None, default: Path) -> Path:
    if out is None:
        return default
    out = out.expanduser()
    if out.is_dir():
        return out / default.name
    if not out.parent.is_dir():
        raise ReportError(f"cannot write {out}: the folder {out.parent} does not exist", path=out)
    return out


def render_page(view: ReportView, charts: Mapping[str, str]) -> str:
    """The page's HTML: every value from the ADR, the findings and the talks is escaped by the template."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(
        loader=PackageLoader("joeladr.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["markdown"] = _inline_markdown
    environment.filters["signed"] = signed
    from markupsafe import Markup

    script = _asset("report.js")  # our own files, inlined verbatim: the policy below allows this script alone
    style = _asset("report.css")
    template = environment.get_template("report.html.j2")
    return template.render(
        view=view,
        verdict=verdict(view),
        charts={name: _svg_markup(svg, name) for name, svg in charts.items()},
        alts={c.name: c.alt for c in charts_of(view)},
        sensitivity=_sensitivity_sentences(view),
        script=Markup(script),
        style=Markup(style),
        csp=_policy(script),
        version=__version__,
        youtube=YOUTUBE_EMBED,
    )


def _asset(name: str) -> str:
    return files("joeladr.report").joinpath("templates", name).read_text(encoding="utf-8")


def _policy(script: str) -> str:
    """Only this page's own script runs; nothing loads but media files and, on play, the YouTube embed."""
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
        f"media-src file: http: https:; frame-src {YOUTUBE_EMBED}; base-uri 'none'; form-action 'none'"
    )


_ID = re.compile(r'(\sid=")([^"]+)(")')
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_SIZE = re.compile(r'\s(width|height)="([0-9.]+)"')
PAGE_SCALE = 1.25


def _svg_markup(svg: str, name: str) -> Any:
    """A drawn chart to inline in the page: its ids scoped to it (three charts share one document)."""
    from markupsafe import Markup

    scoped = _ID.sub(lambda m: f"{m.group(1)}{name}-{m.group(2)}{m.group(3)}", svg)
    scoped = _URL_REF.sub(lambda m: f"url(#{name}-{m.group(1)})", scoped)
    # drawn for a note's width; a page is wider: scale up (the viewBox keeps the drawing) and let CSS cap it
    head, rest = scoped.split(">", 1)
    head = _SIZE.sub(lambda m: f' {m.group(1)}="{float(m.group(2)) * PAGE_SCALE:g}"', head)
    scoped = f"{head}>{rest}"
    return Markup(scoped)  # drawn by vl-convert from escaped text and checked inert (charts.inert_svg)


def _inline_markdown(text: str) -> Any:
    """A paragraph of the ADR's own markdown as inline HTML: no raw HTML, no images (they would load)."""
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    parser = MarkdownIt("commonmark", {"html": False}).disable("image")
    return Markup(parser.renderInline(text))  # html off: markdown-it escapes every raw tag


def _sensitivity_sentences(view: ReportView) -> list[str]:
    summary = view.summary
    leader = summary["leader"]
    if not leader:
        return []
    sensitivity: Mapping[str, Any] = summary["sensitivity"]  # type: ignore[assignment]
    sentences = []
    weight = sensitivity["weight"]
    if weight:
        to = weight["new_winner"] or "a tie"
        sentences.append(
            f"The closest weight change: {view.criterion_name(weight['criterion'])} from "
            f"{weight['new_weight'] - weight['delta']:g} to {weight['new_weight']:.2f} "
            f"({weight['delta']:+.2f}) gives {to if to == 'a tie' else 'option ' + to}."
        )
    else:
        sentences.append(f"No change to a single weight unseats option {leader}.")
    score = sensitivity["score"]
    if score:
        to = score["new_winner"]
        sentences.append(
            f"The closest score change: option {score['option']} on {view.criterion_name(score['criterion'])} "
            f"moving {signed(score['delta'])} (to {signed(score['new_score'])}) gives "
            f"{'option ' + to if to else 'a tie'}."
        )
    else:
        sentences.append(f"No change to a single score unseats option {leader}.")
    return sentences
