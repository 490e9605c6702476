"""Property tests: front matter and section edits on generated documents touch only what they must."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from joeladr.adr import parse_adr
from joeladr.adr.edit import AdrDocument
from joeladr.adr.format import AdrText

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
SENTENCE = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
EOL = st.sampled_from(["\n", "\r\n"])
STATUS = st.sampled_from(["proposed", "accepted", "rejected", "deprecated", "superseded", "shipped"])


@st.composite
def front_matter_lines(draw: st.DrawFn) -> list[str]:
    keys = draw(
        st.lists(
            st.sampled_from(["date", "deciders", "tags", "title", "type", "consulted", "credits"]),
            unique=True,
            max_size=5,
        )
    )
    status_style = draw(st.sampled_from(["plain", "double", "single", "comment"]))
    status = draw(STATUS)
    rendered = {
        "plain": status,
        "double": f'"{status}"',
        "single": f"'{status}'",
        "comment": f"{status}  # why: {status}",
    }
    lines = [f"status: {rendered[status_style]}"]
    for key in keys:
        shape = draw(st.sampled_from(["scalar", "quoted", "flow", "block", "comment"]))
        if shape == "scalar":
            lines.append(f"{key}: {draw(SENTENCE)}")
        elif shape == "quoted":
            lines.append(f'{key}: "{draw(SENTENCE)}"')
        elif shape == "flow":
            lines.append(f"{key}: [{', '.join(draw(st.lists(WORD, max_size=3)))}]")
        elif shape == "block":
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["  - ", "- ", "    - "]))
            lines.extend(f"{indent}{w}" for w in draw(st.lists(WORD, min_size=1, max_size=3)))
        else:
            lines.append(f"# {draw(SENTENCE)}")
            lines.append(f"{key}: {draw(WORD)}")
    order = draw(st.permutations(range(len(lines))))
    # keep block items attached to their keys: only shuffle when there are no block lists
    if not any(line.startswith((" ", "-")) for line in lines):
        lines = [lines[i] for i in order]
    return lines


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[str]]:
    eol = draw(EOL)
    lines = ["---", *draw(front_matter_lines()), "---", "", f"# ADR-0001: {draw(SENTENCE)}", ""]
    titles = draw(
        st.lists(
            st.sampled_from(["Context", "Decision", "Consequences", "Notes", "Options", "Risks"]),
            unique=True,
            min_size=1,
            max_size=5,
        )
    )
    for title in titles:
        lines += [f"## {title}", ""]
        for _ in range(draw(st.integers(0, 3))):
            lines += [draw(SENTENCE)]
            if draw(st.booleans()):
                lines += [""]
    text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    return text, titles


@settings(max_examples=150, deadline=None)
@given(documents(), STATUS)
def test_status_edit_changes_one_line(doc: tuple[str, list[str]], status: str) -> None:
    text, _ = doc
    document = AdrDocument(text, Path("0001-x.md"))
    assert document.text == text
    document.set_status(status)
    assert parse_adr(document.text, Path("0001-x.md")).status == status
    before, after = text.splitlines(keepends=True), document.text.splitlines(keepends=True)
    assert len(before) == len(after)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) <= 1
    if changed:
        assert before[changed[0]].startswith("status:")
        assert after[changed[0]][-1:] == before[changed[0]][-1:]
    if "# why" in text:
        assert "# why" in document.text


@settings(max_examples=150, deadline=None)
@given(documents(), st.data())
def test_replace_section_keeps_every_other_section(doc: tuple[str, list[str]], data: st.DataObject) -> None:
    text, titles = doc
    target = data.draw(st.sampled_from(titles))
    new_body = "\n\n".join(data.draw(st.lists(SENTENCE, min_size=1, max_size=3)))
    path = Path("0001-x.md")
    before = AdrText(text, path)
    document = AdrDocument(text, path)
    document.replace_section(target, new_body)
    after = AdrText(document.text, path)
    assert [s.title for s in after.sections] == [s.title for s in before.sections]
    for old, new in zip(before.sections, after.sections, strict=True):
        if old.level == 1:
            continue  # the title section contains every other one
        if old.title == target:
            assert after.section_text(new).replace("\r\n", "\n") == new_body.strip()  # in the file's line endings
        else:
            assert after.section_text(new) == before.section_text(old)
    fm_end = before.front.end if before.front else 0
    assert document.text.splitlines(keepends=True)[:fm_end] == text.splitlines(keepends=True)[:fm_end]
    # replacing with the same body again is a no-op
    again = AdrDocument(document.text, path)
    again.replace_section(target, new_body)
    assert again.text == document.text


@settings(max_examples=100, deadline=None)
@given(documents(), st.sampled_from(["supersedes", "superseded-by", "related"]), st.integers(1, 9999))
def test_relations_are_added_once_and_read_back(doc: tuple[str, list[str]], kind: str, number: int) -> None:
    text, _ = doc
    path = Path("0001-x.md")
    document = AdrDocument(text, path)
    document.add_relation(kind, str(number))
    first = document.text
    document.add_relation(kind, str(number))
    assert document.text == first
    adr = parse_adr(first, path)
    values = {"supersedes": adr.supersedes, "superseded-by": adr.superseded_by, "related": adr.related}[kind]
    assert f"{number:04d}" in values
    removed = [line for line in text.splitlines() if line not in first.splitlines()]
    assert removed == [] or all(line.split(":")[0] in ("supersedes", "superseded-by", "related") for line in removed)
