"""A folder of ADRs: find by number, list, create the next one."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from joeladr.adr.model import Adr
from joeladr.adr.parse import FILE_NUMBER, load_adr, slugify
from joeladr.adr.templates import render_template
from joeladr.atomic import atomic_write_text
from joeladr.errors import AdrError, AdrNotFound, JoeladrError, UsageError

INDEX_NAME = "README.md"


@dataclass(frozen=True)
class LoadFailure:
    path: Path
    error: JoeladrError


class AdrRepository:
    """The ADRs of one folder (files named ``NNNN-slug.md``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def require_folder(self) -> None:
        if not self.folder.is_dir():
            raise AdrError(
                f"ADR folder {self.folder} does not exist",
                hint="run `joeladr init`, or point JOELADR_ADR_DIR at your ADRs",
            )

    @property
    def index_path(self) -> Path:
        return self.folder / INDEX_NAME

    def paths(self) -> list[Path]:
        """ADR files, sorted by number then name."""
        self.require_folder()
        found = [p for p in self.folder.glob("*.md") if FILE_NUMBER.match(p.name) and p.is_file()]
        return sorted(found, key=lambda p: (int(FILE_NUMBER.match(p.name).group(1)), p.name))  # type: ignore[union-attr]

    def load_all(self) -> tuple[list[Adr], list[LoadFailure]]:
        adrs: list[Adr] = []
        failures: list[LoadFailure] = []
        for path in self.paths():
            try:
                adrs.append(load_adr(path))
            except JoeladrError as exc:
                failures.append(LoadFailure(path, exc))
        return adrs, failures

    def select(self, status: str | None = None, tag: str | None = None) -> tuple[list[Adr], list[LoadFailure]]:
        """The ADRs with this (normalized) status and this tag (either may be None), and the unreadable files."""
        adrs, failures = self.load_all()
        if status:
            adrs = [a for a in adrs if a.status == status.strip().lower()]
        if tag:
            adrs = [a for a in adrs if tag.strip().lower() in (t.lower() for t in a.tags)]
        return adrs, failures

    def by_number(self) -> dict[int, list[Path]]:
        groups: dict[int, list[Path]] = defaultdict(list)
        for path in self.paths():
            groups[int(FILE_NUMBER.match(path.name).group(1))].append(path)  # type: ignore[union-attr]
        return groups

    def find(self, ref: str | int) -> Path:
        """The file for ``64``, ``0064``, ``ADR-0064``, a file name, or a path."""
        text = str(ref).strip()
        candidate = Path(text)
        if candidate.suffix == ".md" and candidate.is_file():
            return candidate
        if (self.folder / text).is_file() and text.endswith(".md"):
            return self.folder / text
        match = re.fullmatch(r"(?:ADR[-\s]?)?(\d{1,5})", text, re.IGNORECASE)
        if not match:
            raise UsageError(f"'{text}' is not an ADR number", hint="give a number such as 64, 0064 or ADR-0064")
        number = int(match.group(1))
        paths = self.by_number().get(number, [])
        if not paths:
            raise AdrNotFound(
                f"no ADR numbered {number:04d} in {self.folder}",
                hint="`joeladr adr list` shows the ADRs there",
            )
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            raise AdrError(f"ADR {number:04d} is ambiguous: {names}", hint="name the file instead of the number")
        return paths[0]

    def get(self, ref: str | int) -> Adr:
        return load_adr(self.find(ref))

    def next_number(self) -> int:
        numbers = self.by_number()
        return max(numbers, default=0) + 1

    def create(
        self,
        title: str,
        template: str,
        *,
        status: str = "proposed",
        date: dt.date | None = None,
        deciders: str | None = None,
    ) -> Path:
        """Write a new ADR from a template with the next free number."""
        title = title.strip()
        if not title:
            raise UsageError("an ADR needs a title")
        self.folder.mkdir(parents=True, exist_ok=True)
        number = self.next_number()
        slug = slugify(title, max_words=10) or "decision"
        path = self.folder / f"{number:04d}-{slug}.md"
        if path.exists():
            raise AdrError(f"{path} already exists", path=path)
        text = render_template(
            template,
            number=number,
            title=title,
            status=status,
            date=(date or dt.date.today()).isoformat(),
            deciders=deciders or "",
        )
        atomic_write_text(path, text)
        return path
