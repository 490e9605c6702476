"""Facts about a media file read with PyAV (shipped with faster-whisper): is it audio, how long."""

from __future__ import annotations

import re
from pathlib import Path

from joeladr.errors import MediaError


def probe_duration(path: Path) -> float:
    """Seconds of audio in ``path``; raise MediaError if it is not decodable audio or video."""
    path = Path(path)
    import av

    try:
        with av.open(str(path)) as container:
            streams = [s for s in container.streams if s.type == "audio"]
            if not streams:
                raise MediaError(f"{path.name} has no audio stream")
            stream = streams[0]
            if stream.duration is not None and stream.time_base is not None:
                seconds = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                seconds = container.duration / 1_000_000
            else:
                seconds = 0.0
                for frame in container.decode(stream):
                    seconds = float(frame.time or 0.0) + (frame.samples / (frame.sample_rate or 1))  # type: ignore[union-attr]
            # decode the first frame: a file with a valid header but garbage data fails here
            container.seek(0)
            next(iter(container.decode(stream)), None)
    except MediaError:
        raise
    except (av.error.FFmpegError, StopIteration, ValueError, OSError) as exc:
        raise MediaError(f"{path.name} is not audio or video that can be decoded ({_reason(exc)})") from exc
    if seconds <= 0:
        raise MediaError(f"{path.name} holds no audio")
    return seconds


def _reason(exc: BaseException) -> str:
    text = (str(exc).strip() or type(exc).__name__).split("\n")[0]
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text)
    text = re.sub(r":\s*'[^']*'$", "", text)  # the path, already named
    return text[:120]
