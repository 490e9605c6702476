"""Every real ADR folder just works: discovery, fields, byte-exact edits and new ADRs in the folder's style.

The folders are the ten of ``../shared/corpus/outside/`` (other projects' ADRs, byte for byte) and
joelclaw's 173 ADRs. What each ADR should read as is kept as data in ``tests/fixtures/adr-expected/``
(an independent reading, see its README), never computed by joeladr's reader.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joeladr.adr.edit import AdrDocument
from joeladr.adr.repo import AdrRepository
from joeladr.cli import app
from joeladr.errors import AdrError
from tests.conftest import FIXTURES, SHARED

runner = CliRunner()
EXPECTED = FIXTURES / "adr-expected"
FIELDS = ("number", "title", "status", "date", "superseded_by", "supersedes")
OUTSIDE = SHARED / "corpus" / "outside"
BOM = b"\xef\xbb\xbf"


def _expectations() -> dict[str, dict]:  # type: ignore[type-arg]
    files = sorted(EXPECTED.glob("*.json"))
    if not OUTSIDE.is_dir():  # CI puts shared/ beside the checkout; without it these tests cannot mean anything
        raise RuntimeError(f"the outside ADR corpus is missing: expected {OUTSIDE}")
    return {f.stem: json.loads(f.read_text(encoding="utf-8")) for f in files}


EXPECTATIONS = _expectations()
CASES = [(folder, name) for folder, data in EXPECTATIONS.items() for name in data["adrs"]]
OUTSIDE_FOLDERS = sorted(p.name for p in OUTSIDE.iterdir() if p.is_dir())


def corpus_folder(folder: str) -> Path:
    return SHARED / "corpus" / EXPECTATIONS[folder]["corpus"]


# -- reading ---------------------------------------------------------------------------


def test_every_outside_folder_has_an_independent_reading() -> None:
    assert set(OUTSIDE_FOLDERS) <= set(EXPECTATIONS)
    counts = {folder: len(EXPECTATIONS[folder]["adrs"]) for folder in OUTSIDE_FOLDERS}
    assert sum(counts.values()) == 571  # the corpus README's count
    assert counts["decentraland-adr"] == 177 and counts["kumahq-kuma"] == 109
    assert len(EXPECTATIONS["joelclaw-adrs"]["adrs"]) == 173


@pytest.mark.parametrize("folder", sorted(EXPECTATIONS))
def test_discovery_finds_exactly_the_adrs(folder: str) -> None:
    """`adr list` finds every ADR of the folder, and nothing else (index files, templates, companions)."""
    result = runner.invoke(app, ["--adr-dir", str(corpus_folder(folder)), "adr", "list", "--json"])
    assert result.exit_code == 0, result.output
    listed = {Path(row["path"]).name: row for row in json.loads(result.stdout)}
    assert set(listed) == set(EXPECTATIONS[folder]["adrs"])
    assert not set(EXPECTATIONS[folder]["not_adrs"]) & set(listed)
    for name, row in listed.items():
        assert row["number"] == EXPECTATIONS[folder]["adrs"][name]["number"], name


@pytest.mark.parametrize(("folder", "name"), CASES, ids=[f"{f}/{n}" for f, n in CASES])
def test_adr_show_json_reads_every_field(folder: str, name: str) -> None:
    result = runner.invoke(app, ["--adr-dir", str(corpus_folder(folder)), "adr", "show", name, "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    want = EXPECTATIONS[folder]["adrs"][name]
    assert {f: got[f] for f in FIELDS} == {f: want[f] for f in FIELDS}


# -- edits: only the intended lines change ---------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _is_subsequence(small: list[bytes], big: list[bytes]) -> bool:
    it = iter(big)
    return all(any(line == other for other in it) for line in small)


def _check_bytes(before: bytes, after: bytes) -> None:
    """A BOM, the final newline and every untouched line's ending are kept."""
    assert after.startswith(BOM) == before.startswith(BOM)
    assert after.endswith((b"\n", b"\r")) == before.endswith((b"\n", b"\r"))
    crlf_before = before.count(b"\r\n") * 2 > before.count(b"\n")
    if crlf_before:
        assert after.count(b"\r\n") == after.count(b"\n")


def _documents(folder: Path) -> Iterator[tuple[AdrRepository, Path]]:
    repo = AdrRepository(folder)
    for path in repo.paths():
        yield repo, path


@pytest.mark.parametrize("folder", OUTSIDE_FOLDERS)
def test_status_edits_change_only_status_lines(folder: str, tmp_path: Path) -> None:
    """Every ADR of the folder: `adr status` changes the words that state the status and nothing else
    (or, in a file without a status, only adds lines, below any front matter)."""
    copy = tmp_path / folder
    shutil.copytree(OUTSIDE / folder, copy)
    repo = AdrRepository(copy)
    style = repo.style()
    problems: list[str] = []
    for path in repo.paths():
        before = path.read_bytes()
        document = AdrDocument.load(path, style=style, number=repo.number_of(path), resolve=repo.resolver(path))
        old = document.parse()
        new_status = "deprecated" if old.status != "deprecated" else "accepted"
        try:
            document.set_status(new_status)
        except AdrError as exc:  # "superseded by [5. X](...)": the status is the only link back (issue 22)
            if not (old.status == "superseded" and old.superseded_by and "would drop that link" in exc.message):
                problems.append(f"{path.name}: refused: {exc.message}")
            continue
        document.save()
        after = path.read_bytes()
        _check_bytes(before, after)
        new = repo.load(path)
        if (new.status, new.title, new.date, new.number) != (new_status, old.title, old.date, old.number):
            problems.append(f"{path.name}: reads {new.status!r}, title/date/number {new.title!r} {new.date!r}")
        old_lines, new_lines = _lines(before), _lines(after)
        if old.status is None:
            if not _is_subsequence(old_lines, new_lines):
                problems.append(f"{path.name}: a line was changed, not added")
            continue
        if len(old_lines) != len(new_lines):
            problems.append(f"{path.name}: {len(old_lines)} lines became {len(new_lines)}")
            continue
        words = old.status.split()[0].encode()
        for index, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)):
            if a != b and not (words in a.lower() or a.lower().lstrip(BOM).startswith(b"tags:")):
                problems.append(f"{path.name}:{index + 1}: changed a line that does not state the status: {a!r}")
    assert not problems, "\n".join(problems)


def _only_intended(before: bytes, after: bytes, allowed: re.Pattern[bytes]) -> list[str]:
    """Lines may be added; a line may change only if it matches ``allowed`` (it states what was edited)."""
    import difflib

    old, new = _lines(before), _lines(after)
    wrong = []
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            wrong += [line.decode(errors="replace") for line in old[i1:i2] if not allowed.search(line)]
    return wrong


STATUS_LINE = re.compile(
    rb"(?i)status|^#|tags:|accepted|proposed|living|draft|approved|decided|withdrawn|final|review|super[sc]eded"
)
RELATION_LINE = re.compile(rb"(?i)supersed|related|^\s*$")


@pytest.mark.parametrize("folder", OUTSIDE_FOLDERS)
def test_supersede_and_link_write_both_files_in_their_style(folder: str, tmp_path: Path) -> None:
    """`adr supersede` and `adr link` on two ADRs of each folder: both read the relations back, every other
    line and every other file stays byte for byte, and a second run changes nothing."""
    copy = tmp_path / folder
    shutil.copytree(OUTSIDE / folder, copy)
    repo = AdrRepository(copy)
    adrs, _ = repo.load_all()
    unique = [a for a in adrs if len(repo.by_number()[a.number or 0]) == 1 and a.status != "superseded"]
    old, new, third = unique[1], unique[3], unique[5]
    snapshot = {p.name: p.read_bytes() for p in copy.iterdir()}
    args = ["--adr-dir", str(copy), "adr"]
    result = runner.invoke(app, [*args, "supersede", str(old.number), str(new.number)])
    assert result.exit_code == 0, result.output
    linked = runner.invoke(app, [*args, "link", str(new.number), str(third.number)])
    assert linked.exit_code == 0, linked.output
    old_after, new_after, third_after = repo.load(old.path), repo.load(new.path), repo.load(third.path)
    assert (old_after.status, old_after.superseded_by) == ("superseded", [new.number_text])
    assert old.number_text in new_after.supersedes
    assert third.number_text in new_after.related and new.number_text in third_after.related
    for adr in (old, new, third):
        assert repo.load(adr.path).title == adr.title and repo.load(adr.path).date == adr.date
    for path in copy.iterdir():
        before, after = snapshot[path.name], path.read_bytes()
        if path not in (old.path, new.path, third.path):
            assert after == before, path.name
            continue
        _check_bytes(before, after)
        assert not _only_intended(before, after, STATUS_LINE if path == old.path else RELATION_LINE), path.name
    again = {p.name: p.read_bytes() for p in copy.iterdir()}
    assert runner.invoke(app, [*args, "supersede", str(old.number), str(new.number)]).exit_code == 0
    assert runner.invoke(app, [*args, "link", str(new.number), str(third.number)]).exit_code == 0
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == again


# -- new ADRs in the folder's style ----------------------------------------------------

NEW_TITLE = "Use a message queue"
NEW_ADRS = {
    # folder: (file name, how the file starts), written by reading each folder's newest ADRs, or its template
    "cardano-scaling-hydra": (
        "{today}_035-use-a-message-queue.md",
        "---\nslug: 35\ntitle: |\n  35. Use a message queue\nauthors: []\ntags: [Proposed]\n---\n\n"
        "## Status\n\nProposed\n",
    ),
    "cisagov-manage-get-gov": (
        "0033-use-a-message-queue.md",
        "# 33. Use a message queue\n\nDate: {today}\n\n## Status\n\nProposed\n\n## Context\n",
    ),
    "cosmos-ibc-go": ("adr-028-use-a-message-queue.md", "# ADR 028: Use a message queue\n\n## Status\n\nProposed\n"),
    "decentraland-adr": (
        "ADR-317-use-a-message-queue.md",
        "---\nlayout: adr\nadr: 317\ntitle: Use a message queue\ndate: {today}\nstatus: Draft\ntype:\n"
        "spdx-license: CC0-1.0\nauthors: []\n---\n\n## Context\n",
    ),
    "elastisys-compliantkubernetes": (  # its template.md (MADR 2), filled (issue 22)
        "0057-use-a-message-queue.md",
        "# Use a message queue\n\n- Status: proposed\n- Deciders: [list everyone involved in the decision]"
        " <!-- optional -->\n- Date: {today}\n\nTechnical Story: [description | ticket/issue URL] <!-- optional -->\n",
    ),
    "jezzsantos-saastack": (
        "0211-use-a-message-queue.md",
        "# Use a message queue\n\n* status: proposed\n* date: {today}\n* deciders:\n\n"
        "# Context and Problem Statement\n",
    ),
    "kumahq-kuma": (
        "106-use-a-message-queue.md",
        "# Use a message queue\n\n* Status: proposed\n\n## Context and Problem",
    ),
    "microsoft-agent-framework": (  # its adr-template.md (MADR 3), filled (issue 22)
        "0035-use-a-message-queue.md",
        "---\n# These are optional elements. Feel free to remove any of them.\nstatus: proposed\n"
        "contact: {{person proposing the ADR}}\ndate: {today}\ndeciders: {{list everyone involved in the decision}}\n",
    ),
    "ministryofjustice-cloud-platform": (
        "050-use-a-message-queue.md",
        "# 50. Use a message queue\n\nDate: {today}\n\n## Status\n\n🤔 Proposed\n\n## Context\n",
    ),
    "sap-cloud-sdk-js": (
        "0040-use-a-message-queue.md",
        "# Use a message queue\n\n## Status\n\nproposed\n\n## Context\n",
    ),
}


@pytest.mark.parametrize("folder", OUTSIDE_FOLDERS)
def test_adr_new_follows_the_folder(folder: str, tmp_path: Path) -> None:
    import datetime as dt

    copy = tmp_path / folder
    shutil.copytree(OUTSIDE / folder, copy)
    result = runner.invoke(app, ["--adr-dir", str(copy), "adr", "new", NEW_TITLE])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    today = dt.date.today().isoformat()
    name, start = NEW_ADRS[folder]
    assert path.name == name.format(today=today)
    text = path.read_bytes().decode()
    assert text.startswith(start.format(today=today)), text[:300]
    assert "Source Material" not in text and text.endswith("\n") and "\r" not in text
    adr = AdrRepository(copy).load(path)
    assert adr.title == NEW_TITLE and adr.status is not None and adr.status in ("proposed", "draft")
    shown = json.loads(runner.invoke(app, ["--adr-dir", str(copy), "adr", "show", path.name, "--json"]).stdout)
    assert shown["number"] == max(EXPECTATIONS[folder]["adrs"][n]["number"] for n in EXPECTATIONS[folder]["adrs"]) + 1


@pytest.mark.parametrize("title", ["2024", "true", "null", "1e3"])
def test_a_title_that_looks_like_another_yaml_type_stays_text(title: str, tmp_path: Path) -> None:
    """decentraland keeps the title in front matter: a title YAML would read as a number, a boolean or
    nothing is written quoted, so every YAML reader gets the title (plain `title: 2024` read as 2024)."""
    from ruamel.yaml import YAML

    copy = tmp_path / "decentraland"
    shutil.copytree(OUTSIDE / "decentraland-adr", copy)
    made = runner.invoke(app, ["--adr-dir", str(copy), "adr", "new", title])
    assert made.exit_code == 0, made.output
    text = Path(made.stdout.strip()).read_text()
    front = YAML(typ="safe", pure=True).load(text.split("---\n")[1])
    assert front["title"] == title and f'title: "{title}"\n' in text
    assert AdrRepository(copy).load(Path(made.stdout.strip())).title == title


def test_a_windows_checkout_gets_crlf_everywhere(tmp_path: Path) -> None:
    """A folder checked out with CRLF (git on Windows): new ADRs and every edit keep CRLF."""
    folder = tmp_path / "cisagov"
    folder.mkdir()
    for path in (OUTSIDE / "cisagov-manage-get-gov").glob("*.md"):
        (folder / path.name).write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    made = runner.invoke(app, ["--adr-dir", str(folder), "adr", "new", NEW_TITLE])
    assert made.exit_code == 0, made.output
    new = Path(made.stdout.strip()).read_bytes()
    assert new.count(b"\r\n") == new.count(b"\n") > 10
    for args in (["status", "3", "deprecated"], ["supersede", "4", "33"], ["link", "5", "33"]):
        assert runner.invoke(app, ["--adr-dir", str(folder), "adr", *args]).exit_code == 0
    for path in folder.glob("*.md"):
        data = path.read_bytes()
        assert data.count(b"\r\n") == data.count(b"\n"), path.name
    assert AdrRepository(folder).get("3").status == "deprecated"


@pytest.mark.parametrize("template", ["joelclaw", "madr", "madr2", "nygard"])
def test_template_picks_the_family_and_the_folder_the_name(template: str, tmp_path: Path) -> None:
    """`--template` overrides the folder's template family, not its naming (kuma: 3 digits); only the joelclaw
    template has the Source Material section joeladr ingests talks from."""
    copy = tmp_path / "kuma"
    shutil.copytree(OUTSIDE / "kumahq-kuma", copy)
    result = runner.invoke(app, ["--adr-dir", str(copy), "adr", "new", NEW_TITLE, "--template", template])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.name == "106-use-a-message-queue.md"
    text = path.read_text()
    assert ("## Source Material" in text) == (template == "joelclaw")
    assert AdrRepository(copy).load(path).title == NEW_TITLE


def test_new_in_an_empty_folder_uses_the_configured_template(workspace: Path) -> None:
    result = runner.invoke(app, ["adr", "new", NEW_TITLE])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.name == "0001-use-a-message-queue.md" and "## Source Material" in path.read_text()


# -- reading details the issue names ---------------------------------------------------

PROS_AND_CONS = {
    # file: {option title start: (good, bad)}, counted by reading each "### heading" of its Pros and Cons section
    "elastisys-compliantkubernetes/0007-make-monitoring-forwarders-storage-independent.md": {
        "Use underlying storage provider": (4, 4),  # the heading cuts the option's title
        "Use Local Persistent Volumes": (4, 5),  # the option ends with a period, the heading does not
        "Use emptyDir": (6, 3),  # the heading has backticks, the option a link
        "Use hostPath": (0, 0),  # "Worse"/"Better" are no pros and cons
    },
    "elastisys-compliantkubernetes/0033-run-cluster-api-controllers-on-service-cluster.md": {
        "Independent clusters": (4, 4),  # heading: "Independent cluster"
        "Controller Cluster": (6, 4),
        "Management Cluster": (8, 2),
    },
    "elastisys-compliantkubernetes/0051-open-cert-manager-netpols.md": {
        "Open egress by default from cert-manager to 0.0.0.0:53": (2, 1),  # "### Option 1"
        "Open egress by default from cert-manager to 0.0.0.0:80": (2, 1),
        "Do not open additional egress": (1, 3),
    },
    "kumahq-kuma/029-kds-sync-hash-suffix.md": {"use hash-suffix": (2, 1), "remove `mesh`": (1, 1)},
    "elastisys-compliantkubernetes/0002-use-kubespray-for-cluster-lifecycle.md": {
        "Rancher": (1, 2),
        "kubeadm via in-house tools": (2, 2),  # heading: "kubeadm via in-house tool (ck8s-cluster)"
        "Kubespray": (0, 0),  # no heading of its own: nothing attached to it
        "kops": (1, 1),
    },
}


@pytest.mark.parametrize("name", sorted(PROS_AND_CONS))
def test_madr_pros_and_cons_attach_to_their_option(name: str) -> None:
    from joeladr.adr.parse import plain

    folder, file = name.split("/")
    adr = AdrRepository(OUTSIDE / folder).get(file)
    counts = {}
    for prefix in PROS_AND_CONS[name]:
        option = next(o for o in adr.options if o.title.startswith(plain(prefix)))
        counts[prefix] = (len(option.pros), len(option.cons))
    assert counts == PROS_AND_CONS[name]


def test_front_matter_after_a_bom_is_read_and_edited_inside_the_yaml(tmp_path: Path) -> None:
    source = OUTSIDE / "microsoft-agent-framework" / "0009-support-long-running-operations.md"
    path = tmp_path / source.name
    shutil.copy(source, path)
    adr = AdrRepository(tmp_path).get(path.name)
    assert (adr.title, adr.status, adr.style, adr.deciders[0]) == (
        "Long-Running Operations Design",
        "accepted",
        "front-matter",
        "markwallace",
    )
    result = runner.invoke(app, ["--adr-dir", str(tmp_path), "adr", "status", "9", "deprecated"])
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after == source.read_bytes().replace(b"\nstatus: accepted\n", b"\nstatus: deprecated\n", 1)
    assert after.startswith(BOM)


def test_prose_in_a_status_section_is_never_overwritten(tmp_path: Path) -> None:
    """A `## Status` section holding a sentence (a cisagov ADR, its status line replaced by prose): the
    status goes above the prose; the sentence stays."""
    source = (OUTSIDE / "cisagov-manage-get-gov" / "0004-docker-base-image.md").read_text()
    prose = "This was agreed in the architecture review of August 2022, see the notes."
    path = tmp_path / "0004-docker-base-image.md"
    path.write_text(source.replace("## Status\n\nAccepted\n", f"## Status\n\n{prose}\n", 1))
    assert AdrRepository(tmp_path).get("4").status is None
    result = runner.invoke(app, ["--adr-dir", str(tmp_path), "adr", "status", "4", "accepted"])
    assert result.exit_code == 0, result.output
    assert path.read_text() == source.replace("## Status\n\nAccepted\n", f"## Status\n\nAccepted\n\n{prose}\n", 1)


def test_a_file_that_cannot_be_edited_safely_is_refused(tmp_path: Path) -> None:
    """A status written as a YAML list of two values: one status cannot replace both without losing one,
    so `adr status` says so in one line and writes nothing."""
    source = (OUTSIDE / "microsoft-agent-framework" / "0013-python-get-response-simplification.md").read_text()
    path = tmp_path / "0013-python-get-response-simplification.md"
    path.write_text(source.replace("status: Accepted\n", "status: [Accepted, Implemented]\n", 1))
    before = path.read_bytes()
    result = runner.invoke(app, ["--adr-dir", str(tmp_path), "adr", "status", "13", "deprecated"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: 0013-python-get-response-simplification.md: cannot set the status")
    assert "several values (Accepted, Implemented)" in result.output
    assert path.read_bytes() == before


# -- lint and the index ----------------------------------------------------------------


def _lint(folder: Path) -> tuple[int, list[dict]]:  # type: ignore[type-arg]
    result = runner.invoke(app, ["--adr-dir", str(folder), "adr", "lint", "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_lint_knows_which_file_is_the_index() -> None:
    """jezzsantos' README explains the process (no index: no not-in-index warnings); elastisys lists its ADRs
    in MADR's index.md (adr-log) and ministryofjustice in a README list: both are checked."""
    _, prose = _lint(OUTSIDE / "jezzsantos-saastack")
    assert not [i for i in prose if i["code"] == "not-in-index"]
    _, madr = _lint(OUTSIDE / "elastisys-compliantkubernetes")
    assert not [i for i in madr if i["code"] == "not-in-index"]  # index.md lists all 57
    _, listed = _lint(OUTSIDE / "ministryofjustice-cloud-platform")
    missing = sorted(Path(i["path"]).name for i in listed if i["code"] == "not-in-index")
    readme = (OUTSIDE / "ministryofjustice-cloud-platform" / "README.md").read_text()
    assert missing == sorted(
        p.name for p in (OUTSIDE / "ministryofjustice-cloud-platform").glob("0*.md") if f"]({p.name})" not in readme
    )


def test_lint_names_markdown_files_that_are_not_adrs(tmp_path: Path) -> None:
    code, issues = _lint(OUTSIDE / "sap-cloud-sdk-js")
    strangers = {Path(i["path"]).name: i["message"] for i in issues if i["code"] == "not-an-adr"}
    assert strangers == {
        "0017-code-snippets.md": "0017-code-snippets.md is named like an ADR but has no heading or front matter"
    }
    notes = tmp_path / "decisions"
    notes.mkdir()
    for path in sorted((OUTSIDE / "kumahq-kuma").glob("0[0-2]*.md"))[1:4]:
        (notes / path.name.split("-", 1)[1]).write_bytes(path.read_bytes())  # ADRs renamed without numbers
    code, issues = _lint(notes)
    assert code == 1
    assert [i["code"] for i in issues if i["severity"] == "error"] == ["no-adrs"]
    assert len([i for i in issues if i["code"] == "not-an-adr"]) == 3
    plain = runner.invoke(app, ["--adr-dir", str(notes), "adr", "lint"])
    assert "1 errors" in plain.stdout and "0 errors, 0 warnings" not in plain.stdout


def test_index_rewrites_an_adr_log_block_in_place(tmp_path: Path) -> None:
    copy = tmp_path / "elastisys"
    shutil.copytree(OUTSIDE / "elastisys-compliantkubernetes", copy)
    index = copy / "index.md"
    original = index.read_bytes()
    result = runner.invoke(app, ["--adr-dir", str(copy), "adr", "index"])
    assert result.exit_code == 0 and result.stdout.startswith("unchanged"), result.output  # adr-log's own list
    made = runner.invoke(app, ["--adr-dir", str(copy), "adr", "new", NEW_TITLE])
    assert made.exit_code == 0
    assert runner.invoke(app, ["--adr-dir", str(copy), "adr", "index"]).stdout.startswith("updated")
    added = b"- [ADR-0057](0057-use-a-message-queue.md) - Use a message queue\n"
    assert index.read_bytes() == original.replace(b"\n\n<!-- adrlogstop -->", b"\n" + added + b"\n<!-- adrlogstop -->")
    assert not (copy / "README.md").exists()


def test_index_leaves_a_list_it_cannot_write_alone(tmp_path: Path) -> None:
    copy = tmp_path / "moj"
    shutil.copytree(OUTSIDE / "ministryofjustice-cloud-platform", copy)
    before = (copy / "README.md").read_bytes()
    result = runner.invoke(app, ["--adr-dir", str(copy), "adr", "index"])
    assert result.exit_code == 1 and result.output.startswith("error: README.md lists the ADRs in a form")
    assert (copy / "README.md").read_bytes() == before


def test_index_appends_a_table_to_a_prose_readme(tmp_path: Path) -> None:
    copy = tmp_path / "saastack"
    shutil.copytree(OUTSIDE / "jezzsantos-saastack", copy)
    before = (copy / "README.md").read_text()
    result = runner.invoke(app, ["--adr-dir", str(copy), "adr", "index"])
    assert result.exit_code == 0, result.output
    after = (copy / "README.md").read_text()
    assert after.startswith(before) and after.count("](0") == 26
    assert "| [0005](0005-dev-editor-dotnet.md) | Editor Tool (.NET) | accepted | 2023-09-08 |" in after


# -- discovery: names, folders, patterns ----------------------------------------------

ADR_FOLDERS = FIXTURES / "adr-folders"


L4B_SLUGS = [
    "20200925-multi-packages-architecture-in-a-monorepo-with-yarn-and-lerna",
    "20200926-use-the-adr-number-as-its-unique-id",
    "20201016-use-the-adr-slug-as-its-unique-id",
    "20210113-distribute-log4brains-as-a-global-npm-package",
]


def _listed(folder: Path) -> list[dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, ["--adr-dir", str(folder), "adr", "list", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_log4brains_adrs_are_named_by_their_slug(tmp_path: Path) -> None:
    """log4brains' names carry no number: an ADR is its slug (as log4brains says), in date order, and links
    by slug are read as such."""
    folder = ADR_FOLDERS / "log4brains" / "docs" / "adr"
    listed = _listed(folder)
    assert [(r["key"], r["number"], r["status"]) for r in listed] == [
        (L4B_SLUGS[0], None, "accepted"),
        (L4B_SLUGS[1], None, "superseded"),
        (L4B_SLUGS[2], None, "accepted"),
        (L4B_SLUGS[3], None, "accepted"),
    ]
    old = json.loads(runner.invoke(app, ["--adr-dir", str(folder), "adr", "show", L4B_SLUGS[1], "--json"]).stdout)
    new = json.loads(runner.invoke(app, ["--adr-dir", str(folder), "adr", "show", L4B_SLUGS[2], "--json"]).stdout)
    assert old["superseded_by"] == [L4B_SLUGS[2]] and new["supersedes"] == [L4B_SLUGS[1]]
    by_number = runner.invoke(app, ["--adr-dir", str(folder), "adr", "show", "2"])
    assert by_number.exit_code == 1 and "named by slug" in by_number.output
    copy = tmp_path / "adr"
    shutil.copytree(folder, copy)
    made = Path(runner.invoke(app, ["--adr-dir", str(copy), "adr", "new", NEW_TITLE]).stdout.strip())
    assert re.fullmatch(r"\d{8}-use-a-message-queue\.md", made.name)
    assert made.read_text().startswith("# Use a message queue\n\n- Status: proposed\n- Date: ")
    adr = AdrRepository(copy).load(made)
    assert (adr.key, adr.label, adr.number) == (made.stem, made.stem, None)


def test_a_new_file_moves_no_other_adr(tmp_path: Path) -> None:
    """A file log4brains adds (today's date, any name) leaves every other ADR's name, and so its notes, as
    they were: before, ADRs without numbers were numbered by name order and an earlier name shifted them."""
    from joeladr.evaluate.run import note_path_for
    from joeladr.settings import resolve_settings

    copy = tmp_path / "adr"
    shutil.copytree(ADR_FOLDERS / "log4brains" / "docs" / "adr", copy)
    shown = runner.invoke(app, ["--adr-dir", str(copy), "adr", "show", L4B_SLUGS[2], "--json"])
    before = {r["path"]: r.get("key", r["number"]) for r in _listed(copy)}  # main had no key: the number was it
    (copy / "20200926-adopt-envoy.md").write_text("# Adopt Envoy\n\n- Status: proposed\n")  # sorts before 3 of 4
    after = {r["path"]: r.get("key", r["number"]) for r in _listed(copy)}
    assert {path: after[path] for path in before} == before
    assert after[str(copy / "20200926-adopt-envoy.md")] == "20200926-adopt-envoy"
    again = runner.invoke(app, ["--adr-dir", str(copy), "adr", "show", L4B_SLUGS[2], "--json"])
    assert again.stdout == shown.stdout
    settings = resolve_settings(cwd=tmp_path, env={"JOELADR_ADR_DIR": str(copy)})
    note = note_path_for(settings, AdrRepository(copy).get(L4B_SLUGS[2]))
    assert note.name == f"{L4B_SLUGS[2]} evaluation.md"


def test_rfc_names_and_powershell_superceded_by(tmp_path: Path) -> None:
    shown = runner.invoke(app, ["--adr-dir", str(ADR_FOLDERS / "powershell-rfc"), "adr", "show", "RFC0022", "--json"])
    data = json.loads(shown.stdout)
    assert (data["number"], data["status"], data["superseded_by"]) == (22, "rejected", ["0037"])
    assert data["title"] == "Get-TestConnection cmdlet for non-Windows Systems"


@pytest.mark.parametrize(
    ("marker", "content", "folder"),
    [
        (".adr-dir", "architecture/decisions\n", "architecture/decisions"),  # adr-tools
        (".log4brains.yml", "---\nproject:\n  name: x\n  adrFolder: ./docs/records\n", "docs/records"),  # log4brains
        (None, None, "docs/decisions"),  # MADR
        (None, None, "doc/adr"),  # adr-tools' default
        (None, None, "docs/adr"),
    ],
)
def test_the_adr_folder_is_found_the_way_each_tool_finds_it(
    marker: str | None, content: str | None, folder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    shutil.copytree(OUTSIDE / "cisagov-manage-get-gov", project / folder)
    if marker:
        (project / marker).write_text(content or "")
    deep = project / "src" / "app"
    deep.mkdir(parents=True)
    monkeypatch.delenv("JOELADR_ADR_DIR")
    monkeypatch.chdir(deep)  # like adr-tools, from anywhere inside the repository
    listed = runner.invoke(app, ["adr", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) == 32
    assert Path(json.loads(listed.stdout)[0]["path"]).parent.resolve() == (project / folder).resolve()


def test_a_configured_pattern_names_the_adrs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    for path in sorted((OUTSIDE / "cisagov-manage-get-gov").glob("000[1-3]-*.md")):
        (folder / f"decision-{int(path.name[:4])}.md").write_bytes(path.read_bytes())
    (folder / "notes.md").write_text("# Notes\n")
    monkeypatch.setenv("JOELADR_ADR_DIR", str(folder))
    monkeypatch.setenv("JOELADR_ADR_PATTERN", "decision-{number}.md")
    listed = json.loads(runner.invoke(app, ["adr", "list", "--json"]).stdout)
    assert [r["number"] for r in listed] == [1, 2, 3]
    made = runner.invoke(app, ["adr", "new", NEW_TITLE])
    assert Path(made.stdout.strip()).name == "decision-4.md"
    monkeypatch.setenv("JOELADR_ADR_PATTERN", "decision-{title}.md")
    bad = runner.invoke(app, ["adr", "list"])
    assert bad.exit_code == 2 and bad.output.startswith("error: JOELADR_ADR_PATTERN: unknown placeholder {title}")


def test_init_in_a_project_with_adrs_points_at_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    shutil.copytree(OUTSIDE / "cisagov-manage-get-gov", project / "doc" / "adr")
    monkeypatch.delenv("JOELADR_ADR_DIR")
    result = runner.invoke(app, ["init", str(project)])
    assert result.exit_code == 0, result.output
    assert 'adr_dir = "doc/adr"' in (project / "joeladr.toml").read_text() and not (project / "adrs").exists()
    monkeypatch.chdir(project)
    assert len(json.loads(runner.invoke(app, ["adr", "list", "--json"]).stdout)) == 32


# -- every spelling the issue names, on a real ADR ------------------------------------

ADR_TOOLS = OUTSIDE / "cisagov-manage-get-gov" / "0004-docker-base-image.md"
HEADER = "# 4. Docker base image\n\nDate: 2022-08-09\n\n## Status\n\nAccepted\n"
SPELLINGS = [
    # (the header that replaces the real one, expected (status, date, superseded_by, supersedes, amends, amended_by))
    ("# 4. Docker base image\n\n* Status: accepted\n* Date: 2019-01-01\n", ("accepted", "2019-01-01", [], [], [], [])),
    ("# 4. Docker base image\n\n- Status: on hold\n", ("on hold", None, [], [], [], [])),
    (
        "# 4. Docker base image\n\n| Status | Implemented |\n|---|---|\n| Date | 2021-02-03 |\n",
        ("implemented", "2021-02-03", [], [], [], []),
    ),
    (
        "# 4. Docker base image\n\n| Status | Date |\n|---|---|\n| In Review | 2021-02-03 |\n",
        ("in review", "2021-02-03", [], [], [], []),
    ),
    (
        "# 4. Docker base image\n\nDate: 2019-01-01\n\n## Status\n\nProposed.\n",
        ("proposed", "2019-01-01", [], [], [], []),
    ),
    (
        "# 4. Docker base image\n\n## Status\n\npartly superseded by ADR-0012\n",
        ("partly superseded", None, ["0012"], [], [], []),
    ),
    (
        "# 4. Docker base image\n\n## Status\n\nSuperceded by [10. Title](0010-title.md)\n",
        ("superseded", None, ["0010"], [], [], []),
    ),
    (
        "# 4. Docker base image\n\n## Status\n\nAccepted\n\nSupercedes [3. Django](0003-django.md)\n\n"
        "Amends [2. Docker](0002-docker-for-development.md)\n\nAmended by [9. GitHub](0009-github-actions.md)\n",
        ("accepted", None, [], ["0003"], ["0002"], ["0009"]),
    ),
    (
        '---\nstatus: "superseded by ADR-0003"\n---\n\n# 4. Docker base image\n',
        ("superseded", None, ["0003"], [], [], []),
    ),
    (
        "---\nstatus: accepted; supersedes ADR-0045\n---\n\n# 4. Docker base image\n",
        ("accepted", None, [], ["0045"], [], []),
    ),
    (
        "---\nstatus: {proposed}\ndate: {2023-12-03}\n---\n\n# 4. Docker base image\n",
        ("proposed", "2023-12-03", [], [], [], []),
    ),
    ("# 4. Docker base image\n\n* Status: {rejected | accepted} <!-- recommended -->\n", (None, None, [], [], [], [])),
    ("\ufeff---\nstatus: accepted\n---\n\n# 4. Docker base image\n", ("accepted", None, [], [], [], [])),
]


@pytest.mark.parametrize(("header", "expected"), SPELLINGS, ids=[str(i) for i in range(len(SPELLINGS))])
def test_every_spelling_is_read_and_a_status_edit_stays_in_place(
    header: str, expected: tuple[object, ...], tmp_path: Path
) -> None:
    path = tmp_path / ADR_TOOLS.name
    path.write_bytes(ADR_TOOLS.read_text().replace(HEADER, header, 1).encode())
    adr = AdrRepository(tmp_path).get("4")
    got = (adr.status, adr.date, adr.superseded_by, adr.supersedes, adr.amends, adr.amended_by)
    assert got == expected and adr.title == "Docker base image"
    before = path.read_bytes()
    result = runner.invoke(app, ["--adr-dir", str(tmp_path), "adr", "status", "4", "deprecated"])
    if adr.superseded_by:  # the status is the only link to the ADR that supersedes it: refused (issue 22)
        assert result.exit_code == 1 and "would drop that link" in result.output
        assert path.read_bytes() == before
        return
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert AdrRepository(tmp_path).get("4").status == "deprecated"
    _check_bytes(before, after)
    assert not _only_intended(before, after, STATUS_LINE)


SUPERSEDED_FORMS = {
    # folder: (old, new, the old ADR's status line afterwards, a line the new one gains)
    "cisagov-manage-get-gov": (
        "3",
        "5",
        "Superseded by [5. PostgreSQL](0005-postgresql.md)",
        "Supersedes [3. Django](0003-django.md)",
    ),
    "ministryofjustice-cloud-platform": (
        "3",
        "5",
        "⌛️ Superseded by [005. Monitoring/Alerting of ECR Image Counts](005-ECR-monitoring-and-alerting.md)",
        "Supersedes [003. Use Concourse CI](003-Use-Concourse-CI.md)",
    ),
    "elastisys-compliantkubernetes": (
        "1",
        "5",
        "- Status: superseded by [ADR-0005](0005-use-individual-ssh-keys.md)",
        "- Supersedes [ADR-0001](0001-use-rook-storage-orchestrator.md)",
    ),
    "kumahq-kuma": (
        "3",
        "5",
        "* Status: superseded by [MADR-005](005-policy-matching.md)",
        "- Supersedes [MADR-003](003-logging.md)",
    ),
    "microsoft-agent-framework": (
        "3",
        "5",
        "status: superseded by [ADR-0005](0005-python-naming-conventions.md)",
        'supersedes: "0003"',
    ),
}


@pytest.mark.parametrize("folder", sorted(SUPERSEDED_FORMS))
def test_supersede_writes_the_folders_own_form(folder: str, tmp_path: Path) -> None:
    copy = tmp_path / folder
    shutil.copytree(OUTSIDE / folder, copy)
    old, new, old_line, new_line = SUPERSEDED_FORMS[folder]
    result = runner.invoke(app, ["--adr-dir", str(copy), "adr", "supersede", old, new])
    assert result.exit_code == 0, result.output
    repo = AdrRepository(copy)
    assert old_line in repo.find(old).read_text().splitlines()
    assert new_line in repo.find(new).read_text().splitlines()
    if folder == "elastisys-compliantkubernetes":  # its superseded ADRs say so in the title, too
        assert (
            repo.find(old)
            .read_text()
            .startswith("# [Superseded by [ADR-0005](0005-use-individual-ssh-keys.md)] Use Rook")
        )


def test_a_status_hidden_by_a_superseded_by_line_is_explained(tmp_path: Path) -> None:
    """ "Accepted" left above an adr-tools "Superseded by" line: the ADR reads superseded (a later paragraph of
    `## Status`), and `adr status` explains why it will not set another status instead of writing one that
    would not show."""
    path = tmp_path / ADR_TOOLS.name
    header = "# 4. Docker base image\n\nDate: 2019-01-01\n\n## Status\n\nAccepted\n\nSuperseded by [35. X](0035-x.md)\n"
    path.write_text(ADR_TOOLS.read_text().replace(HEADER, header, 1))
    adr = AdrRepository(tmp_path).get("4")
    assert (adr.status, adr.superseded_by) == ("superseded", ["0035"])
    before = path.read_bytes()
    result = runner.invoke(app, ["--adr-dir", str(tmp_path), "adr", "status", "4", "deprecated"])
    assert result.exit_code == 1 and "also says it is superseded by ADR-0035" in result.output
    assert path.read_bytes() == before
