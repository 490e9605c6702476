"""Confinement (`joeladr.bounds`): once a front end confines the process, no path leads out of the workspace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from joeladr import bounds
from joeladr.atomic import atomic_write_text, read_text, write_all
from joeladr.cache import read_entry
from joeladr.catalog import Catalog
from joeladr.errors import OutsideWorkspace, UsageError
from joeladr.ingest.inputs import parse_input
from joeladr.settings import resolve_settings


@pytest.fixture
def confined(workspace: Path, tmp_path: Path) -> Iterator[Path]:
    """The test workspace confined; a folder beside it with a file that must stay out of reach."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("not yours\n")
    for folder in ("adrs", "vault", ".joeladr"):
        (workspace / folder).mkdir()
    bounds.confine(bounds.Bounds.of(resolve_settings()))
    try:
        yield outside
    finally:
        bounds.confine(None)


def test_reads_and_writes_stay_inside(workspace: Path, confined: Path) -> None:
    secret = confined / "secret.md"
    (workspace / "vault" / "link.md").symlink_to(secret)
    (workspace / "vault" / "out").symlink_to(confined)
    for path in (secret, workspace / "vault" / ".." / ".." / "outside" / "secret.md", workspace / "vault/link.md"):
        with pytest.raises(OutsideWorkspace, match="is outside the workspace"):
            read_text(path)
    with pytest.raises(OutsideWorkspace, match=r"link\.md is outside the workspace \(a symlink leads out of it\)"):
        atomic_write_text(workspace / "vault" / "link.md", "overwritten")
    with pytest.raises(OutsideWorkspace):
        write_all({workspace / "vault" / "note.md": "fine", workspace / "vault" / "out" / "new.md": "not fine"})
    with pytest.raises(OutsideWorkspace):
        read_entry(workspace / ".joeladr" / ".." / ".." / "outside" / "secret.md")
    assert secret.read_text() == "not yours\n" and not (confined / "new.md").exists()
    assert not (workspace / "vault" / "note.md").exists()  # nothing of a refused batch is written
    atomic_write_text(workspace / "vault" / "note.md", "inside")
    assert read_text(workspace / "vault" / "note.md") == "inside"


def test_media_files_and_source_ids_stay_inside(workspace: Path, confined: Path) -> None:
    (confined / "talk.webm").write_bytes(b"audio")
    (workspace / "vault" / "talk.webm").symlink_to(confined / "talk.webm")
    for text in (str(confined / "talk.webm"), "../outside/talk.webm", "../outside/missing.webm", "vault/talk.webm"):
        with pytest.raises(OutsideWorkspace):
            parse_input(text)
    assert parse_input("JvBT4XBdoUE").kind == "youtube"  # ids and URLs are not paths
    (workspace / "vault" / "inside.webm").write_bytes(b"audio")
    assert parse_input("vault/inside.webm").kind == "file"
    with pytest.raises(UsageError, match="is not a source id"):
        Catalog(workspace / ".joeladr").get("../../outside")


def test_without_bounds_the_cli_reads_what_the_user_names(confined: Path) -> None:
    bounds.confine(None)
    assert read_text(confined / "secret.md") == "not yours\n"
