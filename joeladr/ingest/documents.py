"""Documents to ingest: what a URL's bytes or a file are (:func:`sniff`), and reading them once, cached.

The kind is decided from the address (a ``.pdf`` or ``.md`` suffix), the server's content type
and the first bytes (``%PDF-``, ``<rss``, ``<html``, audio and video signatures), never from a
flag. A document's bytes and its parsed text are cached in its source folder, so a rerun reads
neither the network nor the file again, and ``--force`` starts over.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from joeladr.atomic import atomic_write_bytes
from joeladr.cache import cache_key, read_entry, write_entry
from joeladr.document import Document
from joeladr.errors import IngestError
from joeladr.location import Format

Kind = Literal["media", "feed", "html", "pdf", "markdown", "text"]
FETCHED = "fetched.json"  # what was read for a document: its format, kind and where from
BODY = "document.bin"
READER_VERSION = "1"  # bump when a reader (pages, pdf, texts) changes what it makes of the same bytes

MEDIA_SUFFIXES = frozenset(
    [
        ".mp3",
        ".m4a",
        ".aac",
        ".wav",
        ".flac",
        ".ogg",
        ".oga",
        ".opus",
        ".weba",
        ".webm",
        ".mp4",
        ".m4v",
        ".mov",
        ".mkv",
        ".avi",
        ".m3u8",
        ".mpd",
    ]
)
_SUFFIX_KIND: dict[str, Kind] = {
    ".pdf": "pdf",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".mdx": "markdown",
    ".txt": "text",
    ".text": "text",
    ".rst": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rss": "feed",
    ".atom": "feed",
}
_TYPE_KIND: dict[str, Kind] = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/vnd.apple.mpegurl": "media",
    "application/x-mpegurl": "media",
    "application/dash+xml": "media",
}
_MAGIC: tuple[tuple[bytes, int, Kind], ...] = (
    (b"%PDF-", 0, "pdf"),
    (b"\x1a\x45\xdf\xa3", 0, "media"),  # Matroska / WebM
    (b"ID3", 0, "media"),
    (b"OggS", 0, "media"),
    (b"fLaC", 0, "media"),
    (b"ftyp", 4, "media"),  # MP4, M4A, MOV
    (b"#EXTM3U", 0, "media"),
)
_FEED = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)


def suffix_kind(name: str) -> Kind | None:
    """The kind a file name or URL path says (``.pdf``, ``.md``, ``.webm``...), or None."""
    suffix = Path(urlsplit(name).path if "://" in name else name).suffix.lower()
    if suffix in MEDIA_SUFFIXES:
        return "media"
    return _SUFFIX_KIND.get(suffix)


def sniff(content_type: str, head: bytes, name: str = "") -> Kind | None:
    """What some bytes are, from their first bytes, the server's content type and the name; None: unknown."""
    for magic, offset, kind in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if head[:4] == b"RIFF" and head[8:12] in (b"WAVE", b"AVI "):
        return "media"
    if head[:2] == b"\xff\xfb" or head[:2] == b"\xff\xf3" or head[:2] == b"\xff\xf1":
        return "media"  # MP3 or AAC frames
    start = head.lstrip()[:2048]
    if _FEED.search(start) and not _HTML.search(start):
        return "feed"
    declared = _TYPE_KIND.get(content_type)
    if declared is not None:
        return declared
    if content_type.startswith(("audio/", "video/")):
        return "media"
    by_name = suffix_kind(name) if name else None
    if _HTML.search(start):
        return "html"
    if by_name is not None:
        return by_name
    if content_type in ("text/plain", "") and _is_text(head):
        return "text"
    if content_type in ("application/xml", "text/xml") and _FEED.search(start):
        return "feed"
    return None


def _is_text(head: bytes) -> bool:
    if not head or b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut at the end of the first bytes
    return True


def document_id(url: str) -> str:
    """A stable, readable id for a document at ``url``: ``web-`` host and path words, and a hash of the URL."""
    parts = urlsplit(url)
    words = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.hostname or ''} {parts.path}").strip("-").lower()
    return f"web-{words[:50].strip('-')}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class DocumentSource:
    """A document to ingest, before it is read: its id, where findings link to, and where its bytes are.

    ``body`` is what a fetch read now (None: a local file, or bytes cached by an earlier run);
    ``parsed`` is the document when it had to be read to decide what the page was.
    """

    source_id: str
    url: str | None  # what a reader opens (the cited page; a GitHub page, not the raw file); None for a file
    format: Format
    kind: str  # article, paper, readme, text
    name: str  # a title of last resort (the file or the URL's last part)
    body: bytes | None = None
    path: Path | None = None  # a local file
    fetched_from: str | None = None  # the URL the bytes came from (after redirects)
    parsed: Document | None = None

    def read(self, folder: Path) -> tuple[Document, bool]:
        """The document (cached in ``folder``), and whether it was read anew."""
        body_path = folder / BODY
        if self.body is not None:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(body_path, self.body)
            write_entry(
                folder / FETCHED,
                {
                    "url": self.url,
                    "from": self.fetched_from,
                    "format": self.format,
                    "kind": self.kind,
                    "name": self.name,
                },
            )
        data = self.body if self.body is not None else _read_bytes(self.path or body_path)
        key = cache_key(READER_VERSION, self.format, self.kind, hashlib.sha256(data).hexdigest())
        cached = read_entry(folder / f"document-{key}.json")
        document = Document.from_json(cached) if isinstance(cached, dict) else None
        if document is not None:
            return document, False
        document = self.parsed or read_document(
            self.format, data, url=self.url or self.name, name=self.name, kind=self.kind
        )
        write_entry(folder / f"document-{key}.json", document.to_json())
        return document, True


def cached_document(folder: Path, url: str) -> DocumentSource | None:
    """The document an earlier run fetched for ``url`` into ``folder`` (nothing is read from the network)."""
    done = read_entry(folder / FETCHED)
    if not isinstance(done, dict) or done.get("url") != url or not (folder / BODY).is_file():
        return None
    if done.get("format") not in ("html", "pdf", "markdown", "text"):
        return None
    return DocumentSource(
        source_id=folder.name,
        url=url,
        format=done["format"],
        kind=str(done.get("kind") or "article"),
        name=str(done.get("name") or url),
        fetched_from=done.get("from"),
    )


def read_document(fmt: Format, data: bytes, *, url: str, name: str, kind: str) -> Document:
    """Parse ``data`` as ``fmt`` (HTML through trafilatura, PDF through pypdf, Markdown, plain text)."""
    if fmt == "html":
        from joeladr.ingest.pages import read_html

        return read_html(data, url=url, kind=kind)
    if fmt == "pdf":
        from joeladr.ingest.pdf import read_pdf

        return read_pdf(data, name=name, kind=kind)
    from joeladr.ingest.texts import read_markdown, read_plain

    text = data.decode("utf-8", errors="replace")
    document = (
        read_markdown(text, name=name, kind=kind) if fmt == "markdown" else read_plain(text, name=name, kind=kind)
    )
    if document.words == 0:
        raise IngestError(f"{url} has no text to cite (it is empty)")
    return document


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read {path}: {exc.strerror or exc}") from None
