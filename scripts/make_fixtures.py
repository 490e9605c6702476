"""Synthesize the speech fixtures in tests/fixtures/talks/ (needs espeak-ng, sox and ffmpeg).

Each ``*.txt`` holds paragraphs, each led by ``# key: value`` lines. Every paragraph is
spoken by espeak-ng, the pieces are joined with a second of silence, and the result is
encoded as a small Opus ``.webm``. ``<name>.json`` records each paragraph's tags and its
start and end second, which the tests use as ground truth. These talks are synthetic,
written for joeladr's tests; they quote no real speaker.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

TALKS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "talks"
GAP = 1.0


def paragraphs(text: str) -> tuple[dict[str, str], list[tuple[dict[str, str], str]]]:
    header: dict[str, str] = {}
    result: list[tuple[dict[str, str], str]] = []
    for block in text.strip().split("\n\n"):
        tags, words = {}, []
        for line in block.splitlines():
            if line.startswith("# "):
                key, _, value = line[2:].partition(":")
                tags[key.strip()] = value.strip()
            else:
                words.append(line.strip())
        for key in ("title", "channel"):
            if key in tags:
                header[key] = tags.pop(key)
        result.append((tags, " ".join(words)))
    return header, result


def duration(path: Path) -> float:
    with wave.open(str(path)) as handle:
        return handle.getnframes() / handle.getframerate()


def _vtt_time(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}:{seconds % 60:06.3f}"


def build(source: Path) -> None:
    header, parts = paragraphs(source.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        pieces: list[Path] = []
        spans = []
        clock = 0.0
        silence = Path(tmp) / "gap.wav"
        subprocess.run(
            ["sox", "-n", "-r", "22050", "-c", "1", "-b", "16", str(silence), "trim", "0", str(GAP)], check=True
        )
        for index, (tags, words) in enumerate(parts):
            wav = Path(tmp) / f"p{index}.wav"
            subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(wav), words], check=True)
            seconds = duration(wav)
            spans.append({**tags, "start": round(clock, 2), "end": round(clock + seconds, 2), "text": words})
            pieces += [wav, silence]
            clock += seconds + GAP
        joined = Path(tmp) / "talk.wav"
        subprocess.run(["sox", *map(str, pieces), str(joined)], check=True)
        target = source.with_suffix(".webm")
        subprocess.run(
            [
                "ffmpeg",
                "-y",
                "-loglevel",
                "error",
                "-i",
                str(joined),
                "-ac",
                "1",
                "-ar",
                "16000",
                "-c:a",
                "libopus",
                "-b:a",
                "16k",
                str(target),
            ],
            check=True,
        )
    manifest = {**header, "duration": round(clock - GAP, 2), "paragraphs": spans}
    source.with_suffix(".json").write_text(json.dumps(manifest, indent=2) + "\n")
    # WebVTT captions from the paragraph times: the captions fast path is tested with these
    cues = ["WEBVTT", ""]
    for span in spans:
        cues += [f"{_vtt_time(span['start'])} --> {_vtt_time(span['end'])}", span["text"], ""]
    source.with_suffix(".en.vtt").write_text("\n".join(cues))
    print(f"{target.name}: {target.stat().st_size // 1024} KiB, {manifest['duration']} s")


if __name__ == "__main__":
    for text in sorted(TALKS.glob("*.txt")) if len(sys.argv) < 2 else map(Path, sys.argv[1:]):
        build(text)
