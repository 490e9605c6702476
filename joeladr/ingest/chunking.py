"""Time-aligned, overlapping passages sized for the embedding model.

all-MiniLM-L6-v2 truncates at 256 word pieces; English speech runs about 1.3 word
pieces per word, so a chunk is capped well under that. Chunks are built from whole
transcript segments, so every chunk starts and ends on a segment boundary and
knows its start and end second, and each segment's own times (``Chunk.spans``), so a
quote cut from a chunk shows its own time. The defaults (target 25 words, ~6 words
overlap, about 8-12 s of speech) held on real podcasts: on the held-aside episodes,
ADR-0064 got top-1 5/10 and P@3 16/30 at 25 words, 4/10 and 15/30 at 50, 4/10 and 11/30
at 90 (``python bench/eval/harness.py --text --chunk-words N``). Retrieval judges a chunk
with its neighbours (joeladr/retrieve.py) instead of blurring its timestamp with more words.

A document is chunked by paragraph instead (:func:`chunk_document`): written text comes in
paragraphs that each hold a point, and a chunk never crosses a heading, so its heading path is
one. Its positions count paragraphs where a talk's count seconds, and each sentence carries its
:class:`~joeladr.location.Location`. Not yet measured against the labels: ``bench/eval/documents.py``
publishes the evalset's transcripts as documents for that.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from joeladr.document import Document
from joeladr.location import Location
from joeladr.transcript import Chunk, Segment


@dataclass(frozen=True)
class ChunkSpec:
    target_words: int = 25
    overlap_words: int = 6
    max_words: int = 180  # ~234 word pieces: under the 256 the model reads

    @property
    def key(self) -> str:
        raw = f"v2:{self.target_words}:{self.overlap_words}:{self.max_words}"
        return hashlib.sha256(raw.encode()).hexdigest()[:12]


def _split_long(segment: Segment, max_words: int) -> list[Segment]:
    """A segment longer than the cap is cut into equal-time pieces."""
    words = segment.text.split()
    if len(words) <= max_words:
        return [segment]
    pieces = [words[i : i + max_words] for i in range(0, len(words), max_words)]
    span = (segment.end - segment.start) / len(pieces)
    return [
        Segment(segment.start + i * span, segment.start + (i + 1) * span, " ".join(piece))
        for i, piece in enumerate(pieces)
    ]


def chunk_segments(segments: list[Segment] | tuple[Segment, ...], spec: ChunkSpec | None = None) -> list[Chunk]:
    spec = spec or ChunkSpec()
    units: list[Segment] = []
    for segment in segments:
        if segment.text.strip():
            units.extend(_split_long(segment, spec.max_words))
    chunks: list[Chunk] = []
    start = 0
    while start < len(units):
        end = start
        words = 0
        while end < len(units) and (words < spec.target_words or end == start):
            next_words = len(units[end].text.split())
            if words and words + next_words > spec.max_words:
                break
            words += next_words
            end += 1
        piece = units[start:end]
        texts = [s.text.strip() for s in piece]
        offsets = [sum(len(t) + 1 for t in texts[:i]) for i in range(len(texts))]
        chunks.append(
            Chunk(
                index=len(chunks),
                start=round(piece[0].start, 3),
                end=round(piece[-1].end, 3),
                text=" ".join(texts),
                spans=tuple((o, round(s.start, 3), round(s.end, 3)) for o, s in zip(offsets, piece, strict=True)),
            )
        )
        if end >= len(units):
            break
        # step back over whole segments worth ~overlap_words, but always move forward
        back = end
        carried = 0
        while back - 1 > start and carried < spec.overlap_words:
            back -= 1
            carried += len(units[back].text.split())
        start = back if back > start else end
    return chunks


@dataclass(frozen=True)
class DocumentChunkSpec:
    """Paragraph-sized chunks of a document: short paragraphs under one heading join until ``target_words``;
    a paragraph over ``max_words`` (~234 word pieces, under MiniLM's 256) is cut at sentences."""

    target_words: int = 60
    max_words: int = 180

    @property
    def key(self) -> str:
        raw = f"doc1:{self.target_words}:{self.max_words}"
        return hashlib.sha256(raw.encode()).hexdigest()[:12]


_SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’)\]]))\s+(?=[\"“‘(\[]?[A-Z0-9])")


def sentences(text: str, max_words: int) -> list[str]:
    """``text`` cut after each sentence; a sentence over ``max_words`` words is cut into pieces that long."""
    found: list[str] = []
    for sentence in _SENTENCE_BREAK.split(text.strip()):
        words = sentence.split()
        found.extend(" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words))
    return [s for s in found if s]


def chunk_document(document: Document, spec: DocumentChunkSpec | None = None) -> list[Chunk]:
    """The document's paragraphs as chunks that never cross a heading, each span a sentence with its location.

    Positions count paragraphs: paragraph ``n`` (from 1) spans ``n - 1`` to ``n``, its sentences share it equally.
    """
    spec = spec or DocumentChunkSpec()
    pieces: list[list[tuple[str, float, float, Location]]] = []  # per paragraph part: (sentence, start, end, where)
    number = 0
    for block in document.blocks:
        if block.heading:
            continue
        number += 1
        said = sentences(block.text, spec.max_words)
        if not said:
            continue
        where = Location(document.format, number, block.page, block.section, block.anchor)
        timed = [(s, number - 1 + i / len(said), number - 1 + (i + 1) / len(said), where) for i, s in enumerate(said)]
        pieces.extend(_parts(timed, spec.max_words))
    chunks: list[Chunk] = []
    group: list[tuple[str, float, float, Location]] = []
    for part in pieces:
        words = sum(len(s.split()) for s, *_ in group)
        more = sum(len(s.split()) for s, *_ in part)
        same_heading = bool(group) and group[-1][3].section == part[0][3].section
        if group and (words >= spec.target_words or not same_heading or words + more > spec.max_words):
            chunks.append(_document_chunk(len(chunks), group))
            group = []
        group.extend(part)
    if group:
        chunks.append(_document_chunk(len(chunks), group))
    return chunks


def _parts(
    timed: list[tuple[str, float, float, Location]], max_words: int
) -> list[list[tuple[str, float, float, Location]]]:
    """A paragraph's sentences in runs of at most ``max_words`` words, of about equal size."""
    total = sum(len(s.split()) for s, *_ in timed)
    if total <= max_words:
        return [timed]
    size = total / -(-total // max_words)  # the words per run when cut into the fewest runs
    runs: list[list[tuple[str, float, float, Location]]] = [[]]
    count = 0
    for item in timed:
        words = len(item[0].split())
        if runs[-1] and (count + words > max_words or count >= size):
            runs.append([])
            count = 0
        runs[-1].append(item)
        count += words
    return runs


def _document_chunk(index: int, group: list[tuple[str, float, float, Location]]) -> Chunk:
    texts = [s for s, *_ in group]
    offsets = [sum(len(t) + 1 for t in texts[:i]) for i in range(len(texts))]
    return Chunk(
        index=index,
        start=round(group[0][1], 3),
        end=round(group[-1][2], 3),
        text=" ".join(texts),
        spans=tuple((o, round(s, 3), round(e, 3)) for o, (_, s, e, _) in zip(offsets, group, strict=True)),
        locations=tuple(where for *_, where in group),
    )
