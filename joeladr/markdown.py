"""Markdown structure with exact line positions: lines, front matter, headings, sections.

Every position is an index into :func:`split_lines` of the original text, so an edit
can replace exactly the lines it means to and keep every other byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from joeladr.errors import FrontMatterError

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """Lines with their endings (``\\n``, ``\\r\\n`` or ``\\r``); ``"".join`` gives the text back."""
    return _LINE.findall(text)


def line_ending(lines: list[str]) -> str:
    """The line ending the document mostly uses (``\\n`` when it has none)."""
    counts = {"\r\n": 0, "\n": 0, "\r": 0}
    for line in lines:
        if line.endswith("\r\n"):
            counts["\r\n"] += 1
        elif line.endswith("\n"):
            counts["\n"] += 1
        elif line.endswith("\r"):
            counts["\r"] += 1
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else "\n"


def strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


@dataclass(frozen=True)
class FrontMatter:
    """YAML front matter: its line span (fences included) and the round-trip data."""

    start: int  # index of the opening '---' (-1 for a bare block: YAML from the first line, closed by '---')
    end: int  # index of the line after the closing fence
    data: Any  # ruamel CommentedMap

    @property
    def body_start(self) -> int:
        return self.start + 1


def yaml_loader() -> Any:
    """ruamel.yaml in round-trip mode (never builds arbitrary objects); an impossible date such as
    ``2020-01-45`` stays the text it is instead of failing the whole front matter."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.Constructor = _lenient_constructor()
    return yaml


@lru_cache(maxsize=1)
def _lenient_constructor() -> Any:
    from ruamel.yaml.constructor import RoundTripConstructor

    class LenientConstructor(RoundTripConstructor):
        def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
            try:
                return super().construct_yaml_timestamp(node, values)
            except ValueError:
                return self.construct_scalar(node)

    LenientConstructor.add_constructor("tag:yaml.org,2002:timestamp", LenientConstructor.construct_yaml_timestamp)
    return LenientConstructor


def find_front_matter(lines: list[str]) -> tuple[int, int] | None:
    """The span of a front matter block at the top of the file, fences included."""
    if not lines or strip_eol(lines[0]).rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if strip_eol(lines[index]).rstrip() in ("---", "..."):
            return 0, index + 1
    return None


_BARE_KEY = re.compile(r"^[A-Za-z_][\w-]*:(?:\s|$)")
_BARE_LINE = re.compile(r"^(?:\s*$|\s*#|[A-Za-z_][\w -]*:(?:\s|$)|\s+\S|-\s)")


def find_bare_front_matter(lines: list[str], keys: tuple[str, ...]) -> tuple[int, int] | None:
    """A front matter block whose opening ``---`` was forgotten: ``key: value`` lines from the first line
    up to a ``---`` line, naming at least one of ``keys``. The span starts at -1 (no opening fence)."""
    if not lines or not _BARE_KEY.match(lines[0]):
        return None
    for index, line in enumerate(lines[:80]):
        text = strip_eol(line)
        if text.rstrip() == "---":
            named = {m.group(0).split(":")[0].lower() for m in map(_BARE_KEY.match, lines[:index]) if m}
            return (-1, index + 1) if named & set(keys) else None
        if not _BARE_LINE.match(text):
            return None
    return None


def parse_front_matter(
    lines: list[str], source: str = "document", *, bare_keys: tuple[str, ...] = ()
) -> FrontMatter | None:
    """Parse the YAML front matter, if any, with ruamel's round-trip loader (no arbitrary objects).

    With ``bare_keys``, a block without its opening ``---`` is read too when it names one of them
    (and is skipped, not refused, if it does not parse: it was only a guess).
    """
    span = find_front_matter(lines)
    bare = False
    if span is None and bare_keys:
        span = find_bare_front_matter(lines, bare_keys)
        bare = span is not None
    if span is None:
        return None
    start, end = span
    text = "".join(strip_eol(line) + "\n" for line in lines[start + 1 : end - 1])
    try:
        data = yaml_loader().load(text) if text.strip() else None
    except Exception as exc:  # ruamel raises many unrelated classes; all mean "bad YAML"
        if bare:
            return None
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(f"{source}: malformed front matter{where}: {problem}") from exc
    from ruamel.yaml.comments import CommentedMap

    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        if bare:
            return None
        raise FrontMatterError(f"{source}: front matter must be a mapping of keys to values")
    return FrontMatter(start, end, data)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int  # index of the heading's first line


@dataclass(frozen=True)
class Section:
    """A heading and everything under it up to the next heading of the same or higher level."""

    heading: Heading
    end: int  # index of the first line after the section

    @property
    def title(self) -> str:
        return self.heading.text

    @property
    def level(self) -> int:
        return self.heading.level

    @property
    def body_start(self) -> int:
        return self.heading.line + 1


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def tokens(lines: list[str], offset: int = 0) -> list[Token]:
    """markdown-it block tokens for ``lines[offset:]`` with ``map`` made absolute (shared: do not change them).

    The same body is read by several readers in one command: a folder's style sample, the document an
    edit opens, the index ``decide`` renders. An edit of the front matter leaves the body as it was.
    So the last few bodies' tokens are kept, and each is tokenized once (measured on a 5 MB ADR:
    without this, changing a front matter status tokenizes the body three times instead of once).
    """
    return _tokens("".join(strip_eol(line) + "\n" for line in lines[offset:]), offset)


@lru_cache(maxsize=4)
def _tokens(text: str, offset: int) -> list[Token]:
    result = _parser().parse(text)
    if offset:
        for token in result:
            if token.map:
                token.map = [token.map[0] + offset, token.map[1] + offset]
    return result


def headings_from_tokens(toks: list[Token]) -> list[Heading]:
    found = []
    for index, token in enumerate(toks):
        if token.type == "heading_open" and token.map:
            inline = toks[index + 1]
            found.append(Heading(int(token.tag[1]), inline_text(inline), token.map[0]))
    return found


def sections(headings: list[Heading], total_lines: int) -> list[Section]:
    """Each heading's section: it ends at the next heading of the same or a higher level (one pass)."""
    ends = [total_lines] * len(headings)
    open_: list[int] = []  # indexes of headings whose section has not ended yet, levels increasing
    for index, heading in enumerate(headings):
        while open_ and headings[open_[-1]].level >= heading.level:
            ends[open_.pop()] = heading.line
        open_.append(index)
    return [Section(heading, end) for heading, end in zip(headings, ends, strict=True)]


def inline_text(token: Token) -> str:
    """Plain text of an inline token (emphasis and code marks dropped, link text kept)."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "html_inline":
            continue
    return "".join(parts).strip()


def plain(markdown: str) -> str:
    """Inline markdown to plain text (bold, code and link marks dropped)."""
    parsed = _parser().parseInline(markdown)
    return " ".join(inline_text(t) for t in parsed).strip() if parsed else markdown.strip()
