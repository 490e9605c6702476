"""`make demo`: the whole workflow on the embedded defaults, offline, in a temp workspace.

init -> ingest a synthetic talk shipped in the repo -> search -> evaluate ADR-0064 ->
curate three findings (standing in for the user) -> evaluate -> decide --dry-run -> report.
The repo's own adrs/ is copied, never edited, so ADR-0064 stays proposed. The workspace is
kept, and the last line is the path of the report page.
"""

from __future__ import annotations

import json
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


def capture(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "joeladr", *args], check=True, capture_output=True, text=True)
    return proc.stdout


def curate_like_a_user() -> None:
    """Stand in for the user's judgement: accept the best finding of three criteria and say what it supports."""
    data = json.loads(capture("evaluate", "0064", "--json"))
    stances = {"supervision-model": "B", "selective-adoption": "B", "liveview-for-tui-web": "B"}
    for criterion in data["criteria"]:
        if criterion["id"] in stances and criterion["findings"]:
            finding = criterion["findings"][0]["id"]
            print(f"\n$ joeladr finding 0064 {finding} --accept --supports {stances[criterion['id']]}", flush=True)
            capture("finding", "0064", finding, "--accept", "--supports", stances[criterion["id"]])


def main() -> None:
    workspace = Path(tempfile.mkdtemp(prefix="joeladr-demo-"))  # kept: the report page lives in it
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
    run("evaluate", "0064")
    curate_like_a_user()
    run("evaluate", "0064")
    run("decide", "0064", "--dry-run")
    run("adr", "lint")
    run("report", "0064")
    report = workspace / "vault" / "decisions" / "ADR-0064 report.html"
    if not report.is_file():
        sys.exit(f"the report was not written: {report}")
    print(f"\ndemo workspace: {workspace} (kept; delete it when done)")
    print(f"the report for ADR-0064: {report}")


if __name__ == "__main__":
    main()
