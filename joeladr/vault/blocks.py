"""Notes joeladr shares with a user: it owns only its marked blocks and its property keys.

A block is ``<!-- joeladr:begin NAME -->`` ... ``<!-- joeladr:end NAME -->``. Text outside
blocks is the user's and is never rewritten. A damaged block (an end marker deleted, a
block doubled) is reported, never guessed over.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from joeladr.errors import FrontMatterError, MarkerError
from joeladr.markdown import parse_front_matter, split_lines, yaml_loader
from joeladr.text import strip_controls

_MARKER = re.compile(r"^<!-- joeladr:(begin|end) ([a-z0-9_-]+) -->[ \t]*$")


def begin(name: str) -> str:
    return f"<!-- joeladr:begin {name} -->"


def end(name: str) -> str:
    return f"<!-- joeladr:end {name} -->"


def block(name: str, body: str) -> str:
    return f"{begin(name)}\n{body.rstrip()}\n{end(name)}" if body.strip() else f"{begin(name)}\n{end(name)}"


def blocks(text: str, source: str = "note") -> dict[str, tuple[int, int]]:
    """Name -> (line of begin marker, line of end marker); MarkerError if any block is damaged."""
    found: dict[str, tuple[int, int]] = {}
    open_name: str | None = None
    open_line = 0
    for index, line in enumerate(split_lines(text)):
        match = _MARKER.match(line.rstrip("\r\n"))
        if not match:
            continue
        kind, name = match.groups()
        if kind == "begin":
            if open_name is not None:
                raise MarkerError(
                    f"{source}: block '{open_name}' (line {open_line + 1}) has no end marker",
                    hint=f"restore the line '{end(open_name)}' or delete the block",
                )
            if name in found:
                raise MarkerError(f"{source}: block '{name}' appears twice", hint="delete one of them")
            open_name, open_line = name, index
        else:
            if open_name != name:
                raise MarkerError(
                    f"{source}: end marker for '{name}' at line {index + 1} has no begin marker",
                    hint=f"restore the line '{begin(name)}' or delete the end marker",
                )
            found[name] = (open_line, index)
            open_name = None
    if open_name is not None:
        raise MarkerError(
            f"{source}: block '{open_name}' (line {open_line + 1}) has no end marker",
            hint=f"restore the line '{end(open_name)}' or delete the block",
        )
    return found


def replace_blocks(
    text: str, bodies: Mapping[str, str], source: str = "note", after: Mapping[str, str] | None = None
) -> str:
    """Replace the bodies of existing blocks; a block the note lacks goes after the block ``after`` names
    for it (when the note has that one), else at the end."""
    lines = split_lines(text)
    spans = blocks(text, source)
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    placed = {
        name: spans[anchor][1]
        for name, anchor in (after or {}).items()
        if name in bodies and name not in spans and anchor in spans
    }
    replaced = {start: (stop, name) for name, (start, stop) in spans.items() if name in bodies}
    inserted: dict[int, list[str]] = {}
    for name, anchor_end in placed.items():
        inserted.setdefault(anchor_end, []).append(name)

    def body_lines(name: str) -> list[str]:
        body = bodies[name].rstrip()
        return [line + eol for line in body.split("\n")] if body else []

    out: list[str] = []  # one pass: a note with thousands of blocks is not spliced block by block
    index = 0
    while index < len(lines):
        out.append(lines[index])
        if index in replaced:
            stop, name = replaced[index]
            out += body_lines(name)
            out.append(lines[stop])
            index = stop
        for name in sorted(inserted.get(index, ())):
            out += [eol, begin(name) + eol, *body_lines(name), end(name) + eol]
        index += 1
    result = "".join(out)
    missing = [name for name in bodies if name not in spans and name not in placed]
    for name in missing:
        if result and not result.endswith("\n"):
            result += eol
        result += eol + block(name, bodies[name]).replace("\n", eol) + eol
    return result


def plain_text(text: str) -> str:
    """One line of text without control characters (for titles and names that come from the web)."""
    return " ".join(strip_controls(text.replace("\r", " ").replace("\n", " ")).split())


def escape_inline(text: str) -> str:
    """Make untrusted text (transcripts, titles) inert inside a note.

    No HTML, markers or comments; no links, images or embeds (every bracket is escaped, so
    ``[x](javascript:...)`` and ``![](http://host/pixel.png)`` stay text); no control characters.
    """
    text = text.replace("\r", " ").replace("\n", " ")
    text = strip_controls(text).replace("\\", "\\\\")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"%(?=%)", "%\u200b", text.replace("[", "\\[").replace("]", "\\]"))  # "%%%" too
    text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text.strip())  # "1. x" is not a list item: "1\. x"
    text = re.sub(r"^([#>\-*+=|`~])", r"\\\1", text)
    return text


_URL_SAFE = ":/?#@!$&*+,;=%~-._"


def safe_url(url: str | None) -> str | None:
    """A link target that cannot break out of ``[text](url)``: http(s) only, anything odd percent-encoded."""
    from urllib.parse import quote, urlsplit

    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https"):
        return None
    return quote(strip_controls(url.strip()), safe=_URL_SAFE)


def merge_properties(text: str, values: Mapping[str, Any], source: str = "note") -> str:
    """Set joeladr's property keys in the note's front matter; keep the user's keys, order and comments."""
    lines = split_lines(text)
    front = parse_front_matter(lines, source)
    yaml = yaml_loader()
    yaml.width = 4096
    from ruamel.yaml.comments import CommentedMap

    data = front.data if front else CommentedMap()
    changed = front is None
    for key, value in values.items():
        if key not in data or _plain(data[key]) != _plain(value) or _retyped(data[key], value):
            data[key] = _typed(value)
            changed = True
    if not changed:
        return text
    buffer = io.StringIO()
    try:
        yaml.dump(data, buffer)
    except Exception as exc:
        raise FrontMatterError(f"{source}: cannot write properties: {exc}") from exc
    rendered = "---\n" + buffer.getvalue() + "---\n"
    rest = "".join(lines[front.end :]) if front else text
    return rendered + rest


def _typed(value: Any) -> Any:
    """A property value every YAML reader types as joeladr means it: text that a YAML 1.1 reader (PyYAML,
    and the tools built on it) would take for a number, a boolean or null is quoted (unquoted, ``12:34`` is
    754 there and ``no`` is false, though YAML 1.2 and Obsidian read text)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

    if isinstance(value, str) and not isinstance(value, ScalarString) and _read_otherwise(value):
        return DoubleQuotedScalarString(value)
    if isinstance(value, list | tuple):
        return [_typed(v) for v in value]
    return value


def _retyped(current: Any, value: Any) -> bool:
    """Whether the note holds ``value`` unquoted where :func:`_typed` quotes it (an older joeladr wrote it so)."""
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(value, list | tuple) and isinstance(current, list) and len(current) == len(value):
        return any(_retyped(c, v) for c, v in zip(current, value, strict=True))
    return isinstance(_typed(value), ScalarString) and not isinstance(current, ScalarString)


_TEXT_TAGS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp")


@lru_cache(maxsize=4096)
def _read_otherwise(text: str) -> bool:
    """Whether plain ``text`` is text to YAML 1.2 (so ruamel writes it unquoted) but not to YAML 1.1."""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    def tag(version: tuple[int, int]) -> str:
        found: str = VersionedResolver(version=version).resolve(ScalarNode, text, (True, False))
        return found

    return tag((1, 2)) == _TEXT_TAGS[0] and tag((1, 1)) not in _TEXT_TAGS


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
