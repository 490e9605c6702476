"""WebVTT captions (what yt-dlp writes) to transcript segments."""

from __future__ import annotations

import html
import re

from joeladr.transcript import Segment

_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")
_CUE = re.compile(rf"^\s*({_TIME.pattern})\s+-->\s+({_TIME.pattern})")
_TAG = re.compile(r"<[^>]+>")


def _seconds(text: str) -> float:
    match = _TIME.search(text)
    if not match:
        raise ValueError(text)
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def parse_vtt(text: str) -> list[Segment]:
    """Cues to segments; YouTube's rolling auto-captions (each line repeated) are collapsed."""
    segments: list[Segment] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    seen_lines: list[str] = []
    while index < len(lines):
        match = _CUE.match(lines[index])
        if not match:
            index += 1
            continue
        start, end = _seconds(match.group(1)), _seconds(match.group(6))
        index += 1
        body: list[str] = []
        while index < len(lines) and lines[index].strip():
            body.append(lines[index])
            index += 1
        for raw in body:
            line = " ".join(html.unescape(_TAG.sub("", raw)).split())
            if not line or (seen_lines and line == seen_lines[-1]):
                continue  # a rolling caption repeats the previous line
            seen_lines.append(line)
            if segments and segments[-1].text == line:
                continue
            segments.append(Segment(round(start, 3), round(max(end, start), 3), line))
    return segments
