"""A folder of ADRs (and its log4brains packages): discovery under every common naming, find by number or slug,
list, create the next one."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections import Counter, defaultdict
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from joeladr.adr.fields import Resolver
from joeladr.adr.format import AdrText
from joeladr.adr.model import Adr
from joeladr.adr.naming import (
    INDEX_NAMES,
    FileName,
    NamePattern,
    NewName,
    folder_tool,
    is_template,
    learn_naming,
    log4brains_packages,
    read_name,
)
from joeladr.adr.parse import load_adr, slugify
from joeladr.adr.style import FolderStyle, learn_style
from joeladr.adr.templates import TEMPLATE_FILES, fill_template, fillable, render_new
from joeladr.atomic import Snapshot, atomic_write_text, read_text
from joeladr.errors import AdrError, AdrNotFound, JoeladrError, UsageError
from joeladr.markdown import split_lines

if TYPE_CHECKING:
    from joeladr.settings import Settings

TOOL_TEMPLATES = {"adr-tools": "nygard", "log4brains": "madr2"}
"""The template an empty folder of adr-tools or log4brains gets (without a template file): the tool's own."""
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
    """One ADR file: its path, what its name says, its number (from the name) and its key, the name
    joeladr knows it by (the 4-digit number, or the slug when the name carries none, ``package/slug``
    in a log4brains package)."""

    path: Path
    name: FileName
    number: int | None
    key: str
    package: str | None = None

    @property
    def slug(self) -> str | None:
        return self.key if self.package is not None or self.number is None else None


class AdrRepository:
    """The ADRs of one folder, named in any of the conventions :mod:`joeladr.adr.naming` reads
    (or the folder's own ``pattern``), and of the log4brains packages its ``.log4brains.yml`` names."""

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
        self._packages: dict[str, Path] | None = None
        self._lookup_cache: tuple[list[Entry], dict[str, str]] | None = None

    def require_folder(self) -> None:
        if not self.folder.is_dir():
            raise AdrError(
                f"ADR folder {self.folder} does not exist",
                hint="run `joeladr init`, or point JOELADR_ADR_DIR at your ADRs",
            )

    @property
    def packages(self) -> dict[str, Path]:
        """log4brains' packages: name -> ADR folder (``project.packages`` of its ``.log4brains.yml``)."""
        if self._packages is None:
            self._packages = log4brains_packages(self.folder) if self.folder.is_dir() else {}
        return self._packages

    def folders(self) -> list[tuple[str | None, Path]]:
        """(package name or None, folder): the ADR folder, then each package's."""
        return [(None, self.folder), *self.packages.items()]

    # -- discovery -----------------------------------------------------------------
    def entries(self) -> list[Entry]:
        """Every ADR file: numbered names by number, then the others (log4brains' ``20200925-slug.md``)
        in date and name order, the order log4brains lists them in."""
        self.require_folder()
        candidates = [(package, path) for package, folder in self.folders() for path in sorted(folder.glob("*.md"))]
        key = tuple((str(p), *_stamp(p)) for _, p in candidates)
        if self._cache is not None and self._cache[0] == key:
            return list(self._cache[1])
        entries = self._discover(candidates)
        self._cache = (key, entries)
        return list(entries)

    def _discover(self, candidates: list[tuple[str | None, Path]]) -> list[Entry]:
        entries: list[Entry] = []
        for package, path in candidates:
            name = read_name(path.name, self.pattern if package is None else None)
            if name is None or not path.is_file() or not _looks_like_adr(path):
                continue
            if package is not None:
                key = f"{package}/{path.stem}"
            else:
                key = f"{name.number:04d}" if name.number is not None else path.stem
            entries.append(Entry(path, name, name.number, key, package))
        return sorted(
            entries,
            key=lambda e: (e.number is None, e.number or 0, e.package or "", e.name.date or "", e.path.name),
        )

    def paths(self) -> list[Path]:
        """ADR files, in :meth:`entries` order."""
        return [e.path for e in self.entries()]

    def unrecognized(self) -> list[Path]:
        """Markdown files of the folders that are neither ADRs, index files nor templates."""
        self.require_folder()
        known = {e.path for e in self.entries()}
        return [
            p
            for _, folder in self.folders()
            for p in sorted(folder.glob("*.md"))
            if p.is_file()
            and p not in known
            and p.name not in INDEX_NAMES
            and not is_template(p.name)
            and not p.name.startswith(".")
        ]

    def _known(self) -> list[Entry]:
        """The entries last discovered (discovered once when none were): links and names are looked up
        without listing the folders again."""
        return self._cache[1] if self._cache is not None else self.entries()

    def resolver(self, source: Path) -> Resolver:
        """Links in ``source`` -> the key of the ADR they name (relative paths, log4brains' packages)."""
        base = Path(os.path.abspath(source)).parent

        def resolve(target: str) -> str | None:
            return self._lookup().get(_normal(base, target)) or self._lookup().get(target.strip())

        return resolve

    def _lookup(self) -> dict[str, str]:
        """Normalized absolute paths, keys and unambiguous slugs -> keys (rebuilt when the entries change)."""
        entries = self._known()
        if self._lookup_cache is None or self._lookup_cache[0] is not entries:
            table: dict[str, str] = {}
            stems = Counter(e.path.stem for e in entries)
            for e in entries:
                table[os.path.normpath(os.path.abspath(e.path))] = e.key
                table[e.key] = e.key
                if stems[e.path.stem] == 1:
                    table.setdefault(e.path.stem, e.key)
            self._lookup_cache = (entries, table)
        return self._lookup_cache[1]

    def entry(self, path: Path) -> Entry | None:
        """The entry of the file at ``path``, if it is one of the folders' ADRs."""
        wanted = os.path.normpath(os.path.abspath(path))
        return next((e for e in self._known() if os.path.normpath(os.path.abspath(e.path)) == wanted), None)

    def number_of(self, path: Path) -> int | None:
        """The number the file's name carries (read with the folder's pattern), if any."""
        name = read_name(Path(path).name, self.pattern)
        return name.number if name is not None else None

    def load(self, path: Path) -> Adr:
        entry = self.entry(path)
        if entry is not None:
            return self._load(entry)
        return load_adr(path, number=self.number_of(path), resolve=self.resolver(path))

    def _load(self, entry: Entry) -> Adr:
        return load_adr(entry.path, number=entry.number, resolve=self.resolver(entry.path), slug=entry.slug)

    def document(self, entry: Entry, text: str) -> AdrText:
        """An entry's text as a document that knows its number, slug and links."""
        return AdrText.of(text, entry.path, number=entry.number, resolve=self.resolver(entry.path), slug=entry.slug)

    def load_all(self) -> tuple[list[Adr], list[LoadFailure]]:
        adrs: list[Adr] = []
        failures: list[LoadFailure] = []
        for entry in self.entries():
            try:
                adrs.append(self._load(entry))
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
        """The ADR folder's files by the number their names carry (packages keep their own names)."""
        groups: dict[int, list[Path]] = defaultdict(list)
        for entry in self.entries():
            if entry.number is not None and entry.package is None:
                groups[entry.number].append(entry.path)
        return groups

    def find(self, ref: str | int) -> Path:
        """The file for ``64``, ``0064``, ``ADR-0064``, a slug (``20240301-adopt-envoy``, ``backend/...``),
        a file name, or a path."""
        text = str(ref).strip()
        candidate = Path(text)
        if candidate.suffix == ".md" and candidate.is_file():
            return candidate
        if (self.folder / text).is_file() and text.endswith(".md"):
            return self.folder / text
        if (self.folder / f"{text}.md").is_file():
            return self.folder / f"{text}.md"
        by_key = self._by_key(text.removesuffix(".md"))
        if by_key is not None:
            return by_key
        match = re.fullmatch(r"(?:(?:M?ADR|RFC)[-\s_]?)?0*(\d{1,6})", text, re.IGNORECASE)
        if not match:
            raise UsageError(
                f"'{text}' is not an ADR number or slug",
                hint="give a number such as 64, 0064 or ADR-0064, or a slug `joeladr adr list` shows",
            )
        number = int(match.group(1))
        paths = self.by_number().get(number, [])
        if not paths:
            slugs = any(e.slug for e in self.entries())
            raise AdrNotFound(
                f"no ADR numbered {number:04d} in {self.folder}",
                hint="ADRs here are named by slug: `joeladr adr list` shows them"
                if slugs
                else "`joeladr adr list` shows the ADRs there",
            )
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            raise AdrError(f"ADR {number:04d} is ambiguous: {names}", hint="name the file instead of the number")
        return paths[0]

    def _by_key(self, text: str) -> Path | None:
        if not text or text.isdigit():
            return None
        self.entries()  # a fresh listing: a name typed by a user may be new
        key = self._lookup().get(text)
        return next((e.path for e in self._known() if e.key == key), None) if key else None

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
        newest = sorted(entries, key=lambda e: (e.name.date or "", e.number or 0, e.path.name))[-STYLE_SAMPLE:]
        for entry in newest:
            try:
                parsed.append(self.document(entry, read_text(entry.path)))
            except JoeladrError:
                continue
        own = self.template_file() if self.folder.is_dir() else None
        template = None
        if own is not None:
            try:
                template = AdrText.of(read_text(own[0]), own[0])
            except JoeladrError:  # a template joeladr cannot read is left to its tool
                template = None
        naming = learn_naming([e.name for e in entries], self.pattern)
        if not entries and self.pattern is None and self.tool == "log4brains":
            naming = NewName(convention="date")  # log4brains names an ADR by its day and slug
        return learn_style(parsed, naming, template)

    @property
    def tool(self) -> str | None:
        """The tool whose folder this is ("adr-tools", "log4brains"; see :func:`naming.folder_tool`)."""
        return folder_tool(self.folder) if self.folder.is_dir() else None

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
    def template_file(self, package: str | None = None) -> tuple[Path, str] | None:
        """The template the folder keeps (a package's own, else the folder's, as log4brains looks) and how
        its tool fills it: adr-tools' ``templates/template.md``, log4brains' and MADR 2's ``template.md``,
        MADR 3/4's ``adr-template.md`` (see :data:`joeladr.adr.templates.TEMPLATE_FILES`); a page that only
        describes a template (no title left to fill) is none."""
        folders = [self._package_folder(package), self.folder] if package else [self.folder]
        for folder in folders:
            for name, kind in TEMPLATE_FILES:
                path = folder / name
                try:
                    if path.is_file() and fillable(read_text(path), kind, path):
                        return path, kind
                except JoeladrError:  # unreadable: not a template to fill
                    continue
        return None

    def _package_folder(self, package: str) -> Path:
        if package not in self.packages:
            known = ", ".join(sorted(self.packages)) or "none"
            raise UsageError(f"no log4brains package '{package}'", hint=f".log4brains.yml names these: {known}")
        return self.packages[package]

    def create(
        self,
        title: str,
        template: str | None = None,
        *,
        status: str | None = None,
        date: dt.date | None = None,
        deciders: str | None = None,
        fallback_template: str = "joelclaw",
        package: str | None = None,
    ) -> Path:
        """Write a new ADR with the next free number (or today's date, log4brains' way), in the folder's own
        style, into the log4brains ``package`` when one is named.

        The folder's template file (:meth:`template_file`) is used when it has one, filled the way its
        tool fills it. ``template`` (joelclaw, madr, madr2, nygard) picks one of joeladr's templates
        instead; a folder with no ADRs and no template uses its tool's (:data:`TOOL_TEMPLATES`), else
        ``fallback_template``. Naming, number width,
        heading form, status form and case, line endings and the default status follow the folder.
        """
        title = check_title(title)
        with self.lock:
            folder = self._package_folder(package) if package else self.folder
            folder.mkdir(parents=True, exist_ok=True)
            style = self.style()
            number = self.next_number()
            today = date or dt.date.today()
            slug = slugify(title, max_words=10)[:SLUG_CHARS].rstrip("-") or "decision"
            path = _free(folder / style.naming.render(number, slug, today), numbered=style.naming.numbered)
            own = self.template_file(package) if template is None else None
            if own is not None:
                text = fill_template(
                    read_text(own[0]),
                    own[1],
                    style=style,
                    path=path,
                    number=number,
                    title=title,
                    status=status or style.default_status,
                    date=today.isoformat(),
                )
            else:
                text = render_new(
                    style,
                    template,
                    fallback=TOOL_TEMPLATES.get(self.tool or "", fallback_template),
                    number=number,
                    title=title,
                    status=status,
                    date=today.isoformat(),
                    deciders=deciders or "",
                )
            atomic_write_text(path, text, expected=Snapshot.of_text(None))
        return path


def _free(path: Path, *, numbered: bool) -> Path:
    """``path``, or when a file has its name (a dated name, log4brains' ``-2``, ``-3``, ...); a numbered name
    that exists means the folder changed under us."""
    if not path.exists():
        return path
    if numbered:
        raise AdrError(f"{path} already exists", path=path)
    suffix = 2
    while (candidate := path.with_name(f"{path.stem}-{suffix}{path.suffix}")).exists():
        suffix += 1
    return candidate


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


def _normal(base: Path, target: str) -> str:
    """A link target as a normalized absolute path (``.md`` added when it names a slug)."""
    path = target.split("#", 1)[0].split("?", 1)[0].strip()
    if path and not path.lower().endswith(".md"):
        path += ".md"
    return os.path.normpath(os.path.join(base, path))


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
