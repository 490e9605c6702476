"""Source notes in the Obsidian vault: properties, chapters, and a transcript of timestamp links."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joeladr.atomic import Snapshot, atomic_write_text, read_text
from joeladr.errors import NoteError
from joeladr.timecode import time_link, timestamp
from joeladr.transcript import Transcript
from joeladr.vault.blocks import block, escape_inline, merge_properties, replace_blocks, safe_url

_OWNER = re.compile(r"^joeladr_id:[ \t]*['\"]?([^'\"\s]+)", re.MULTILINE)
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
    duration: float  # seconds of a talk; paragraphs of a document
    chapters: tuple[dict[str, Any], ...] = ()
    local_path: str | None = None
    kind: str = "talk"  # or a document's: article, paper, readme, text
    site: str | None = None
    pages: int | None = None


def is_regular_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (after symlinks): a FIFO, socket or device named ``*.md`` is not
    a note, and opening a FIFO would wait for a writer forever."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def note_owner(path: Path) -> str | None:
    """The source id a note carries in its ``joeladr_id`` property (None: none, unreadable, or not a regular file)."""
    if not is_regular_file(path):
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(16384)
    except OSError:
        return None
    if not head.startswith("---"):
        return None
    front = head.split("\n---", 1)[0]
    match = _OWNER.search(front)
    return match.group(1) if match else None


def find_note(vault: Path, source_id: str) -> Path | None:
    """The note anywhere in the vault (outside dot folders such as .trash) that carries ``source_id``;
    only regular files are read."""
    if not vault.is_dir():
        return None
    for folder, subfolders, files in os.walk(vault):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".md") and not name.startswith(".") and note_owner(Path(folder) / name) == source_id:
                return Path(folder) / name
    return None


def note_path(sources_dir: Path, info: SourceInfo, existing: str | None = None, vault: Path | None = None) -> Path:
    """Where this source's note is: the recorded one, else the note that carries its id, else a new name.

    A recorded note that was moved or renamed is found again by its ``joeladr_id``; a new note
    never takes a name whose note belongs to another source (or to the user): two talks with
    the same title get two notes.
    """
    if existing:
        recorded = sources_dir / existing
        if is_regular_file(recorded) and note_owner(recorded) in (info.source_id, None):
            return recorded
    found = find_note(vault if vault is not None else sources_dir, info.source_id)
    if found is not None:
        return found
    if existing and not (sources_dir / existing).exists():
        return sources_dir / existing  # deleted: recreate it where links to it point
    title = safe_name(info.title)
    base = f"{title} ({info.video_id})" if info.video_id else title
    for name in (base, f"{base} ({info.source_id[-8:]})", f"{base} ({info.source_id})"):
        candidate = sources_dir / f"{name}.md"
        if not candidate.exists():
            return candidate
    raise NoteError(f"no free note name for {info.source_id} in {sources_dir}", hint="rename one of the notes there")


def properties(info: SourceInfo, transcript: Transcript, *, ingested: str, embedding_model: str) -> dict[str, Any]:
    return {
        "type": "source",
        "title": info.title,
        "url": info.url or "",
        "video_id": info.video_id or "",
        "channel": info.channel or "",
        "published": info.published or "",
        "duration": int(info.duration),  # whole seconds (as the note shows them): a number to every YAML reader
        "tags": ["joeladr/source"],
        "ingested": ingested,
        "transcript": transcript.origin,
        "model": transcript.model,
        "embedding_model": embedding_model,
        "joeladr_id": info.source_id,
    }


def _line(info: SourceInfo, seconds: float, text: str) -> str:
    link = safe_url(time_link(info.url, info.video_id, seconds))
    stamp = f"[{timestamp(seconds)}]({link})" if link else f"`{timestamp(seconds)}`"
    return f"{stamp} {escape_inline(text)}"


def bodies(info: SourceInfo, transcript: Transcript) -> dict[str, str]:
    summary = [f"> [!info] {escape_inline(info.title)}"]
    facts = [escape_inline(x) for x in (info.channel, info.published, timestamp(info.duration)) if x]
    summary.append("> " + " · ".join(facts))
    if safe_url(info.url):
        summary.append(f"> [Open the source]({safe_url(info.url)})")
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


def source_note_text(
    path: Path, info: SourceInfo, transcript: Transcript, props: dict[str, Any]
) -> tuple[str | None, str]:
    """(the note as it is, or None; the note as it should be): joeladr's blocks and properties refreshed.

    A damaged note (an end marker deleted) raises MarkerError here, before anything is written.
    """
    if not path.exists():
        return None, render_new_note(info, transcript, props)
    existing = read_text(path)
    updated = replace_blocks(existing, bodies(info, transcript), source=str(path))
    return existing, merge_properties(updated, props, source=str(path))


def write_source_note(path: Path, info: SourceInfo, transcript: Transcript, props: dict[str, Any]) -> bool:
    """Create the note, or refresh only joeladr's blocks and properties; return whether the file changed."""
    existing, updated = source_note_text(path, info, transcript, props)
    if updated == existing:
        return False
    atomic_write_text(path, updated, expected=Snapshot.of_text(existing))
    return True
