"""Source notes for documents (web pages, PDFs, READMEs, text), in the style of a talk's source note.

Properties (``type`` article, paper, readme or text; url, author, published, site, ingested),
then joeladr's blocks: a summary, the contents (each heading linking to its place in the
source) and the text itself, its headings kept as headings of the note (two levels down, under
``## Text``) and, for a PDF, a link to each page where it starts. What the user writes outside
the blocks (``## My notes``) survives every later ingest, as in a talk's note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from joeladr.atomic import read_text
from joeladr.document import Block, Document
from joeladr.location import Location, link_to
from joeladr.vault.blocks import block, escape_inline, merge_properties, replace_blocks, safe_url
from joeladr.vault.source_notes import SourceInfo

BLOCKS = ("summary", "contents", "text")


def document_properties(info: SourceInfo, document: Document, *, ingested: str, embedding_model: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "type": document.kind,
        "title": info.title,
        "url": info.url or "",
        "author": document.author or "",
        "published": document.published or "",
        "site": document.site or "",
    }
    if document.pages:
        props["pages"] = document.pages
    return props | {
        "tags": ["joeladr/source", f"joeladr/{document.kind}"],
        "ingested": ingested,
        "extractor": document.extractor,
        "embedding_model": embedding_model,
        "joeladr_id": info.source_id,
    }


def _where(document: Document, item: Block, paragraph: int = 1) -> Location:
    return Location(document.format, paragraph, item.page, item.section, item.anchor)


def _heading_link(info: SourceInfo, document: Document, item: Block) -> str:
    text = escape_inline(item.text)
    target = safe_url(link_to(info.url, None, 0, _where(document, item), item.text))
    return f"[{text}]({target})" if target else text


def bodies(info: SourceInfo, document: Document) -> dict[str, str]:
    facts = [document.author, document.site, document.published]
    if document.pages:
        facts.append(f"{document.pages} page{'s' * (document.pages != 1)}")
    summary = [f"> [!info] {escape_inline(info.title)}"]
    shown = [escape_inline(x) for x in facts if x]
    if shown:
        summary.append("> " + " · ".join(shown))
    if safe_url(info.url):
        summary.append(f"> [Open the source]({safe_url(info.url)})")
    elif info.local_path:
        summary.append(f"> Local file: `{escape_inline(Path(info.local_path).name)}`")
    headings = [b for b in document.blocks if b.heading]
    top = min((b.heading for b in headings), default=1)
    contents = [f"{'  ' * (b.heading - top)}- {_heading_link(info, document, b)}" for b in headings]
    text: list[str] = []
    page: int | None = None
    for item in document.blocks:
        if document.format == "pdf" and item.page is not None and item.page != page:
            page = item.page
            target = safe_url(link_to(info.url, None, 0, Location("pdf", 1, page)))
            text.append(f"*[page {page}]({target})*" if target else f"*page {page}*")
        if item.heading:
            text.append(f"{'#' * min(item.heading + 2, 6)} {escape_inline(item.text)}")
        else:
            text.append(escape_inline(item.text))
    return {
        "summary": "\n".join(summary),
        "contents": "\n".join(contents) if contents else "_No headings._",
        "text": "\n\n".join(text) if text else "_No text._",
    }


def render_new_note(info: SourceInfo, document: Document, props: dict[str, Any]) -> str:
    parts = bodies(info, document)
    body = "\n".join(
        [
            f"# {escape_inline(info.title)}",
            "",
            block("summary", parts["summary"]),
            "",
            "## My notes",
            "",
            "",
            "## Contents",
            "",
            block("contents", parts["contents"]),
            "",
            "## Text",
            "",
            block("text", parts["text"]),
            "",
        ]
    )
    return merge_properties(body, props)


def document_note_text(
    path: Path, info: SourceInfo, document: Document, props: dict[str, Any]
) -> tuple[str | None, str]:
    """(the note as it is, or None; the note as it should be): joeladr's blocks and properties refreshed.

    A damaged note (an end marker deleted) raises MarkerError here, before anything is written.
    """
    if not path.exists():
        return None, render_new_note(info, document, props)
    existing = read_text(path)
    updated = replace_blocks(existing, bodies(info, document), source=str(path))
    return existing, merge_properties(updated, props, source=str(path))
