"""log4brains and joeladr on one project, both ways, with the real log4brains 1.1.0 (npm; `make tools`).

One fresh project, built once (a `log4brains build` is a Next.js build, about a minute): log4brains
creates ADRs (`init`, `adr new`, one in a package) and joeladr edits them; joeladr creates ADRs and
log4brains edits them (its own supersession); then log4brains reads everything back (`adr list --raw`,
`build`) and must agree with joeladr on names, titles, statuses and links, and joeladr on log4brains' edits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from joeladr.cli import app
from tests.tools import git_commit, l4b, l4b_build, l4b_list, l4b_supersede, log4brains, run

runner = CliRunner()
CONFIG = """\
project:
  name: interop
  tz: UTC
  adrFolder: ./docs/adr
  packages:
    - name: backend
      path: ./packages/backend
      adrFolder: ./packages/backend/docs/adr
"""


def _joeladr(folder: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--adr-dir", str(folder), "adr", *args])
    assert result.exit_code == code, result.output
    return result.stdout


@dataclass
class Project:
    root: Path
    folder: Path
    slugs: dict[str, str]  # what each ADR is about -> its slug
    listed: dict[str, tuple[str, str, str]]  # log4brains adr list --raw, after everything
    built: dict[str, dict[str, Any]]  # log4brains build's page data, after everything

    def joeladr(self, *args: str, code: int = 0) -> str:
        return _joeladr(self.folder, *args, code=code)

    def show(self, slug: str) -> dict[str, Any]:
        return json.loads(self.joeladr("show", slug, "--json"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    log4brains()
    root = tmp_path_factory.mktemp("l4b") / "project"
    root.mkdir()
    run(["git", "init", "-q"], root)
    git_commit(root, "empty")
    l4b(root, "init", "--defaults")  # .log4brains.yml, docs/adr/template.md and two ADRs of its own
    (root / ".log4brains.yml").write_text(CONFIG)
    (root / "packages" / "backend" / "docs" / "adr").mkdir(parents=True)
    git_commit(root, "log4brains")
    folder = root / "docs" / "adr"
    slugs = {p.stem.split("-", 1)[1]: p.stem for p in folder.glob("2*.md")}
    # log4brains creates, joeladr edits
    for title in ("Adopt Envoy", "Use Kafka"):
        slugs[title] = l4b(root, "adr", "new", "--quiet", title).strip()
    slugs["Split billing"] = l4b(root, "adr", "new", "--quiet", "-p", "backend", "Split billing").strip()
    git_commit(root, "log4brains adr new")
    _joeladr(folder, "status", slugs["Adopt Envoy"], "accepted")
    _joeladr(folder, "supersede", slugs["Use Kafka"], slugs["Adopt Envoy"])
    _joeladr(folder, "supersede", slugs["Split billing"], slugs["Adopt Envoy"])
    _joeladr(folder, "link", slugs["Adopt Envoy"], slugs["use-log4brains-to-manage-the-adrs"])
    # joeladr creates, log4brains edits
    for title, status in (("Use Postgres", "accepted"), ("Use Redis", "accepted")):
        slugs[title] = Path(_joeladr(folder, "new", title, "--status", status).strip()).stem
    _joeladr(folder, "supersede", slugs["Use Redis"], slugs["Use Postgres"])
    git_commit(root, "joeladr")
    slugs["Use CockroachDB"] = l4b(root, "adr", "new", "--quiet", "Use CockroachDB").strip()
    l4b_supersede(root, slugs["Use Postgres"], slugs["Use CockroachDB"])
    git_commit(root, "log4brains supersedes")
    listed = l4b_list(root)
    built = l4b_build(root, root.parent / "site")
    return Project(root, folder, slugs, listed, built)


def test_log4brains_lists_what_joeladr_reads(project: Project) -> None:
    """Every ADR, its name (log4brains' slug is joeladr's key), title and status; log4brains shows a status its
    template left as a placeholder as a draft, which joeladr reads as no status."""
    ours = {r["key"]: r for r in json.loads(project.joeladr("list", "--json"))}
    assert sorted(ours) == sorted(project.listed)
    for slug, (status, package, title) in project.listed.items():
        assert (ours[slug]["title"], ours[slug]["status"] or "draft") == (title, status), slug
        assert package == (slug.split("/")[0] if "/" in slug else "")
    assert {project.listed[project.slugs[t]][0] for t in ("Use Kafka", "Split billing", "Use Redis")} == {"superseded"}


def test_the_site_builds_and_agrees_on_supersession(project: Project) -> None:
    """`log4brains build` resolves every "superseded by" joeladr wrote (on main it failed: "You forgot to pass the
    superseder"), and each ADR's superseder is the one joeladr reads."""
    assert sorted(project.built) == sorted(project.listed)
    for slug, page in project.built.items():
        shown = project.show(slug)
        assert page["title"] == shown["title"] and page["status"] == (shown["status"] or "draft"), slug
        superseder = page["supersededBy"]  # the superseding ADR's summary, or None
        assert ([superseder["slug"]] if superseder else []) == shown["superseded_by"], slug


def test_links_joeladr_wrote_are_log4brains_links(project: Project) -> None:
    """A link joeladr wrote is one log4brains resolves to the ADR, named by its slug (no custom label)."""
    envoy = project.built[project.slugs["Adopt Envoy"]]["body"]["enhancedMdx"]
    for title in ("Use Kafka", "Split billing", "use-log4brains-to-manage-the-adrs"):
        link = re.search(rf'<AdrLink slug="{re.escape(project.slugs[title])}"[^>]*/>', envoy)
        assert link is not None and "customLabel" not in link.group(0), (title, envoy[-600:])


def test_joeladr_reads_log4brains_edits(project: Project) -> None:
    """log4brains' own supersession of an ADR joeladr wrote: joeladr reads it both ways, and lint finds nothing."""
    postgres = project.show(project.slugs["Use Postgres"])
    assert (postgres["status"], postgres["superseded_by"]) == ("superseded", [project.slugs["Use CockroachDB"]])
    assert project.show(project.slugs["Use CockroachDB"])["supersedes"] == [project.slugs["Use Postgres"]]
    lint = project.joeladr("lint")
    assert "0 errors" in lint and "one-way" not in lint, lint


def test_joeladr_names_its_new_adrs_as_log4brains_does(project: Project) -> None:
    """joeladr's `adr new` in a log4brains project: log4brains' naming and template, nothing renumbered."""
    for title in ("Use Postgres", "Use Redis"):
        slug = project.slugs[title]
        assert re.fullmatch(r"\d{8}-" + title.lower().replace(" ", "-"), slug)
        assert (project.folder / f"{slug}.md").read_text().startswith(f"# {title}\n\n- Status: ")
