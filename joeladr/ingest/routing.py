"""What each input is, decided from the address and what the server sends: media, a feed, or a document.

- a YouTube id, an address with a media suffix (``.mp3``, ``.webm``...), or one a site-specific
  yt-dlp extractor claims (Vimeo, a conference site...) is media, as before; if yt-dlp finds no
  media at a claimed address (a Substack post of text), it is read as a page;
- a GitHub repository, tree or ``blob/`` address is its README or file, read from the raw URL
  (:mod:`joeladr.ingest.sites`); an arXiv abstract is its PDF;
- anything else is read once through the download guard: a feed gives its episodes (newest first,
  at most ``feed_limit``), a PDF, Markdown or text file is a document, and an HTML page is an
  article, unless its text is short and it embeds audio or video (a talk's page): then it is media;
- a local file is a document when its name or first bytes say so (``.pdf``, ``.md``, ``.html``,
  ``.txt``...), else media, as before.

A document fetched by an earlier run is taken from the cache without asking the network (unless
``force``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from joeladr.catalog import Catalog
from joeladr.errors import DownloadError, IngestError, JoeladrError, UsageError
from joeladr.ingest.documents import DocumentSource, Kind, cached_document, document_id, sniff, suffix_kind
from joeladr.ingest.download import HEAD_BYTES, Downloader, HttpStatusError, RemoteMedia
from joeladr.ingest.inputs import SourceRef, file_source_id
from joeladr.ingest.sites import REAL, Hosts, Mapped, map_url
from joeladr.location import Format

Found = RemoteMedia | DocumentSource
MEDIA_PAGE_WORDS = 150  # a page with less main text than this that embeds audio or video is that media
_EMBEDS = re.compile(
    rb"<(?:video|audio)\b|<source\b[^>]*\btype\s*=\s*[\"']?(?:audio|video)/|<iframe\b[^>]*(?:youtube|vimeo|player)"
    rb"|property\s*=\s*[\"']og:(?:video|audio)[\"':]",
    re.IGNORECASE,
)
_KIND_FOR: dict[Format, str] = {"html": "article", "pdf": "paper", "markdown": "article", "text": "text"}


class Router:
    """Turns each input into what the pipeline ingests (see the module docstring)."""

    def __init__(
        self,
        downloader: Downloader,
        catalog: Catalog,
        *,
        hosts: Hosts = REAL,
        feed_limit: int | None = None,
        force: bool = False,
    ) -> None:
        self.downloader = downloader
        self.catalog = catalog
        self.hosts = hosts
        self.feed_limit = feed_limit
        self.force = force

    def local(self, ref: SourceRef) -> DocumentSource | None:
        """The document a local file is, or None when it is (or may be) media."""
        path = Path(ref.value)
        try:
            with open(path, "rb") as handle:
                head = handle.read(HEAD_BYTES)
        except OSError as exc:
            raise IngestError(f"cannot read {path}: {exc.strerror or exc}") from None
        kind = sniff("", head, path.name)
        if kind == "feed":
            raise UsageError(f"{path} is a feed file: give the feed's URL, so its episodes can be downloaded")
        if kind in (None, "media"):
            return None
        fmt = _format(kind, head)
        try:
            source_id = file_source_id(path)
        except OSError as exc:
            raise IngestError(f"cannot read {path}: {exc.strerror or exc}") from None
        return DocumentSource(source_id, None, fmt, _kind(fmt, path.name), path.stem, path=path)

    def resolve(self, ref: SourceRef) -> list[Found]:
        """What a typed URL (or video id) gives: media entries, a feed's episodes, or one document."""
        if ref.kind == "youtube":
            return list(self.downloader.resolve(ref))
        url = ref.url
        mapped = map_url(url, self.hosts)
        page = mapped.page if mapped is not None else url
        if not self.force:
            cached = cached_document(self.catalog.folder(document_id(page)), page)
            if cached is not None:
                return [cached]
        if mapped is not None:
            return [self._mapped(mapped)]
        if suffix_kind(url) == "media":
            return list(self.downloader.resolve(ref))
        if claimed_by_extractor(url):
            try:
                return list(self.downloader.resolve(ref))
            except DownloadError as media_error:
                try:
                    return self._fetched(ref, media_fallback=False)
                except JoeladrError:
                    raise media_error from None
        return self._fetched(ref, media_fallback=True)

    def _fetched(self, ref: SourceRef, *, media_fallback: bool) -> list[Found]:
        url = ref.url
        fetched = self.downloader.fetch(url, keep=lambda kind, head: sniff(kind, head, url) not in ("media", None))
        kind = sniff(fetched.content_type, fetched.body[:HEAD_BYTES], fetched.url)
        if kind in ("media", None):
            if not media_fallback:
                raise IngestError(f"{url} is neither media nor a document")
            return list(self.downloader.resolve(ref))
        if kind == "feed":
            from joeladr.ingest.feeds import episodes

            return list(episodes(fetched.body, feed_url=fetched.url, limit=self.feed_limit))
        fmt = _format(kind, fetched.body)
        name = _name(url)
        source = DocumentSource(
            document_id(url), url, fmt, _kind(fmt, name), name, body=fetched.body, fetched_from=fetched.url
        )
        if fmt != "html" or not media_fallback or not _EMBEDS.search(fetched.body):
            return [source]
        from joeladr.ingest.pages import read_html

        try:
            parsed = read_html(fetched.body, url=url)
        except IngestError:
            return list(self.downloader.resolve(ref))  # no text to cite, but audio or video: a talk's page
        if parsed.words < MEDIA_PAGE_WORDS:
            return list(self.downloader.resolve(ref))
        return [DocumentSource(source.source_id, url, fmt, source.kind, name, fetched.body, None, fetched.url, parsed)]

    def _mapped(self, mapped: Mapped) -> DocumentSource:
        """A GitHub README or file (the first raw candidate that exists), or an arXiv paper's PDF."""
        missing: HttpStatusError | None = None
        for candidate in mapped.candidates:
            try:
                fetched = self.downloader.fetch(candidate, keep=lambda kind, head: True)
            except HttpStatusError as exc:
                if exc.status != 404:
                    raise
                missing = exc
                continue
            name = _name(candidate)
            by_name = suffix_kind(name) if mapped.kind == "readme" else None  # raw files come as text/plain
            kind = by_name or sniff(fetched.content_type, fetched.body[:HEAD_BYTES], name)
            if kind not in ("pdf", "markdown", "text", "html"):
                raise IngestError(f"{mapped.page}: {mapped.what} is not text joeladr can read ({kind or 'unknown'})")
            fmt = _format(kind, fetched.body)
            doc_kind = mapped.kind if mapped.kind == "paper" or name.lower().startswith("readme") else _kind(fmt, name)
            return DocumentSource(
                document_id(mapped.page), mapped.page, fmt, doc_kind, name, body=fetched.body, fetched_from=fetched.url
            )
        raise IngestError(f"{mapped.page}: {mapped.what} was not found", hint=str(missing) if missing else None)


def _format(kind: Kind, body: bytes) -> Format:
    if kind == "text":
        from joeladr.ingest.texts import looks_like_markdown

        return "markdown" if looks_like_markdown(body[:20000].decode("utf-8", errors="replace")) else "text"
    if kind in ("html", "pdf", "markdown"):
        return kind
    raise IngestError(f"not a document: {kind}")


def _kind(fmt: Format, name: str) -> str:
    """The note's type: a README is a ``readme``, a PDF a ``paper``, a page an ``article``, plain text ``text``."""
    if fmt in ("markdown", "text") and name.lower().startswith("readme"):
        return "readme"
    return _KIND_FOR[fmt]


def _name(url: str) -> str:
    parts = urlsplit(url)
    last = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    return last or parts.hostname or url


@lru_cache(maxsize=1)
def _site_extractors() -> tuple[Any, ...]:
    from yt_dlp.extractor import gen_extractor_classes

    return tuple(ie for ie in gen_extractor_classes() if ie.ie_key() != "Generic")


@lru_cache(maxsize=512)
def claimed_by_extractor(url: str) -> bool:
    """Whether a site-specific yt-dlp extractor (not the generic one) takes ``url`` (the first call
    loads yt-dlp's extractors: about a second)."""
    return any(ie.suitable(url) for ie in _site_extractors())
