"""Ingest: download -> transcript (captions or whisper) -> chunks -> embeddings -> store -> vault note.

Every stage is cached per source under ``JOELADR_HOME/sources/<source_id>/`` and keyed by
what produced it, so a rerun after a crash or Ctrl-C resumes, and a rerun with the same
inputs changes nothing (same points, same note).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from joeladr import interrupt
from joeladr.atomic import Snapshot, StagedWrite, atomic_write_text, read_text, stage
from joeladr.cache import cache_key, read_entry, write_entry
from joeladr.catalog import DOWNLOAD, RECORD, Catalog, SourceRecord
from joeladr.document import Document
from joeladr.embed import Embedder
from joeladr.embed.keywords import keyword_vector
from joeladr.errors import IngestError, JoeladrError, MediaError, UsageError, WriteConflict
from joeladr.faults import checkpoint
from joeladr.ingest.captions import read_captions
from joeladr.ingest.chunking import ChunkSpec, DocumentChunkSpec, chunk_document, chunk_segments
from joeladr.ingest.documents import DocumentSource
from joeladr.ingest.download import Downloaded, Downloader, RemoteMedia, metadata
from joeladr.ingest.inputs import SourceRef, file_source_id, scheme_problem
from joeladr.ingest.media import probe_duration
from joeladr.ingest.routing import Found, Router
from joeladr.ingest.sites import REAL, Hosts
from joeladr.ingest.transcribe import Transcriber
from joeladr.locking import workspace_lock
from joeladr.settings import Settings
from joeladr.store import Point, VectorStore, check_model, point_id
from joeladr.timecode import timestamp
from joeladr.transcript import Chunk, Transcript
from joeladr.vault.blocks import blocks, plain_text
from joeladr.vault.document_notes import document_note_text, document_properties
from joeladr.vault.source_notes import SourceInfo, note_path, properties, source_note_text
from joeladr.vocabulary import domain_terms

CaptionMode = Literal["prefer", "only", "never"]
Report = Callable[[str, float, float | None], None]  # (stage, completed, total)
NoteText = Callable[[Path, dict[str, Any]], tuple[str | None, str]]  # (the note as it is, as it should be)


def quiet_report(stage: str, completed: float, total: float | None) -> None:
    pass


@dataclass
class IngestResult:
    source_id: str
    title: str
    note: Path
    chunks: int
    transcript_origin: str
    changed: bool
    steps: list[str] = field(default_factory=list)


@dataclass
class IngestFailure:
    """One input or entry that could not be ingested: named by its own URL (or path), with the error."""

    input: str
    error: JoeladrError

    def __post_init__(self) -> None:
        # A failure is kept until the end of a run: without its traceback, not the frames (and the yt-dlp
        # session, about 1 MB) it would keep alive, for every failing entry of a page.
        for error in (self.error, self.error.__cause__, self.error.__context__):
            if error is not None:
                error.__traceback__ = None
        self.error.__cause__ = self.error.__context__ = None


class Ingestor:
    """Runs the pipeline with the engines it is given.

    ``store`` is called when the first source reaches the store step, so an ingest can
    open the store (and load the embedding model) after transcription: whisper gets the
    CPU to itself (bench/RESULTS.md). What each input is (media, a feed, a document) is the
    router's call (:mod:`joeladr.ingest.routing`): it reads pages through the downloader's
    guarded ``fetch``, maps GitHub and arXiv addresses with ``hosts``, and takes at most
    ``feed_limit`` episodes of a feed, newest first.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        downloader: Downloader,
        transcriber: Transcriber,
        embedder: Embedder,
        store: Callable[[], VectorStore],
        captions: CaptionMode = "prefer",
        chunking: ChunkSpec | None = None,
        force: bool = False,
        report: Report = quiet_report,
        allow_file_urls: bool = False,
        hosts: Hosts = REAL,
        feed_limit: int | None = None,
        document_chunking: DocumentChunkSpec | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.catalog = Catalog(settings.home)
        self.downloader = downloader
        self.transcriber = transcriber
        self.embedder = embedder
        self.store = store
        self.captions = captions
        self.chunking = chunking or ChunkSpec()
        self.force = force
        self.report = report
        self.allow_file_urls = allow_file_urls
        self.document_chunking = document_chunking or DocumentChunkSpec()
        self.router = Router(downloader, self.catalog, hosts=hosts, feed_limit=feed_limit, force=force)
        self.warn = warn or (lambda message: None)  # what the user should know: one line each
        self._model_checked = False

    # -- inputs --------------------------------------------------------------------
    def expand(self, refs: Sequence[SourceRef]) -> Iterator[tuple[SourceRef, Found | None] | IngestFailure]:
        for ref in refs:
            try:
                found: list[Found] = [] if ref.kind == "file" else self.router.resolve(ref)
                local = self.router.local(ref) if ref.kind == "file" else None
            except JoeladrError as exc:
                yield IngestFailure(ref.url, exc)
                continue
            if ref.kind == "file":
                yield ref, local  # None: a media file
                continue
            for number, media in enumerate(found, 1):
                if isinstance(media, DocumentSource):
                    yield ref, media  # read through the fetch guard: every address it followed was checked
                    continue
                # every entry of a playlist or page passes the same check as a typed URL
                refused = [
                    (link, problem)
                    for link in (media.url, *media.links)
                    if (problem := scheme_problem(link, allow_file_urls=self.allow_file_urls))
                ]
                if not refused:
                    yield ref, media
                    continue
                link, problem = refused[0]
                where = f"entry {number} of {ref.url}" if len(found) > 1 else f"{ref.url} leads to a URL that"
                yield IngestFailure(link, UsageError(f"{where} {problem}"))

    def run(self, refs: Sequence[SourceRef]) -> tuple[list[IngestResult], list[IngestFailure]]:
        results: list[IngestResult] = []
        failures: list[IngestFailure] = []
        for outcome in self.each(refs):
            if isinstance(outcome, IngestFailure):
                failures.append(outcome)
            else:
                results.append(outcome)
        return results, failures

    def each(self, refs: Sequence[SourceRef]) -> Iterator[IngestResult | IngestFailure]:
        """Ingest ``refs`` one source at a time, yielding each outcome as it is known (a server can share
        its ingest lock between sources); a source named twice is ingested once. Raises UsageError before
        any work when more than ``[ingest] max_inputs`` are named."""
        most = self.settings.ingest_max_inputs
        if len(refs) > most:
            raise UsageError(
                f"{len(refs):,} sources named; one ingest takes at most {most:,} (see [ingest] max_inputs)",
                hint="ingest them in smaller groups, or raise [ingest] max_inputs",
            )
        seen: set[str] = set()
        for item in self.expand(refs):
            if isinstance(item, IngestFailure):
                yield item
                continue
            ref, media = item
            key = media.source_id if media is not None else ref.value
            if key in seen:
                continue
            seen.add(key)
            interrupt.check()
            try:
                yield self.ingest_one(ref, media)
            except JoeladrError as exc:
                yield IngestFailure((media.url if media else None) or ref.value, exc)

    # -- one source ----------------------------------------------------------------
    def ingest_one(self, ref: SourceRef, media: Found | None) -> IngestResult:
        if isinstance(media, DocumentSource):
            return self.ingest_document(media)
        steps: list[str] = []
        source_id = media.source_id if media is not None else self._file_id(ref)
        folder = self.catalog.folder(source_id)
        self._check_note(self.catalog.get(source_id))  # a damaged note stops the run before any work is redone
        if self.force:
            self._forget_stages(folder)
        fetched = self._download(media, folder, steps) if media is not None else self._local(ref, folder)
        info = fetched.info
        duration = float(info.get("duration") or 0) or probe_duration(fetched.media_path)
        try:
            transcript = self._transcript(folder, fetched, duration, steps)
        except MediaError:
            if media is not None:  # a download that decodes at first but not to the end; never a user's file
                _remove_download(fetched)
                (folder / DOWNLOAD).unlink(missing_ok=True)
            raise
        source = SourceInfo(
            source_id=source_id,
            title=plain_text(str(info.get("title") or "")) or source_id,
            url=info.get("webpage_url") if media is not None else None,
            video_id=media.video_id if media is not None else None,
            channel=plain_text(str(info.get("channel") or info.get("uploader") or "")) or None,
            published=_published(info.get("upload_date")),
            duration=duration,
            chapters=tuple(info.get("chapters") or ()),
            local_path=ref.value if ref.kind == "file" else None,
        )
        return self.index(source, transcript, steps)

    def ingest_document(self, found: DocumentSource) -> IngestResult:
        """A web page, PDF, Markdown or text file: read (cached), chunked by paragraph, stored and noted."""
        steps: list[str] = []
        folder = self.catalog.folder(found.source_id)
        self._check_note(self.catalog.get(found.source_id))
        if self.force:
            self._forget_stages(folder)
        document, fresh = found.read(folder)
        if fresh:
            steps.append("read")
        checkpoint("read")
        source = SourceInfo(
            source_id=found.source_id,
            title=document.title or found.name,
            url=found.url,
            video_id=None,
            channel=document.author,
            published=document.published,
            duration=float(len(document.paragraphs)),
            local_path=str(found.path) if found.path else None,
            kind=document.kind,
            site=document.site,
            pages=document.pages,
        )
        return self.index_document(source, document, steps)

    def index(self, source: SourceInfo, transcript: Transcript, steps: list[str] | None = None) -> IngestResult:
        """Make a transcript searchable: chunks, embeddings, the store, the vault note and the catalog record."""
        chunks = chunk_segments(transcript.segments, self.chunking)
        if not chunks:
            raise IngestError(f"{source.title}: the transcript is empty (no speech found)")
        embedding_model = self.embedder.model_name
        return self._index(
            source,
            chunks,
            (transcript.origin, transcript.model, self.chunking.key),
            lambda path, props: source_note_text(path, source, transcript, props),
            lambda ingested: properties(source, transcript, ingested=ingested, embedding_model=embedding_model),
            steps,
        )

    def index_document(self, source: SourceInfo, document: Document, steps: list[str] | None = None) -> IngestResult:
        """Make a document searchable: paragraph chunks that keep their headings and pages, then as a talk."""
        chunks = chunk_document(document, self.document_chunking)
        if not chunks:
            raise IngestError(f"{source.url or source.local_path or source.title} has no text to cite")
        embedding_model = self.embedder.model_name
        return self._index(
            source,
            chunks,
            (document.format, document.extractor, self.document_chunking.key),
            lambda path, props: document_note_text(path, source, document, props),
            lambda ingested: document_properties(source, document, ingested=ingested, embedding_model=embedding_model),
            steps,
        )

    def _index(
        self,
        source: SourceInfo,
        chunks: list[Chunk],
        made: tuple[str, str, str],
        note_text: NoteText,
        props_for: Callable[[str], dict[str, Any]],
        steps: list[str] | None,
    ) -> IngestResult:
        """Embeddings, the store, the vault note and the catalog record for ``chunks``.

        ``made``: where the text came from, what made it, and the chunking's key.
        """
        steps = [] if steps is None else steps
        origin, origin_model, chunking = made
        source_id = source.source_id
        folder = self.catalog.folder(source_id)
        vectors = self._embeddings(folder, chunks, steps)
        store = self.store()  # opened before the workspace lock: never wait for the store while holding it
        with workspace_lock(self.settings):  # the catalog record's read-modify-write, whole
            previous = self.catalog.get(source_id)
            ingested = previous.ingested if previous else dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
            props = props_for(ingested)
            recorded = previous.note if previous else None
            note = note_path(self.settings.sources_dir, source, recorded, self.settings.vault)
            # the note is rendered and staged before the store changes: a damaged note or a vault that
            # cannot be written stops here, and the store keeps no source that `sources` does not list
            existing, text = note_text(note, props)
            staged = stage(note, text.encode("utf-8"), Snapshot.of_text(existing)) if text != existing else None
            try:
                changed = self._store(store, source, chunks, vectors, chunking, steps)
                checkpoint("stored")
                if staged is not None:
                    self._commit_note(staged, note_text, props)
                    steps.append("note")
            finally:
                if staged is not None:
                    staged.discard()
            checkpoint("noted")
            record = SourceRecord(
                source_id=source_id,
                title=source.title,
                url=source.url or source.local_path,
                video_id=source.video_id,
                channel=source.channel,
                published=source.published,
                duration=source.duration,
                chunks=len(chunks),
                model=self.embedder.model_name,
                transcript=origin,
                transcript_model=origin_model,
                chunking=chunking,
                ingested=ingested,
                note=os.path.relpath(note, self.settings.sources_dir).replace(os.sep, "/"),
                kind=source.kind,
                site=source.site,
                pages=source.pages,
            )
            self.catalog.put(record)
        return IngestResult(source_id, source.title, note, len(chunks), origin, changed or bool(steps), steps)

    @staticmethod
    def _commit_note(staged: StagedWrite, note_text: NoteText, props: dict[str, Any]) -> None:
        """Rename the staged note into place; if the user saved the note meanwhile, merge into their version."""
        try:
            staged.commit()
            return
        except WriteConflict:
            pass
        for _attempt in range(3):
            existing, updated = note_text(staged.path, props)
            if updated == existing:
                return
            try:
                atomic_write_text(staged.path, updated, expected=Snapshot.of_text(existing))
                return
            except WriteConflict:
                continue
        raise WriteConflict(f"{staged.path} kept changing while joeladr updated it", hint="run ingest again")

    def _check_note(self, record: SourceRecord | None) -> None:
        """Raise MarkerError now if a known source's note has a damaged block (it is checked again on write)."""
        if record is None:
            return
        path = self.settings.sources_dir / record.note
        if path.is_file():
            blocks(read_text(path), str(path))

    def _forget_stages(self, folder: Path) -> None:
        """``--force``: drop every cached stage of a source, but keep its record until the new one is written."""
        if not folder.is_dir():
            return
        for child in folder.iterdir():
            if child.name == RECORD:
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()

    @staticmethod
    def _file_id(ref: SourceRef) -> str:
        try:
            return file_source_id(Path(ref.value))
        except OSError as exc:
            raise IngestError(f"cannot read {ref.value}: {exc.strerror}") from exc

    def _local(self, ref: SourceRef, folder: Path) -> Downloaded:
        path = Path(ref.value)
        info = read_entry(folder / "info.json")
        if info is None:
            info = {"id": folder.name, "title": path.stem, "duration": probe_duration(path)}
            write_entry(folder / "info.json", info)
        return Downloaded(path, None, None, info)

    def _download(self, media: RemoteMedia, folder: Path, steps: list[str]) -> Downloaded:
        done = read_entry(folder / DOWNLOAD)
        if done is not None:
            media_path = folder / done["media"]
            captions_path = folder / done["captions"] if done.get("captions") else None
            if media_path.is_file() and (captions_path is None or captions_path.is_file()):
                return Downloaded(media_path, captions_path, done.get("captions_kind"), done["info"])
        result = self.downloader.download(
            media, folder, captions=self.captions != "never", progress=lambda s, c, t: self.report(s, c, t)
        )
        info = metadata(media.info) | result.info | media.known
        try:
            probed = probe_duration(result.media_path)  # refuse non-media now, not in the transcriber
        except MediaError:
            _remove_download(result)  # what cannot be decoded is not kept in the cache
            raise
        info["duration"] = info.get("duration") or probed
        write_entry(
            folder / DOWNLOAD,
            {
                "info": info,
                "media": result.media_path.name,
                "captions": result.captions_path.name if result.captions_path else None,
                "captions_kind": result.captions_kind,
            },
        )
        steps.append("download")
        checkpoint("downloaded")
        return Downloaded(result.media_path, result.captions_path, result.captions_kind, info)

    def _transcript(self, folder: Path, fetched: Downloaded, duration: float, steps: list[str]) -> Transcript:
        use_captions = fetched.captions_path is not None and self.captions != "never"
        if self.captions == "only" and not use_captions:
            raise IngestError(f"{fetched.media_path.name}: the source has no captions (and --captions only was given)")
        transcriber = self.transcriber.primed(source_terms(fetched.info))
        identity = f"captions:{fetched.captions_kind}" if use_captions else transcriber.identity
        path = folder / f"transcript-{cache_key(identity)}.json"
        cached = read_entry(path)
        if cached is not None:
            return Transcript.from_json(cached)
        if fetched.captions_path is not None and use_captions:
            segments = read_captions(fetched.captions_path, duration)
            transcript = Transcript(tuple(segments), f"captions-{fetched.captions_kind}", "en", "en", duration)
        else:
            self.report("transcribe", 0.0, duration)
            transcript = transcriber.transcribe(
                fetched.media_path, lambda done, total: self.report("transcribe", done, total)
            )
            if transcript.unprimed:
                self.warn(_unprimed_warning(fetched, transcript))
        write_entry(path, transcript.to_json())
        checkpoint("transcribed")
        steps.append("captions" if use_captions else "transcribe")
        return transcript

    def _embeddings(self, folder: Path, chunks: list[Chunk], steps: list[str]) -> list[list[float]]:
        texts = [c.text for c in chunks]
        key = cache_key(self.embedder.model_name, *texts)
        path = folder / f"embeddings-{key}.json"
        cached = read_entry(path)
        if isinstance(cached, list) and len(cached) == len(chunks):
            return [list(map(float, v)) for v in cached]
        vectors: list[list[float]] = []
        batch = 32
        for start in range(0, len(texts), batch):
            interrupt.check()
            vectors.extend(self.embedder.embed(texts[start : start + batch]))
            self.report("embed", float(min(start + batch, len(texts))), float(len(texts)))
        write_entry(path, vectors)
        checkpoint("embedded")
        steps.append("embed")
        return vectors

    def _store(
        self,
        store: VectorStore,
        source: SourceInfo,
        chunks: list[Chunk],
        vectors: list[list[float]],
        chunking: str,
        steps: list[str],
    ) -> bool:
        model = self.embedder.model_name
        if not self._model_checked:  # here, not up front: the store opens after transcription
            check_model(store, model, vectors[0])
            self._model_checked = True
        points = [
            Point(
                id=point_id(source.source_id, chunk.index, model, chunking),
                dense=vector,
                sparse=keyword_vector(chunk.text),
                payload={
                    "source_id": source.source_id,
                    "chunk": chunk.index,
                    "start": chunk.start,
                    "end": chunk.end,
                    "text": chunk.text,
                    "spans": [list(span) for span in chunk.spans],
                    "title": source.title,
                    "url": source.url,
                    "video_id": source.video_id,
                    "model": model,
                    "chunking": chunking,
                }
                | ({"locations": [where.to_json() for where in chunk.locations]} if chunk.locations else {}),
            )
            for chunk, vector in zip(chunks, vectors, strict=True)
        ]
        existing = store.source_points(source.source_id)
        wanted = {p.id: p.payload for p in points}
        if existing == wanted:
            return False
        # new points first, then the stale ones: a crash in between leaves a complete source
        fresh = [p for p in points if existing.get(p.id) != p.payload]
        store.upsert(fresh[: len(fresh) // 2])
        checkpoint("half-stored")
        store.upsert(fresh[len(fresh) // 2 :])
        store.delete([pid for pid in existing if pid not in wanted])
        steps.append("store")
        return True


def _unprimed_warning(fetched: Downloaded, transcript: Transcript) -> str:
    stretches = ", ".join(f"{timestamp(a)}-{timestamp(b)}" for a, b in transcript.unprimed)
    title = plain_text(str(fetched.info.get("title") or "")) or fetched.media_path.name
    return (
        f"{title}: the primed recognizer heard nothing in {stretches}; "
        "that speech was transcribed without priming (the transcript records where)"
    )


def _remove_download(fetched: Downloaded) -> None:
    """Delete a downloaded media file (and its captions) that turned out not to be decodable."""
    for path in (fetched.media_path, fetched.captions_path):
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()


def source_terms(info: dict[str, Any]) -> list[str]:
    """A source's own domain words, from its title, chapter titles and tags (a talk's title names its subject)."""
    titles = [str(info.get("title") or "")]
    titles += [str(c.get("title") or "") for c in info.get("chapters") or () if isinstance(c, dict)]
    titles += [str(t) for t in info.get("tags") or ()]
    return list(dict.fromkeys(term for title in titles for term in domain_terms([], title=title)))


def _published(upload_date: Any) -> str | None:
    text = str(upload_date or "")
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text or None
