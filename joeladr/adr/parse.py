"""joeladr's reading of an ADR: what it needs from the sections to evaluate and decide.

The fields (title, status, date, links, ...) and where each is written are the format's
(:mod:`joeladr.adr.format`); this module reads the sections a decision is made from: context,
evaluation criteria or decision drivers, options (with MADR pros and cons), tables,
counter-arguments, source material (the talks and pages to ingest), the decision and its
consequences, and references to other ADRs. Sections come from markdown-it-py tokens, so a
``#`` in a code block is not a heading.
"""

from __future__ import annotations

import re
from pathlib import Path

from joeladr.adr.fields import Resolver
from joeladr.adr.format import AdrText, normalize_heading
from joeladr.adr.model import Adr, Criterion, Link, Option, Reference, SourceItem, Table
from joeladr.atomic import read_text
from joeladr.errors import AdrError
from joeladr.markdown import Section, inline_text, plain

__all__ = ["load_adr", "normalize_heading", "parse_adr", "plain", "slugify"]

ADR_MENTION = re.compile(r"\bADR[- ]?(\d{3,4})\b", re.IGNORECASE)
WIKILINK = re.compile(r"\[\[([^\]\|#\n]+)(?:#[^\]\|\n]*)?(?:\|[^\]\n]*)?\]\]")
YOUTUBE_URL = re.compile(
    r"https?://(?:www\.|m\.|music\.)?(?:youtube\.com/(?:watch\?(?:[^\s)]*&)?v=|shorts/|live/|embed/)|youtu\.be/)"
    r"([A-Za-z0-9_-]{11})"
)
BACKTICK_ID = re.compile(r"`([A-Za-z0-9_-]{11})`")
URL = re.compile(r"https?://[^\s)>\]`\"']+")
CHECKBOX = re.compile(r"^\[( |x|X)\][ \t]+")
BOLD_LEAD = re.compile(r"^\*\*(?P<name>.+?)\*\*[ \t]*(?:[—–:-]+[ \t]*)?(?P<rest>.*)$", re.DOTALL)
OPTION_LABEL = re.compile(r"^(?:Option|Alternative)\s+([A-Za-z]|\d+)(?:\s*[:.)—–-]\s*(.*))?$", re.IGNORECASE)
LETTER_LABEL = re.compile(r"^([A-Z])[:.)]\s+(.*)$")
COUNTER = re.compile(r"counter[- ]?argument", re.IGNORECASE)
MUST_HAVE = re.compile(r"\((?:must[- ]?have|required|knock[- ]?out)\)|\[(?:must[- ]?have)\]", re.IGNORECASE)


def load_adr(path: Path, *, number: int | None = None, resolve: Resolver | None = None, slug: str | None = None) -> Adr:
    """Read and parse one ADR file."""
    return parse_adr(read_text(path), Path(path), number=number, resolve=resolve, slug=slug)


def parse_adr(
    text: str,
    path: Path,
    *,
    number: int | None = None,
    resolve: Resolver | None = None,
    slug: str | None = None,
) -> Adr:
    """Parse ADR text. ``path`` gives the number or slug (any naming :mod:`joeladr.adr.naming` reads) and
    names errors; a folder passes the ``number`` its own pattern reads, ``resolve`` for links it alone can
    name (log4brains' packages) and a package's ``slug``."""
    return read_adr(AdrText.of(text, path, number=number, resolve=resolve, slug=slug))


def read_adr(doc: AdrText) -> Adr:
    """What joeladr reads from a document: its fields (the format's) and its sections."""
    try:
        return _read(doc)
    except RecursionError as exc:  # pathological nesting from markdown-it's inline parser
        raise AdrError(f"{doc.path}: the markdown is nested too deeply to read", path=doc.path) from exc


def split_named_item(markdown: str) -> tuple[str, str]:
    """``**Name** — question`` -> (Name, question); ``Name: question`` and ``Name — question`` too."""
    text = markdown.strip()
    bold = BOLD_LEAD.match(text)
    if bold:
        name = plain(bold.group("name")).rstrip(":").strip()
        return name, plain(bold.group("rest"))
    flat = plain(text)
    for separator in (" — ", " – ", ": ", " - "):
        if separator in flat:
            name, rest = flat.split(separator, 1)
            if 0 < len(name.split()) <= 8:
                return name.strip(), rest.strip()
    words = flat.split()
    return (" ".join(words[:6]) + ("…" if len(words) > 6 else "")) if words else "", flat


def option_label(title: str) -> tuple[str | None, str]:
    """``Option A: Full replacement`` -> ("A", "Full replacement"); ``Option 2 - X`` -> ("B", "X")."""
    text = plain(title) if "*" in title or "`" in title else title.strip()
    match = OPTION_LABEL.match(text) or LETTER_LABEL.match(text)
    if not match:
        return None, text
    label, rest = match.group(1), (match.group(2) or "").strip()
    ident = chr(64 + int(label)) if label.isdigit() and 0 < int(label) <= 26 else label.upper()
    return ident, rest or text


def slugify(text: str, max_words: int | None = None) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    if max_words:
        words = words[:max_words]
    return "-".join(words)


def _read(doc: AdrText) -> Adr:
    style, raw_status = doc.style_and_status()
    return Adr(
        path=doc.path,
        number=doc.number(),
        title=doc.title(),
        status=doc.status(),
        raw_status=raw_status,
        date=doc.date(),
        style=style,
        tags=doc.field_list("tags"),
        deciders=doc.field_list("deciders"),
        consulted=doc.field_list("consulted"),
        informed=doc.field_list("informed"),
        context=doc.section_text(doc.section("context")),
        criteria=criteria(doc),
        options=options(doc),
        tables=tables(doc),
        counter_arguments=counter_arguments(doc),
        sources=sources(doc),
        decision=doc.section_text(doc.section("decision")),
        consequences=_consequences(doc),
        references=references(doc),
        supersedes=doc.relation("supersedes"),
        superseded_by=doc.relation("superseded-by"),
        amends=doc.relation("amends"),
        amended_by=doc.relation("amended-by"),
        related=doc.relation("related"),
        links=[Link(label, key) for label, key in doc.links()],
        section_titles=[s.title for s in doc.sections],
        heading=doc.heading(),
        slug=doc.slug(),
    )


def criteria(doc: AdrText) -> list[Criterion]:
    section = doc.section("criteria")
    if section is None:
        return []
    found: list[Criterion] = []
    seen: set[str] = set()
    for inline, _line in doc.list_items(section.body_start, section.end):
        name, question = split_named_item(inline.content)
        if not name:
            continue
        must = bool(MUST_HAVE.search(inline.content))
        name = MUST_HAVE.sub("", name).strip()
        ident = slugify(name, max_words=6) or f"criterion-{len(found) + 1}"
        while ident in seen:
            ident += "-2"
        seen.add(ident)
        found.append(Criterion(ident, name, question or name, must))
    return found


def options(doc: AdrText) -> list[Option]:
    section = doc.section("options")
    if section is None:
        return []
    subs = [
        s for s in doc.sections if s.level == section.level + 1 and section.body_start <= s.heading.line < section.end
    ]
    raw: list[tuple[str, str]] = []
    if subs:
        for sub in subs:
            raw.append((sub.title, doc.section_text(sub)))
    else:
        for inline, line in doc.list_items(section.body_start, section.end):
            labelled, label_title = option_label(plain(inline.content))
            if labelled is not None and "**" not in inline.content:
                name, rest = f"Option {labelled}: {label_title}", ""
            else:
                name, rest = split_named_item(inline.content)
                if name.endswith("…"):  # no name/description separator: the whole item is the title
                    name, rest = plain(inline.content), ""
            item_end = _item_end(doc, line, section.end)
            nested = "".join(doc.lines[line + 1 : item_end]).strip()
            description = "\n".join(p for p in (rest, nested) if p).strip()
            raw.append((name, description))
    options: list[Option] = []
    used: set[str] = set()
    idents: list[tuple[str, str, str]] = []
    for index, (title, description) in enumerate(raw):
        ident, clean_title = option_label(title)
        if ident is None or ident in used:
            ident = next(chr(65 + i) for i in range(index, 52) if chr(65 + i) not in used)
        used.add(ident)
        idents.append((ident, clean_title, description))
    matched = _pros_cons_headings(doc, [(ident, title) for ident, title, _ in idents])
    for ident, title, description in idents:
        pros, cons, neutral = pros_and_cons(doc, matched.get(ident), description)
        options.append(Option(ident, title, description, pros, cons, neutral))
    return options


def _item_end(doc: AdrText, line: int, limit: int) -> int:
    for token in doc.toks:
        if token.type == "list_item_open" and token.map and token.map[0] == line:
            return min(token.map[1], limit)
    return min(line + 1, limit)


def _pros_cons_headings(doc: AdrText, options: list[tuple[str, str]]) -> dict[str, Section]:
    """Each option's heading under "Pros and Cons of the Options", matched the way a reader would:
    by its label (``### Option 2``), or by its title even when the heading drops backticks, a trailing
    period or the end of the title (``### Use Local Persistent Volumes`` for "Use [Local Persistent
    Volumes](...)."), one heading per option, best matches first."""
    section = doc.section("pros_cons")
    if section is None or not options:
        return {}
    subs = [
        s for s in doc.sections if s.level == section.level + 1 and section.body_start <= s.heading.line < section.end
    ]
    scored: list[tuple[float, int, str]] = []
    for position, sub in enumerate(subs):
        sub_id, sub_title = option_label(sub.title)
        for ident, title in options:
            score = 1.0 if sub_id is not None and sub_id == ident else _title_match(sub_title, title)
            if score >= 0.5:
                scored.append((score, position, ident))
    matched: dict[str, Section] = {}
    taken: set[int] = set()
    for _score, position, ident in sorted(scored, key=lambda item: (-item[0], item[1])):
        if ident not in matched and position not in taken:
            matched[ident] = subs[position]
            taken.add(position)
    return matched


def pros_and_cons(
    doc: AdrText, heading: Section | None, description: str
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The Good/Bad/Neutral items of an option: every list under its pros-and-cons heading (not only the
    first one, nested ones too), and those written in its own description."""
    texts: list[str] = []
    if heading is not None:
        texts.extend(plain(i.content) for i, _ in doc.list_items(heading.body_start, heading.end, False))
    for line in description.splitlines():
        stripped = line.strip()
        if re.match(r"^[-*+]\s+\**(Good|Bad|Neutral|Pro|Con)\b", stripped, re.IGNORECASE):
            texts.append(plain(re.sub(r"^[-*+]\s+", "", stripped)))
    pros = tuple(t for t in texts if re.match(r"^(good|pro)\b", t, re.IGNORECASE))
    cons = tuple(t for t in texts if re.match(r"^(bad|con)\b", t, re.IGNORECASE))
    neutral = tuple(t for t in texts if re.match(r"^neutral\b", t, re.IGNORECASE))
    return pros, cons, neutral


def tables(doc: AdrText) -> list[Table]:
    found: list[Table] = []
    toks = doc.toks
    index = 0
    while index < len(toks):
        token = toks[index]
        if token.type != "table_open":
            index += 1
            continue
        header: list[str] = []
        rows: list[tuple[str, ...]] = []
        row: list[str] = []
        in_head = False
        index += 1
        while index < len(toks) and toks[index].type != "table_close":
            current = toks[index]
            if current.type == "thead_open":
                in_head = True
            elif current.type == "thead_close":
                in_head = False
            elif current.type == "tr_open":
                row = []
            elif current.type == "inline":
                row.append(inline_text(current))
            elif current.type == "tr_close":
                if in_head:
                    header = row
                else:
                    rows.append(tuple(row))
            index += 1
        line = token.map[0] if token.map else 0
        found.append(Table(doc.containing_section(line), tuple(header), tuple(rows), line))
    return found


def counter_arguments(doc: AdrText) -> list[str]:
    section = doc.section("counter")
    if section is not None:
        return [plain(i.content) for i, _ in doc.list_items(section.body_start, section.end)]
    toks = doc.toks
    for index, token in enumerate(toks):
        if token.type == "inline" and COUNTER.search(token.content) and index + 2 < len(toks):
            following = toks[index + 2]  # paragraph_close, then the list
            if following.type in ("bullet_list_open", "ordered_list_open") and following.map:
                return [plain(i.content) for i, _ in doc.list_items(following.map[0], following.map[1])]
    return []


def sources(doc: AdrText) -> list[SourceItem]:
    section = doc.section("sources")
    if section is None:
        return []
    found: list[SourceItem] = []
    seen: set[str] = set()
    for inline, line in doc.list_items(section.body_start, section.end, top_level_only=False):
        content = inline.content
        done: bool | None = None
        box = CHECKBOX.match(content)
        if box:
            done = box.group(1).lower() == "x"
            content = content[box.end() :]
        label = plain(content)
        ids = YOUTUBE_URL.findall(content) or BACKTICK_ID.findall(content)
        if ids:
            for video_id in ids:
                if video_id not in seen:
                    seen.add(video_id)
                    found.append(SourceItem("youtube", video_id, f"https://youtu.be/{video_id}", done, label, line))
            continue
        for url in URL.findall(content):
            if url not in seen:
                seen.add(url)
                found.append(SourceItem("url", url, url, done, label, line))
    return found


def references(doc: AdrText) -> list[Reference]:
    """``ADR-NNNN`` mentions, ``[[wikilinks]]`` and relative links; not the examples a template's placeholder
    holds (log4brains' ``superseded by [xxx](yyyymmdd-xxx.md)``)."""
    refs: list[Reference] = []
    examples = doc.template_lines()
    for index in range(doc.body_start, len(doc.lines)):
        for number in ADR_MENTION.findall(doc.lines[index]):
            refs.append(Reference("mention", number.zfill(4), index))
        for target in WIKILINK.findall(doc.lines[index]):
            refs.append(Reference("wikilink", target.strip(), index))
    for token in doc.toks:
        if token.type != "inline":
            continue
        for child in token.children or []:
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                line = token.map[0] if token.map else None
                if href and not re.match(r"^[a-z][a-z0-9+.-]*:|^#", href, re.IGNORECASE) and line not in examples:
                    refs.append(Reference("link", href, line))
    return refs


def _consequences(doc: AdrText) -> str:
    for section in doc.sections:
        if normalize_heading(section.title) == "consequences":
            return doc.section_text(section)
    return ""


def _title_words(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", plain(text).lower())
    return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words]


def _title_match(heading: str, title: str) -> float:
    """How surely a pros-and-cons heading names an option: 1 for the same words, 0.9 when one is the start of
    the other, else the share of words they have in common."""
    a, b = _title_words(heading), _title_words(title)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if longer[: len(shorter)] == shorter:
        return 0.9
    common = len(set(a) & set(b))
    return common / len(set(a) | set(b))
