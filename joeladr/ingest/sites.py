"""Sites whose citable text is not the page at the URL: GitHub (the README, or the file a ``blob/`` URL
shows, read from its raw URL) and arXiv (an ``abs/`` page's paper is its PDF).

The hosts are a :class:`Hosts` value passed in, so a test can put a GitHub-like server on a
loopback address (github.com cannot be reached from the test machines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

README_NAMES = ("README.md", "readme.md", "Readme.md", "README.markdown", "README.rst", "README.txt", "README")
_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")


@dataclass(frozen=True)
class Hosts:
    """Where GitHub's pages and raw files, and arXiv, are (the real ones by default)."""

    github: str = "https://github.com"
    github_raw: str = "https://raw.githubusercontent.com"
    arxiv: str = "https://arxiv.org"


REAL = Hosts()


@dataclass(frozen=True)
class Mapped:
    """What a cited URL means: the address findings link to, and where its text is read from (in order)."""

    page: str  # the address a reader opens (the repository or file page, the PDF)
    candidates: tuple[str, ...]  # raw URLs to try in turn (a repository's README may have several names)
    kind: Literal["readme", "paper"]
    what: str  # for an error: "the README of owner/repo"


def _under(url: str, base: str) -> list[str] | None:
    """The path parts of ``url`` below ``base`` (same scheme, host and port, path prefix), else None."""
    given, root = urlsplit(url), urlsplit(base)
    if given.netloc.lower() != root.netloc.lower() or given.scheme.lower() not in (root.scheme.lower(), "http"):
        return None  # the same host (its http:// address too)
    prefix = root.path.rstrip("/")
    if prefix and not (given.path == prefix or given.path.startswith(prefix + "/")):
        return None
    return [part for part in given.path[len(prefix) :].split("/") if part]


def map_url(url: str, hosts: Hosts = REAL) -> Mapped | None:
    """What ``url`` cites when it is a GitHub repository, tree or blob page, or an arXiv abstract; else None."""
    parts = _under(url, hosts.github)
    if parts is not None and len(parts) >= 2:
        owner, repo = parts[0], parts[1].removesuffix(".git")
        page = f"{hosts.github.rstrip('/')}/{owner}/{repo}"
        raw = f"{hosts.github_raw.rstrip('/')}/{owner}/{repo}"
        if len(parts) == 2:
            return Mapped(
                page, tuple(f"{raw}/HEAD/{name}" for name in README_NAMES), "readme", f"the README of {owner}/{repo}"
            )
        if parts[2] == "blob" and len(parts) >= 5:
            rest = "/".join(parts[3:])
            return Mapped(
                f"{page}/blob/{rest}", (f"{raw}/{rest}",), "readme", f"{'/'.join(parts[4:])} in {owner}/{repo}"
            )
        if parts[2] == "tree" and len(parts) >= 4:
            rest = "/".join(parts[3:])
            return Mapped(
                f"{page}/tree/{rest}",
                tuple(f"{raw}/{rest}/{name}" for name in README_NAMES),
                "readme",
                f"the README of {owner}/{repo}/{'/'.join(parts[4:]) or ''}".rstrip("/"),
            )
        return None
    parts = _under(url, hosts.arxiv)
    if parts is not None and len(parts) >= 2 and parts[0] in ("abs", "pdf"):
        paper = "/".join(parts[1:]).removesuffix(".pdf")
        if _ARXIV_ID.match(paper):
            pdf = f"{hosts.arxiv.rstrip('/')}/pdf/{paper}"
            return Mapped(pdf, (pdf,), "paper", f"arXiv {paper}")
    return None
