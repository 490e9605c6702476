"""The torch-free query path gives the same vectors as sentence-transformers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from joeladr.embed.onnx import MIN_COSINE, export, load
from joeladr.embed.transformer import SentenceTransformerEmbedder
from tests.ingested import TALKS, Ingested


def test_exported_model_matches_sentence_transformers(tmp_path: Path) -> None:
    reference = SentenceTransformerEmbedder()
    model = Path(reference.model)
    assert load(tmp_path, model) is None  # nothing exported yet: callers fall back
    assert export(tmp_path, model, reference) is True
    onnx = load(tmp_path, model)
    assert onnx is not None and onnx.model_name == reference.model_name and onnx.dimension == 384
    texts = [p["text"] for p in json.loads((TALKS / "beam-talk.json").read_text())["paragraphs"]]
    texts += ["GenServer", "a " * 600]  # a single rare word, and a text past the 256-token cap
    for mine, theirs in zip(onnx.embed(texts), reference.embed(texts), strict=True):
        assert sum(a * b for a, b in zip(mine, theirs, strict=True)) >= MIN_COSINE


def test_a_cold_search_process_does_not_import_torch(ingested: Ingested) -> None:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['joeladr', *{ingested.args()!r}, 'search', 'supervisor restarts a crashed process', '--json']\n"
        "try:\n    runpy.run_module('joeladr', run_name='__main__')\nexcept SystemExit as e:\n    assert not e.code\n"
        "print('TORCH', 'torch' in sys.modules, 'sentence_transformers' in sys.modules, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "TORCH False False" in proc.stderr
    assert json.loads(proc.stdout)[0]["title"] == "beam-talk"
