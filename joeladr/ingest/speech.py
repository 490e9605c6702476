"""Where the speech is: Silero VAD (shipped with faster-whisper) over audio that arrives in pieces.

faster-whisper's ``get_speech_timestamps`` wants the whole waveform in memory (4 bytes a sample,
230 MB an hour, and copies of it). The Silero model is recurrent: run over consecutive pieces
with its state and its 64-sample context carried over, it gives exactly the probabilities it
gives over the whole file. :func:`speech_spans` then applies faster-whisper's own rules to those
probabilities (a port of ``get_speech_timestamps``; ``tests/test_windows.py`` checks both against
faster-whisper on real audio), and :func:`plan_units` groups the spans the way its batched
pipeline does (``collect_chunks``). The probabilities take 4 bytes per 32 ms of audio.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from joeladr.ingest.media import SAMPLING_RATE

WINDOW = 512  # samples per probability
CONTEXT = 64  # samples of the previous window the model sees
_RUN = 10_000  # windows per model call (as faster-whisper)


@dataclass(frozen=True)
class VadRules:
    """faster-whisper's ``VadOptions`` (the same fields and defaults)."""

    threshold: float = 0.5
    neg_threshold: float | None = None
    min_speech_duration_ms: int = 0
    max_speech_duration_s: float = float("inf")
    min_silence_duration_ms: int = 2000
    speech_pad_ms: int = 400


# what faster-whisper uses: its batched pipeline, and its sequential decoder (whose spans we cap so that
# a window of audio stays bounded: a stretch of speech with no 2-second pause is cut after 10 minutes)
BATCHED_RULES = VadRules(max_speech_duration_s=30, min_silence_duration_ms=160)
SEQUENTIAL_RULES = VadRules(max_speech_duration_s=600)


class SpeechDetector:
    """Feed consecutive pieces of 16 kHz mono float32 audio; :meth:`finish` gives one speech probability
    per 512 samples, the same numbers faster-whisper's VAD gives for the whole waveform."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self._state = np.zeros((2, 1, 1, 128), dtype=np.float32)  # h and c
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._probs: list[np.ndarray] = []
        self.samples = 0

    def feed(self, audio: np.ndarray) -> None:
        self.samples += len(audio)
        pending = np.concatenate([self._pending, audio]) if len(self._pending) else audio
        whole = len(pending) // WINDOW * WINDOW
        if whole:
            self._run(pending[:whole])
        self._pending = np.array(pending[whole:], dtype=np.float32)

    def finish(self) -> np.ndarray:
        """The probabilities; the audio is padded with zeros to a whole window, as faster-whisper pads it
        (a whole window of zeros when it already ends on one)."""
        self._run(np.pad(self._pending, (0, WINDOW - len(self._pending))))
        self._pending = np.zeros(0, dtype=np.float32)
        return np.concatenate(self._probs) if self._probs else np.zeros(0, dtype=np.float32)

    def _run(self, audio: np.ndarray) -> None:
        windows = audio.reshape(-1, WINDOW)
        context = np.concatenate([self._context[None, :], windows[:-1, -CONTEXT:]])
        self._context = np.array(windows[-1, -CONTEXT:])
        batched = np.concatenate([context, windows], axis=1)
        for start in range(0, len(batched), _RUN):
            out, h, c = self._session.run(
                None, {"input": batched[start : start + _RUN], "h": self._state[0], "c": self._state[1]}
            )
            self._state = np.stack([h, c])
            self._probs.append(np.asarray(out, dtype=np.float32).reshape(-1))


def speech_spans(probs: np.ndarray, samples: int, rules: VadRules) -> list[dict[str, int]]:
    """faster-whisper's speech timestamps (``{"start", "end"}`` in samples) from the probabilities of
    :class:`SpeechDetector` for ``samples`` samples of audio: its ``get_speech_timestamps``, line for line."""
    sr = SAMPLING_RATE
    threshold = rules.threshold
    neg_threshold = rules.neg_threshold if rules.neg_threshold is not None else max(threshold - 0.15, 0.01)
    min_speech_samples = sr * rules.min_speech_duration_ms / 1000
    speech_pad_samples = sr * rules.speech_pad_ms / 1000
    max_speech_samples = sr * rules.max_speech_duration_s - WINDOW - 2 * speech_pad_samples
    min_silence_samples = sr * rules.min_silence_duration_ms / 1000
    min_silence_samples_at_max_speech = sr * 98 / 1000

    triggered = False
    speeches: list[dict[str, int]] = []
    current: dict[str, int] = {}
    temp_end = prev_end = next_start = 0
    for i, prob in enumerate(probs.tolist()):
        if prob >= threshold and temp_end:
            temp_end = 0
            if next_start < prev_end:
                next_start = WINDOW * i
        if prob >= threshold and not triggered:
            triggered = True
            current["start"] = WINDOW * i
            continue
        if triggered and WINDOW * i - current["start"] > max_speech_samples:
            if prev_end:
                current["end"] = prev_end
                speeches.append(current)
                current = {}
                if next_start < prev_end:  # reached silence before, and it is still not speech
                    triggered = False
                else:
                    current["start"] = next_start
                prev_end = next_start = temp_end = 0
            else:
                current["end"] = WINDOW * i
                speeches.append(current)
                current = {}
                prev_end = next_start = temp_end = 0
                triggered = False
                continue
        if prob < neg_threshold and triggered:
            if not temp_end:
                temp_end = WINDOW * i
            if WINDOW * i - temp_end > min_silence_samples_at_max_speech:  # do not cut in a very short silence
                prev_end = temp_end
            if WINDOW * i - temp_end < min_silence_samples:
                continue
            current["end"] = temp_end
            if current["end"] - current["start"] > min_speech_samples:
                speeches.append(current)
            current = {}
            prev_end = next_start = temp_end = 0
            triggered = False
            continue
    if current and samples - current["start"] > min_speech_samples:
        current["end"] = samples
        speeches.append(current)
    _pad(speeches, samples, speech_pad_samples)
    return speeches


def _pad(speeches: list[dict[str, int]], samples: int, pad: float) -> None:
    for i, speech in enumerate(speeches):
        if i == 0:
            speech["start"] = int(max(0, speech["start"] - pad))
        if i != len(speeches) - 1:
            silence = speeches[i + 1]["start"] - speech["end"]
            if silence < 2 * pad:
                speech["end"] += int(silence // 2)
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - silence // 2))
            else:
                speech["end"] = int(min(samples, speech["end"] + pad))
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - pad))
        else:
            speech["end"] = int(min(samples, speech["end"] + pad))


@dataclass(frozen=True)
class Unit:
    """What the recognizer hears as one piece: speech spans joined end to end (the silence between them
    left out). ``offset`` is where it starts in the speech-only timeline, in samples."""

    spans: tuple[tuple[int, int], ...]
    offset: int

    @property
    def samples(self) -> int:
        return sum(end - start for start, end in self.spans)

    @property
    def start(self) -> float:
        """Where it starts in the media, in seconds."""
        return self.spans[0][0] / SAMPLING_RATE

    @property
    def end(self) -> float:
        return self.spans[-1][1] / SAMPLING_RATE


def plan_units(spans: Sequence[dict[str, int]], max_seconds: float | None) -> list[Unit]:
    """The spans grouped into units of at most ``max_seconds`` of speech, in order, as faster-whisper's
    ``collect_chunks`` groups them for its batched pipeline (a span longer than that is a unit of its
    own); ``None``: every span is a unit (the sequential decoder's windows are made of these)."""
    units: list[Unit] = []
    limit = max_seconds * SAMPLING_RATE if max_seconds is not None else None
    current: list[tuple[int, int]] = []
    length = offset = 0
    for span in spans:
        start, end = span["start"], span["end"]
        if current and (limit is None or length + end - start > limit):
            units.append(Unit(tuple(current), offset))
            offset += length
            current, length = [], 0
        current.append((start, end))
        length += end - start
    if current:
        units.append(Unit(tuple(current), offset))
    return units


def timeline(spans: Sequence[dict[str, int]]) -> Any:
    """faster-whisper's map from the speech-only timeline back to the media's (``SpeechTimestampsMap``)."""
    from faster_whisper.vad import SpeechTimestampsMap

    return SpeechTimestampsMap(list(spans), SAMPLING_RATE)
