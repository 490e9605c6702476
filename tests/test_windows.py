"""Transcription in windows: memory flat in the audio's duration, and the same transcript as one pass (issue 24)."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

from joeladr.ingest.media import PcmSpool, as_float, decode_pieces
from joeladr.ingest.speech import BATCHED_RULES, SpeechDetector, VadRules, plan_units, speech_spans
from joeladr.ingest.transcribe import FasterWhisperTranscriber, split_sentences
from joeladr.transcript import Segment, Word
from tests.ingested import BEAM


def _talk_pcm() -> np.ndarray:
    return np.concatenate(list(decode_pieces(BEAM)))


def test_audio_streamed_in_pieces_is_what_faster_whisper_decodes_and_hears() -> None:
    """The streamed decode gives faster-whisper's samples; the VAD fed in odd-sized pieces gives its speech
    spans (both rule sets), and the units are its batched pipeline's chunks."""
    from faster_whisper.audio import decode_audio
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    pcm = _talk_pcm()
    whole = decode_audio(str(BEAM))
    assert np.array_equal(as_float(pcm), whole)
    silence = np.zeros(16000 * 7 + 123, dtype=np.int16)  # a pause, and a length that is no whole window
    audio = np.concatenate([pcm[: 16000 * 40], silence, pcm[16000 * 40 :], silence[:333]])
    for rules in (BATCHED_RULES, VadRules(), VadRules(max_speech_duration_s=12, min_silence_duration_ms=500)):
        detector = SpeechDetector()
        for start in range(0, len(audio), 70_001):
            detector.feed(as_float(audio[start : start + 70_001]))
        spans = speech_spans(detector.finish(), len(audio), rules)
        options = VadOptions(**{k: getattr(rules, k) for k in VadOptions.__dataclass_fields__})
        expected = get_speech_timestamps(as_float(audio), options)
        assert spans == expected and len(spans) >= 2, rules
    _, chunks = collect_chunks(as_float(audio), expected, max_duration=30)
    units = plan_units(expected, 30)
    assert [(u.offset / 16000, u.samples / 16000) for u in units] == [(c["offset"], c["duration"]) for c in chunks]


def test_windowed_transcription_is_the_one_pass_transcription() -> None:
    """Heard two units a window (three windows for the BEAM talk), the transcript is faster-whisper's one
    pass over the whole file, segment for segment and word for word, with the same batches. (A guard for the
    windowing: the one pass is what the old code ran, so this passes there too.)"""
    from faster_whisper import BatchedInferencePipeline

    transcriber = FasterWhisperTranscriber(batch_size=2, word_timestamps=True)
    raw, _ = BatchedInferencePipeline(transcriber._model()).transcribe(
        str(BEAM), batch_size=2, vad_filter=True, word_timestamps=True, language="en", beam_size=5
    )
    expected = []
    for piece in raw:
        words = tuple(Word(round(float(w.start), 3), round(float(w.end), 3), w.word) for w in piece.words or ())
        segment = Segment(round(float(piece.start), 3), round(float(piece.end), 3), piece.text.strip(), words)
        expected.extend(split_sentences(segment, keep_words=True))
    assert list(transcriber.transcribe(BEAM).segments) == expected and len(expected) > 20


def test_sequential_transcription_is_the_one_pass_transcription(tmp_path: Path) -> None:
    """``batch_size = 0`` (the sequential decoder, heard in windows of 10 minutes of speech): the BEAM talk, a
    minute of silence, the talk again is faster-whisper's own sequential pass with its VAD, segment for segment
    and word for word, timed in the media (the speech-only timeline mapped back across the silence)."""
    audio = tmp_path / "talk-silence-talk.wav"
    _talk_in_silence(audio, 2 * len(_talk_pcm()) / 16000 / 60 + 1)
    transcriber = FasterWhisperTranscriber(batch_size=0, word_timestamps=True)
    raw, _ = transcriber._model().transcribe(
        str(audio), vad_filter=True, word_timestamps=True, language="en", beam_size=5
    )
    expected = []
    for piece in raw:
        words = tuple(Word(round(float(w.start), 3), round(float(w.end), 3), w.word) for w in piece.words or ())
        segment = Segment(round(float(piece.start), 3), round(float(piece.end), 3), piece.text.strip(), words)
        expected.extend(split_sentences(segment, keep_words=True))
    assert list(transcriber.transcribe(audio).segments) == expected and len(expected) > 20
    assert expected[-1].start > 60 + len(_talk_pcm()) / 16000  # the second talk, after the silence


PEAK = """
import resource, sys
from pathlib import Path
from joeladr.ingest.transcribe import FasterWhisperTranscriber
words = len(FasterWhisperTranscriber().transcribe(Path(sys.argv[1])).text.split())
print(words, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _talk_in_silence(path: Path, minutes: float) -> None:
    """The BEAM talk, silence, the BEAM talk again: ``minutes`` long, always the same speech to hear."""
    talk = _talk_pcm()
    silence = int(minutes * 60 * 16000) - 2 * len(talk)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(talk.tobytes())
        minute = np.zeros(16000 * 60, dtype=np.int16).tobytes()
        for _ in range(silence // (16000 * 60)):
            out.writeframes(minute)
        out.writeframes(np.zeros(silence % (16000 * 60), dtype=np.int16).tobytes())
        out.writeframes(talk.tobytes())


def test_peak_memory_does_not_grow_with_the_audios_duration(tmp_path: Path) -> None:
    """Two hours hold the same speech as three minutes; each is transcribed in its own process (default
    settings). Decoding the whole file at once peaked at 2.2x the short file's memory (1742 MiB against
    802 MiB, measured on the old code); in windows both peak alike."""
    peaks = {}
    for minutes in (3, 120):
        audio = tmp_path / f"talk-{minutes}.wav"
        _talk_in_silence(audio, minutes)
        proc = subprocess.run([sys.executable, "-c", PEAK, str(audio)], capture_output=True, text=True, check=False)
        audio.unlink()
        assert proc.returncode == 0, proc.stderr
        words, peak = map(int, proc.stdout.split())
        assert words > 600  # the speech was heard, twice
        peaks[minutes] = peak
    assert peaks[120] < 1.25 * peaks[3], peaks


def test_the_spool_keeps_samples_exactly(tmp_path: Path) -> None:
    pcm = _talk_pcm()
    scratch = tmp_path / "scratch"
    with PcmSpool(scratch) as spool:
        for start in range(0, len(pcm), 99_999):
            spool.write(pcm[start : start + 99_999])
        assert spool.samples == len(pcm)
        assert np.array_equal(spool.read(12_345, 678_901), as_float(pcm[12_345:678_901]))
    assert list(scratch.iterdir()) == []  # an anonymous file: nothing left behind
