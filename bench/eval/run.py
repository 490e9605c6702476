"""`make eval`: evidence quality on real speech, written to bench/EVAL.md and printed.

    python bench/eval/run.py              # text mode, the blind reader's picks, then the product path
                                          # (voiced, tiny.en, primed)
    python bench/eval/run.py --quick      # text mode and the reader's picks only (seconds)
    python bench/eval/run.py --compare    # also every trade measured: no priming, initial_prompt, a
                                          # mismatched ADR's words, Whisper base, all-mpnet-base-v2,
                                          # retrieval without neighbours or BM25, bigger chunks,
                                          # silence by the floor alone

Everything is cached under bench/eval/.cache (the voiced episodes, each configuration's
workspace), so a second run only evaluates. The first voiced run synthesizes about 7.5 hours
of speech (eight episodes; Piper, several times faster than real time here) and transcribes it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402

OUT = HERE.parents[1] / "bench" / "EVAL.md"
PRODUCT = ["--vocabulary", "adr:0064"]  # what `joeladr ingest --adr 0064` does: the ADR's words and the title's
PICKS = HERE / "picks"  # a blind reader's picks of the exported packets, scored once (README, "The judge")
RUNS = {
    "text": ("Retrieval alone: reference text, synthetic times, all-MiniLM-L6-v2", ["--text"]),
    **{
        f"judged-{split}": (
            f"Judged by a blind reader, {split} (text mode, the same packets a model reads)",
            [
                "--text",
                "--split",
                split,
                "--score-picks",
                str(PICKS.relative_to(HERE.parents[1]) / f"reader-{split}.json"),
            ],
        )
        for split in ("dev", "held", "fresh")
    },
    "voice": ("The product path: voiced, tiny.en primed with ADR-0064's words and the title's", PRODUCT),
}
COMPARE = {
    "voice-plain": ("tiny.en, not primed at all", ["--vocabulary", "none"]),
    "voice-title": ("tiny.en, primed with the title's words only", ["--vocabulary", ""]),
    "voice-prompt": ("tiny.en, ADR-0064's words as initial_prompt", [*PRODUCT, "--prompt"]),
    "voice-mismatch": ("tiny.en primed with a mismatched ADR's words (0901, a broker)", ["--vocabulary", "adr:0901"]),
    "voice-base": ("Whisper base (unverified checksum), primed", [*PRODUCT, "--whisper", "base"]),
    "text-mpnet": ("Retrieval alone with all-mpnet-base-v2", ["--text", "--embedding", "mpnet"]),
    "text-floor": (
        "Retrieval alone, silence by the relevance floor alone (before it was learned)",
        ["--text", "--min-score", "0.35"],
    ),
    "text-no-neighbours": ("Retrieval alone, no neighbour context", ["--text", "--neighbour-weight", "0"]),
    "text-no-keyword": ("Retrieval alone, dense only (no BM25)", ["--text", "--keyword-weight", "0"]),
    "text-chunk-50": ("Retrieval alone, 50-word chunks", ["--text", "--chunk-words", "50"]),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="text mode only")
    parser.add_argument("--compare", action="store_true", help="also the other trades measured")
    args = parser.parse_args()
    runs = {k: v for k, v in RUNS.items() if not args.quick or k != "voice"}
    if args.compare:
        runs |= COMPARE
    parts = [
        "# Evidence quality on real speech",
        "",
        f"`python bench/eval/run.py{' --compare' if args.compare else ''}` ({dt.date.today().isoformat()}); "
        'metrics are defined in bench/eval/harness.py and the README\'s "Evidence quality".',
    ]
    for name, (title, argv) in runs.items():
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            harness.main([*argv, "--json", str(HERE / ".cache" / f"{name}.json")])
        table = buffer.getvalue().split("\n", 1)[1]  # drop the harness's own heading
        parts += ["", f"## {title}", "", f"`python bench/eval/harness.py {' '.join(argv)}`", table.rstrip()]
        print(f"## {title}\n{table}", flush=True)
    OUT.write_text("\n".join(parts) + "\n")
    print(f"written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
