"""Downloading with yt-dlp's Python API: audio only, no post-processing, metadata kept.

Every request yt-dlp makes goes through a guard (:class:`_Guard`): only http(s) is fetched
(file:// when allowed), a response larger than the ceiling is cut off (the ceiling comes
from the media's duration, see :class:`DownloadLimits`), and a read that brings less than
64 KB in ``stall_seconds`` is abandoned; neither is retried. Cookies reach yt-dlp as a private
copy holding only well-formed lines, so the user's file is never rewritten and no cookie
value is ever printed.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from joeladr import interrupt
from joeladr.errors import DownloadError, UsageError
from joeladr.ingest.inputs import SourceRef, scheme_problem, source_id_for

if TYPE_CHECKING:
    from joeladr.settings import Settings

ProgressFn = Callable[[str, float, float | None], None]  # (stage, completed, total)

METADATA_KEYS = (
    "id",
    "title",
    "channel",
    "uploader",
    "upload_date",
    "duration",
    "chapters",
    "webpage_url",
    "extractor_key",
    "description",
    "tags",
    "ext",
)


@dataclass
class RemoteMedia:
    """One video found at a URL (a playlist gives several), before download."""

    source_id: str
    url: str
    info: dict[str, Any]
    video_id: str | None = None
    links: tuple[str, ...] = ()  # every URL its metadata says it will be fetched from (checked before download)
    known: dict[str, Any] = field(default_factory=dict)  # metadata that beats the download's (a feed episode's title)


@dataclass
class Downloaded:
    media_path: Path
    captions_path: Path | None
    captions_kind: str | None  # "manual" | "auto"
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fetched:
    """A web resource read whole (a page, a PDF, a feed), or only its first bytes when it turned out to be media."""

    url: str  # where it was read from, after redirects
    content_type: str  # the media type the server gave, lower case, without parameters ("" when none)
    body: bytes
    complete: bool  # False: only the first HEAD_BYTES were read


class HttpStatusError(DownloadError):
    """The server answered with an error status (``status``)."""

    def __init__(self, message: str, status: int, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class Fetcher(Protocol):
    def fetch(self, url: str, *, keep: Callable[[str, bytes], bool]) -> Fetched:
        """Read ``url`` under the download bounds; ``keep(content_type, first_bytes)`` says whether to read on."""
        ...


class Downloader(Fetcher, Protocol):
    """Reads media (and, as a :class:`Fetcher`, pages, PDFs and feeds) under the same bounds."""

    def resolve(self, ref: SourceRef) -> list[RemoteMedia]:
        """The videos behind a URL (a playlist gives each entry) with their metadata."""
        ...

    def download(self, media: RemoteMedia, folder: Path, *, captions: bool, progress: ProgressFn) -> Downloaded:
        """Fetch the audio (and captions when asked) into ``folder``."""
        ...


@dataclass(frozen=True)
class DownloadLimits:
    """How much and how slowly a download may come (``[download]`` settings)."""

    max_kbps: int = 4000  # with a known duration, the ceiling is the duration at this bitrate
    max_mb: int = 2048  # the ceiling when the duration is unknown
    stall_seconds: float = 30.0  # abandon a read that brings less than PIECE bytes in this long
    headroom_mb: int = 8
    max_entries: int = 500  # a playlist or page listing more is refused ([ingest] max_entries)

    @classmethod
    def of(cls, settings: Settings) -> DownloadLimits:
        """The limits the ``[download]`` settings (and ``[ingest] max_entries``) give."""
        return cls(
            max_kbps=settings.download_max_kbps,
            max_mb=settings.download_max_mb,
            stall_seconds=settings.download_stall_seconds,
            max_entries=settings.ingest_max_entries,
        )

    def ceiling(self, duration: float | None) -> int:
        """The most bytes a media of ``duration`` seconds may take (``max_mb`` when unknown)."""
        absolute = self.max_mb * 1_000_000
        if not duration or duration <= 0:
            return absolute
        return min(absolute, int(duration * self.max_kbps * 1000 / 8) + self.headroom_mb * 1_000_000)


PIECE = 64 * 1024  # a read is done in pieces this size, each under the stall timer
PAGE_CEILING = 64_000_000  # web pages and playlists read while resolving an input
HEAD_BYTES = 8192  # what a fetch reads before deciding whether the rest is a document
HTTP_STATUS = {  # what a refusal means to the reader of one line
    401: "asks for a login (HTTP 401)",
    402: "is behind a paywall (HTTP 402)",
    403: "refuses access (HTTP 403: a login, a paywall or a bot check)",
    404: "was not found (HTTP 404)",
    410: "is gone (HTTP 410)",
    429: "refuses to answer now: too many requests (HTTP 429)",
}


class _Stop(Exception):
    """Raised inside yt-dlp to end a request for good (yt-dlp does not retry it)."""


class _Guard:
    """Checks every request yt-dlp makes and every read of its responses (see the module docstring)."""

    def __init__(
        self,
        *,
        ceiling: int,
        stall_seconds: float,
        allow_file_urls: bool,
        announced: bool = True,
        opened: Callable[[float | None], None] | None = None,
    ) -> None:
        self.ceiling = ceiling
        self.stall_seconds = stall_seconds
        self.allow_file_urls = allow_file_urls
        self.announced = announced  # refuse a response whose Content-Length is over the ceiling
        self.opened = opened  # told each response's announced length, so progress shows before data comes
        self.stopped: str | None = None
        self._reading: tuple[float, Any] | None = None  # (since, response) while a read is under way
        self._done = threading.Event()
        self._watch = threading.Thread(target=self._watchdog, name="joeladr-download-watchdog", daemon=True)

    def __enter__(self) -> _Guard:
        self._watch.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()

    def stop(self, reason: str) -> _Stop:
        self.stopped = self.stopped or reason
        return _Stop(self.stopped)

    def request(self, url: str) -> None:
        problem = scheme_problem(url, allow_file_urls=self.allow_file_urls)
        if problem and not url.startswith("data:"):
            raise self.stop(f"refused to fetch {url}: {problem}")

    def response(self, response: Any) -> Any:
        """Check the announced size, and put every read of ``response`` under the ceiling and the stall timer."""
        length = str(response.headers.get("Content-Length") or "")
        if self.announced and length.isdigit() and int(length) > self.ceiling:
            with contextlib.suppress(Exception):
                response.close()
            raise self.stop(f"the server announces {_mb(int(length))}, more than the ceiling of {_mb(self.ceiling)}")
        if self.opened is not None:
            self.opened(float(length) if length.isdigit() else None)
        original = response.read
        received = 0

        def read(amt: int | None = None) -> bytes:
            nonlocal received
            wanted = amt if amt is not None and amt >= 0 else None
            parts: list[bytes] = []
            got = 0
            while wanted is None or got < wanted:
                piece = self._timed(original, PIECE if wanted is None else min(PIECE, wanted - got), response)
                if not piece:
                    break
                parts.append(piece)
                got += len(piece)
                received += len(piece)
                if received > self.ceiling:
                    raise self.stop(f"the download passed the ceiling of {_mb(self.ceiling)}")
            return parts[0] if len(parts) == 1 else b"".join(parts)

        response.read = read
        return response

    def progress(self, downloaded: float) -> None:
        if downloaded > self.ceiling:
            raise self.stop(f"the download passed the ceiling of {_mb(self.ceiling)}")

    def _timed(self, read: Callable[[int], bytes], size: int, response: Any) -> bytes:
        self._reading = (time.monotonic(), response)
        try:
            data = read(size)
        except Exception:
            if self.stopped:
                raise _Stop(self.stopped) from None
            raise
        finally:
            self._reading = None
        if self.stopped:
            raise _Stop(self.stopped)
        return data

    def _watchdog(self) -> None:
        while not self._done.wait(0.25):
            reading = self._reading
            if reading is None or time.monotonic() - reading[0] < self.stall_seconds:
                continue
            self.stopped = self.stopped or (
                f"the download stalled: less than {PIECE // 1024} KB in {self.stall_seconds:g} s "
                "(see [download] stall_seconds)"
            )
            _interrupt(reading[1])


def _interrupt(response: Any) -> None:
    """Wake a read blocked on ``response`` from another thread (urllib3's shutdown, else close)."""
    with contextlib.suppress(Exception):
        shutdown = getattr(getattr(response, "fp", None), "shutdown", None)
        if callable(shutdown):
            shutdown()
        else:
            response.close()


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 10_000_000 else f"{n / 1e6:.1f} MB"


def _guarded_ydl(options: dict[str, Any], guard: _Guard) -> Any:
    """A YoutubeDL whose every request and response pass through ``guard``."""
    import yt_dlp

    class GuardedYoutubeDL(yt_dlp.YoutubeDL):  # type: ignore[misc]
        def urlopen(self, req: Any) -> Any:
            guard.request(req if isinstance(req, str) else str(getattr(req, "url", "")))
            return guard.response(super().urlopen(req))

    return GuardedYoutubeDL(options)


COOKIE_HEADER = "# Netscape HTTP Cookie File\n"
_EXPIRES = re.compile(r"\d*")


def clean_cookies(text: str) -> tuple[str, list[int]]:
    """The Netscape cookie lines yt-dlp can load, under a proper header; and the numbers of the lines left out.

    Nothing of a line left out is ever shown (it may hold a cookie value): only its number.
    """
    kept = [COOKIE_HEADER]
    dropped = []
    for number, line in enumerate(text.splitlines(), 1):
        body = line.removeprefix("#HttpOnly_")
        if not body.strip() or (body is line and body.lstrip().startswith(("#", "$"))):
            continue
        fields = body.split("\t")
        if (
            len(fields) != 7
            or fields[1] not in ("TRUE", "FALSE")
            or (fields[1] == "TRUE") != fields[0].startswith(".")
            or not _EXPIRES.fullmatch(fields[4])
        ):
            dropped.append(number)
            continue
        kept.append(line + "\n")
    return "".join(kept), dropped


class _Logger:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        self.warnings.append(msg)

    def error(self, msg: str) -> None:
        self.errors.append(msg)


def _clean(message: str) -> str:
    """yt-dlp's error as one short line: no colour codes, no 'ERROR:', no nested transport reprs."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(message)).strip()
    text = re.sub(r"^ERROR:\s*", "", text)
    text = text.splitlines()[0] if text else "download failed"
    text = text.split(" (caused by ")[0]
    errno = re.search(r"\[Errno -?\d+\] ([^)\]'\"]+)", text)
    if errno:
        head = text.split("Unable to download webpage:")[0].split("HTTPConnection")[0].rstrip(" :")
        return f"{head}: {errno.group(1).strip().lower()}" if head else errno.group(1).strip().lower()
    return text


class YtDlpDownloader:
    """The real downloader.

    ``cookies`` is copied (well-formed lines only) for each yt-dlp session and the copy deleted
    after; ``warn`` receives what the user should know (never a cookie's content); ``cache_dir``
    is where yt-dlp may cache (inside joeladr's cache, not the user's home).
    """

    def __init__(
        self,
        *,
        cookies: Path | None = None,
        cookies_from_browser: str | None = None,
        allow_file_urls: bool = False,
        retries: int = 3,
        socket_timeout: float = 20.0,
        limits: DownloadLimits | None = None,
        cache_dir: Path | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.cookies = cookies
        self.cookies_from_browser = cookies_from_browser
        self.allow_file_urls = allow_file_urls
        self.retries = retries
        self.limits = limits or DownloadLimits()
        self.socket_timeout = min(socket_timeout, self.limits.stall_seconds)
        self.cache_dir = cache_dir
        self.warn = warn or (lambda message: None)
        self._cookies_checked = False

    @contextlib.contextmanager
    def _session(
        self, options: dict[str, Any], ceiling: int, *, progress: ProgressFn | None = None
    ) -> Iterator[tuple[Any, _Guard]]:
        """A guarded YoutubeDL with a private copy of the cookies, removed afterwards.

        Without ``progress`` (resolving an input) a media URL's announced size is not held against
        ``ceiling``: the extractor only peeks at it, and ``ceiling`` is the one for web pages.
        """
        with contextlib.ExitStack() as stack:
            if self.cookies:
                options["cookiefile"] = str(stack.enter_context(self._cookie_copy()))
            guard = stack.enter_context(
                _Guard(
                    ceiling=ceiling,
                    stall_seconds=self.limits.stall_seconds,
                    allow_file_urls=self.allow_file_urls,
                    announced=progress is not None,
                    opened=(lambda total: progress("download", 0.0, total)) if progress is not None else None,
                )
            )
            ydl = stack.enter_context(_guarded_ydl(options, guard))
            yield ydl, guard

    @contextlib.contextmanager
    def _cookie_copy(self) -> Iterator[Path]:
        assert self.cookies is not None
        try:
            text = Path(self.cookies).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            raise UsageError(f"no such cookies file: {self.cookies}") from None
        except OSError as exc:
            raise UsageError(f"cannot read the cookies file {self.cookies}: {exc.strerror or exc}") from None
        if text.lstrip()[:1] in ("[", "{"):
            raise UsageError(
                f"{self.cookies} is not a Netscape cookies file (it looks like JSON)",
                hint="export cookies.txt in Netscape format (e.g. with yt-dlp --cookies-from-browser)",
            )
        cleaned, dropped = clean_cookies(text)
        if cleaned == COOKIE_HEADER:
            raise UsageError(f"{self.cookies} holds no Netscape cookie lines", hint="export it in Netscape format")
        if dropped and not self._cookies_checked:
            shown = ", ".join(map(str, dropped[:10])) + (" ..." if len(dropped) > 10 else "")
            self.warn(f"{self.cookies}: left out {len(dropped)} malformed line(s) (line {shown})")
        self._cookies_checked = True
        with tempfile.TemporaryDirectory(prefix="joeladr-cookies-") as folder:
            copy = Path(folder) / "cookies.txt"
            copy.touch(mode=0o600)
            copy.write_text(cleaned, encoding="utf-8")
            yield copy

    def _options(self, logger: _Logger) -> dict[str, Any]:
        options: dict[str, Any] = {
            "quiet": True,
            "no_warnings": True,
            "noprogress": True,
            "logger": logger,
            "retries": self.retries,
            "fragment_retries": self.retries,
            "extractor_retries": self.retries,
            "socket_timeout": self.socket_timeout,
            "continuedl": True,
            "noplaylist": True,
            "postprocessors": [],
            "enable_file_urls": self.allow_file_urls,
            "js_runtimes": _js_runtimes(),
            "cachedir": str(self.cache_dir) if self.cache_dir else False,
        }
        if self.cookies_from_browser:
            browser, _, profile = self.cookies_from_browser.partition(":")
            options["cookiesfrombrowser"] = (browser, profile or None, None, None)
        return options

    def resolve(self, ref: SourceRef) -> list[RemoteMedia]:

        if ref.kind == "file":
            raise UsageError("local files are not downloaded")
        logger = _Logger()
        most = self.limits.max_entries
        options = self._options(logger) | {
            "extract_flat": "in_playlist",
            "noplaylist": ref.kind == "youtube",
            "playlistend": most + 1,  # one more than allowed tells us the list is too long, without reading it all
        }
        guard: _Guard | None = None
        try:
            with self._session(options, min(PAGE_CEILING, self.limits.ceiling(None))) as (ydl, guard):
                info = ydl.extract_info(ref.url, download=False)
        except UsageError:
            raise
        except Exception as exc:  # yt-dlp raises many classes for bad URLs
            reason = guard.stopped if guard is not None and guard.stopped else _clean(str(exc))
            raise DownloadError(f"cannot read {ref.url}: {reason}") from None
        if info is None:
            raise DownloadError(f"cannot read {ref.url}: {_clean(logger.errors[-1]) if logger.errors else 'no media'}")
        entries = info.get("entries")
        if entries is None:
            return [_remote(info, ref.url)]
        page = str(info.get("webpage_url") or ref.url)
        found: dict[str, RemoteMedia] = {}
        for number, entry in enumerate(entries, 1):
            if number > most:
                listed = info.get("playlist_count") or entry.get("n_entries")
                count = f"{listed:,}" if isinstance(listed, int) and listed > most else f"more than {most:,}"
                raise UsageError(
                    f"{ref.url} lists {count} entries; one ingest takes at most {most:,} (see [ingest] max_entries)",
                    hint="raise [ingest] max_entries, or ingest the entries you want by their own URLs",
                )
            if not entry:
                continue  # private or deleted entries come back empty
            url = entry.get("url") or entry.get("webpage_url")
            if not url:
                continue
            media = _remote(entry, url, page=page)
            found.setdefault(media.url, media)  # an entry listed twice is ingested (and named) once
        if not found:
            raise DownloadError(f"{ref.url} lists no videos that can be fetched")
        return list(found.values())

    def fetch(self, url: str, *, keep: Callable[[str, bytes], bool]) -> Fetched:
        """Read a page, PDF or feed through the same guard as media (schemes after redirects, the page
        ceiling, the stall timeout); only the first bytes when ``keep`` says the rest is not wanted."""
        guard: _Guard | None = None
        try:
            with self._session(
                self._options(_Logger()), min(PAGE_CEILING, self.limits.ceiling(None)), progress=_no_progress
            ) as (ydl, guard):
                response = ydl.urlopen(url)
                try:
                    final = str(getattr(response, "url", None) or url)
                    problem = scheme_problem(final, allow_file_urls=self.allow_file_urls)
                    if problem:
                        raise UsageError(f"{url} leads to {final}, which {problem}")
                    kind = str(response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                    head = response.read(HEAD_BYTES)
                    if len(head) < HEAD_BYTES or not keep(kind, head):
                        return Fetched(final, kind, head, len(head) < HEAD_BYTES)
                    return Fetched(final, kind, head + response.read(), True)
                finally:
                    with contextlib.suppress(Exception):
                        response.close()
        except UsageError:
            raise
        except Exception as exc:
            if guard is not None and guard.stopped:
                raise DownloadError(f"cannot read {url}: {guard.stopped}") from None
            status = getattr(exc, "status", None)
            if isinstance(status, int):
                said = HTTP_STATUS.get(status, f"answered HTTP {status}")
                raise HttpStatusError(f"{url} {said}", status) from None
            elsewhere = re.search(r"No connection adapters were found for '([^']+)'", str(exc))
            if elsewhere:  # the HTTP client refused to follow a redirect off the web
                refused = scheme_problem(elsewhere.group(1)) or "is not an http(s) URL"
                raise DownloadError(f"{url} redirects to {elsewhere.group(1)}, which {refused}") from None
            raise DownloadError(f"cannot read {url}: {_clean(str(exc))}") from None

    def download(self, media: RemoteMedia, folder: Path, *, captions: bool, progress: ProgressFn) -> Downloaded:

        folder.mkdir(parents=True, exist_ok=True)
        logger = _Logger()

        guard: _Guard | None = None

        def hook(status: dict[str, Any]) -> None:
            interrupt.check()  # a stop asked for (SIGTERM) ends the download here; the partial file resumes
            if status.get("status") in ("downloading", "finished"):
                total = status.get("total_bytes") or status.get("total_bytes_estimate")
                downloaded = float(status.get("downloaded_bytes") or 0)
                if guard is not None:
                    guard.progress(downloaded)
                progress("download", downloaded, float(total) if total else None)

        options = self._options(logger) | {
            "format": "bestaudio/best",
            "outtmpl": {"default": str(folder / "media.%(ext)s"), "subtitle": str(folder / "captions.%(ext)s")},
            "progress_hooks": [hook],
            "writesubtitles": False,
            "writeautomaticsub": False,
        }
        info = media.info
        kind: str | None = None
        if captions:
            kind, language = _caption_choice(info)
            if kind:
                options |= {
                    "writesubtitles": kind == "manual",
                    "writeautomaticsub": kind == "auto",
                    "subtitleslangs": [language],
                    "subtitlesformat": "vtt/best",
                }
        ceiling = self.limits.ceiling(_duration(info))
        try:
            with self._session(options, ceiling, progress=progress) as (ydl, guard):
                if info.get("_type") in ("url", "url_transparent") or ("formats" not in info and "url" not in info):
                    result = ydl.extract_info(media.url, download=True)
                else:
                    result = ydl.process_ie_result(dict(info), download=True)
        except UsageError:
            raise
        except Exception as exc:
            if guard is not None and guard.stopped:
                _remove_partial(folder)  # a cut-off download is not resumed: its ceiling or its server was wrong
                raise DownloadError(f"cannot download {media.url}: {guard.stopped}") from None
            raise DownloadError(f"cannot download {media.url}: {_clean(str(exc))}") from None
        if not result:
            raise DownloadError(
                f"cannot download {media.url}: {_clean(logger.errors[-1]) if logger.errors else 'no media'}"
            )
        requested = result.get("requested_downloads") or []
        path = Path(requested[0]["filepath"]) if requested and requested[0].get("filepath") else None
        if path is None or not path.exists():
            candidates = [p for p in folder.glob("media.*") if not p.name.endswith((".part", ".ytdl", ".vtt"))]
            if not candidates:
                raise DownloadError(f"cannot download {media.url}: yt-dlp wrote no file")
            path = candidates[0]
        captions_path = next(iter(sorted(folder.glob("captions*.vtt"))), None) if kind else None
        return Downloaded(path, captions_path, kind if captions_path else None, metadata(result))


def _no_progress(stage: str, completed: float, total: float | None) -> None:
    """A fetch shows no bar, but is held to the sizes servers announce as a download is."""


def _duration(info: dict[str, Any]) -> float | None:
    try:
        value = float(info.get("duration") or 0)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def _remove_partial(folder: Path) -> None:
    for leftover in folder.glob("media.*"):
        if leftover.name.endswith((".part", ".ytdl")) or ".part-" in leftover.name:
            with contextlib.suppress(OSError):
                leftover.unlink()


def _remote(info: dict[str, Any], url: str, *, page: str | None = None) -> RemoteMedia:
    """One video; ``page``: the playlist or page it is an entry of. An entry with no page of its own (a
    <video> on a page) is named by its own media URL, not the page's."""
    extractor = str(info.get("extractor_key") or info.get("ie_key") or "generic")
    video_id = str(info.get("id") or "")
    webpage = str(info.get("webpage_url") or url)
    youtube = extractor.lower() == "youtube"
    source_id = source_id_for(extractor, video_id, webpage if not youtube else video_id)
    formats = [f.get("url") for f in info.get("formats") or [] if isinstance(f, dict)]
    links = tuple(dict.fromkeys(str(u) for u in (url, info.get("url"), info.get("webpage_url"), *formats) if u))
    named = url if info.get("_type") == "url" or (page is not None and webpage == page) else webpage
    return RemoteMedia(source_id, named, dict(info), video_id if youtube else None, links)


def _caption_choice(info: dict[str, Any]) -> tuple[str | None, str]:
    """Manual English subtitles first, then automatic ones."""
    for kind, key in (("manual", "subtitles"), ("auto", "automatic_captions")):
        tracks = info.get(key) or {}
        for language in tracks:
            if language == "en" or language.startswith("en-") or language.startswith("en_"):
                return kind, language
    return None, "en"


def metadata(info: dict[str, Any]) -> dict[str, Any]:
    """The metadata worth keeping (everything JSON-safe)."""
    kept = {k: info.get(k) for k in METADATA_KEYS if info.get(k) is not None}
    description = kept.get("description")
    if isinstance(description, str):
        kept["description"] = description[:2000]
    return kept


def _js_runtimes() -> dict[str, dict[str, str]]:
    """Real YouTube needs a JavaScript runtime: use the deno binary the `deno` package ships."""
    try:
        import deno  # type: ignore[import-untyped]

        return {"deno": {"path": str(deno.find_deno_bin())}}
    except Exception:
        return {"deno": {}}
