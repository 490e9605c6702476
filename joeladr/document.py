"""Documents (web pages, PDFs, Markdown, plain text) as plain data, with JSON round trips for the cache.

A document is its metadata and its blocks in reading order: headings (kept for the note and for
the heading path of what follows them) and paragraphs (what is chunked and searched). Each
block knows the page it is on (PDFs), the headings above it and the nearest heading's anchor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from joeladr.location import FORMATS, Format

KINDS = ("article", "paper", "readme", "text")  # the vault note's type property


@dataclass(frozen=True)
class Block:
    text: str
    heading: int = 0  # 1-6: the block is a heading of that level; 0: a paragraph (or list item, quote, table row)
    page: int | None = None
    section: tuple[str, ...] = ()  # the headings above the block, outermost first (a heading's ends with itself)
    anchor: str | None = None  # the nearest heading's anchor (Markdown)


@dataclass(frozen=True)
class Document:
    format: Format
    kind: str  # article, paper, readme or text (KINDS)
    title: str
    blocks: tuple[Block, ...]
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD when known
    site: str | None = None
    pages: int | None = None  # a PDF's page count
    extractor: str = ""  # what read the text: "trafilatura 2.3.1", "pypdf 7.1.1", ...

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if not b.heading]

    @property
    def words(self) -> int:
        return sum(len(b.text.split()) for b in self.paragraphs)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document | None:
        """The document, or None when the data is not one (a damaged or older cache entry)."""
        try:
            if data["format"] not in FORMATS:
                return None
            blocks = tuple(
                Block(
                    text=str(b["text"]),
                    heading=int(b.get("heading") or 0),
                    page=b.get("page"),
                    section=tuple(b.get("section") or ()),
                    anchor=b.get("anchor"),
                )
                for b in data["blocks"]
            )
            return cls(
                format=data["format"],
                kind=str(data["kind"]),
                title=str(data["title"]),
                blocks=blocks,
                author=data.get("author"),
                published=data.get("published"),
                site=data.get("site"),
                pages=data.get("pages"),
                extractor=str(data.get("extractor") or ""),
            )
        except (KeyError, TypeError, ValueError):
            return None


def with_sections(blocks: list[Block], anchor_of: Callable[[str], str] | None = None) -> tuple[Block, ...]:
    """``blocks`` with each one's heading path (and, given ``anchor_of(heading text)``, its anchor) filled in
    from the headings before it."""
    path: list[tuple[int, str]] = []
    anchor: str | None = None
    done = []
    for block in blocks:
        if block.heading:
            while path and path[-1][0] >= block.heading:
                path.pop()
            path.append((block.heading, block.text))
            anchor = anchor_of(block.text) if anchor_of is not None else None
        done.append(
            Block(block.text, block.heading, block.page, tuple(text for _, text in path), anchor or block.anchor)
        )
    return tuple(done)
