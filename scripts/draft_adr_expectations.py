"""Draft the expected reading of every ADR of a corpus folder, with a deliberately simple reader.

This is how ``tests/fixtures/adr-expected/*.json`` was started: line regexes written from the
corpus notes (``../shared/corpus/outside/README.md``), sharing no code with joeladr's reader.
Where the draft and ``joeladr adr show --json`` disagreed, the file was read by hand and the
JSON corrected (the ``checked`` list of each entry names the fields settled that way). The
tests never run this script; run it to see where a draft and the committed data differ:

    .venv/bin/python scripts/draft_adr_expectations.py ../shared/corpus/outside/kumahq-kuma
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SKIP = re.compile(r"^(readme|index)\.md$|^(\d+-|adr[-.]|adr-short-)?template\.md$", re.IGNORECASE)
NUMBER = re.compile(r"(?:^|[-_])(\d{1,5})(?=[-_.]|$)")


def _strip_marks(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*`]", "", text).strip()


def _status_words(raw: str) -> str | None:
    text = re.sub(r"^[^A-Za-z{\[]+", "", raw.strip())  # emoji, emphasis, bullets
    text = text.strip("*_{}` ")
    if not text or "|" in text:
        return None
    if re.match(r"super[sc]eded", text, re.IGNORECASE):
        return "superseded"
    lead = re.split(r"[,.;:(]| - ", text)[0].strip(" *_")
    words = lead.lower().split()
    if not words or len(words) > 3:
        return None
    return " ".join(words)


def _numbers(text: str) -> list[str]:
    found = []
    for target in re.findall(r"\]\(([^)]+)\)", text):
        name = target.rstrip("/").rsplit("/", 1)[-1]
        match = re.match(r"^(?:adr-|madr-)?0*(\d+)", name, re.IGNORECASE)
        if match:
            found.append(f"{int(match.group(1)):04d}")
    if not found:
        found = [f"{int(n):04d}" for n in re.findall(r"(?:ADR|MADR)[- ]?0*(\d+)", text, re.IGNORECASE)]
    if not found:
        found = [f"{int(n):04d}" for n in re.findall(r"\b0*(\d{1,4})\b", text)]
    return list(dict.fromkeys(found))


def read(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    front: dict[str, str] = {}
    body = lines
    if lines and (lines[0].strip() == "---" or re.match(r"^status:", lines[0])):
        start = 1 if lines[0].strip() == "---" else 0
        end = next((i for i in range(start, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            for i in range(start, end):
                match = re.match(r"^([A-Za-z_-]+):\s*(.*?)\s*(?:#.*)?$", lines[i])
                if match:
                    value = match.group(2)
                    if value in ("|", ">", "|-", ">-") and i + 1 < end:
                        value = lines[i + 1].strip()
                    front[match.group(1).lower()] = value.strip("'\"")
            body = lines[end + 1 :]
    title = front.get("title")
    if not title:
        heading = next((line for line in body if re.match(r"^#\s", line)), None)
        title = heading[2:].strip() if heading else None
    if title:
        title = re.sub(r"^\[[^\]]*\[[^\]]*\]\([^)]*\)\]\s*", "", title)
        title = re.sub(r"^(?:ADR[- ]?\d+:\s*|\d+\.?\s+)", "", title)
        title = _strip_marks(title)
    raw_status = front.get("status")
    if raw_status is None:
        for line in body[:15]:
            match = re.match(r"^\s*[*-]\s+\**status\**:\s*(.+)$", line, re.IGNORECASE)
            if match:
                raw_status = match.group(1)
                break
    if raw_status is None:
        for i, line in enumerate(body):
            if re.match(r"^#+\s*status\s*$", line, re.IGNORECASE):
                raw_status = next((b for b in body[i + 1 :] if b.strip()), None)
                break
    status = _status_words(raw_status) if raw_status else None
    superseded_by = _numbers(raw_status.split("by", 1)[1]) if raw_status and " by " in raw_status.lower() else []
    date = front.get("date")
    if date is None:
        for line in body[:15]:
            match = re.match(r"^\s*(?:[*-]\s+)?date:?\s+(.+)$", line, re.IGNORECASE)
            if match:
                date = match.group(1).strip()
                break
    if date is not None:
        iso = re.search(r"\d{4}-\d{1,2}-\d{1,2}", date)
        date = iso.group(0) if iso else date.strip("{}[] ")
    if date is None:
        named = re.match(r"^(\d{4}-\d{2}-\d{2})_", path.name)
        date = named.group(1) if named else None
    supersedes: list[str] = []
    for line in lines:
        match = re.match(r"^\s*(?:[*-]\s+)?supersedes:?\s+(.+)$", line, re.IGNORECASE)
        if match:
            supersedes += _numbers(match.group(1))
    number = NUMBER.search(re.sub(r"^\d{4}-\d{2}-\d{2}_", "", path.name))
    return {
        "number": int(number.group(1)) if number else None,
        "title": title,
        "status": status,
        "date": date,
        "superseded_by": superseded_by,
        "supersedes": list(dict.fromkeys(supersedes)),
    }


def main(folder: Path) -> None:
    drafts = {
        p.name: read(p) for p in sorted(folder.glob("*.md")) if not SKIP.search(p.name) and not p.name.startswith(".")
    }
    json.dump(drafts, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
