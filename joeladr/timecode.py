"""Seconds as people read them (``12:34``, ``1:02:03``) and links that open a talk at a second."""

from __future__ import annotations


def timestamp(seconds: float | None) -> str:
    """``754`` -> ``12:34``; an hour or more -> ``1:02:03``."""
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def time_link(url: str | None, video_id: str | None, seconds: float) -> str | None:
    """A URL that opens the video at that second, or None for a local file."""
    second = int(seconds)
    if video_id:
        return f"https://youtu.be/{video_id}?t={second}"
    if url and url.startswith(("http://", "https://")):
        return f"{url}#t={second}"
    return None
