"""What the user typed (URL, video ID, file) -> a source reference, and stable source ids."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlparse

from joeladr import bounds
from joeladr.errors import UsageError

VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be", "www.youtu.be"}


@dataclass(frozen=True)
class SourceRef:
    """One thing to ingest: a YouTube video, another URL (maybe a playlist), or a local file."""

    kind: Literal["youtube", "url", "file"]
    value: str  # the video id, the URL, or the absolute file path

    @property
    def url(self) -> str:
        return f"https://www.youtube.com/watch?v={self.value}" if self.kind == "youtube" else self.value


def youtube_id(url: str) -> str | None:
    """The video id of a YouTube watch / youtu.be / shorts / live / embed URL, else None."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if host not in _YOUTUBE_HOSTS:
        return None
    if host.endswith("youtu.be"):
        candidate = parsed.path.strip("/").split("/")[0]
    elif parsed.path == "/watch":
        candidate = parse_qs(parsed.query).get("v", [""])[0]
    else:
        parts = parsed.path.strip("/").split("/")
        candidate = parts[1] if len(parts) > 1 and parts[0] in ("shorts", "live", "embed", "v") else ""
    return candidate if VIDEO_ID.match(candidate) else None


def scheme_problem(url: str, *, allow_file_urls: bool = False) -> str | None:
    """Why ``url`` may not be fetched, or None: only http(s) is, and file:// when allowed.

    The one check for every URL joeladr fetches: a typed input and each entry of a playlist or page.
    """
    scheme = urlparse(url.strip()).scheme.lower()
    if scheme in ("http", "https") or (scheme == "file" and allow_file_urls):
        return None
    if scheme == "file":
        return "is a file:// URL"
    return f"uses the {scheme or 'no'}:// scheme; only http(s) URLs, video ids and files are ingested"


def parse_input(text: str, *, allow_file_urls: bool = False, cwd: Path | None = None) -> SourceRef:
    """Classify one command-line input; refuse what cannot be a source with a clear message."""
    raw = text.strip()
    if not raw:
        raise UsageError("an empty source was given")
    parsed = urlparse(raw)
    scheme = parsed.scheme.lower()
    if scheme in ("http", "https"):
        video = youtube_id(raw)
        return SourceRef("youtube", video) if video else SourceRef("url", raw)
    if scheme == "file" or (scheme and len(scheme) > 1 and "://" in raw):
        problem = scheme_problem(raw, allow_file_urls=allow_file_urls)
        if problem:
            hint = "give the path itself, or pass --allow-file-urls" if scheme == "file" else None
            raise UsageError(f"'{raw}' {problem}", hint=hint)
        return SourceRef("url", raw)
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    if path.exists():
        bounds.check(path)
        if not path.is_file():
            raise UsageError(f"{path} is a folder, not a media file")
        return SourceRef("file", str(path.resolve()))
    if VIDEO_ID.match(raw):
        return SourceRef("youtube", raw)
    if "/" in raw or "." in Path(raw).name:
        bounds.check(path)  # outside: the same answer whether or not the file exists
        raise UsageError(f"no such file: {raw}")
    raise UsageError(
        f"'{raw}' is neither a URL, a file, nor an 11-character YouTube video id",
        hint="e.g. joeladr ingest https://youtu.be/JvBT4XBdoUE",
    )


def source_id_for(extractor: str, video_id: str, url: str) -> str:
    """A stable, file-name-safe id: the YouTube id itself, else extractor + id + a short URL hash."""
    if extractor.lower() == "youtube" and VIDEO_ID.match(video_id):
        return video_id
    clean = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{extractor.lower()}-{video_id}").strip("-")[:60]
    return f"{clean}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def file_source_id(path: Path) -> str:
    """Local files are named by their content, so a renamed copy is the same source."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"file-{digest.hexdigest()[:16]}"
