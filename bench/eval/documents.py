"""An evalset transcript published as documents: an HTML article and an arXiv-style PDF printed from it.

So retrieval can be measured on text whose structure is not speech, with the labels the
harness already has: every paragraph of the transcript (``paragraphs.py``'s numbering, the unit
the labels name) becomes one ``<p id="pN">`` of the article, in order, whole and unchanged, with
its speaker in bold before it; numbered sections (``<h2>``) of ``--section-size`` paragraphs give
the PDF its outline. :func:`paragraphs_in` maps any passage joeladr returns back to the labelled
paragraphs it quotes, by their words, whatever page or chunk it came from.

    python bench/eval/documents.py the-changelog-439.md --out /tmp/docs          # article + PDF
    python bench/eval/documents.py the-changelog-258.md --out DIR --first 0 --last 39 --section-size 8

The PDF is printed by Debian's headless Chromium (``--print-to-pdf`` with
``--generate-pdf-document-outline``: the outline comes from the headings), then its metadata is
set to fixed values with pypdf, so the same input gives the same text, outline and pages.
The transcripts are CC BY-SA 4.0 (Changelog Media LLC): every page says so, with its source.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from paragraphs import TRANSCRIPTS, Paragraph, paragraphs  # noqa: E402

ATTRIBUTION = (
    "Transcript © Changelog Media LLC, licensed CC BY-SA 4.0 "
    "(github.com/thechangelog/transcripts, commit 44a0e16c); published here as a document for "
    "joeladr's evaluation, paragraphs unchanged."
)
TITLES = {
    "the-changelog-439": "José Valim on Elixir, LiveView, Nx and the BEAM",
    "the-changelog-258": "Ten years of RabbitMQ: Erlang/OTP in production",
    "the-changelog-588": "Gleam on the BEAM: types, OTP, compiling to JavaScript",
    "the-changelog-402": "José Valim on Dashbit, Broadway and Elixir's direction",
    "js-party-230": "A JS/TS panel on TypeScript in practice",
    "js-party-295": "Jarred Sumner on Bun",
    "backstage-23": "Parker Selbert on Oban: durable background jobs in Elixir",
    "ship-it-51": "Running an Elixir app on Fly",
}
STYLE = """
@page { size: A4; margin: 22mm 20mm; }
body { font: 10.5pt/1.45 "DejaVu Serif", Georgia, serif; max-width: 44em; margin: 0 auto; color: #111; }
h1 { font-size: 17pt; text-align: center; margin: 0 0 .3em; }
.byline, .licence { text-align: center; font-size: 9pt; color: #444; margin: 0 0 .6em; }
.abstract { margin: 1.2em 2.5em; font-size: 9.5pt; }
h2 { font-size: 12pt; margin: 1.4em 0 .4em; }
p { margin: 0 0 .55em; text-align: justify; }
"""


@dataclass(frozen=True)
class Published:
    html: Path
    pdf: Path | None
    paragraphs: list[Paragraph]


def sections(
    items: Sequence[Paragraph], size: int, headings: Sequence[tuple[int, str]] = ()
) -> list[tuple[str, list[Paragraph]]]:
    """The paragraphs in sections (the PDF outline's entries): one per ``headings`` entry (the paragraph it
    starts at, its title) when given, else numbered sections of ``size`` paragraphs."""
    if headings:
        starts = sorted(headings)
        return [
            (title, [p for p in items if first <= p.index < (starts[n + 1][0] if n + 1 < len(starts) else 1 << 30)])
            for n, (first, title) in enumerate(starts)
        ]
    parts = [list(items[i : i + size]) for i in range(0, len(items), size)]
    return [(f"{n}. Paragraphs {part[0].index}–{part[-1].index}", part) for n, part in enumerate(parts, 1)]


def paragraph_html(p: Paragraph) -> str:
    """One labelled paragraph: its speaker in bold, its text whole, its number as the id."""
    who = f"<strong>{html.escape(p.speaker)}:</strong> " if p.speaker else ""
    return f'<p id="p{p.index}" data-paragraph="{p.index}">{who}{html.escape(p.text)}</p>'


def article_html(
    episode: str,
    items: Sequence[Paragraph],
    *,
    section_size: int = 10,
    title: str | None = None,
    headings: Sequence[tuple[int, str]] = (),
) -> str:
    """The article: title, byline, an abstract, then the paragraphs in sections."""
    title = title or TITLES.get(episode, episode)
    speakers = list(dict.fromkeys(p.speaker for p in items if p.speaker))
    body = []
    for heading, part in sections(items, section_size, headings):
        body.append(f"<h2>{html.escape(heading)}</h2>")
        body.extend(paragraph_html(p) for p in part)
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(title)}</title>",
            '<meta name="author" content="Changelog Media LLC">',
            f"<style>{STYLE}</style></head><body><article>",
            f"<h1>{html.escape(title)}</h1>",
            f'<p class="byline">{html.escape(", ".join(speakers))}</p>',
            f'<p class="licence">{html.escape(ATTRIBUTION)}</p>',
            '<div class="abstract"><strong>Abstract.</strong> '
            f"A conversation from {html.escape(episode)}, paragraphs {items[0].index}–{items[-1].index} "
            "of the transcript, set as a paper so that it can be searched as text.</div>",
            *body,
            "</article></body></html>",
            "",
        ]
    )


def print_pdf(page: Path, out: Path, *, title: str, chromium: str | None = None) -> Path:
    """Print ``page`` to ``out`` with headless Chromium (outline from the headings); fixed metadata."""
    browser = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("Chromium is missing: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="joeladr-print-") as profile:
        raw = Path(profile) / "printed.pdf"
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                "--generate-pdf-document-outline",
                f"--print-to-pdf={raw}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        _fix_metadata(raw, out, title)
    return out


def _fix_metadata(raw: Path, out: Path, title: str) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=raw)
    writer.metadata = None
    writer.add_metadata({"/Title": title, "/Author": "Changelog Media LLC", "/Subject": ATTRIBUTION})
    with open(out, "wb") as handle:
        writer.write(handle)


def publish(
    episode: str,
    out: Path,
    *,
    first: int = 0,
    last: int | None = None,
    section_size: int = 10,
    pdf: bool = True,
    title: str | None = None,
    headings: Sequence[tuple[int, str]] = (),
) -> Published:
    """Write ``out/EPISODE.html`` (and ``out/EPISODE.pdf``) for paragraphs ``first..last`` of the episode."""
    items = [
        p for p in paragraphs(TRANSCRIPTS / f"{episode}.md") if p.index >= first and (last is None or p.index <= last)
    ]
    if not items:
        raise SystemExit(f"{episode}: no paragraphs in {first}..{last}")
    out.mkdir(parents=True, exist_ok=True)
    page = out / f"{episode}.html"
    page.write_text(
        article_html(episode, items, section_size=section_size, title=title, headings=headings), encoding="utf-8"
    )
    printed = print_pdf(page, out / f"{episode}.pdf", title=title or TITLES.get(episode, episode)) if pdf else None
    return Published(page, printed, items)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def _paragraph_words(p: Paragraph, min_words: int) -> list[str]:
    words = _words(p.text)
    if len(words) < min_words:  # "Okay." is everywhere: its speaker's name before it is not
        words = _words(f"{p.speaker} {p.text}")
    return words


def _runs(words: Sequence[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def paragraphs_in(passage: str, items: Sequence[Paragraph], min_words: int = 6) -> list[int]:
    """The labelled paragraphs a passage quotes: those sharing a run of ``min_words`` words with it (or,
    for a paragraph shorter than that, the whole paragraph with its speaker's name). Hyphens, line breaks
    and page breaks of a PDF's text do not matter: words are compared, not characters."""
    said = _words(passage)
    found = []
    for p in items:
        words = _paragraph_words(p, min_words)
        if not words:
            continue
        size = min(min_words, len(words))
        if _runs(said, size) & _runs(words, size):
            found.append(p.index)
    return found


def paragraph_of(passage: str, items: Sequence[Paragraph], min_words: int = 6) -> int | None:
    """The one labelled paragraph a passage is from, as the harness takes the paragraph under a finding's
    midpoint: the paragraph that holds the passage's middle word, else the one that holds most of its words
    (runs of ``min_words`` words shared, as in :func:`paragraphs_in`); None when it quotes none of them."""
    said = _words(passage)
    by_index = {p.index: p for p in items}
    covered: dict[int, set[int]] = {}
    for index in paragraphs_in(passage, items, min_words):
        words = _paragraph_words(by_index[index], min_words)
        size = min(min_words, len(words))
        runs = _runs(words, size)
        covered[index] = {
            i + k for i in range(len(said) - size + 1) if tuple(said[i : i + size]) in runs for k in range(size)
        }
    if not covered:
        return None
    holding = [index for index, where in covered.items() if len(said) // 2 in where]
    return holding[0] if holding else max(covered, key=lambda index: len(covered[index]))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("transcript", help="a file of ../shared/evalset/transcripts, e.g. the-changelog-439.md")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write EPISODE.html and EPISODE.pdf to")
    parser.add_argument("--first", type=int, default=0, help="the first paragraph (paragraphs.py numbering)")
    parser.add_argument("--last", type=int, default=None, help="the last paragraph (default: the end)")
    parser.add_argument("--section-size", type=int, default=10, help="paragraphs per numbered section")
    parser.add_argument("--no-pdf", action="store_true", help="write the article only")
    args = parser.parse_args(argv)
    episode = Path(args.transcript).stem
    done = publish(
        episode, args.out, first=args.first, last=args.last, section_size=args.section_size, pdf=not args.no_pdf
    )
    print(f"{done.html} ({len(done.paragraphs)} paragraphs)" + (f", {done.pdf}" if done.pdf else ""))


if __name__ == "__main__":
    main()
