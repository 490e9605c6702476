"""Source notes in the Obsidian vault: properties, chapters, and a transcript of timestamp links."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joeladr.atomic import atomic_write_text, read_text
from joeladr.timecode import time_link, timestamp
from joeladr.transcript import Transcript
from joeladr.vault.blocks import block, escape_inline, merge_properties, replace_blocks

_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def safe_name(text: str, limit: int = 80) -> str:
    """A file name that is safe on every OS and inside the vault (no ``../``, NUL, reserved names)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = re.sub(r'[\\/:*?"<>|#^\[\]%]+', " ", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    text = text[:limit].rstrip(" .")
    if not text or text.lower().split(".")[0] in _RESERVED:
        text = f"_{text}" if text else "untitled"
    return text


@dataclass(frozen=True)
class SourceInfo:
    source_id: str
    title: str
    url: str | None
    video_id: str | None
    channel: str | None
    published: str | None
    duration: float
    chapters: tuple[dict[str, Any], ...] = ()
    local_path: str | None = None


def note_path(sources_dir: Path, info: SourceInfo, existing: str | None = None) -> Path:
    if existing:
        return sources_dir / existing
    suffix = f" ({info.video_id})" if info.video_id else ""
    return sources_dir / f"{safe_name(info.title)}{suffix}.md"


def properties(info: SourceInfo, transcript: Transcript, *, ingested: str, embedding_model: str) -> dict[str, Any]:
    return {
        "type": "source",
        "title": info.title,
        "url": info.url or "",
        "video_id": info.video_id or "",
        "channel": info.channel or "",
        "published": info.published or "",
        "duration": timestamp(info.duration),
        "tags": ["joeladr/source"],
        "ingested": ingested,
        "transcript": transcript.origin,
        "model": transcript.model,
        "embedding_model": embedding_model,
        "joeladr_id": info.source_id,
    }


def _line(info: SourceInfo, seconds: float, text: str) -> str:
    link = time_link(info.url, info.video_id, seconds)
    stamp = f"[{timestamp(seconds)}]({link})" if link else f"`{timestamp(seconds)}`"
    return f"{stamp} {escape_inline(text)}"


def bodies(info: SourceInfo, transcript: Transcript) -> dict[str, str]:
    summary = [f"> [!info] {escape_inline(info.title)}"]
    facts = [escape_inline(x) for x in (info.channel, info.published, timestamp(info.duration)) if x]
    summary.append("> " + " · ".join(facts))
    if info.url:
        summary.append(f"> [Open the source]({info.url})")
    elif info.local_path:
        summary.append(f"> Local file: `{escape_inline(Path(info.local_path).name)}`")
    chapters = [_line(info, float(c.get("start_time", 0)), str(c.get("title", ""))) for c in info.chapters]
    paragraphs: list[str] = []
    current: list[str] = []
    last_break = None
    for segment in transcript.segments:
        if last_break is None or segment.start - last_break >= 30 or not current:
            if current:
                paragraphs.append(" ".join(current))
            current = [_line(info, segment.start, segment.text)]
            last_break = segment.start
        else:
            current.append(escape_inline(segment.text))
    if current:
        paragraphs.append(" ".join(current))
    return {
        "summary": "\n".join(summary),
        "chapters": "\n".join(f"- {c}" for c in chapters) if chapters else "_No chapters._",
        "transcript": "\n\n".join(paragraphs) if paragraphs else "_Empty transcript._",
    }


def render_new_note(info: SourceInfo, transcript: Transcript, props: dict[str, Any]) -> str:
    parts = bodies(info, transcript)
    body = "\n".join(
        [
            f"# {escape_inline(info.title)}",
            "",
            block("summary", parts["summary"]),
            "",
            "## My notes",
            "",
            "",
            "## Chapters",
            "",
            block("chapters", parts["chapters"]),
            "",
            "## Transcript",
            "",
            block("transcript", parts["transcript"]),
            "",
        ]
    )
    return merge_properties(body, props)


def write_source_note(path: Path, info: SourceInfo, transcript: Transcript, props: dict[str, Any]) -> bool:
    """Create the note, or refresh only joeladr's blocks and properties; return whether the file changed."""
    if path.exists():
        existing = read_text(path)
        updated = replace_blocks(existing, bodies(info, transcript), source=str(path))
        updated = merge_properties(updated, props, source=str(path))
        if updated == existing:
            return False
        atomic_write_text(path, updated)
        return True
    atomic_write_text(path, render_new_note(info, transcript, props))
    return True
