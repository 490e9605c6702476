"""How many ADRs joeladr reads fully right, per folder: "ADRs read fully right / total".

"Fully right" means the file is found as an ADR and its number, title, status, date and
supersession (both directions) equal the reading kept in ``tests/fixtures/adr-expected/``
(written for the tests, independently of joeladr's reader; see that folder's README).
Run from the repository root, with ``../shared`` beside it:

    .venv/bin/python scripts/adr_reading.py             # the table
    .venv/bin/python scripts/adr_reading.py --details   # and every field read wrong
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "fixtures" / "adr-expected"
SHARED = ROOT.parent / "shared"
FIELDS = ("number", "title", "status", "date", "superseded_by", "supersedes")


def score(expected_file: Path) -> tuple[str, int, int, list[str]]:
    """(folder, read fully right, total, what was wrong) for one expectation file."""
    sys.path.insert(0, str(ROOT))
    from joeladr.adr.repo import AdrRepository

    data = json.loads(expected_file.read_text(encoding="utf-8"))
    folder = SHARED / "corpus" / data["corpus"]
    repo = AdrRepository(folder)
    adrs, failures = repo.load_all()
    found = {a.path.name: a.to_json() for a in adrs}
    wrong: list[str] = [f"{f.path.name}: unreadable: {f.error.message}" for f in failures]
    right = 0
    for name, want in data["adrs"].items():
        got = found.get(name)
        if got is None:
            wrong.append(f"{name}: not found as an ADR")
            continue
        bad = [f"{field}={got[field]!r} (expected {want[field]!r})" for field in FIELDS if got[field] != want[field]]
        if bad:
            wrong.append(f"{name}: " + "; ".join(bad))
        else:
            right += 1
    for name in data.get("not_adrs", []):
        if name in found:
            wrong.append(f"{name}: read as an ADR, but it is not one")
    return data["corpus"], right, len(data["adrs"]), wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every field read wrong")
    parser.add_argument("files", nargs="*", type=Path, help="expectation files (default: all)")
    args = parser.parse_args()
    files = args.files or sorted(EXPECTED.glob("*.json"))
    print("| folder | ADRs read fully right / total |")
    print("|---|---|")
    total_right = total = 0
    details: list[str] = []
    for path in files:
        corpus, right, count, wrong = score(path)
        total_right += right
        total += count
        print(f"| `{corpus}` | {right} / {count} ({right / count:.0%}) |")
        details += [f"{corpus}/{line}" for line in wrong]
    print(f"| all | {total_right} / {total} ({total_right / total:.0%}) |")
    if args.details and details:
        print()
        print("\n".join(details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
