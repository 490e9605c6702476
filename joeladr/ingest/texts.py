"""Markdown and plain text as documents.

Markdown is read with markdown-it-py as GitHub renders it: headings (with GitHub's anchors, so a
finding opens at its heading), paragraphs, list items, block quotes and table rows, as text
without markup (a link keeps its words, code spans their code). Code blocks and raw HTML are
left out, and so is YAML front matter (its ``title`` names the document). Plain text is split
into paragraphs at blank lines.
"""

from __future__ import annotations

import re
from typing import Any

from joeladr.document import Block, Document, with_sections
from joeladr.location import github_anchor
from joeladr.markdown import inline_text, parse_front_matter, split_lines
from joeladr.vault.blocks import plain_text

_HTML_TAG = re.compile(r"<[^>]+>")


def read_markdown(text: str, *, name: str, kind: str = "readme") -> Document:
    """A Markdown file as a :class:`Document` (title: front matter ``title``, else the first heading, else ``name``)."""
    import markdown_it

    lines = split_lines(text.lstrip("\ufeff"))
    try:
        front = parse_front_matter(lines, name)
    except Exception:  # broken front matter is the file's own business: read the rest
        front = None
    meta = front.data if front is not None and hasattr(front.data, "get") else {}
    body = "".join(lines[front.end :]) if front else "".join(lines)
    blocks = _blocks(markdown_it.MarkdownIt("commonmark").enable("table").parse(body))
    seen: dict[str, int] = {}
    first_heading = next((b.text for b in blocks if b.heading), "")
    return Document(
        format="markdown",
        kind=kind,
        title=plain_text(str(meta.get("title") or "")) or first_heading or name,
        blocks=with_sections(blocks, lambda heading: github_anchor(heading, seen)),
        author=plain_text(str(meta.get("author") or "")) or None,
        extractor=f"markdown-it-py {markdown_it.__version__}",
    )


def _blocks(tokens: list[Any]) -> list[Block]:
    blocks: list[Block] = []
    depth = {"list_item": 0, "table": 0}
    row: list[str] = []
    heading_level = 0
    item_parts: list[str] = []
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading_level = int(token.tag[1:])
        elif kind == "heading_close":
            heading_level = 0
        elif kind == "list_item_open":
            depth["list_item"] += 1
        elif kind == "list_item_close":
            depth["list_item"] -= 1
            if depth["list_item"] == 0 and item_parts:
                blocks.append(Block(plain_text(" ".join(item_parts))))
                item_parts = []
        elif kind == "table_open":
            depth["table"] += 1
        elif kind == "table_close":
            depth["table"] -= 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            if any(cell for cell in row):
                blocks.append(Block(" | ".join(row)))
        elif kind == "inline":
            text = plain_text(_HTML_TAG.sub("", inline_text(token)))
            if heading_level:
                if text:
                    blocks.append(Block(text, heading=heading_level))
            elif depth["table"]:
                row.append(text)
            elif depth["list_item"]:
                if text:
                    item_parts.append(text)
            elif text:
                blocks.append(Block(text))
    return blocks


def read_plain(text: str, *, name: str, kind: str = "text") -> Document:
    """Plain text as a :class:`Document`: paragraphs at blank lines; the first line names it when short."""
    paragraphs = [plain_text(p) for p in re.split(r"\n[ \t]*\n", text.lstrip("\ufeff").replace("\r\n", "\n"))]
    paragraphs = [p for p in paragraphs if p]
    first = paragraphs[0] if paragraphs else ""
    title = first if first and len(first) <= 120 and len(first.split()) <= 15 else name
    return Document(
        format="text",
        kind=kind,
        title=title,
        blocks=tuple(Block(p) for p in paragraphs),
        extractor="text",
    )


def looks_like_markdown(text: str) -> bool:
    """Plain text that is Markdown in fact (an ``llms.txt``, a README without a suffix): ATX headings or
    links in Markdown syntax on several lines."""
    head = text[:20000]
    headings = len(re.findall(r"^#{1,6} \S", head, re.MULTILINE))
    links = len(re.findall(r"\[[^\]\n]+\]\([^)\s]+\)", head))
    return headings >= 2 or (headings >= 1 and links >= 3)
