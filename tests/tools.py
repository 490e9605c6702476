"""The tools users run on the same ADR folders as joeladr, for the interop tests: adr-tools and log4brains.

`make test` installs them (`make tools`): adr-tools 3.0.0 from Debian (`apt-get install adr-tools`, as root
or through sudo) and log4brains 1.1.0 from npm into the checkout's git-ignored ``.tools/``. They run as
their users run them, in fresh folders under the test's tmp_path, offline (log4brains' Next.js telemetry
off); nothing here is a stand-in.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".tools" / "node_modules"
TIMEOUT = 300  # seconds: `log4brains build` is a Next.js build (about a minute on 2 cores)


def adr_tools() -> str:
    found = shutil.which("adr")
    if found is None:
        pytest.fail("adr-tools is missing: `make tools` installs it (apt-get install adr-tools)")
    return found


def log4brains() -> Path:
    found = TOOLS / ".bin" / "log4brains"
    if not found.is_file():
        pytest.fail("log4brains is missing: `make tools` installs it (npm install --prefix .tools log4brains@1.1.0)")
    return found


def environment(**extra: str) -> dict[str, str]:
    """The tools' environment: no editor to open, no telemetry, a git identity for the commits log4brains reads."""
    env = {
        **os.environ,
        "PATH": f"{TOOLS / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "VISUAL": "true",
        "EDITOR": "true",
        "NEXT_TELEMETRY_DISABLED": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, **extra: str) -> str:
    """Run a tool; its stdout. A failure fails the test with what the tool said."""
    done = subprocess.run(
        args, cwd=cwd, env=environment(**extra), capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def adr(cwd: Path, *args: str) -> str:
    """adr-tools' ``adr`` (``ADR_DATE`` fixed, so its files do not depend on the day)."""
    return run([adr_tools(), *args], cwd, ADR_DATE="2024-03-01")


def l4b(cwd: Path, *args: str) -> str:
    return run([str(log4brains()), *args], cwd)


def git_commit(cwd: Path, message: str) -> None:
    """log4brains reads ADR dates from git, and `adr new` refuses a repository without a commit."""
    run(["git", "add", "-A"], cwd)
    run(["git", "commit", "-q", "--allow-empty", "-m", message], cwd)


def l4b_list(cwd: Path) -> dict[str, tuple[str, str, str]]:
    """``log4brains adr list --raw``: slug -> (status, package, title), as log4brains reads the folder."""
    found: dict[str, tuple[str, str, str]] = {}
    for line in l4b(cwd, "adr", "list", "--raw").splitlines():
        slug, status, package, title = next(csv.reader([line]))
        found[slug] = (status.lower(), package, title)
    return found


def l4b_supersede(cwd: Path, superseded: str, superseder: str) -> None:
    """log4brains' own supersession (what `log4brains adr new` does when asked "Does this ADR supersede a previous
    one?"), called through its core library so no terminal prompt has to be driven."""
    script = (
        f"const {{ Log4brains }} = require({json.dumps(str(TOOLS / '@log4brains' / 'core'))});"
        f"Log4brains.create(process.cwd()).supersedeAdr({json.dumps(superseded)}, {json.dumps(superseder)})"
        ".then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });"
    )
    log4brains()
    run(["node", "-e", script], cwd)


def l4b_build(cwd: Path, out: Path) -> dict[str, dict[str, Any]]:
    """``log4brains build``: the static site; each ADR's page data (slug, title, status, supersededBy, body)."""
    l4b(cwd, "build", "--out", str(out))
    pages = sorted(out.glob("_next/data/*/adr/**/*.json"))
    adrs = [json.loads(page.read_text())["pageProps"]["currentAdr"] for page in pages]
    return {adr["slug"]: adr for adr in adrs}
