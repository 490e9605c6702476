"""Web pages as documents: the main text only, through trafilatura, with its headings and metadata.

trafilatura (the field's standard for main-text extraction) drops navigation, cookie banners,
footers and comments; what it keeps comes back as headings, paragraphs, list items, quotes and
table rows, in reading order. Code blocks are left out (they are not prose to quote). A page
that is a login form, a captcha, a paywall teaser or empty after extraction is refused in one
line naming the URL (:func:`refusal`), never ingested as junk.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from joeladr.document import Block, Document, with_sections
from joeladr.errors import IngestError
from joeladr.vault.blocks import plain_text

MIN_WORDS = 40  # fewer words than this after extraction: the page has no text to cite
WALL_WORDS = 250  # a page this short that shows a login form, captcha or paywall is that wall, not an article
_PASSWORD = re.compile(r"<input\b[^>]*\btype\s*=\s*[\"']?password", re.IGNORECASE)
_CAPTCHA = re.compile(
    r"g-recaptcha|h-captcha|hcaptcha\.com|cf-turnstile|challenges\.cloudflare\.com|/cdn-cgi/challenge-platform"
    r"|\bcaptcha\b|verify (?:that )?you are (?:a )?human|are you a robot",
    re.IGNORECASE,
)
_PAYWALL = re.compile(
    r"[\"']isAccessibleForFree[\"']\s*:\s*[\"']?false"
    r"|(?:subscribe|sign up|log in|sign in) to (?:continue|keep) reading"
    r"|to continue reading,? (?:subscribe|sign in|log in)"
    r"|this (?:article|story|post|content) is (?:only )?(?:available )?(?:for|to) (?:paid )?(?:subscribers|members)"
    r"|already a (?:subscriber|member)\?",
    re.IGNORECASE,
)


def read_html(data: bytes, *, url: str, kind: str = "article") -> Document:
    """The page's main text as a :class:`Document`; IngestError when there is none to cite (see :func:`refusal`)."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        data,
        url=url,
        include_comments=False,
        include_tables=True,
        include_formatting=False,
        include_images=False,
        with_metadata=True,
    )
    body = getattr(extracted, "body", None)
    blocks = _blocks(body) if body is not None else []
    document = Document(
        format="html",
        kind=kind,
        title=_title(extracted, url),
        blocks=with_sections(blocks),
        author=_clean(getattr(extracted, "author", None)),
        published=_date(getattr(extracted, "date", None)),
        site=_clean(getattr(extracted, "sitename", None)) or urlsplit(url).hostname,
        extractor=f"trafilatura {trafilatura.__version__}",
    )
    problem = refusal(data.decode("utf-8", errors="replace"), document.words)
    if problem:
        raise IngestError(f"{url} {problem}", hint=_SAVE_HINT)
    return document


_SAVE_HINT = "open it in a browser where you can read it, save the page (or print it to PDF) and ingest that file"


def refusal(html: str, words: int) -> str | None:
    """Why a page is not a text to cite (a login form, a captcha, a paywall teaser, nothing left), or None."""
    if words < WALL_WORDS:
        if _PASSWORD.search(html):
            return "is a login page, not the text"
        if _CAPTCHA.search(html):
            return "is a captcha (a bot check), not the text"
        if _PAYWALL.search(html):
            return "is a paywall teaser, not the text"
    if words < MIN_WORDS:
        return f"has no text to cite: {words} word(s) after leaving out navigation, banners and footers"
    return None


def _blocks(body: Any) -> list[Block]:
    """Headings, paragraphs, list items, quotes and table rows of trafilatura's XML body, in order."""
    blocks: list[Block] = []
    for element in body.iter("head", "p", "item", "row", "quote"):
        if any(parent.tag in ("code", "item", "row") for parent in element.iterancestors()):
            continue  # a paragraph (or a nested list) inside a list item or a table row is read with it
        if element.tag == "quote" and next(element.iter("p", "item", "row"), None) is not None:
            continue  # its paragraphs are read one by one
        cells = element.iter("cell") if element.tag == "row" else (element,)
        text = " | ".join(_text(cell) for cell in cells)
        if not text.strip(" |"):
            continue
        if element.tag == "head":
            level = str(element.get("rend") or "h2").lstrip("h")
            blocks.append(Block(text, heading=int(level) if level.isdigit() and 1 <= int(level) <= 6 else 2))
        else:
            blocks.append(Block(text))
    return blocks


def _text(element: Any) -> str:
    return plain_text("".join(element.itertext()))


def _clean(value: Any) -> str | None:
    text = plain_text(str(value or ""))
    return text or None


def _title(extracted: Any, url: str) -> str:
    title = _clean(getattr(extracted, "title", None)) if extracted is not None else None
    if title:
        return title
    path = urlsplit(url).path.rstrip("/")
    return path.rsplit("/", 1)[-1] or urlsplit(url).hostname or url


def _date(value: Any) -> str | None:
    text = str(value or "")
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None
