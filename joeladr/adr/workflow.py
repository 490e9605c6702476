"""ADR operations that touch files: status, supersede, link, index."""

from __future__ import annotations

from pathlib import Path

from joeladr.adr.edit import AdrDocument
from joeladr.adr.index import write_index
from joeladr.adr.model import STANDARD_STATUSES, Adr
from joeladr.adr.parse import parse_adr
from joeladr.adr.repo import AdrRepository
from joeladr.errors import UsageError


def set_status(repo: AdrRepository, ref: str, value: str, *, allow_custom: bool = False) -> tuple[Path, bool]:
    value = value.strip().lower()
    if not allow_custom and value not in STANDARD_STATUSES:
        raise UsageError(
            f"'{value}' is not a known status", hint=f"use one of {', '.join(STANDARD_STATUSES)}, or --custom"
        )
    document = AdrDocument.load(repo.find(ref))
    parse_adr(document.text, document.path)  # refuse malformed files before editing
    document.set_status(value)
    return document.path, document.save()


def supersede(repo: AdrRepository, old_ref: str, new_ref: str) -> list[Path]:
    """OLD becomes superseded by NEW; NEW records that it supersedes OLD. Both files, both directions."""
    old_path, new_path = repo.find(old_ref), repo.find(new_ref)
    if old_path == new_path:
        raise UsageError("an ADR cannot supersede itself")
    old_doc, new_doc = AdrDocument.load(old_path), AdrDocument.load(new_path)
    old_adr, new_adr = parse_adr(old_doc.text, old_path), parse_adr(new_doc.text, new_path)
    mark_superseded(old_doc, old_adr, new_adr.number_text)
    new_doc.add_relation("supersedes", old_adr.number_text)
    return _save_all([old_doc, new_doc])


def mark_superseded(document: AdrDocument, adr: Adr, by: str) -> None:
    """Status superseded plus the link to ``by``, in the file's own style."""
    if adr.style == "front-matter":
        document.set_status("superseded")
        document.add_relation("superseded-by", by)
    else:
        document.set_status(f"superseded by {by}")


def link(repo: AdrRepository, a_ref: str, b_ref: str) -> list[Path]:
    """Record A and B as related, in both files."""
    a_path, b_path = repo.find(a_ref), repo.find(b_ref)
    if a_path == b_path:
        raise UsageError("an ADR cannot be linked to itself")
    a_doc, b_doc = AdrDocument.load(a_path), AdrDocument.load(b_path)
    a_adr, b_adr = parse_adr(a_doc.text, a_path), parse_adr(b_doc.text, b_path)
    a_doc.add_relation("related", b_adr.number_text)
    b_doc.add_relation("related", a_adr.number_text)
    return _save_all([a_doc, b_doc])


def update_index(repo: AdrRepository) -> tuple[Path, bool]:
    adrs, _ = repo.load_all()
    return repo.index_path, write_index(repo.index_path, adrs)


def _save_all(documents: list[AdrDocument]) -> list[Path]:
    """Save edited documents; every text is computed before the first write."""
    return [d.path for d in documents if d.save()]
