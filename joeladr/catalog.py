"""The source catalog: one typed record per ingested source (``JOELADR_HOME/sources/<id>/source.json``).

Ingest writes a record when a source is fully stored and noted; search, evaluate, decide
and ``joeladr sources`` read them. The record is the only place that says which vault
note belongs to a source, so every reader asks the catalog, never the pipeline.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, asdict, dataclass, fields
from pathlib import Path
from typing import Any

from joeladr.cache import read_entry, write_entry
from joeladr.errors import UsageError
from joeladr.timecode import timestamp

RECORD = "source.json"
DOWNLOAD = "download.json"  # what the ingest downloaded into a source's folder (its media file's name)
SOURCE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")  # YouTube ids, extractor-id-hash, file-<sha256 prefix>


@dataclass(frozen=True)
class SourceRecord:
    source_id: str
    title: str
    url: str | None  # the web page, or the local file's path
    video_id: str | None
    channel: str | None
    published: str | None
    duration: float
    chunks: int
    model: str  # the embedding model
    transcript: str  # where the text came from: whisper, captions-manual, captions-auto
    transcript_model: str
    chunking: str
    ingested: str
    note: str  # the vault note, relative to the sources folder
    kind: str = "talk"  # or a document's: article, paper, readme, text
    site: str | None = None  # a web page's site
    pages: int | None = None  # a PDF's pages

    @property
    def is_document(self) -> bool:
        return self.kind != "talk"

    @property
    def length(self) -> str:
        """How long the source is, as people say it: ``12:34`` of a talk, ``6 pages``, ``41 paragraphs``."""
        if not self.is_document:
            return timestamp(self.duration)
        if self.pages:
            return f"{self.pages} page{'s' * (self.pages != 1)}"
        count = int(self.duration)
        return f"{count} paragraph{'s' * (count != 1)}"

    @property
    def note_name(self) -> str:
        """The note's name as Obsidian links it (``[[name]]``)."""
        return Path(self.note).stem

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceRecord | None:
        """The record, or None when the data is not one (a damaged or foreign file)."""
        try:
            optional = {f.name for f in fields(cls) if f.default is not MISSING}  # added later: older records lack them
            values = {f.name: data[f.name] for f in fields(cls) if f.name in data or f.name not in optional}
            return cls(**values)
        except (KeyError, TypeError):
            return None


class Catalog:
    """The records under one ``JOELADR_HOME``."""

    def __init__(self, home: Path) -> None:
        self.root = Path(home) / "sources"

    def folder(self, source_id: str) -> Path:
        """Where a source's stage caches and its record live."""
        if not SOURCE_ID.fullmatch(source_id):
            raise UsageError(f"'{source_id}' is not a source id", hint="`joeladr sources` lists them")
        return self.root / source_id

    def get(self, source_id: str) -> SourceRecord | None:
        data = read_entry(self.folder(source_id) / RECORD)
        return SourceRecord.from_json(data) if isinstance(data, dict) else None

    def put(self, record: SourceRecord) -> bool:
        """Write the record if it changed; return whether it did."""
        if self.get(record.source_id) == record:
            return False
        write_entry(self.folder(record.source_id) / RECORD, record.to_json())
        return True

    def media(self, source_id: str) -> Path | None:
        """The media file the ingest downloaded for a source (None for local files and missing downloads)."""
        done = read_entry(self.folder(source_id) / DOWNLOAD)
        if not isinstance(done, dict) or not isinstance(done.get("media"), str):
            return None
        path = self.folder(source_id) / Path(done["media"]).name
        return path if path.is_file() else None

    def all(self) -> list[SourceRecord]:
        """Every complete record, by title."""
        records = []
        if self.root.is_dir():
            for entry in sorted(self.root.iterdir()):
                record = self.get(entry.name) if SOURCE_ID.fullmatch(entry.name) else None
                if record is not None:
                    records.append(record)
        return sorted(records, key=lambda r: r.title.lower())
