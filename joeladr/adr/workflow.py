"""ADR operations that touch files: status, supersede, link, index. Every edit goes through
:class:`joeladr.adr.edit.AdrDocument`, in the style of the folder (:meth:`AdrRepository.style`)."""

from __future__ import annotations

from pathlib import Path

from joeladr.adr.edit import AdrDocument, LinkTarget
from joeladr.adr.fields import KNOWN_STATUSES, status_phrase
from joeladr.adr.graph import superseded_by, supersession_path
from joeladr.adr.index import write_index
from joeladr.adr.model import STANDARD_STATUSES, label_of
from joeladr.adr.repo import AdrRepository
from joeladr.adr.style import FolderStyle
from joeladr.atomic import write_all
from joeladr.errors import AdrError, UsageError


def open_document(repo: AdrRepository, ref: str | Path, *, style: FolderStyle | None = None) -> AdrDocument:
    """The ADR ``ref`` as an editable document that knows its folder's style, numbering and links."""
    path = repo.find(str(ref))
    entry = repo.entry(path)
    return AdrDocument.load(
        path,
        style=style or repo.style(),
        number=entry.number if entry is not None else repo.number_of(path),
        resolve=repo.resolver(path),
        slug=entry.slug if entry is not None else None,
    )


def known_statuses(style: FolderStyle) -> set[str]:
    """Statuses ``adr status`` accepts without ``--custom``: the common ones and those the folder already uses."""
    return set(STANDARD_STATUSES) | (set(KNOWN_STATUSES) - {"superceded"}) | set(style.statuses)


def normal_status(value: str) -> str:
    """A status as joeladr reads it: ``✅ Accepted`` -> ``accepted``, ``Superseded by ADR-0005`` -> ``superseded``."""
    phrase = status_phrase(" ".join(value.split()))
    return phrase.value if phrase else " ".join(value.split()).lower()


def set_status(repo: AdrRepository, ref: str, value: str, *, allow_custom: bool = False) -> tuple[Path, bool]:
    value = " ".join(value.split())
    normalized = normal_status(value)
    style = repo.style()
    if not allow_custom and normalized not in known_statuses(style):
        raise UsageError(
            f"'{value}' is not a known status",
            hint=f"use one of {', '.join(STANDARD_STATUSES)} (or a status this folder uses), or --custom",
        )
    with repo.lock:
        document = open_document(repo, ref, style=style)
        document.parse()  # refuse malformed files before editing
        document.set_status(value)
        return document.path, document.save()


def supersede(repo: AdrRepository, old_ref: str, new_ref: str) -> list[Path]:
    """OLD becomes superseded by NEW; NEW records that it supersedes OLD. Both files, both directions."""
    old_path, new_path = repo.find(old_ref), repo.find(new_ref)
    if old_path == new_path:
        raise UsageError("an ADR cannot supersede itself")
    style = repo.style()
    with repo.lock:
        old_doc, new_doc = open_document(repo, old_path, style=style), open_document(repo, new_path, style=style)
        old_adr, new_adr = old_doc.parse(), new_doc.parse()
        refuse_cycle(repo, old_adr.key, new_adr.key)
        old_doc.mark_superseded(new_adr)
        new_doc.add_relation("supersedes", LinkTarget.of(old_adr))
        return _save_all([old_doc, new_doc])


def refuse_cycle(repo: AdrRepository, old: str, new: str) -> None:
    """Refuse "``new`` supersedes ``old``" when ``old`` already supersedes ``new`` (directly or through others):
    both would be superseded, and nothing would replace them."""
    adrs, _ = repo.load_all()
    chain = supersession_path(superseded_by(adrs), new, old)
    if chain is not None:
        names = [label_of(key) for key in chain]
        how = "" if len(chain) == 2 else f" (through {' → '.join(names[1:-1])})"
        raise AdrError(
            f"{names[0]} cannot supersede {names[-1]}: {names[-1]} already supersedes it{how}",
            hint="a circle of supersessions leaves none of them in force; `joeladr adr show` lists each one's",
        )


def link(repo: AdrRepository, a_ref: str, b_ref: str) -> list[Path]:
    """Record A and B as related, in both files."""
    a_path, b_path = repo.find(a_ref), repo.find(b_ref)
    if a_path == b_path:
        raise UsageError("an ADR cannot be linked to itself")
    style = repo.style()
    with repo.lock:
        a_doc, b_doc = open_document(repo, a_path, style=style), open_document(repo, b_path, style=style)
        a_adr, b_adr = a_doc.parse(), b_doc.parse()
        a_doc.add_relation("related", LinkTarget.of(b_adr))
        b_doc.add_relation("related", LinkTarget.of(a_adr))
        return _save_all([a_doc, b_doc])


def update_index(repo: AdrRepository) -> tuple[Path, bool]:
    with repo.lock:
        adrs, _ = repo.load_all()
        return repo.index_path, write_index(repo.index_path, adrs)


def _save_all(documents: list[AdrDocument]) -> list[Path]:
    """Save edited documents all or none, refused if any changed on disk since it was loaded."""
    changed = [d for d in documents if d.changed]
    write_all({d.path: d.text for d in changed}, expected={d.path: d.original for d in changed})
    for document in changed:
        document.original = document.text
    return [d.path for d in changed]
