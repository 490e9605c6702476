"""`make demo`: the main job on the embedded defaults, offline, in a temp workspace.

The repo's own adrs/ is copied, never edited.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TALK = ROOT / "tests" / "fixtures" / "talks" / "beam-talk.webm"


def run(*args: str, check: bool = True) -> None:
    print(f"\n$ joeladr {' '.join(args)}", flush=True)
    proc = subprocess.run([sys.executable, "-m", "joeladr", *args], check=False)
    if check and proc.returncode != 0:
        sys.exit(proc.returncode)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="joeladr-demo-") as tmp:
        workspace = Path(tmp)
        os.chdir(workspace)
        for name in ("JOELADR_ADR_DIR", "JOELADR_VAULT", "JOELADR_HOME", "JOELADR_CONFIG"):
            os.environ.pop(name, None)
        os.environ["HF_HUB_OFFLINE"] = "1"
        run("init", ".")
        for adr in (ROOT / "adrs").glob("*.md"):
            shutil.copy(adr, workspace / "adrs" / adr.name)
        run("adr", "list")
        run("adr", "show", "0064")
        # A synthetic talk written and synthesized (espeak-ng) for joeladr; it quotes no real speaker.
        run("ingest", str(TALK))
        run("sources")
        run("search", "supervisor restarts a crashed process", "--limit", "2")
        run("adr", "index")
        run("adr", "lint")
        print(f"\ndemo workspace was {workspace} (removed)")


if __name__ == "__main__":
    main()
