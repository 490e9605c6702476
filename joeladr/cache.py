"""Cache entries under JOELADR_HOME: JSON that carries its own checksum, so a torn or damaged entry reads as missing.

What lives there can always be made again: each source's stages (``sources/<id>/``: download record,
transcript, embeddings, the catalog record) and anything else a step caches. What cannot be made
again (the evaluation's finding records) lives in the vault instead (:mod:`joeladr.evaluate.run`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from joeladr import bounds
from joeladr.atomic import atomic_write_bytes


def cache_key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def write_entry(path: Path, data: Any) -> None:
    """Write ``data`` with a sha256 of its JSON, atomically."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(payload.encode()).hexdigest()
    atomic_write_bytes(path, json.dumps({"sha256": digest, "data": data}, ensure_ascii=False).encode())


def read_entry(path: Path) -> Any | None:
    """The entry's data, or None if it is missing, truncated or does not match its checksum."""
    bounds.check(path)
    try:
        wrapper = json.loads(path.read_bytes())
        data = wrapper["data"]
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True)
        if hashlib.sha256(payload.encode()).hexdigest() != wrapper["sha256"]:
            return None
        return data
    except (OSError, ValueError, KeyError, TypeError):
        return None
