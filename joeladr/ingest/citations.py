"""Every source an ADR cites: the links of its Source Material, References, Links (and kindred) sections.

``ingest --adr N`` reads the ADR's own text (its sections as markdown-it tokens, so a link in
a code block is no citation) and takes, from each citing section and the sections under it,
every link, autolink and bare URL, list items and table cells alike, plus the YouTube ids the
Source Material names (``JvBT4XBdoUE`` in backticks). Each becomes a source to ingest, of any
kind (media, a feed, a page, a PDF, a README), or is skipped with the reason a reader needs:

- another ADR (a link to an ADR file), this repository (its own files or its GitHub address);
- a localhost or private-network address (a dev server, a NAS, a tailnet name), unless the
  caller vouches for that host (``allow_hosts``);
- a path that is no file on this machine (``~/Code/...`` written on the author's laptop); a
  local file that exists is ingested as a file;
- a link that is not a web address (``mailto:``, ``ftp:``).
"""

from __future__ import annotations

import configparser
import ipaddress
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from joeladr.adr.model import Adr
from joeladr.adr.naming import number_in_link
from joeladr.adr.parse import normalize_heading
from joeladr.atomic import read_text
from joeladr.errors import JoeladrError, UsageError
from joeladr.ingest.inputs import SourceRef, parse_input, youtube_id
from joeladr.markdown import headings_from_tokens, parse_front_matter, sections, split_lines, tokens

CITING_SECTIONS = frozenset(
    {
        "source material",
        "sources",
        "source videos",
        "talks",
        "videos",
        "references",
        "reference",
        "links",
        "further reading",
        "reading",
        "resources",
        "see also",
        "prior art",
        "prior art & credits",
        "prior art and credits",
        "credits",
        "bibliography",
        "citations",
        "more information",
        "research",
    }
)
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]`\"']+[^\s<>()\[\]`\"'.,;:!?]")
_LOCAL_NAMES = (".local", ".localhost", ".internal", ".lan", ".home.arpa", ".ts.net")


@dataclass(frozen=True)
class Skipped:
    """A link an ADR's citing sections hold that is not ingested, and why."""

    target: str
    reason: str
    section: str

    def to_json(self) -> dict[str, str]:
        return {"target": self.target, "reason": self.reason, "section": self.section}


@dataclass(frozen=True)
class Citation:
    """A source an ADR cites, as written, and what joeladr will ingest for it."""

    target: str
    label: str
    section: str
    ref: SourceRef


@dataclass
class Cited:
    sources: list[Citation] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def refs(self) -> list[SourceRef]:
        return [c.ref for c in self.sources]

    def to_json(self) -> dict[str, Any]:
        return {
            "cited": [{"target": c.target, "label": c.label, "section": c.section} for c in self.sources],
            "skipped": [s.to_json() for s in self.skipped],
        }


def cited_sources(
    adr: Adr,
    *,
    repository: Sequence[str] = (),
    allow_hosts: Collection[str] = (),
    allow_file_urls: bool = False,
) -> Cited:
    """What ``adr`` cites (see the module docstring). ``repository``: the project's own web addresses (its
    git remotes are found by themselves); ``allow_hosts``: ``host:port`` names fetched even though private.

    Raises UsageError when the ADR cites nothing to ingest (naming what it skipped)."""
    own = [*repository, *git_remotes(adr.path.parent)]
    cited = Cited()
    seen: set[str] = set()
    for target, label, section in links(adr):
        key = target.split("#", 1)[0] if not target.startswith("#") else target
        if key in seen or target.startswith("#"):
            continue
        seen.add(key)
        try:
            outcome = _classify(target, adr, own, {h.lower() for h in allow_hosts}, allow_file_urls)
        except JoeladrError as exc:
            outcome = exc.message
        if isinstance(outcome, SourceRef):
            if outcome not in (c.ref for c in cited.sources):  # youtu.be/ID and watch?v=ID are one talk
                cited.sources.append(Citation(target, label, section, outcome))
        else:
            cited.skipped.append(Skipped(target, outcome, section))
    if not cited.sources:
        why = "; ".join(f"{s.target} ({s.reason})" for s in cited.skipped[:5])
        raise UsageError(
            f"{adr.label} cites no source to ingest (in Source Material, References, Links or the like)",
            hint=f"skipped: {why}" if why else "add the talks, pages or papers it rests on to a References section",
        )
    return cited


def links(adr: Adr) -> list[tuple[str, str, str]]:
    """(target, label, section title) of every link in the ADR's citing sections, in reading order, and of
    the YouTube ids its Source Material names."""
    lines = split_lines(read_text(adr.path))
    try:
        front = parse_front_matter(lines, str(adr.path))
    except JoeladrError:
        front = None
    toks = tokens(lines, front.end if front else 0)
    found: list[tuple[str, str, str]] = []
    taken: set[int] = set()
    for section in sections(headings_from_tokens(toks), len(lines)):
        if normalize_heading(section.title) not in CITING_SECTIONS:
            continue
        for token in toks:
            start = token.map[0] if token.map else -1
            if token.type != "inline" or not (section.body_start <= start < section.end) or start in taken:
                continue
            taken.add(start)
            found.extend((target, label, section.title) for target, label in _inline_links(token))
    for item in adr.sources:  # a bare id in backticks is no link: the ADR reader knows them
        if item.kind == "youtube":
            found.append((item.url, item.label, "Source Material"))
    return found


def _inline_links(token: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    children = token.children or []
    for index, child in enumerate(children):
        if child.type == "link_open":
            label = []
            for after in children[index + 1 :]:
                if after.type == "link_close":
                    break
                label.append(after.content)
            found.append((str(child.attrs.get("href") or ""), "".join(label).strip()))
        elif child.type == "text" and not (index and children[index - 1].type == "link_open"):
            found.extend((url, url) for url in _BARE_URL.findall(child.content))
    return [(target, label) for target, label in found if target]


def _classify(target: str, adr: Adr, own: Sequence[str], allow_hosts: set[str], allow_files: bool) -> SourceRef | str:
    """The source a link is, or why it is skipped."""
    parts = urlsplit(target)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return _web(target, adr, own, allow_hosts)
    if len(scheme) > 1 and scheme != "file":
        return f"not a web address ({scheme}:)"
    if scheme == "file" and not allow_files:
        return "a file:// link (give --allow-file-urls to follow it)"
    path_text = unquote(parts.path) if scheme == "file" else unquote(target.split("#", 1)[0].split("?", 1)[0])
    if number_in_link(path_text) is not None:
        return "another ADR"
    path = Path(path_text).expanduser()
    if not path.is_absolute():
        path = adr.path.parent / path
    if not path.is_file():
        return "no such file on this machine"
    if _inside(path, adr.path.parent) or any(_inside(path, root) for root in _repository_roots(adr.path.parent)):
        return "a file of this repository"
    return parse_input(str(path))


def _web(target: str, adr: Adr, own: Sequence[str], allow_hosts: set[str]) -> SourceRef | str:
    parts = urlsplit(target)
    host = (parts.hostname or "").lower()
    if youtube_id(target) is None:
        private = _private(host)
        if private and parts.netloc.lower() not in allow_hosts:
            return private
        bare = target.split("#", 1)[0].split("?", 1)[0].rstrip("/").lower()
        if any(bare == repo or bare.startswith(repo + "/") for repo in (r.rstrip("/").lower() for r in own)):
            return "this repository"
        if number_in_link(target) is not None and parts.path.lower().endswith(".md"):
            return "another ADR"
    return parse_input(target)


def _private(host: str) -> str | None:
    """Why a host is not on the public web (loopback, a private or link-local address, a local name), or None."""
    if host in ("localhost", "") or host.endswith(".localhost"):
        return "a localhost address"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        if "." not in host or host.endswith(_LOCAL_NAMES):
            return "a private address (a name on a local network)"
        return None
    if address.is_loopback:
        return "a localhost address"
    if address.is_private or address.is_link_local or address.is_reserved or address.is_unspecified:
        return "a private address"
    return None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def _repository_roots(folder: Path) -> list[Path]:
    for candidate in [folder, *folder.resolve().parents]:
        if (candidate / ".git").exists():
            return [candidate]
    return []


def git_remotes(folder: Path) -> list[str]:
    """The web addresses of the git repository ``folder`` is in (its remotes, as https URLs)."""
    roots = _repository_roots(folder)
    if not roots:
        return []
    config_path = roots[0] / ".git" / "config"
    if not config_path.is_file():
        return []  # a worktree or submodule: its .git is a file; no remote is read then
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read(config_path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return []
    found = []
    for name in parser.sections():
        if name.startswith("remote ") and parser.has_option(name, "url"):
            url = _https(parser.get(name, "url"))
            if url:
                found.append(url)
    return found


def _https(remote: str) -> str | None:
    """``git@github.com:o/r.git`` or ``https://github.com/o/r.git`` -> ``https://github.com/o/r``."""
    remote = remote.strip()
    match = re.match(r"^(?:ssh://)?[\w.-]+@([\w.-]+)[:/](.+?)(?:\.git)?/?$", remote)
    if match:
        return f"https://{match.group(1)}/{match.group(2)}"
    match = re.match(r"^https?://(?:[^@/]+@)?([^/]+)/(.+?)(?:\.git)?/?$", remote)
    return f"https://{match.group(1)}/{match.group(2)}" if match else None
