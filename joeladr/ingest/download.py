"""Downloading with yt-dlp's Python API: audio only, no post-processing, metadata kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from joeladr.errors import DownloadError, UsageError
from joeladr.ingest.inputs import SourceRef, source_id_for

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


@dataclass
class Downloaded:
    media_path: Path
    captions_path: Path | None
    captions_kind: str | None  # "manual" | "auto"
    info: dict[str, Any] = field(default_factory=dict)


class Downloader(Protocol):
    def resolve(self, ref: SourceRef) -> list[RemoteMedia]:
        """The videos behind a URL (a playlist gives each entry) with their metadata."""
        ...

    def download(self, media: RemoteMedia, folder: Path, *, captions: bool, progress: ProgressFn) -> Downloaded:
        """Fetch the audio (and captions when asked) into ``folder``."""
        ...


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
    """The real downloader. ``cookies`` and ``cookies_from_browser`` are passed to yt-dlp as given."""

    def __init__(
        self,
        *,
        cookies: Path | None = None,
        cookies_from_browser: str | None = None,
        allow_file_urls: bool = False,
        retries: int = 3,
        socket_timeout: float = 20.0,
    ) -> None:
        self.cookies = cookies
        self.cookies_from_browser = cookies_from_browser
        self.allow_file_urls = allow_file_urls
        self.retries = retries
        self.socket_timeout = socket_timeout

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
        }
        if self.cookies:
            options["cookiefile"] = str(self.cookies)
        if self.cookies_from_browser:
            browser, _, profile = self.cookies_from_browser.partition(":")
            options["cookiesfrombrowser"] = (browser, profile or None, None, None)
        return options

    def resolve(self, ref: SourceRef) -> list[RemoteMedia]:
        import yt_dlp

        if ref.kind == "file":
            raise UsageError("local files are not downloaded")
        logger = _Logger()
        options = self._options(logger) | {"extract_flat": "in_playlist", "noplaylist": ref.kind == "youtube"}
        try:
            with yt_dlp.YoutubeDL(options) as ydl:
                info = ydl.extract_info(ref.url, download=False)
        except yt_dlp.utils.DownloadError as exc:
            raise DownloadError(f"cannot read {ref.url}: {_clean(str(exc))}") from exc
        except Exception as exc:  # yt-dlp raises many classes for bad URLs
            raise DownloadError(f"cannot read {ref.url}: {_clean(str(exc))}") from exc
        if info is None:
            raise DownloadError(f"cannot read {ref.url}: {_clean(logger.errors[-1]) if logger.errors else 'no media'}")
        entries = info.get("entries")
        if entries is None:
            return [_remote(info, ref.url)]
        found = []
        for entry in entries:
            if not entry:
                continue  # private or deleted entries come back empty
            url = entry.get("url") or entry.get("webpage_url")
            if not url:
                continue
            found.append(_remote(entry, url))
        if not found:
            raise DownloadError(f"{ref.url} lists no videos that can be fetched")
        return found

    def download(self, media: RemoteMedia, folder: Path, *, captions: bool, progress: ProgressFn) -> Downloaded:
        import yt_dlp

        folder.mkdir(parents=True, exist_ok=True)
        logger = _Logger()

        def hook(status: dict[str, Any]) -> None:
            if status.get("status") in ("downloading", "finished"):
                total = status.get("total_bytes") or status.get("total_bytes_estimate")
                progress("download", float(status.get("downloaded_bytes") or 0), float(total) if total else None)

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
        try:
            with yt_dlp.YoutubeDL(options) as ydl:
                if info.get("_type") in ("url", "url_transparent") or ("formats" not in info and "url" not in info):
                    result = ydl.extract_info(media.url, download=True)
                else:
                    result = ydl.process_ie_result(dict(info), download=True)
        except yt_dlp.utils.DownloadError as exc:
            raise DownloadError(f"cannot download {media.url}: {_clean(str(exc))}") from exc
        except Exception as exc:
            raise DownloadError(f"cannot download {media.url}: {_clean(str(exc))}") from exc
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


def _remote(info: dict[str, Any], url: str) -> RemoteMedia:
    extractor = str(info.get("extractor_key") or info.get("ie_key") or "generic")
    video_id = str(info.get("id") or "")
    webpage = str(info.get("webpage_url") or url)
    youtube = extractor.lower() == "youtube"
    source_id = source_id_for(extractor, video_id, webpage if not youtube else video_id)
    return RemoteMedia(
        source_id, webpage if info.get("_type") != "url" else url, dict(info), video_id if youtube else None
    )


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
