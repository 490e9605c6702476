"""The evalset's transcripts as numbered paragraphs: the unit the relevance labels name.

A paragraph is one non-empty line of a transcript file (``**Speaker:** text``, or a line
that continues the previous speaker). Time marks such as ``\\[03:49\\]`` are dropped from
the text. Indexes count from 0 in file order. Run it to read a transcript as the labellers did:

    python bench/eval/paragraphs.py the-changelog-439.md
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

EVALSET = Path(__file__).resolve().parents[3] / "shared" / "evalset"
TRANSCRIPTS = EVALSET / "transcripts"
_SPEAKER = re.compile(r"^\*\*(?P<name>[^*]+?):\*\*\s*")
_MARK = re.compile(r"\\\[\d{1,2}:\d{2}(?::\d{2})?\\\]\s*")


@dataclass(frozen=True)
class Paragraph:
    index: int
    speaker: str
    text: str


def paragraphs(path: Path) -> list[Paragraph]:
    found: list[Paragraph] = []
    speaker = ""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        match = _SPEAKER.match(line)
        if match:
            speaker = match.group("name").strip()
            line = line[match.end() :]
        text = " ".join(_MARK.sub("", line).split())
        if text:
            found.append(Paragraph(len(found), speaker, text))
    return found


def main(argv: list[str]) -> None:
    for name in argv or sorted(p.name for p in TRANSCRIPTS.glob("*.md")):
        for p in paragraphs(TRANSCRIPTS / name):
            print(f"[{p.index}] {p.speaker}: {p.text}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
