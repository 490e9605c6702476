"""WebVTT captions (what yt-dlp writes) to transcript segments, bounded by the media's duration."""

from __future__ import annotations

import html
import re
from pathlib import Path

from joeladr.errors import IngestError
from joeladr.timecode import timestamp
from joeladr.transcript import Segment

# A caption track is refused when it is out of all proportion to the media it captions. YouTube's
# automatic captions (every word timed, every line shown twice) take about 250 bytes per second of
# talk, and people say 2-4 words a second: the bounds leave ten times that and more.
BYTES_PER_SECOND = 2_000
BYTES_SLACK = 1_000_000
WORDS_PER_SECOND = 10
WORDS_SLACK = 500
TIME_FACTOR = 2  # cues may run past the media's end by its own length, and a minute
TIME_SLACK = 60.0
_HINT = "ingest it with --captions never to transcribe the audio instead"

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


def read_captions(path: Path, duration: float) -> list[Segment]:
    """The segments of the caption file at ``path`` for media of ``duration`` seconds.

    Raises IngestError when the track is out of proportion to the media: larger than
    ``BYTES_PER_SECOND`` of it (checked before the file is read), cues running past twice its
    length, or more than ``WORDS_PER_SECOND`` words for each of its seconds.
    """
    size = path.stat().st_size
    most = int(duration * BYTES_PER_SECOND) + BYTES_SLACK
    if size > most:
        raise IngestError(
            f"the caption track is {_mb(size)}, more than a {timestamp(duration)} talk can need (at most {_mb(most)})",
            hint=_HINT,
        )
    segments = parse_vtt(path.read_text(encoding="utf-8", errors="replace"))
    end = max((s.end for s in segments), default=0.0)
    if end > duration * TIME_FACTOR + TIME_SLACK:
        raise IngestError(
            f"the captions run to {timestamp(end)}, but the media lasts {timestamp(duration)}", hint=_HINT
        )
    words = sum(len(s.text.split()) for s in segments)
    if words > duration * WORDS_PER_SECOND + WORDS_SLACK:
        raise IngestError(
            f"the captions hold {words:,} words, more than a {timestamp(duration)} talk can hold "
            f"(at most {int(duration * WORDS_PER_SECOND) + WORDS_SLACK:,})",
            hint=_HINT,
        )
    return segments


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"
