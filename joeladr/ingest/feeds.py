"""Podcast feeds (RSS 0.9x-2.0, RSS 1.0, Atom) as playlists of episodes, newest first.

feedparser reads the feed's bytes (it is never handed a URL, so it fetches nothing itself: the
feed was read through the download guard). Each episode with an audio or video enclosure
becomes a :class:`RemoteMedia` the usual download path takes, with the feed's title, date,
duration and show name kept over what the media file says. yt-dlp reads RSS 2.0 too, but in
feed order, without Atom and with the file's name as the title; hence feedparser.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from typing import Any
from urllib.parse import urljoin

from joeladr.errors import IngestError
from joeladr.ingest.download import RemoteMedia
from joeladr.ingest.inputs import source_id_for
from joeladr.vault.blocks import plain_text

_MEDIA_TYPE = re.compile(r"^(?:audio|video)/", re.IGNORECASE)
_MEDIA_SUFFIX = re.compile(r"\.(?:mp3|m4a|aac|ogg|oga|opus|wav|flac|mp4|m4v|mov|webm)(?:$|\?)", re.IGNORECASE)


def episodes(data: bytes, *, feed_url: str, limit: int | None = None) -> list[RemoteMedia]:
    """The feed's episodes that have media, newest first (undated ones last, in feed order), at most ``limit``."""
    import feedparser

    parsed = feedparser.parse(data, response_headers={"content-location": feed_url})
    if not parsed.entries and parsed.get("bozo"):
        raise IngestError(f"{feed_url} is not a feed that can be read: {str(parsed.get('bozo_exception'))[:120]}")
    show = plain_text(str(parsed.feed.get("title") or "")) or None
    found: list[tuple[float, int, RemoteMedia]] = []
    for number, entry in enumerate(parsed.entries):
        media = _enclosure(entry, feed_url)
        if media is None:
            continue
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        stamp = float(calendar.timegm(when)) if when else float("-inf")
        found.append((stamp, number, _episode(entry, media, show, when)))
    if not found:
        raise IngestError(f"{feed_url} is a feed with no audio or video episodes")
    found.sort(key=lambda item: (-item[0], item[1]))
    chosen = [media for _, _, media in found]
    return chosen[:limit] if limit else chosen


def _enclosure(entry: Any, feed_url: str) -> str | None:
    for link in [*(entry.get("enclosures") or []), *(entry.get("links") or [])]:
        href = str(link.get("href") or "")
        kind = str(link.get("type") or "")
        if href and (_MEDIA_TYPE.match(kind) or (link.get("rel") == "enclosure" and _MEDIA_SUFFIX.search(href))):
            return urljoin(feed_url, href)
    return None


def _episode(entry: Any, media: str, show: str | None, when: Any) -> RemoteMedia:
    guid = str(entry.get("id") or media)
    title = plain_text(str(entry.get("title") or "")) or media.rsplit("/", 1)[-1]
    known: dict[str, Any] = {"title": title, "webpage_url": media}
    if show:
        known["channel"] = show
    if when:
        known["upload_date"] = dt.date(when[0], when[1], when[2]).strftime("%Y%m%d")
    duration = _seconds(entry.get("itunes_duration"))
    if duration:
        known["duration"] = duration
    summary = plain_text(str(entry.get("summary") or ""))
    if summary:
        known["description"] = summary[:2000]
    slug = hashlib.sha256(guid.encode()).hexdigest()[:12]
    info = {"_type": "url", "url": media, "id": slug, **known}
    return RemoteMedia(source_id_for("podcast", slug, guid), media, info, None, (media,), known)


def _seconds(value: Any) -> float | None:
    """``3723``, ``62:03`` or ``1:02:03`` -> seconds."""
    text = str(value or "").strip()
    if not re.fullmatch(r"\d+(?::\d{1,2}){0,2}(?:\.\d+)?", text):
        return None
    total = 0.0
    for part in text.split(":"):
        total = total * 60 + float(part)
    return total or None
