"""The report's charts as image files in the vault (``attachments/ADR-NNNN matrix.svg`` ...).

The evaluation and decision notes embed them (``![[ADR-0064 matrix.svg]]``), so an Obsidian
user sees them without the page. Each file starts with the hash of what it draws; a chart
is drawn again only when that hash changes, and a chart the data no longer has (the
sensitivity once no option leads alone) is removed, so no chart is left stale.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from joeladr.atomic import atomic_write_text
from joeladr.catalog import Catalog
from joeladr.errors import ReportError
from joeladr.evaluate.findings import Evaluation
from joeladr.report.charts import ChartData, charts_of, inert_svg, render_svg
from joeladr.report.view import ReportView, load_view
from joeladr.settings import Settings

NAMES = ("matrix", "sensitivity", "timeline")
ALT = {"matrix": "decision matrix", "sensitivity": "how fragile the lead is", "timeline": "evidence timeline"}
_STAMP = re.compile(r"^<!-- joeladr chart (?P<digest>[0-9a-f]{64}) -->\n")


@dataclass(frozen=True)
class ChartFile:
    chart: ChartData
    path: Path
    digest: str

    def fresh(self) -> bool:
        return stamp_of(self.path) == self.digest


@dataclass(frozen=True)
class VaultCharts:
    """The chart files a view has, and the ones of the same ADR it no longer has."""

    files: tuple[ChartFile, ...]
    obsolete: tuple[Path, ...]

    def embeds(self) -> str:
        """The notes' charts block: one embed per chart."""
        return "\n".join(f"![[{f.path.name}|{ALT[f.chart.name]}]]" for f in self.files)


def chart_path(settings: Settings, label: str, name: str) -> Path:
    return settings.attachments_dir / f"{label} {name}.svg"


def plan_charts(settings: Settings, view: ReportView) -> VaultCharts:
    """Which chart files the view needs (cheap: no chart is drawn here)."""
    charts = charts_of(view)
    files = tuple(ChartFile(c, chart_path(settings, view.label, c.name), c.digest()) for c in charts)
    present = {c.name for c in charts}
    obsolete = tuple(
        path for name in NAMES if name not in present and (path := chart_path(settings, view.label, name)).exists()
    )
    return VaultCharts(files, obsolete)


def refresh_charts(settings: Settings, view: ReportView) -> dict[str, str]:
    """Draw the stale charts, remove the obsolete ones; return every current chart's SVG by name."""
    planned = plan_charts(settings, view)
    drawn: dict[str, str] = {}
    for file in planned.files:
        if file.fresh():
            kept = _kept(file.path)
            if kept is not None:
                drawn[file.chart.name] = kept
                continue
        svg = render_svg(file.chart)
        if file.path.is_dir():
            raise ReportError(f"cannot write {file.path}: a folder is in the way", path=file.path)
        atomic_write_text(file.path, f"<!-- joeladr chart {file.digest} -->\n{svg}")
        drawn[file.chart.name] = svg
    for path in planned.obsolete:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return drawn


@dataclass
class NoteCharts:
    """The evaluation note's charts (:class:`joeladr.evaluate.run.ChartHook`): the embeds the note carries, and
    the files drawn once the note is written. A chart that cannot be drawn is a warning (``warn``), never a
    failed command after the note was written."""

    settings: Settings
    warn: Callable[[str], None]
    _last: tuple[Evaluation, ReportView] | None = field(default=None, repr=False)

    def view(self, evaluation: Evaluation) -> ReportView:
        """What the charts draw for ``evaluation`` (built once per evaluation)."""
        if self._last is None or self._last[0] is not evaluation:
            self._last = (evaluation, load_view(evaluation, Catalog(self.settings.home)))
        return self._last[1]

    def embeds(self, evaluation: Evaluation) -> str:
        return plan_charts(self.settings, self.view(evaluation)).embeds()

    def refresh(self, evaluation: Evaluation) -> None:
        try:
            refresh_charts(self.settings, self.view(evaluation))
        except ReportError as exc:
            self.warn(f"the charts were not drawn: {exc.message} (the note is written; `joeladr report` retries)")


def stamp_of(path: Path) -> str | None:
    """The hash a chart file was drawn from, or None (missing, unreadable, not joeladr's)."""
    try:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline(200)
    except (OSError, UnicodeDecodeError):
        return None
    match = _STAMP.match(first)
    return match.group("digest") if match else None


def _kept(path: Path) -> str | None:
    """A fresh chart file's SVG, if it is still inert (the vault is editable: the page inlines only what passes)."""
    try:
        return inert_svg(_STAMP.sub("", path.read_text(encoding="utf-8"), count=1))
    except (OSError, UnicodeDecodeError, ReportError):
        return None
