"""The query path without torch: the same embedding model run by onnxruntime with the tokenizers library.

``import sentence_transformers`` alone takes about 6 s here; a cold ``joeladr search`` or
``evaluate`` should not pay it. After an ingest (torch is loaded then anyway) the model is
exported once to ONNX under ``JOELADR_HOME/models/`` and checked against
sentence-transformers on probe sentences (cosine >= 0.999 required, 1.000 measured); the
query path then loads onnxruntime + tokenizers (about 0.25 s) instead. Only the
Transformer -> mean Pooling -> (Normalize) pipeline is exported; any other model keeps
using sentence-transformers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from joeladr.atomic import atomic_write_text
from joeladr.embed import canonical_model_name

PROBES = (
    "supervisor restarts a crashed process",
    "Phoenix LiveView pushes diffs over a websocket to the browser",
    "the migration cost of rewriting forty seven functions in another language " * 12,
)
MIN_COSINE = 0.999


def _fingerprint(model_path: Path) -> str:
    digest = hashlib.sha256()
    for name in ("config.json", "modules.json", "tokenizer.json", "model.safetensors", "pytorch_model.bin"):
        file = model_path / name
        if file.exists():
            stat = file.stat()
            digest.update(f"{name}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:12]


def export_dir(home: Path, model_path: Path) -> Path:
    return home / "models" / f"{canonical_model_name(str(model_path)).replace('/', '--')}-{_fingerprint(model_path)}"


def supported(model_path: Path) -> int | None:
    """The model's max sequence length if it is Transformer -> mean pooling (-> Normalize), else None."""
    try:
        modules = json.loads((model_path / "modules.json").read_text())
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds[:2] != ["Transformer", "Pooling"] or any(k not in ("Normalize",) for k in kinds[2:]):
            return None
        pooling_path = model_path / next(m["path"] for m in modules if m["type"].endswith("Pooling")) / "config.json"
        pooling = json.loads(pooling_path.read_text())
        if not pooling.get("pooling_mode_mean_tokens") or any(
            pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_lasttoken")
        ):
            return None
        config = json.loads((model_path / "sentence_bert_config.json").read_text())
        if not (model_path / "tokenizer.json").exists():
            return None
        return int(config.get("max_seq_length", 256))
    except (OSError, ValueError, KeyError, StopIteration):
        return None


class OnnxEmbedder:
    """Unit-length mean-pooled embeddings from an exported model (no torch)."""

    def __init__(self, folder: Path, model_name: str, max_length: int, normalize: bool) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.enable_padding()
        self._model_name = model_name
        self.normalize = normalize
        self.dimension = int(json.loads((folder / "meta.json").read_text())["dimension"])

    @property
    def model_name(self) -> str:
        return self._model_name

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        import numpy as np

        if not texts:
            return []
        result: list[list[float]] = []
        for start in range(0, len(texts), 32):
            encoded = self.tokenizer.encode_batch(list(texts[start : start + 32]))
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            types = np.array([e.type_ids for e in encoded], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            weights = mask[..., None].astype(np.float32)
            vectors = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            if self.normalize:
                vectors = vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
            result.extend(v.astype(float).tolist() for v in vectors)
        return result


def load(home: Path, model_path: Path) -> OnnxEmbedder | None:
    """The exported model for ``model_path`` if it was exported and verified, else None."""
    folder = export_dir(home, model_path)
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("verified_cosine", 0) < MIN_COSINE or not (folder / "model.onnx").exists():
        return None
    try:
        return OnnxEmbedder(folder, meta["model_name"], int(meta["max_length"]), bool(meta["normalize"]))
    except Exception:  # a damaged export: the caller falls back to sentence-transformers
        return None


def export(home: Path, model_path: Path, reference: Any) -> bool:
    """Export once (torch is needed here) and verify against ``reference`` (a SentenceTransformerEmbedder)."""
    max_length = supported(model_path)
    folder = export_dir(home, model_path)
    if max_length is None or (folder / "meta.json").exists():
        return False
    try:
        import shutil

        import torch
        from transformers import AutoModel

        folder.mkdir(parents=True, exist_ok=True)
        model = AutoModel.from_pretrained(str(model_path), local_files_only=True)
        model.eval()

        class Wrapper(torch.nn.Module):
            def __init__(self, inner: Any) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                return self.inner(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                ).last_hidden_state

        sample = torch.ones(1, 8, dtype=torch.long)
        axes = {0: "batch", 1: "tokens"}
        tmp = folder / "model.onnx.tmp"
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Wrapper(model),
                (sample, sample, torch.zeros_like(sample)),
                str(tmp),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={
                    "input_ids": axes,
                    "attention_mask": axes,
                    "token_type_ids": axes,
                    "last_hidden_state": axes,
                },
                opset_version=17,
                dynamo=False,
            )
        tmp.replace(folder / "model.onnx")
        shutil.copy(model_path / "tokenizer.json", folder / "tokenizer.json")
        modules = json.loads((model_path / "modules.json").read_text())
        normalize = any(m["type"].endswith("Normalize") for m in modules)
        dimension = len(reference.embed(["probe"])[0])
        meta = {
            "model_name": reference.model_name,
            "max_length": max_length,
            "normalize": normalize,
            "dimension": dimension,
            "verified_cosine": 0.0,
        }
        atomic_write_text(folder / "meta.json", json.dumps(meta))
        candidate = OnnxEmbedder(folder, reference.model_name, max_length, normalize)
        mine, theirs = candidate.embed(PROBES), reference.embed(PROBES)
        cosine = min(sum(a * b for a, b in zip(x, y, strict=True)) for x, y in zip(mine, theirs, strict=True))
        meta["verified_cosine"] = round(cosine, 6)
        atomic_write_text(folder / "meta.json", json.dumps(meta))
        return bool(cosine >= MIN_COSINE)
    except Exception:  # no exporter, no onnx package...: the query path keeps sentence-transformers
        return False
