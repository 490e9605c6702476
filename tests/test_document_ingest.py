"""Documents through the real pipeline: pages, a README, a paper and a feed served over loopback, ingested with the
real engines (trafilatura, pypdf, yt-dlp, tiny.en, MiniLM, Qdrant Edge), then searched, evaluated beside a talk,
reported, and opened at their passages in Chromium; and ``ingest --adr`` on a real ADR whose sources are served
from loopback copies.

github.com and arxiv.org cannot be reached here: a loopback site stands in for them, given to the core as
:class:`~joeladr.ingest.sites.Hosts` (the front ends use the real hosts). The blog post, docs page and paper quote
the evalset, which stays out of the tree: the session fixture ``documents`` (tests/conftest.py) builds them.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joeladr.cli import app
from joeladr.errors import UsageError
from joeladr.ingest.inputs import SourceRef, parse_input
from joeladr.ingest.pipeline import IngestFailure, IngestResult
from joeladr.ingest.sites import Hosts
from joeladr.settings import Settings
from tests.conftest import ADR_0064, CORPUS, FIXTURES
from tests.ingested import Ingested, copy_of
from tests.loopback import closed_port, site

TALKS = FIXTURES / "talks"
runner = CliRunner()


def _pages(documents: Path) -> dict[str, tuple[str, bytes] | tuple[str, bytes, int]]:
    html, pdf, text = "text/html; charset=utf-8", "application/pdf", "text/plain; charset=utf-8"
    blog, docs = (documents / "blog-post.html").read_bytes(), (documents / "docs-page.html").read_bytes()
    readme = (documents / "README.md").read_bytes()
    return {
        "/blog/livebook": (html, blog),  # no suffix: the content type and the bytes say what it is
        "/docs/packages": (html, docs),
        "/login": (html, (documents / "login.html").read_bytes()),
        "/archive": (html, (documents / "empty.html").read_bytes()),
        "/members-only": (html, b"<html><body>no</body></html>", 401),
        "/moved": (html, b"file:///etc/passwd", 302),
        "/moved-far": (html, b"ftp://127.0.0.1/x.pdf", 301),
        "/raw.githubusercontent.com/acme/beam-bridge/HEAD/README.md": (text, readme),
        "/arxiv.org/pdf/2312.13010": (pdf, (documents / "paper.pdf").read_bytes()),
        "/documents/feed.xml": ("application/rss+xml", (documents / "feed.xml").read_bytes()),
        "/talks/typescript-talk.webm": ("audio/webm", (TALKS / "typescript-talk.webm").read_bytes()),
        "/talks/beam-talk.webm": ("audio/webm", (TALKS / "beam-talk.webm").read_bytes()),
        # ADR-0039's references, served from loopback copies (the text is the fixtures', not the sites')
        "/raw.githubusercontent.com/get-convex/convex-backend/main/self-hosted/README.md": (text, readme),
        "/news.convex.dev/self-hosting/": (html, blog),
        "/www.bitdoze.com/convex-self-host/": (html, docs),
        "/docs.convex.dev/auth/convex-auth": (html, docs.replace(b"Packages and interop", b"Auth and interop")),
        "/stack.convex.dev/durable-workflows-and-strong-guarantees": (html, blog.replace(b"LiveBook, n", b"N")),
        "/raw.githubusercontent.com/get-convex/convex-nextjs-app-router-demo/HEAD/README.md": (
            text,
            readme.replace(b"beam-bridge", b"app-router-demo"),
        ),
        "/docs.convex.dev/llms.txt": (text, (documents / "llms.txt").read_bytes()),
    }


@pytest.fixture(scope="module")
def web(documents: Path) -> Iterator[str]:
    with site(_pages(documents)) as base:
        yield base


def hosts_at(base: str) -> Hosts:
    return Hosts(github=f"{base}/github.com", github_raw=f"{base}/raw.githubusercontent.com", arxiv=f"{base}/arxiv.org")


def core_ingest(
    settings: Settings, refs: Sequence[SourceRef], hosts: Hosts, *, feed_limit: int | None = None
) -> tuple[list[IngestResult], list[IngestFailure]]:
    """What ``joeladr ingest`` does (joeladr/app/evidence.py), with the GitHub and arXiv hosts given."""
    from joeladr.engines import LazyEmbedder, make_transcriber, store_on_demand
    from joeladr.ingest.download import DownloadLimits, YtDlpDownloader
    from joeladr.ingest.pipeline import Ingestor

    embedder = LazyEmbedder(settings)
    with store_on_demand(settings, lambda: embedder.dimension) as get_store:
        ingestor = Ingestor(
            settings,
            downloader=YtDlpDownloader(limits=DownloadLimits.of(settings), cache_dir=settings.home / "yt-dlp"),
            transcriber=make_transcriber(settings),
            embedder=embedder,
            store=get_store,
            hosts=hosts,
            feed_limit=feed_limit,
        )
        return ingestor.run(refs)


@dataclass
class Library:
    done: Ingested
    base: str
    cli_output: str
    cli_exit: int
    results: list[IngestResult]
    failures: list[IngestFailure]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, web: str) -> Library:
    """One workspace: ADR-0064; a blog post and a docs page by the CLI (with a login wall, an empty page and a
    401 beside them); a GitHub README, an arXiv paper and a feed's newest episode by the core."""
    root = tmp_path_factory.mktemp("documents")
    (root / "adrs").mkdir()
    shutil.copy(ADR_0064, root / "adrs" / ADR_0064.name)
    done = Ingested(root, web)
    pages = [f"{web}/blog/livebook", f"{web}/docs/packages", f"{web}/login", f"{web}/archive", f"{web}/members-only"]
    cli = runner.invoke(app, [*done.args(), "ingest", "--quiet", *pages])
    refs = [
        parse_input(f"{web}/github.com/acme/beam-bridge"),
        parse_input(f"{web}/arxiv.org/abs/2312.13010"),
        parse_input(f"{web}/documents/feed.xml"),
    ]
    results, failures = core_ingest(done.settings, refs, hosts_at(web), feed_limit=1)
    return Library(done, web, cli.output, cli.exit_code, results, failures)


def _notes(root: Path) -> dict[str, str]:
    return {p.stem: p.read_text() for p in (root / "vault" / "sources").glob("*.md")}


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")))


def _front(note: str) -> dict[str, str]:
    head = note.split("\n---\n", 1)[0]
    return dict(re.findall(r"^(\w+): '?(.*?)'?$", head, re.MULTILINE))


def test_pages_ingest_by_url_and_walls_end_in_one_line_each(library: Library) -> None:
    base, output = library.base, library.cli_output
    assert library.cli_exit == 1, output  # some inputs failed, the others are in
    assert "LiveBook, notebooks and LiveView: 18 chunks (html; read, embed, store, note)" in output
    assert "Packages and interop: 11 chunks (html; read, embed, store, note)" in output
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: {base}/login: {base}/login is a login page, not the text",
        f"error: {base}/archive: {base}/archive has no text to cite: 28 word(s) after leaving out navigation, "
        "banners and footers",
        f"error: {base}/members-only: {base}/members-only asks for a login (HTTP 401)",
    ]
    assert "Traceback" not in output


def test_a_readme_a_paper_and_a_feeds_newest_episode_through_the_core(library: Library) -> None:
    assert library.failures == []
    by_title = {r.title: r for r in library.results}
    assert set(by_title) == {
        "beam-bridge",
        "Ten years of RabbitMQ: Erlang/OTP in production",
        "Episode 2: Staying on TypeScript",  # the feed's title for its newest episode, not the file's name
    }
    assert by_title["beam-bridge"].transcript_origin == "markdown"
    assert by_title["Ten years of RabbitMQ: Erlang/OTP in production"].transcript_origin == "pdf"
    assert by_title["Episode 2: Staying on TypeScript"].transcript_origin == "whisper"
    sources = json.loads(runner.invoke(app, [*library.done.args(), "sources", "--json"]).stdout)
    kinds = {s["title"]: (s["kind"], s["url"]) for s in sources}
    assert kinds["beam-bridge"] == ("readme", f"{library.base}/github.com/acme/beam-bridge")
    assert kinds["Ten years of RabbitMQ: Erlang/OTP in production"] == (
        "paper",
        f"{library.base}/arxiv.org/pdf/2312.13010",
    )
    assert kinds["LiveBook, notebooks and LiveView"] == ("article", f"{library.base}/blog/livebook")
    assert kinds["Episode 2: Staying on TypeScript"] == ("talk", f"{library.base}/talks/typescript-talk.webm")


def test_document_notes_carry_properties_headings_and_the_text(library: Library, documents: Path) -> None:
    notes = _notes(library.done.root)
    blog = notes["LiveBook, notebooks and LiveView"]
    props = _front(blog)
    assert (props["type"], props["url"], props["author"], props["published"], props["site"]) == (
        "article",
        f"{library.base}/blog/livebook",
        "José Valim",
        "2021-04-30",
        "The BEAM Notes",
    )
    assert "#### How LiveBook started" in blog and "## My notes" in blog
    assert f"- [How LiveBook started]({library.base}/blog/livebook#:~:text=How%20LiveBook%20started)" in blog
    held = json.loads((documents / "paragraphs.json").read_text(encoding="utf-8"))["blog-post.html"]
    said = _words(blog)
    assert all(_words(p["text"]) in said for p in held) and "Accept all cookies" not in blog  # every paragraph
    paper = notes["Ten years of RabbitMQ Erlang OTP in production"]
    assert _front(paper)["type"] == "paper" and "pages: 4" in paper
    assert f"*[page 2]({library.base}/arxiv.org/pdf/2312.13010#page=2)*" in paper
    readme = notes["beam-bridge"]
    assert _front(readme)["type"] == "readme"
    assert f"[Supervision]({library.base}/github.com/acme/beam-bridge#supervision-1)" in readme


def test_a_second_ingest_reads_nothing_and_keeps_the_users_notes(library: Library, tmp_path: Path) -> None:
    copy = copy_of(library.done, tmp_path / "again")
    note = copy.root / "vault" / "sources" / "LiveBook, notebooks and LiveView.md"
    text = note.read_text().replace("## My notes\n", "## My notes\n\nCompare with the Oban docs.\n")
    note.write_text(text)
    gone = f"http://127.0.0.1:{closed_port()}"  # the same pages, now from a server that is not there
    cached = [parse_input(f"{library.base}/blog/livebook"), parse_input(f"{library.base}/github.com/acme/beam-bridge")]
    results, failures = core_ingest(copy.settings, cached, hosts_at(library.base))
    assert failures == [] and [r.steps for r in results] == [[], []]  # from the cache: unchanged
    assert note.read_text() == text
    missing, failed = core_ingest(copy.settings, [parse_input(f"{gone}/blog/livebook")], hosts_at(gone))
    assert missing == [] and "connection refused" in failed[0].error.message


def test_search_shows_where_in_each_document_with_a_link_there(library: Library) -> None:
    args = library.done.args()
    hits = json.loads(runner.invoke(app, [*args, "search", "--json", "client libraries in many languages"]).stdout)
    paper = next(h for h in hits if h["title"].startswith("Ten years of RabbitMQ"))
    assert re.fullmatch(r"page [1-4]", paper["at"]) and paper["url"].endswith(paper["at"].replace("page ", "#page="))
    hits = json.loads(runner.invoke(app, [*args, "search", "--json", "a supervisor restarts a crashed worker"]).stdout)
    readme = next(h for h in hits if h["title"] == "beam-bridge")
    assert readme["at"] == "§ Supervision" and readme["url"].endswith("#supervision")
    hits = json.loads(runner.invoke(app, [*args, "search", "--json", "notebook format that is easy to diff"]).stdout)
    blog = next(h for h in hits if h["title"] == "LiveBook, notebooks and LiveView")
    assert blog["at"] == "§ What people complain about in notebooks" and "#:~:text=" in blog["url"]


@pytest.fixture(scope="module")
def evaluated(library: Library, tmp_path_factory: pytest.TempPathFactory) -> tuple[Ingested, dict[str, object]]:
    copy = copy_of(library.done, tmp_path_factory.mktemp("evaluated") / "ws")
    result = runner.invoke(app, [*copy.args(), "evaluate", "0064", "--json"])
    assert result.exit_code == 0, result.output
    return copy, json.loads(result.stdout)


def test_evaluate_finds_passages_in_documents_beside_the_talk(evaluated: tuple[Ingested, dict[str, object]]) -> None:
    copy, data = evaluated
    findings = [f for c in data["criteria"] for f in c["findings"]]  # type: ignore[attr-defined]
    documents = [f for f in findings if "location" in f]
    talks = [f for f in findings if "location" not in f]
    assert documents and talks
    for finding in documents:
        where = finding["location"]
        assert finding["at"] in (f"page {where.get('page')}", f"§ {where.get('section', [''])[-1]}")
        if where["format"] == "html":
            assert "#:~:text=" in finding["url"]
        elif where["format"] == "pdf":
            assert finding["url"].endswith(f"#page={where['page']}")
    assert all(re.fullmatch(r"\d\d:\d\d", f["at"]) for f in talks)
    note = (copy.root / "vault" / "decisions" / "ADR-0064 evaluation.md").read_text()
    shown = documents[0]
    assert f"[{shown['at']}]({shown['url']})" in note.replace("\\[", "[").replace("\\]", "]")
    report = runner.invoke(app, [*copy.args(), "report", "0064", "--out", str(copy.root / "report.html")])
    assert report.exit_code == 0, report.output
    page = (copy.root / "report.html").read_text()
    assert f"↗ {shown['at']}" in page.replace("&#34;", '"').replace("&#39;", "'")


def test_a_findings_link_scrolls_chromium_to_the_quote(
    evaluated: tuple[Ingested, dict[str, object]], library: Library
) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser import ARTIFACTS, FLAGS, chromium_path

    _, data = evaluated
    findings = [f for c in data["criteria"] for f in c["findings"]]  # type: ignore[attr-defined]
    blog = [f for f in findings if f.get("location", {}).get("format") == "html" and "/blog/" in f["url"]]
    assert blog, "no finding from the blog post"
    finding = max(blog, key=lambda f: f["location"]["paragraph"])
    words = finding["text"].split()[:6]
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 700})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(library.base) else r.abort())
            page.goto(finding["url"], wait_until="load")
            page.wait_for_function("window.scrollY > 0", timeout=10_000)
            top, bottom, height = page.evaluate(
                """(words) => {
                  const p = [...document.querySelectorAll('article p')].find(e => e.textContent.includes(words));
                  const box = p.getBoundingClientRect();
                  return [box.top, box.bottom, innerHeight];
                }""",
                " ".join(words[1:5]),
            )
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "text-fragment.png"))
        finally:
            browser.close()
    assert bottom > 0 and top < height, (top, bottom, height)  # the quoted paragraph is on the screen


def _loopback_copy(adr: Path, folder: Path, base: str) -> Path:
    """The ADR with every https:// link pointing at the loopback copy of its page: ``https://h/p`` -> ``base/h/p``."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / adr.name
    copy.write_text(re.sub(r"https://", f"{base}/", adr.read_text()))
    return copy


def test_ingest_adr_takes_every_source_a_real_adr_cites(web: str, tmp_path: Path) -> None:
    from joeladr.adr.repo import AdrRepository
    from joeladr.ingest.citations import cited_sources
    from joeladr.settings import resolve_settings

    root = tmp_path / "ws"
    adrs = root / "adrs"
    _loopback_copy(CORPUS / "0039-self-host-convex-for-joelclaw.md", adrs, web)
    _loopback_copy(CORPUS / "0087-observability-pipeline-joelclaw-design-system.md", adrs, web)
    settings = resolve_settings(
        cwd=root, env={}, overrides={"home": root / "home", "vault": root / "vault", "adr_dir": adrs}
    )
    repo = AdrRepository.of(settings)
    host = web.removeprefix("http://")
    cited = cited_sources(repo.get("0039"), allow_hosts=[host])
    assert cited.skipped == [] and len(cited.refs) == 7
    results, failures = core_ingest(settings, cited.refs, hosts_at(web))
    assert failures == []
    kinds = {r.title: r.transcript_origin for r in results}
    assert len(results) == 7 and sorted(kinds.values()) == [
        "html",
        "html",
        "html",
        "html",
        "markdown",
        "markdown",
        "markdown",
    ]
    catalog = json.loads(runner.invoke(app, ["--home", str(root / "home"), "sources", "--json"]).stdout)
    assert {s["url"] for s in catalog} == {
        f"{web}/github.com/get-convex/convex-backend/blob/main/self-hosted/README.md",
        f"{web}/news.convex.dev/self-hosting/",
        f"{web}/www.bitdoze.com/convex-self-host/",
        f"{web}/docs.convex.dev/auth/convex-auth",
        f"{web}/stack.convex.dev/durable-workflows-and-strong-guarantees",
        f"{web}/github.com/get-convex/convex-nextjs-app-router-demo",
        f"{web}/docs.convex.dev/llms.txt",
    }
    # without the caller vouching for the loopback host, each link is skipped as what it then is, and said why
    with pytest.raises(UsageError, match="ADR-0087 cites no source to ingest") as caught:
        cited_sources(repo.get("0087"))
    hint = str(caught.value.hint)
    assert "~/.agents/skills/vercel-composition-patterns/SKILL.md (no such file on this machine)" in hint
    assert f"{web}/ui.shadcn.com/docs/registry (a localhost address)" in hint
    vouched = cited_sources(repo.get("0087"), allow_hosts=[host])
    assert len(vouched.refs) == 4 and [s.reason for s in vouched.skipped] == ["no such file on this machine"]


def test_a_page_that_redirects_off_the_web_is_refused(web: str, workspace: Path) -> None:
    result = runner.invoke(app, ["ingest", "--quiet", f"{web}/moved", f"{web}/moved-far"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, result.output
    assert errors == [
        f"error: {web}/moved: {web}/moved redirects to file:///etc/passwd, which is a file:// URL",
        f"error: {web}/moved-far: {web}/moved-far redirects to ftp://127.0.0.1/x.pdf, which uses the ftp:// scheme; "
        "only http(s) URLs, video ids and files are ingested",
    ]
    assert "root:" not in result.output and not (workspace / "vault" / "sources").exists()
