"""Where a passage sits in its source, as a reader sees it and as a link that opens the source there.

A talk's passage is at a second: ``12:34``, ``https://youtu.be/ID?t=754``. A document's passage
has a :class:`Location`: its page in a PDF (``page 4``, ``URL#page=4``), the heading it sits
under (``§ Durable functions``; a Markdown file opens at that heading's anchor, by GitHub's
rules), and a web page opens at the quote itself through a text fragment
(``URL#:~:text=start,end``, the WICG "Scroll To Text Fragment" syntax Chromium and Safari
follow: they scroll to the words and highlight them). :func:`place` and :func:`link_to` are
the one way the terminal, the notes, the decision record and the report show a passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote as percent_encode

from joeladr.timecode import time_link, timestamp

Format = Literal["html", "pdf", "markdown", "text"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "markdown", "text")
FRAGMENT_WORDS = 4  # words at each end of a quote in its text fragment: enough to be unique on a page


@dataclass(frozen=True)
class Location:
    """Where a passage of a document is: the document's format, its page (PDF) and its heading path.

    ``anchor`` is the id of the nearest heading (Markdown: GitHub's slug, numbered when repeated).
    ``paragraph`` counts from 1 in the document's reading order.
    """

    format: Format
    paragraph: int
    page: int | None = None
    section: tuple[str, ...] = ()
    anchor: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": self.format, "paragraph": self.paragraph}
        if self.page is not None:
            data["page"] = self.page
        if self.section:
            data["section"] = list(self.section)
        if self.anchor:
            data["anchor"] = self.anchor
        return data

    @classmethod
    def from_json(cls, data: Any) -> Location | None:
        """The location, or None for a talk's passage (no data) or data that is not one."""
        if not isinstance(data, dict) or data.get("format") not in FORMATS:
            return None
        page = data.get("page")
        section = data.get("section") or ()
        anchor = data.get("anchor")
        return cls(
            format=data["format"],
            paragraph=int(data.get("paragraph") or 1),
            page=int(page) if isinstance(page, int) and page > 0 else None,
            section=tuple(str(s) for s in section) if isinstance(section, list | tuple) else (),
            anchor=str(anchor) if isinstance(anchor, str) and anchor else None,
        )


def place(start: float, location: Location | None) -> str:
    """How a passage's place reads: ``12:34`` in a talk; ``page 4``, ``§ Durable functions`` or ``¶ 7``
    in a document (the page for a PDF, else the heading it sits under, else its paragraph)."""
    if location is None:
        return timestamp(start)
    if location.page is not None:
        return f"page {location.page}"
    if location.section:
        return f"§ {location.section[-1]}"
    return f"¶ {location.paragraph}"


def link_to(
    url: str | None, video_id: str | None, start: float, location: Location | None, quote: str = ""
) -> str | None:
    """A URL that opens the source at the passage (None when the source has no web address).

    A talk opens at the second; a PDF at its page; a Markdown file at its heading's anchor; a web
    page at the quote itself (a text fragment); plain text at its top.
    """
    if location is None:
        return time_link(url, video_id, start)
    if not url or not url.startswith(("http://", "https://", "file://")):
        return None
    base = url.split("#", 1)[0]
    if location.format == "pdf" and location.page is not None:
        return f"{base}#page={location.page}"
    if location.format == "markdown" and location.anchor:
        return f"{base}#{percent_encode(location.anchor, safe='')}"
    if location.format == "html" and quote.strip():
        return base + text_fragment(quote)
    return base


_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}<>*_`"


def text_fragment(quote: str, words: int = FRAGMENT_WORDS) -> str:
    """``#:~:text=start,end`` for ``quote``: its first and last ``words`` words (the whole quote when short),
    each percent-encoded as the WICG spec asks (``,``, ``-`` and ``&`` are syntax there, so they are encoded
    too). Quote marks at the ends are left out: a page may typeset them differently."""
    tokens = quote.split()
    while tokens and not tokens[0].strip(_EDGE_PUNCTUATION):
        tokens.pop(0)
    while tokens and not tokens[-1].strip(_EDGE_PUNCTUATION):
        tokens.pop()
    if not tokens:
        return ""
    tokens[0] = tokens[0].lstrip(_EDGE_PUNCTUATION)
    tokens[-1] = tokens[-1].rstrip(_EDGE_PUNCTUATION)
    if len(tokens) <= 2 * words:
        return f"#:~:text={_encode(' '.join(tokens))}"
    return f"#:~:text={_encode(' '.join(tokens[:words]))},{_encode(' '.join(tokens[-words:]))}"


def _encode(text: str) -> str:
    return percent_encode(text, safe="").replace("-", "%2D")


def github_anchor(heading: str, seen: dict[str, int]) -> str:
    """The id GitHub gives a Markdown heading: lower case, punctuation dropped, each space a hyphen;
    a repeated heading gets ``-1``, ``-2``... (``seen`` counts the slugs so far, in document order)."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
    count = seen.get(slug)
    seen[slug] = 0 if count is None else count + 1
    return slug if count is None else f"{slug}-{count + 1}"
