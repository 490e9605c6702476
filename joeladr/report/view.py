"""What a report shows, as plain data: the ADR, the matrix and its sensitivity, the findings and the talks.

Built from an :class:`~joeladr.evaluate.findings.Evaluation` and the source catalog; the page
and the charts (in the page and in the vault) are drawn from this one view, so they agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from joeladr.catalog import Catalog, SourceRecord
from joeladr.evaluate import matrix as mx
from joeladr.evaluate.findings import Evaluation, Finding
from joeladr.evaluate.targets import Target
from joeladr.location import Location, link_to, place
from joeladr.timecode import timestamp

PlayKind = Literal["youtube", "media", "link", "none"]
AUDIO_SUFFIXES = frozenset({".mp3", ".m4a", ".aac", ".wav", ".flac", ".ogg", ".oga", ".opus", ".weba"})
GROUPS = (("pain-point", "Pain points"), ("counter", "Counter-arguments"), ("option", "Options"))
STATUS_MARK = {"accepted": "✓", "rejected": "✗", "pending": "○"}


@dataclass(frozen=True)
class Play:
    """How a quote's timestamp opens its talk at that second.

    ``href`` works without script (the talk's page at that second, or the media file with a
    ``#t=`` fragment); with script, a YouTube embed (``video_id``) or a media element playing
    ``media`` (a file:// or http(s) URL) is created only when the reader presses play.
    """

    kind: PlayKind
    start: int
    href: str | None = None
    video_id: str | None = None
    media: str | None = None
    element: Literal["audio", "video"] = "video"


@dataclass(frozen=True)
class FindingView:
    id: str
    target: str
    target_name: str
    status: str
    supports: tuple[str, ...]
    weakens: tuple[str, ...]
    note: str
    text: str
    score: float
    source_id: str
    source_title: str
    start: float
    end: float
    play: Play
    location: Location | None = None  # a document's passage (None: a talk's)

    @property
    def time(self) -> str:
        """Where the quote is: ``12:34`` in a talk, ``page 4`` or ``§ Heading`` in a document."""
        return place(self.start, self.location)

    @property
    def mark(self) -> str:
        return STATUS_MARK.get(self.status, "?")

    @property
    def stance(self) -> str:
        parts = []
        if self.supports:
            parts.append("supports " + ", ".join(self.supports))
        if self.weakens:
            parts.append("weakens " + ", ".join(self.weakens))
        return "; ".join(parts)


@dataclass(frozen=True)
class TargetView:
    id: str
    kind: str
    name: str
    question: str
    weight: float
    must_have: bool
    scores: Mapping[str, int]
    findings: tuple[FindingView, ...]


@dataclass(frozen=True)
class OptionView:
    id: str
    title: str
    total: float
    knocked_out: bool


@dataclass(frozen=True)
class SourceView:
    source_id: str
    title: str
    duration: float
    channel: str | None
    link: str | None  # the talk's page (or its file) for a plain link
    note_name: str | None
    extent: str | None = None  # a document's length (``6 pages``); a talk's is its duration
    document: bool = False  # positions along it count paragraphs, not seconds

    @property
    def length(self) -> str:
        return self.extent or timestamp(self.duration)


@dataclass(frozen=True)
class ReportView:
    label: str
    number: str
    title: str
    status: str
    date: str | None
    deciders: tuple[str, ...]
    context: str  # the first paragraph of the ADR's context (markdown)
    decision: str  # the first paragraph of the ADR's decision section (markdown)
    note_path: Path
    options: tuple[OptionView, ...]
    criteria: tuple[TargetView, ...]
    groups: tuple[tuple[str, tuple[TargetView, ...]], ...]  # (heading, targets) for the other kinds
    sources: tuple[SourceView, ...]
    matrix: mx.Matrix
    summary: Mapping[str, object]

    def findings(self) -> list[FindingView]:
        """Every finding on the page, criteria first, in page order."""
        targets = [*self.criteria, *(t for _, group in self.groups for t in group)]
        return [f for t in targets for f in t.findings]

    def criterion_name(self, criterion_id: str) -> str:
        return next((c.name for c in self.criteria if c.id == criterion_id), criterion_id)


def load_view(evaluation: Evaluation, catalog: Catalog, records: Sequence[SourceRecord] | None = None) -> ReportView:
    """The view of an evaluation, with what the catalog knows of its talks (titles, lengths, downloads);
    ``records``: the catalog's records when the caller has them already."""
    records = catalog.all() if records is None else records
    cited = {f.source_id for fs in evaluation.findings.values() for f in fs}
    media = {r.source_id: path for r in records if r.source_id in cited and (path := catalog.media(r.source_id))}
    return build_view(evaluation, records, media)


def build_view(evaluation: Evaluation, records: Sequence[SourceRecord], media: Mapping[str, Path]) -> ReportView:
    """The view of an evaluation; ``media`` maps a source id to the audio its ingest downloaded."""
    adr = evaluation.adr
    matrix = evaluation.matrix
    by_id = {r.source_id: r for r in records}
    questions = {c.id: c.question for c in adr.criteria}

    def target_view(target: Target) -> TargetView:
        findings = tuple(
            _finding_view(f, target, by_id.get(f.source_id), media.get(f.source_id))
            for f in evaluation.findings.get(target.id, [])
        )
        criterion = target.kind == "criterion"
        return TargetView(
            id=target.id,
            kind=target.kind,
            name=target.name,
            question=questions.get(target.id, ""),
            weight=matrix.weights.get(target.id, 1.0) if criterion else 0.0,
            must_have=target.id in matrix.must_have,
            scores={o: matrix.score(target.id, o) for o in matrix.options} if criterion else {},
            findings=findings,
        )

    criteria = tuple(target_view(t) for t in evaluation.targets if t.kind == "criterion")
    groups = tuple(
        (heading, tuple(target_view(t) for t in evaluation.targets if t.kind == kind))
        for kind, heading in GROUPS
        if any(t.kind == kind for t in evaluation.targets)
    )
    titles = {o.id: o.title for o in adr.options}
    return ReportView(
        label=adr.label,
        number=adr.number_text,
        title=adr.title,
        status=adr.status or "unknown",
        date=adr.date,
        deciders=tuple(adr.deciders),
        context=first_paragraph(adr.context),
        decision=first_paragraph(adr.decision),
        note_path=evaluation.note_path,
        options=tuple(OptionView(o, titles.get(o, o), matrix.total(o), matrix.knocked_out(o)) for o in matrix.options),
        criteria=criteria,
        groups=groups,
        sources=_sources(evaluation, by_id),
        matrix=matrix,
        summary=mx.summary(matrix, titles),
    )


def _sources(evaluation: Evaluation, by_id: Mapping[str, SourceRecord]) -> tuple[SourceView, ...]:
    """The talks the findings come from, in catalog (title) order; a talk the catalog lost still shows."""
    findings = [f for fs in evaluation.findings.values() for f in fs]
    cited: dict[str, list[Finding]] = {}
    for finding in findings:
        cited.setdefault(finding.source_id, []).append(finding)
    views = []
    for source_id, mine in cited.items():
        record = by_id.get(source_id)
        latest = max(f.end for f in mine)
        if record is None:
            document = any(f.location is not None for f in mine)
            extent = f"{int(latest)} paragraphs" if document else None
            views.append(SourceView(source_id, mine[0].title, latest, None, None, mine[0].note_name, extent, document))
            continue
        link = _page_link(record)
        views.append(
            SourceView(
                source_id,
                record.title,
                max(record.duration, latest),
                record.channel,
                link,
                record.note_name,
                record.length if record.is_document else None,
                record.is_document,
            )
        )
    return tuple(sorted(views, key=lambda v: (v.title.lower(), v.source_id)))


def _page_link(record: SourceRecord) -> str | None:
    if record.video_id:
        return f"https://youtu.be/{record.video_id}"
    if record.url and record.url.startswith(("http://", "https://")):
        return record.url
    if record.url:
        return Path(record.url).as_uri() if Path(record.url).is_absolute() else None
    return None


def _finding_view(finding: Finding, target: Target, record: SourceRecord | None, download: Path | None) -> FindingView:
    return FindingView(
        id=finding.id,
        target=target.id,
        target_name=target.name,
        status=finding.status,
        supports=tuple(finding.supports),
        weakens=tuple(finding.weakens),
        note=finding.note,
        text=finding.text,
        score=finding.score,
        source_id=finding.source_id,
        source_title=record.title if record else finding.title,
        start=finding.start,
        end=finding.end,
        play=play_for(finding, record, download),
        location=finding.location,
    )


def play_for(finding: Finding, record: SourceRecord | None, download: Path | None) -> Play:
    """Where the quote plays: YouTube by embed, a local or downloaded file in a media element, else a link
    (a document's passage opens at its page, heading or words; a local document as a file:// link)."""
    start = int(finding.start)
    if finding.location is not None:
        href = finding.url
        if href is None and record is not None and record.url and Path(record.url).is_absolute():
            href = link_to(Path(record.url).as_uri(), None, finding.start, finding.location, finding.text)
        return Play("link", start, href) if href else Play("none", start)
    downloaded = download.resolve().as_uri() if download is not None else None
    element: Literal["audio", "video"] = "audio" if download and download.suffix.lower() in AUDIO_SUFFIXES else "video"
    if record is not None and record.video_id:
        href = f"https://youtu.be/{record.video_id}?t={start}"
        return Play("youtube", start, href, video_id=record.video_id, media=downloaded, element=element)
    if record is not None and record.url and not record.url.startswith(("http://", "https://")):
        path = Path(record.url)
        if path.is_absolute():
            local = path.as_uri()
            kind: Literal["audio", "video"] = "audio" if path.suffix.lower() in AUDIO_SUFFIXES else "video"
            return Play("media", start, f"{local}#t={start}", media=local, element=kind)
    if downloaded is not None:
        href = finding.url or f"{downloaded}#t={start}"
        return Play("media", start, href, media=downloaded, element=element)
    if finding.url:
        return Play("link", start, finding.url)
    return Play("none", start)


_BLOCKS = re.compile(r"^\s*(#|\||[-*+]\s|\d+[.)]\s|>|```|<!--)")


def first_paragraph(markdown: str) -> str:
    """The first paragraph of prose in a section (headings, tables, lists and quotes skipped)."""
    for paragraph in re.split(r"\n\s*\n", markdown.strip()):
        lines = [line for line in paragraph.splitlines() if line.strip()]
        if lines and not _BLOCKS.match(lines[0]):
            return " ".join(line.strip() for line in lines)
    return ""
