"""PDFs as documents: the text of each page through pypdf, headings from the PDF's outline.

pypdf gives a page's text as lines. Lines are joined into paragraphs: a paragraph ends at a line
that ends a sentence and stops well short of the page's usual line width (a justified or
ragged column alike); a word hyphenated across a line break is joined. An outline entry (the
bookmarks an arXiv paper or a printed web page carries) is a heading: it is placed at the line
that prints its title on its page (or at the top of the page when no line does), and every
paragraph after it carries it in its heading path. Ligatures and other compatibility characters
are normalised (NFKC), so the text matches what a reader types.

pdfminer.six was measured against it on a Chromium-printed article (the tests' paper.pdf):
its layout boxes split paragraphs too and took longer; pypdf needs nothing but Python.
"""

from __future__ import annotations

import io
import re
import statistics
import unicodedata
from dataclasses import dataclass
from typing import Any

from joeladr.document import Block, Document, with_sections
from joeladr.errors import IngestError
from joeladr.vault.blocks import plain_text

SHORT_LINE = 0.8  # a line shorter than this share of the usual width, ending a sentence, ends its paragraph
_SENTENCE_END = re.compile(r"[.!?:;…)\]\"”’]$")


@dataclass(frozen=True)
class OutlineEntry:
    level: int
    title: str
    page: int  # 0-based


def read_pdf(data: bytes, *, name: str, kind: str = "paper") -> Document:
    """The PDF's text as a :class:`Document`; IngestError for a file that is not a readable PDF."""
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(f"{name} is an encrypted PDF", hint="save a copy without a password, then ingest it")
        pages = [_normal(page.extract_text() or "") for page in reader.pages]
        outline = _outline(reader)
        meta: Any = reader.metadata or {}
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise IngestError(f"{name} is not a PDF that can be read: {str(exc).splitlines()[0][:120]}") from None
    blocks = _blocks(pages, outline)
    title = _meta(meta, "/Title") or next((e.title for e in outline if e.level == 1), None)
    return Document(
        format="pdf",
        kind=kind,
        title=title or _first_line(pages) or name,
        blocks=with_sections(blocks),
        author=_meta(meta, "/Author"),
        published=_pdf_date(_meta(meta, "/CreationDate")),
        site=None,
        pages=len(pages),
        extractor=f"pypdf {pypdf.__version__}",
    )


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u00ad", "")


def _meta(meta: Any, key: str) -> str | None:
    try:
        value = meta.get(key)
    except Exception:
        return None
    text = plain_text(str(value or ""))
    return text or None


def _pdf_date(value: str | None) -> str | None:
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})(\d{2})", value or "")
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else None


def _first_line(pages: list[str]) -> str | None:
    for page in pages:
        for line in page.splitlines():
            if line.strip():
                return plain_text(line)[:200]
    return None


def _outline(reader: Any) -> list[OutlineEntry]:
    """The outline, flattened in order, each entry with its depth (1 = top) and 0-based page."""
    found: list[OutlineEntry] = []

    def walk(items: Any, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
            except Exception:
                continue
            title = plain_text(_normal(str(getattr(item, "title", "") or "")))
            if title and page is not None and page >= 0:
                found.append(OutlineEntry(level, title, page))

    try:
        walk(reader.outline, 1)
    except Exception:
        return []
    return found


def _compact(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())


def _heading_lines(lines: list[str], entries: list[OutlineEntry]) -> dict[int, tuple[OutlineEntry, int, str]]:
    """Line index -> (entry, lines it spans, its printed text) for the outline entries of one page, in order."""
    placed: dict[int, tuple[OutlineEntry, int, str]] = {}
    position = 0
    for entry in entries:
        wanted = _compact(entry.title)
        hit = None
        for index in range(position, len(lines)):
            for span in (1, 2, 3):
                if _compact(" ".join(lines[index : index + span])) == wanted:
                    hit = (index, span)
                    break
            if hit:
                break
        if hit is None:
            placed.setdefault(-1 - len(placed), (entry, 0, entry.title))  # not printed: the top of the page
            continue
        index, span = hit
        placed[index] = (entry, span, plain_text(" ".join(lines[index : index + span])))
        position = index + span
    return placed


def _blocks(pages: list[str], outline: list[OutlineEntry]) -> list[Block]:
    widths = [len(line.strip()) for page in pages for line in page.splitlines() if line.strip()]
    usual = statistics.quantiles(widths, n=10)[8] if len(widths) >= 10 else max(widths, default=0)
    blocks: list[Block] = []
    for number, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.splitlines()]
        headings = _heading_lines(lines, [e for e in outline if e.page == number - 1])
        for key in sorted(k for k in headings if k < 0):
            entry, _, text = headings[key]
            blocks.append(Block(text, heading=min(entry.level, 6), page=number))
        blocks.extend(_page_blocks(lines, headings, number, usual))
    return blocks


def _page_blocks(
    lines: list[str], headings: dict[int, tuple[OutlineEntry, int, str]], number: int, usual: float
) -> list[Block]:
    """One page's headings and paragraphs (a paragraph ends at a short line that ends a sentence)."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def close() -> None:
        text = _join(paragraph)
        if text:
            blocks.append(Block(text, page=number))
        paragraph.clear()

    index = 0
    while index < len(lines):
        if index in headings:
            close()
            entry, span, text = headings[index]
            blocks.append(Block(text, heading=min(entry.level, 6), page=number))
            index += span
            continue
        line = lines[index]
        index += 1
        if not line:
            close()
            continue
        paragraph.append(line)
        if _SENTENCE_END.search(line) and len(line) < SHORT_LINE * usual:
            close()
    close()
    return blocks


def _join(lines: list[str]) -> str:
    """Lines of a paragraph as one line: a word hyphenated at a line end is joined again."""
    text = ""
    for line in lines:
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}" if text else line
    return plain_text(text)
