"""A folder of ADRs: discovery under every common naming, find by number, list, create the next one."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from joeladr.adr.format import AdrText
from joeladr.adr.model import Adr
from joeladr.adr.naming import INDEX_NAMES, FileName, NamePattern, is_template, learn_naming, read_name
from joeladr.adr.parse import load_adr, slugify
from joeladr.adr.style import FolderStyle, learn_style
from joeladr.adr.templates import render_new
from joeladr.atomic import Snapshot, atomic_write_text, read_text
from joeladr.errors import AdrError, AdrNotFound, JoeladrError, UsageError
from joeladr.markdown import split_lines

if TYPE_CHECKING:
    from joeladr.settings import Settings

MAX_TITLE = 200
SLUG_CHARS = 80
STYLE_SAMPLE = 40
"""How many of the newest ADRs a folder's style is learned from (the current style, and a bounded cost)."""
_HEADING_OR_FRONT = re.compile(r"^(?:---\s*$|#{1,6}\s+\S|[A-Za-z_][\w-]*:\s)", re.MULTILINE)


@dataclass(frozen=True)
class LoadFailure:
    path: Path
    error: JoeladrError


@dataclass(frozen=True)
class Entry:
    """One ADR file of the folder: its path, what its name says, and the number joeladr knows it by."""

    path: Path
    name: FileName
    number: int


class AdrRepository:
    """The ADRs of one folder, named in any of the conventions :mod:`joeladr.adr.naming` reads
    (or the folder's own ``pattern``)."""

    @classmethod
    def of(cls, settings: Settings) -> AdrRepository:
        """The workspace's ADR folder, named as its settings say, its edits under the workspace lock."""
        from joeladr.locking import workspace_lock

        return cls(settings.adr_dir, settings.adr_pattern, lock=workspace_lock(settings))

    def __init__(
        self,
        folder: Path,
        pattern: str | NamePattern | None = None,
        *,
        lock: AbstractContextManager[object] | None = None,
    ) -> None:
        """``lock`` is held around every read-modify-write of the folder's files (:meth:`of` gives the
        workspace lock); without one, an edit is still refused if its file changed since it was read."""
        self.folder = Path(folder)
        self.pattern = NamePattern.parse(pattern) if isinstance(pattern, str) else pattern
        self.lock: AbstractContextManager[object] = lock if lock is not None else nullcontext()
        self._cache: tuple[tuple[object, ...], list[Entry]] | None = None

    def require_folder(self) -> None:
        if not self.folder.is_dir():
            raise AdrError(
                f"ADR folder {self.folder} does not exist",
                hint="run `joeladr init`, or point JOELADR_ADR_DIR at your ADRs",
            )

    # -- discovery -----------------------------------------------------------------
    def entries(self) -> list[Entry]:
        """Every ADR file with its number, sorted by number then name.

        Names that carry no number (log4brains' ``20200925-slug.md``) are numbered in name order,
        after the highest number a name carries, the order log4brains lists them in.
        """
        self.require_folder()
        candidates = sorted(self.folder.glob("*.md"))
        key = tuple((p.name, *_stamp(p)) for p in candidates)
        if self._cache is not None and self._cache[0] == key:
            return list(self._cache[1])
        entries = self._discover(candidates)
        self._cache = (key, entries)
        return list(entries)

    def _discover(self, candidates: list[Path]) -> list[Entry]:
        named: list[tuple[Path, FileName]] = []
        for path in candidates:
            name = read_name(path.name, self.pattern)
            if name is not None and path.is_file() and _looks_like_adr(path):
                named.append((path, name))
        highest = max((n.number for _, n in named if n.number is not None), default=0)
        entries: list[Entry] = []
        for path, name in sorted(named, key=lambda pair: (pair[1].date or "", pair[0].name)):
            if name.number is None:
                highest += 1
                entries.append(Entry(path, name, highest))
        entries += [Entry(p, n, n.number) for p, n in named if n.number is not None]
        return sorted(entries, key=lambda e: (e.number, e.path.name))

    def paths(self) -> list[Path]:
        """ADR files, sorted by number then name."""
        return [e.path for e in self.entries()]

    def unrecognized(self) -> list[Path]:
        """Markdown files of the folder that are neither ADRs, index files nor templates."""
        self.require_folder()
        known = {e.path for e in self.entries()}
        return [
            p
            for p in sorted(self.folder.glob("*.md"))
            if p.is_file()
            and p not in known
            and p.name not in INDEX_NAMES
            and not is_template(p.name)
            and not p.name.startswith(".")
        ]

    def _numbers_by_name(self) -> dict[str, int]:
        """Numbers of the files whose names carry none, from the entries last discovered (discovered once
        when none were): a link is resolved without listing the folder again."""
        entries = self._cache[1] if self._cache is not None else self.entries()
        return {e.path.name: e.number for e in entries if e.name.number is None}

    def resolve(self, target: str) -> int | None:
        """The number of the ADR a link target or slug names, for names that carry none."""
        if not self.folder.is_dir():
            return None
        name = target.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if not name.endswith(".md"):
            name += ".md"
        return self._numbers_by_name().get(name)

    def number_of(self, path: Path) -> int | None:
        name = read_name(path.name, self.pattern)
        if name is not None and name.number is not None:
            return name.number
        return self._numbers_by_name().get(path.name)

    def load(self, path: Path) -> Adr:
        return load_adr(path, number=self.number_of(path), resolve=self.resolve)

    def load_all(self) -> tuple[list[Adr], list[LoadFailure]]:
        adrs: list[Adr] = []
        failures: list[LoadFailure] = []
        for entry in self.entries():
            try:
                adrs.append(load_adr(entry.path, number=entry.number, resolve=self.resolve))
            except JoeladrError as exc:
                failures.append(LoadFailure(entry.path, exc))
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
        for entry in self.entries():
            groups[entry.number].append(entry.path)
        return groups

    def find(self, ref: str | int) -> Path:
        """The file for ``64``, ``0064``, ``ADR-0064``, a file name, or a path."""
        text = str(ref).strip()
        candidate = Path(text)
        if candidate.suffix == ".md" and candidate.is_file():
            return candidate
        if (self.folder / text).is_file() and text.endswith(".md"):
            return self.folder / text
        if (self.folder / f"{text}.md").is_file():
            return self.folder / f"{text}.md"
        match = re.fullmatch(r"(?:(?:M?ADR|RFC)[-\s_]?)?0*(\d{1,6})", text, re.IGNORECASE)
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
        return self.load(self.find(ref))

    def next_number(self) -> int:
        numbers = self.by_number()
        return max(numbers, default=0) + 1

    # -- the folder's style and index ----------------------------------------------
    def style(self) -> FolderStyle:
        """What the folder's ADRs have in common (naming, template family, status form, line endings, ...)."""
        entries = self.entries() if self.folder.is_dir() else []
        parsed: list[AdrText] = []
        newest = sorted(entries, key=lambda e: (e.name.date or "", e.number, e.path.name))[-STYLE_SAMPLE:]
        for entry in newest:
            try:
                parsed.append(AdrText(read_text(entry.path), entry.path, number=entry.number, resolve=self.resolve))
            except JoeladrError:
                continue
        return learn_style(parsed, learn_naming([e.name for e in entries], self.pattern))

    @property
    def index_path(self) -> Path:
        """The folder's index: the README.md or index.md that lists ADRs (README.md when neither does)."""
        found = self.index_file()
        return found if found is not None else self.folder / INDEX_NAMES[0]

    def index_file(self) -> Path | None:
        """The README.md or MADR's index.md that lists the folder's ADRs, if one does."""
        from joeladr.adr.index import lists_adrs

        for name in INDEX_NAMES:
            path = self.folder / name
            if path.is_file() and lists_adrs(read_text(path)):
                return path
        return None

    # -- new ADRs ------------------------------------------------------------------
    def create(
        self,
        title: str,
        template: str | None = None,
        *,
        status: str | None = None,
        date: dt.date | None = None,
        deciders: str | None = None,
        fallback_template: str = "joelclaw",
    ) -> Path:
        """Write a new ADR with the next free number, in the folder's own style.

        ``template`` (joelclaw, madr, nygard) overrides the family the folder's ADRs follow; an
        empty folder uses ``fallback_template``. Naming, number width, heading form, status form
        and case, line endings and the default status always follow the folder.
        """
        title = check_title(title)
        with self.lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            style = self.style()
            number = self.next_number()
            today = date or dt.date.today()
            slug = slugify(title, max_words=10)[:SLUG_CHARS].rstrip("-") or "decision"
            path = self.folder / style.naming.render(number, slug, today)
            if path.exists():
                raise AdrError(f"{path} already exists", path=path)
            text = render_new(
                style,
                template,
                fallback=fallback_template,
                number=number,
                title=title,
                status=status,
                date=today.isoformat(),
                deciders=deciders or "",
            )
            atomic_write_text(path, text, expected=Snapshot.of_text(None))
        return path


def check_title(title: str) -> str:
    """A title fit for a heading and a file name: one line (spaces collapsed) of at most 200 characters."""
    title = " ".join(title.split())
    if not title:
        raise UsageError("an ADR needs a title")
    if any(unicodedata.category(ch) == "Cc" for ch in title):
        raise UsageError("an ADR title must be plain text (no control characters)")
    if len(title) > MAX_TITLE:
        raise UsageError(
            f"an ADR title is at most {MAX_TITLE} characters (this one has {len(title)})",
            hint="shorten the title; put the detail in the Context section",
        )
    return title


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


def _looks_like_adr(path: Path) -> bool:
    """A file named like an ADR that has a heading or front matter (not a code-only companion file).

    Files that cannot be read stay in: reading them later reports why.
    """
    try:
        head = read_text(path)
    except JoeladrError:
        return True
    if "\x00" in head:
        return True
    text = "".join(split_lines(head.lstrip("\ufeff")))
    in_fence = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if not in_fence and _HEADING_OR_FRONT.match(line):
            return True
    return False
