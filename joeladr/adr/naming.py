"""How ADR files are named, and where a project keeps them.

Every convention of the common tools is read: adr-tools and MADR (``0001-slug.md``),
3-digit folders (``001-slug.md``), prefixed names (``adr-001-slug.md``, ``ADR-1.md``,
``RFC0044-slug.md``), date-prefixed names (``2021-06-05_001-slug.md``) and log4brains'
``20200925-slug.md``, which carries no number. A folder can also name its own
convention (``[adr] pattern = "adr-{number}-{slug}.md"``); the same pattern then names
new ADRs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from joeladr.errors import ConfigError

INDEX_NAMES = ("README.md", "index.md")
"""Files that describe or list a folder's ADRs (adr-tools and joeladr: README.md; MADR's adr-log: index.md)."""

PREFIXES = ("adr", "madr", "rfc", "dr")
"""Letters a numbered name may start with (``ADR-1``, ``adr-001``, ``RFC0044``, ``MADR-077``)."""

_CONVENTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "date-number",
        re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})(?P<dsep>[-_])(?P<number>\d{1,5})(?:(?P<sep>[-_ .])(?P<slug>.*))?$"),
    ),
    ("date", re.compile(r"^(?P<date>\d{8}|\d{4}-\d{2}-\d{2})(?:(?P<sep>[-_ .])(?P<slug>.*))?$")),
    (
        "prefix",
        re.compile(
            rf"^(?P<prefix>(?:{'|'.join(PREFIXES)})[-_ ]?)(?P<number>\d{{1,5}})(?:(?P<sep>[-_ .])(?P<slug>.*))?$",
            re.IGNORECASE,
        ),
    ),
    ("number", re.compile(r"^(?P<number>\d{1,5})(?:(?P<sep>[-_ .])(?P<slug>.*))?$")),
)

_PLACEHOLDER = re.compile(r"\{(?P<name>[a-z]+)(?::(?P<width>\d+))?\}")


@dataclass(frozen=True)
class FileName:
    """What a file name says: its number (if it carries one), its date (if any), its slug, and how it is spelled."""

    number: int | None
    date: str | None
    slug: str
    convention: str  # "number", "prefix", "date-number", "date", or "pattern"
    prefix: str = ""
    width: int = 0
    separator: str = "-"
    date_separator: str = ""


def _iso(date: str) -> str:
    return f"{date[:4]}-{date[4:6]}-{date[6:]}" if len(date) == 8 else date


def _from_match(convention: str, match: re.Match[str]) -> FileName:
    groups = match.groupdict()
    digits = groups.get("number")
    date = groups.get("date")
    return FileName(
        number=int(digits) if digits else None,
        date=_iso(date) if date else None,
        slug=groups.get("slug") or "",
        convention=convention,
        prefix=groups.get("prefix") or "",
        width=len(digits) if digits else 0,
        separator=groups.get("sep") or "-",
        date_separator=groups.get("dsep") or "",
    )


_TEMPLATE_WORDS = frozenset({"adr", "madr", "short", "long", "full", "minimal", "sdk", "component", "nygard", "bare"})


def is_template(name: str) -> bool:
    """``template.md``, ``000-template.md``, ``adr-short-template.md``, ``.TEMPLATE.md``: a template, not a decision.

    ``0001-framework-or-template.md`` is a decision: only names made of "template" plus numbers and
    words such as adr, madr, short or sdk count.
    """
    words = [w for w in re.split(r"[-_.\s]+", Path(name).stem.lower()) if w and not w.isdigit()]
    return "template" in words and all(w == "template" or w in _TEMPLATE_WORDS for w in words)


@dataclass(frozen=True)
class NamePattern:
    """A folder's own naming convention, e.g. ``adr-{number}-{slug}.md`` or ``{date}-{slug}.md``.

    Placeholders: ``{number}`` (optionally ``{number:4}`` for zero padding), ``{date}``
    (``YYYY-MM-DD``), ``{compactdate}`` (``YYYYMMDD``), ``{slug}``.
    """

    text: str
    regex: re.Pattern[str]

    @classmethod
    def parse(cls, text: str, source: str = "[adr] pattern") -> NamePattern:
        text = text.strip()
        if not text.lower().endswith(".md"):
            text += ".md"
        names = [m.group("name") for m in _PLACEHOLDER.finditer(text)]
        unknown = sorted(set(names) - {"number", "date", "compactdate", "slug"})
        if unknown:
            raise ConfigError(
                f"{source}: unknown placeholder {{{unknown[0]}}} in {text!r}",
                hint="use {number}, {number:4}, {date}, {compactdate} and {slug}",
            )
        if not {"number", "date", "compactdate"} & set(names):
            raise ConfigError(f"{source}: {text!r} needs {{number}} or {{date}} to tell ADRs apart")
        if len(names) != len(set(names)):
            raise ConfigError(f"{source}: {text!r} uses a placeholder twice")
        parts: list[str] = []
        last = 0
        for match in _PLACEHOLDER.finditer(text):
            parts.append(re.escape(text[last : match.start()]))
            name = match.group("name")
            parts.append(
                {
                    "number": r"(?P<number>\d{1,6})",
                    "date": r"(?P<date>\d{4}-\d{2}-\d{2})",
                    "compactdate": r"(?P<date>\d{8})",
                    "slug": r"(?P<slug>.+?)",
                }[name]
            )
            last = match.end()
        parts.append(re.escape(text[last:]))
        return cls(text, re.compile("^" + "".join(parts) + "$", re.IGNORECASE))

    def read(self, name: str) -> FileName | None:
        match = self.regex.match(name)
        if not match:
            return None
        found = _from_match("pattern", match)
        return found

    def render(self, *, number: int, slug: str, date: dt.date) -> str:
        def fill(match: re.Match[str]) -> str:
            name, width = match.group("name"), match.group("width")
            if name == "number":
                return f"{number:0{int(width)}d}" if width else str(number)
            if name == "date":
                return date.isoformat()
            if name == "compactdate":
                return date.strftime("%Y%m%d")
            return slug

        return _PLACEHOLDER.sub(fill, self.text)


def read_name(name: str, pattern: NamePattern | None = None) -> FileName | None:
    """The number, date and slug a file name carries, or None when it is not named like an ADR."""
    if not name.lower().endswith(".md") or name.startswith(".") or name in INDEX_NAMES or is_template(name):
        return None
    if pattern is not None:
        return pattern.read(name)
    stem = name[: -len(".md")]
    for convention, regex in _CONVENTIONS:
        match = regex.match(stem)
        if match:
            return _from_match(convention, match)
    return None


def number_in_link(target: str) -> int | None:
    """The ADR number a link target names: ``0010-title.md``, ``./036-x.md``, ``https://.../ADR-12-x.md``."""
    path = target.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    name = path.rsplit("/", 1)[-1]
    if not name:
        return None
    if not name.lower().endswith(".md"):
        name += ".md"
    found = read_name(name)
    return found.number if found else None


def slug_in_link(target: str) -> str | None:
    """The slug a link target names when its file name carries no number: log4brains'
    ``20200926-use-x.md`` (also ``./``, ``../``) -> ``20200926-use-x``."""
    name = target.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if not name.lower().endswith(".md"):
        return None
    found = read_name(name)
    return name[: -len(".md")] if found is not None and found.number is None else None


@dataclass(frozen=True)
class NewName:
    """How the folder names files, learned from its ADRs: used to name the next one."""

    convention: str = "number"
    prefix: str = ""
    width: int = 4
    separator: str = "-"
    date_separator: str = "_"
    pattern: NamePattern | None = None

    @property
    def numbered(self) -> bool:
        """Whether new names carry a number (log4brains' ``20240301-slug.md`` does not)."""
        if self.pattern is not None:
            return "{number" in self.pattern.text
        return self.convention != "date"

    def render(self, number: int, slug: str, today: dt.date) -> str:
        if self.pattern is not None:
            return self.pattern.render(number=number, slug=slug, date=today)
        digits = f"{number:0{self.width}d}"
        if self.convention == "date":
            return f"{today.strftime('%Y%m%d')}{self.separator}{slug}.md"
        if self.convention == "date-number":
            return f"{today.isoformat()}{self.date_separator}{digits}{self.separator}{slug}.md"
        return f"{self.prefix}{digits}{self.separator}{slug}.md"


def learn_naming(names: Iterable[FileName], pattern: NamePattern | None = None) -> NewName:
    """The convention most of the folder's ADR names follow (4-digit ``NNNN-slug.md`` for an empty folder)."""
    found = list(names)
    if pattern is not None:
        return NewName(convention="pattern", pattern=pattern)
    if not found:
        return NewName()
    convention = Counter(n.convention for n in found).most_common(1)[0][0]
    same = [n for n in found if n.convention == convention]
    prefix = Counter(n.prefix for n in same).most_common(1)[0][0]
    separator = Counter(n.separator for n in same if n.slug).most_common(1)
    widths = Counter(n.width for n in same if n.width)
    # unpadded folders (ADR-1 ... ADR-316) write no padding; padded ones keep their width
    padded = [n for n in same if n.width and n.number is not None and len(str(n.number)) < n.width]
    width = max(widths) if padded else 1 if widths else 4
    date_separator = Counter(n.date_separator for n in same if n.date_separator).most_common(1)
    return NewName(
        convention=convention,
        prefix=prefix,
        width=width,
        separator=separator[0][0] if separator else "-",
        date_separator=date_separator[0][0] if date_separator else "_",
    )


# -- where the ADR folder is ----------------------------------------------------------

CONVENTIONAL_FOLDERS = (
    "adrs",
    "doc/adr",
    "docs/adr",
    "docs/decisions",
    "doc/decisions",
    "docs/architecture/decisions",
    "doc/architecture/decisions",
    "docs/adrs",
    "adr",
)
"""Where the common tools put ADRs: joeladr's ``adrs``, adr-tools' ``doc/adr``, MADR's ``docs/decisions``, ..."""


def find_adr_folder(start: Path, stop: Path | None = None) -> Path | None:
    """The ADR folder a user of adr-tools, log4brains or MADR expects, looking from ``start`` upwards.

    In each folder from ``start`` up to ``stop`` (default: the repository root, the first folder
    holding ``.git``; only ``start`` itself outside a repository): adr-tools' ``.adr-dir`` file,
    log4brains' ``.log4brains.yml`` (``project.adrFolder``), then the conventional folders in the
    order of :data:`CONVENTIONAL_FOLDERS`.
    """
    start = Path(start).resolve()
    chain = [start, *start.parents]
    if stop is not None:
        stop = Path(stop).resolve()
        chain = chain[: chain.index(stop) + 1] if stop in chain else [start]
    else:
        top = next((i for i, folder in enumerate(chain) if (folder / ".git").exists()), None)
        chain = chain[: top + 1] if top is not None else [start]
    for folder in chain:
        marker = folder / ".adr-dir"
        if marker.is_file():
            named = marker.read_text(encoding="utf-8", errors="replace").strip()
            if named:
                return (folder / named).resolve()
        log4brains = folder / ".log4brains.yml"
        if log4brains.is_file():
            named_folder = _log4brains_folder(log4brains)
            if named_folder:
                return (folder / named_folder).resolve()
        for candidate in CONVENTIONAL_FOLDERS:
            if (folder / candidate).is_dir():
                return folder / candidate
    return None


def _log4brains_project(config: Path) -> dict[str, object] | None:
    """The ``project`` mapping of a ``.log4brains.yml``, or None when there is none to read."""
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe", pure=True).load(config.read_text(encoding="utf-8"))
    except Exception:  # a broken .log4brains.yml is log4brains' business; fall back to the conventions
        return None
    project = data.get("project") if isinstance(data, dict) else None
    return project if isinstance(project, dict) else None


def _log4brains_folder(config: Path) -> str | None:
    project = _log4brains_project(config)
    folder = project.get("adrFolder") if project else None
    return str(folder) if folder else None


def log4brains_packages(folder: Path) -> dict[str, Path]:
    """The ADR folders of log4brains' packages (``project.packages`` of the ``.log4brains.yml`` whose
    ``adrFolder`` is ``folder``, looked for upwards from it), by package name; {} when there is none."""
    folder = Path(folder).resolve()
    for config_dir in folder.parents:
        config = config_dir / ".log4brains.yml"
        if not config.is_file():
            continue
        project = _log4brains_project(config)
        main = project.get("adrFolder") if project else None
        if not project or not main or (config_dir / str(main)).resolve() != folder:
            continue
        packages = project.get("packages")
        found: dict[str, Path] = {}
        for package in packages if isinstance(packages, list) else []:
            if isinstance(package, dict) and package.get("name") and package.get("adrFolder"):
                path = (config_dir / str(package["adrFolder"])).resolve()
                if path.is_dir() and path != folder:
                    found[str(package["name"])] = path
        return found
    return {}


def folder_tool(folder: Path) -> str | None:
    """Whose folder this is: ``"adr-tools"`` (an ``.adr-dir`` above it names it, or it is adr-tools' default
    ``doc/adr``), ``"log4brains"`` (a ``.log4brains.yml`` above it names it), else None."""
    folder = Path(folder).resolve()
    for config_dir in folder.parents:
        marker = config_dir / ".adr-dir"
        if marker.is_file():
            named = marker.read_text(encoding="utf-8", errors="replace").strip()
            if named and (config_dir / named).resolve() == folder:
                return "adr-tools"
        config = config_dir / ".log4brains.yml"
        if config.is_file():
            main = _log4brains_folder(config)
            if main and (config_dir / main).resolve() == folder:
                return "log4brains"
    return "adr-tools" if folder.parts[-2:] == ("doc", "adr") else None
