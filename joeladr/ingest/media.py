"""Media files read with PyAV (shipped with faster-whisper): is it audio, how long, and its samples in pieces."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joeladr.errors import IngestError, MediaError

if TYPE_CHECKING:
    import numpy as np


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


SAMPLING_RATE = 16000
_GROUP = 500_000  # samples decoded before each resampling, as faster-whisper's decode_audio


def decode_pieces(path: Path) -> Iterator[np.ndarray]:
    """The audio of ``path`` as 16 kHz mono int16 pieces (about 10 s each), decoded as it is read.

    The same samples as faster-whisper's ``decode_audio`` (PyAV, the same resampler, invalid frames
    skipped), which holds the whole file in memory; this holds one piece. Raises MediaError.
    """
    import av

    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLING_RATE)
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            fifo = av.audio.fifo.AudioFifo()
            for frame in _valid_frames(container.decode(audio=0)):
                frame.pts = None  # the FIFO would check timestamps
                fifo.write(frame)
                if fifo.samples >= _GROUP:
                    yield from _resampled(resampler, fifo.read())
            if fifo.samples > 0:
                yield from _resampled(resampler, fifo.read())
            yield from _resampled(resampler, None)  # flush
    except av.error.FFmpegError as exc:
        raise MediaError(f"{path.name} is not audio that can be decoded ({_reason(exc)})") from exc
    finally:
        del resampler
        gc.collect()  # PyAV's resampler keeps memory until collected (faster-whisper issue 390)


def _valid_frames(frames: Iterator[Any]) -> Iterator[Any]:
    while True:
        try:
            yield next(frames)
        except StopIteration:
            return
        except Exception as exc:
            if type(exc).__name__ != "InvalidDataError":
                raise


def _resampled(resampler: Any, frame: Any) -> Iterator[np.ndarray]:
    for out in resampler.resample(frame):
        yield out.to_ndarray().reshape(-1)


def as_float(pcm: np.ndarray) -> np.ndarray:
    """int16 samples as the float32 faster-whisper works on."""
    import numpy as np

    return pcm.astype(np.float32) / 32768.0


class PcmSpool:
    """Decoded audio kept on disk (16 kHz int16: 115 MB an hour), read back by sample ranges.

    An anonymous temporary file in ``folder`` (the workspace's cache, not a tmpfs): the kernel removes
    it when it is closed or the process dies. Writing raises IngestError when the disk is full.
    """

    def __init__(self, folder: Path | None = None) -> None:
        import tempfile

        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self._file = tempfile.TemporaryFile(dir=folder, prefix="joeladr-audio-")  # noqa: SIM115 (closed on exit)
        self.folder = folder
        self.samples = 0

    def __enter__(self) -> PcmSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def write(self, pcm: np.ndarray) -> None:
        import numpy as np

        try:
            self._file.write(np.ascontiguousarray(pcm, dtype=np.int16).tobytes())
        except OSError as exc:
            where = self.folder or Path(self._file.name).parent
            raise IngestError(
                f"cannot keep the decoded audio in {where}: {exc.strerror or exc}",
                hint="free some disk space there and run again",
            ) from exc
        self.samples += len(pcm)

    def read(self, start: int, end: int) -> np.ndarray:
        """Samples ``start`` to ``end`` as float32."""
        import numpy as np

        self._file.seek(start * 2)
        data = self._file.read(max(0, end - start) * 2)
        return as_float(np.frombuffer(data, dtype=np.int16))
