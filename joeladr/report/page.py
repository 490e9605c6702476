"""The report page: the decision as one self-contained HTML page (jinja2, autoescaped).

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
from importlib.resources import files
from pathlib import Path
from typing import Any

from joeladr import __version__
from joeladr.adr.model import Adr
from joeladr.atomic import atomic_write_text, read_text
from joeladr.errors import ReportError
from joeladr.report.charts import charts_of, signed, verdict
from joeladr.report.view import ReportView
from joeladr.settings import Settings

YOUTUBE_EMBED = "https://www.youtube-nocookie.com"


def report_path_for(settings: Settings, adr: Adr) -> Path:
    """Where the page goes by default: beside the evaluation and decision notes."""
    return settings.decisions_dir / f"{adr.label} report.html"


GENERATOR = re.compile(r'<meta name="generator" content="joeladr[ "]')


def page_target(settings: Settings, out: Path | None, default: Path, *, force: bool = False) -> Path:
    """Where to write the page: ``out`` (a file, or a folder to put it in), else ``default``.

    Never a Markdown file or anything in the ADR folder (an ADR, the index, a note), and never an
    existing file that is not a page joeladr wrote, unless ``force``.
    """
    if out is None:
        return default
    out = out.expanduser()
    if out.is_dir():
        out = out / default.name
    if not out.parent.is_dir():
        raise ReportError(f"cannot write {out}: the folder {out.parent} does not exist", path=out)
    resolved = out.resolve()
    if resolved.suffix.lower() in (".md", ".markdown") or resolved.is_relative_to(settings.adr_dir.resolve()):
        raise ReportError(
            f"refusing to write the report over {out}: it is an ADR or a note",
            hint="give --out a .html path outside the ADR folder",
            path=out,
        )
    if out.exists() and not force and not _written_by_joeladr(out):
        raise ReportError(
            f"refusing to overwrite {out}: it is not a report joeladr wrote",
            hint="choose another --out path, or pass --force to replace it",
            path=out,
        )
    return out


def _written_by_joeladr(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return bool(GENERATOR.search(head))


def write_page(path: Path, html: str) -> bool:
    """Write the page if it changed; return whether it did."""
    old = read_text(path) if path.is_file() else None
    if old != html:
        atomic_write_text(path, html)
    return old != html


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
