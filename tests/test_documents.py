"""Documents as sources, read without models: what a URL or file is, the text each reader keeps, locations and
links, chunks, feeds, GitHub/arXiv addresses and the sources an ADR cites (real fixtures, real ADRs).

The blog post, docs page and paper quote the evalset's transcripts, which stay out of the tree: the session
fixture ``documents`` (tests/conftest.py) builds them, and ``paragraphs.json`` says what each holds, so these
tests check the text without quoting it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from joeladr.adr.parse import load_adr
from joeladr.errors import IngestError, UsageError
from joeladr.ingest.chunking import DocumentChunkSpec, chunk_document
from joeladr.ingest.citations import cited_sources, git_remotes
from joeladr.ingest.documents import sniff
from joeladr.ingest.feeds import episodes
from joeladr.ingest.pages import read_html
from joeladr.ingest.pdf import read_pdf
from joeladr.ingest.sites import Hosts, map_url
from joeladr.ingest.texts import read_markdown, read_plain
from joeladr.location import Location, github_anchor, link_to, place, text_fragment
from tests.conftest import CORPUS, FIXTURES

DOCS = FIXTURES / "documents"  # the project's own; the pages that quote the evalset come from the fixture


def _text(document: object) -> str:
    return " ".join(b.text for b in document.blocks)  # type: ignore[attr-defined]


def _held(documents: Path, name: str) -> list[dict[str, Any]]:
    """The evalset paragraphs a built document holds: number, speaker, text and the heading it sits under."""
    held: list[dict[str, Any]] = json.loads((documents / "paragraphs.json").read_text(encoding="utf-8"))[name]
    return held


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")))


def _opening(paragraph: dict[str, Any]) -> str:
    return " ".join(paragraph["text"].split()[:8])


# -- what a thing is ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content_type", "kind"),
    [
        ("blog-post.html", "text/html", "html"),
        ("blog-post.html", "", "html"),  # no content type: the bytes say it
        ("paper.pdf", "application/octet-stream", "pdf"),  # a server that does not know: the magic says it
        ("README.md", "text/plain", "markdown"),  # raw.githubusercontent.com serves text/plain
        ("llms.txt", "text/plain", "text"),
        ("feed.xml", "application/xml", "feed"),
        ("feed.atom", "text/xml", "feed"),
        ("../talks/beam-talk.webm", "application/octet-stream", "media"),
    ],
)
def test_the_kind_comes_from_the_bytes_the_type_and_the_name(
    documents: Path, name: str, content_type: str, kind: str
) -> None:
    head = (documents / name if not name.startswith("../") else FIXTURES / name[3:]).read_bytes()[:8192]
    assert sniff(content_type, head, f"http://127.0.0.1/{Path(name).name}") == kind


# -- web pages -------------------------------------------------------------------------------
def test_a_blog_post_keeps_the_article_and_its_headings_and_drops_the_site_around_it(documents: Path) -> None:
    page = read_html((documents / "blog-post.html").read_bytes(), url="http://127.0.0.1/blog-post.html")
    text = _text(page)
    assert (page.title, page.author, page.published, page.site) == (
        "LiveBook, notebooks and LiveView",
        "José Valim",
        "2021-04-30",
        "The BEAM Notes",
    )
    assert [b.text for b in page.blocks if b.heading] == [
        "LiveBook, notebooks and LiveView",
        "How LiveBook started",
        "What people complain about in notebooks",
        "A LiveView app",
    ]
    held = _held(documents, "blog-post.html")
    body = [b for b in page.blocks if not b.heading]
    for paragraph in held:  # the article whole: each paragraph, with its speaker, under its own heading
        block = next(b for b in body if paragraph["text"] in b.text)
        assert block.text.startswith(f"{paragraph['speaker']}: ") and block.section[-1] == paragraph["section"]
    assert len(body) == len(held) + 1 and body[-1].text.startswith("Transcript © Changelog Media LLC")  # its licence
    for boilerplate in ("Accept all cookies", "Privacy policy", "beam_fan_42", "Popular posts", "Newsletter", "Share"):
        assert boilerplate not in text, boilerplate


def test_a_docs_page_drops_the_sidebar_breadcrumbs_and_feedback(documents: Path) -> None:
    page = read_html((documents / "docs-page.html").read_bytes(), url="http://127.0.0.1/docs/packages")
    text = _text(page)
    assert page.title == "Packages and interop" and page.site == "Gleam documentation"
    for paragraph in _held(documents, "docs-page.html"):
        assert any(paragraph["text"] in b.text and b.section[-1] == paragraph["section"] for b in page.blocks)
    for chrome in ("Language tour", "Command line reference", "Was this page helpful", "Edit this page"):
        assert chrome not in text, chrome


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("login.html", "is a login page, not the text"),
        ("paywall.html", "is a paywall teaser, not the text"),
        ("captcha.html", "is a captcha (a bot check), not the text"),
        ("empty.html", "has no text to cite"),
    ],
)
def test_a_page_with_nothing_to_cite_is_refused_in_one_line_naming_it(documents: Path, name: str, said: str) -> None:
    url = f"http://127.0.0.1:9/{name}"
    with pytest.raises(IngestError) as caught:
        read_html((documents / name).read_bytes(), url=url)
    assert caught.value.message.startswith(f"{url} {said}")
    assert "\n" not in caught.value.message and caught.value.hint


# -- PDFs, Markdown, text --------------------------------------------------------------------
def test_a_pdf_gives_text_per_page_and_headings_from_its_outline(documents: Path) -> None:
    paper = read_pdf((documents / "paper.pdf").read_bytes(), name="paper.pdf")
    assert paper.title == "Ten years of RabbitMQ: Erlang/OTP in production" and paper.pages == 4
    headings = [(b.text, b.page) for b in paper.blocks if b.heading]
    assert headings[0] == ("Ten years of RabbitMQ: Erlang/OTP in production", 1)
    assert [text for text, _ in headings[1:]] == [
        "1. Paragraphs 20–27",
        "2. Paragraphs 28–35",
        "3. Paragraphs 36–43",
        "4. Paragraphs 44–50",
    ]
    # every paragraph's words in order (ligatures undone, hyphens and page breaks joined), under its section
    held = _held(documents, "paper.pdf")
    said = _words(_text(paper))
    for paragraph in held:
        assert _words(f"{paragraph['speaker']} {paragraph['text']}") in said, paragraph["index"]
        assert next(b for b in paper.blocks if _opening(paragraph) in b.text).section[-1] == paragraph["section"]
    # paragraph 28 (labelled: the interop story) opens section 2, on page 2
    interop = next(p for p in held if p["index"] == 28)
    assert next(b for b in paper.blocks if _opening(interop) in b.text).page == 2
    assert not re.search("[\ufb00-\ufb06]", _text(paper))  # no ligature left


def test_a_file_that_is_no_pdf_is_refused() -> None:
    with pytest.raises(IngestError, match=r"^broken\.pdf is not a PDF that can be read"):
        read_pdf(b"%PDF-1.7\nthis is not a pdf at all", name="broken.pdf")


def test_a_readme_keeps_githubs_structure_and_anchors() -> None:
    readme = read_markdown((DOCS / "README.md").read_text(), name="README.md")
    anchors = [(b.text, b.anchor) for b in readme.blocks if b.heading]
    assert anchors == [
        ("beam-bridge", "beam-bridge"),
        ("Why a bridge", "why-a-bridge"),
        ("Supervision", "supervision"),
        ("Talking to TypeScript", "talking-to-typescript"),
        ("Supervision", "supervision-1"),
        ("Installation", "installation"),
    ]
    text = _text(readme)
    assert "const result" not in text  # code blocks are not prose
    assert "TypeScript to Elixir | Unix socket, JSON | under a millisecond" in text  # a table row
    assert "CI" not in re.findall(r"\w+", text)  # badge images leave nothing
    second = next(b for b in readme.blocks if b.text.startswith("A second section"))
    assert second.anchor == "supervision-1"


def test_github_anchor_rules() -> None:
    seen: dict[str, int] = {}
    assert [
        github_anchor(h, seen) for h in ("Durable functions", "What's new?", "Durable functions", "C++ & Rust")
    ] == [
        "durable-functions",
        "whats-new",
        "durable-functions-1",
        "c--rust",
    ]


def test_plain_text_is_paragraphs_at_blank_lines() -> None:
    text = read_plain("A title\n\nFirst line\ncontinues.\n\n\nSecond paragraph.\n", name="notes.txt")
    assert text.title == "A title" and [b.text for b in text.blocks] == [
        "A title",
        "First line continues.",
        "Second paragraph.",
    ]


# -- chunks, locations and links -------------------------------------------------------------
def test_chunks_never_cross_a_heading_and_each_sentence_knows_where_it_is(documents: Path) -> None:
    page = read_html((documents / "blog-post.html").read_bytes(), url="http://127.0.0.1/blog-post.html")
    spec = DocumentChunkSpec()
    chunks = chunk_document(page, spec)
    assert chunks and all(len(c.text.split()) <= spec.max_words for c in chunks)
    for chunk in chunks:
        assert len({where.section for where in chunk.locations}) == 1
        assert len(chunk.locations) == len(chunk.spans)
        for (offset, _, _), where in zip(chunk.spans, chunk.locations, strict=True):
            paragraph = page.paragraphs[where.paragraph - 1].text
            assert chunk.text[offset:].split(". ")[0][:30] in paragraph
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)


def test_place_reads_as_a_time_a_page_a_heading_or_a_paragraph() -> None:
    assert place(754, None) == "12:34"
    assert place(3.5, Location("pdf", 4, page=2, section=("Intro",))) == "page 2"
    assert place(3.5, Location("html", 4, section=("Guide", "Durable functions"))) == "§ Durable functions"
    assert place(3.5, Location("text", 4)) == "¶ 4"


def test_links_open_the_source_at_the_passage() -> None:
    assert link_to(None, "JvBT4XBdoUE", 754.2, None) == "https://youtu.be/JvBT4XBdoUE?t=754"
    assert link_to("https://x.test/p.pdf#old", None, 0, Location("pdf", 3, page=7)) == "https://x.test/p.pdf#page=7"
    readme = Location("markdown", 2, anchor="durable-functions")
    assert link_to("https://github.com/o/r", None, 0, readme) == "https://github.com/o/r#durable-functions"
    assert link_to(None, None, 0, readme) is None  # a local file has no web address
    link = link_to("https://x.test/post", None, 0, Location("html", 1), "Short, sharp - & done.")
    assert link == "https://x.test/post#:~:text=Short%2C%20sharp%20%2D%20%26%20done."


def test_a_text_fragment_is_encoded_as_the_wicg_spec_asks() -> None:
    quote = "“Durable functions” keep state across crashes, so a finished step is never run twice, says José."
    fragment = text_fragment(quote)
    assert fragment == "#:~:text=Durable%20functions%E2%80%9D%20keep%20state,run%20twice%2C%20says%20Jos%C3%A9."
    start, end = fragment.removeprefix("#:~:text=").split(",")  # the one raw comma separates start and end
    assert unquote(start) == "Durable functions” keep state" and unquote(end) == "run twice, says José."
    assert not set(" ,-&") & set(start + end)


# -- GitHub and arXiv addresses --------------------------------------------------------------
def test_github_and_arxiv_addresses_map_to_the_text_they_cite() -> None:
    repo = map_url("https://github.com/get-convex/convex-backend")
    assert repo is not None and repo.page == "https://github.com/get-convex/convex-backend"
    assert repo.candidates[0] == "https://raw.githubusercontent.com/get-convex/convex-backend/HEAD/README.md"
    blob = map_url("https://github.com/get-convex/convex-backend/blob/main/self-hosted/README.md")
    assert blob is not None and blob.candidates == (
        "https://raw.githubusercontent.com/get-convex/convex-backend/main/self-hosted/README.md",
    )
    paper = map_url("https://arxiv.org/abs/2312.13010")
    assert paper is not None and paper.page == "https://arxiv.org/pdf/2312.13010" and paper.kind == "paper"
    assert map_url("https://github.com/get-convex") is None  # an organisation, not a repository
    assert map_url("https://simonwillison.net/2024/") is None
    local = Hosts(github="http://127.0.0.1:8000/gh", github_raw="http://127.0.0.1:8000/raw")
    mapped = map_url("http://127.0.0.1:8000/gh/o/r/tree/main/docs", local)
    assert mapped is not None and mapped.candidates[0] == "http://127.0.0.1:8000/raw/o/r/main/docs/README.md"


# -- feeds -----------------------------------------------------------------------------------
def test_a_feed_lists_its_episodes_newest_first_with_the_feeds_titles() -> None:
    url = "http://127.0.0.1:8000/documents/feed.xml"
    found = episodes((DOCS / "feed.xml").read_bytes(), feed_url=url)
    assert [m.known["title"] for m in found] == [
        "Episode 2: Staying on TypeScript",
        "Episode 1: BEAM supervision in practice",
    ]
    assert found[0].url == "http://127.0.0.1:8000/talks/typescript-talk.webm"  # relative enclosures resolved
    assert found[0].known["upload_date"] == "20240515" and found[1].known["duration"] == 125.0
    assert found[0].known["channel"] == "Backbone Talks (joeladr test feed)"
    assert [m.known["title"] for m in episodes((DOCS / "feed.xml").read_bytes(), feed_url=url, limit=1)] == [
        "Episode 2: Staying on TypeScript"
    ]
    atom = episodes((DOCS / "feed.atom").read_bytes(), feed_url="http://127.0.0.1:8000/documents/feed.atom")
    assert [m.known["title"] for m in atom] == ["Staying on TypeScript", "BEAM supervision in practice"]


def test_a_feed_without_episodes_is_refused() -> None:
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
    feed += b"<item><title>a</title></item></channel></rss>"
    with pytest.raises(IngestError, match="is a feed with no audio or video episodes"):
        episodes(feed, feed_url="http://127.0.0.1/feed.xml")


# -- what an ADR cites -----------------------------------------------------------------------
def test_a_real_adr_cites_pages_docs_readmes_and_a_text_file() -> None:
    adr = load_adr(CORPUS / "0039-self-host-convex-for-joelclaw.md")
    cited = cited_sources(adr)
    assert [c.ref.value for c in cited.sources] == [
        "https://github.com/get-convex/convex-backend/blob/main/self-hosted/README.md",
        "https://news.convex.dev/self-hosting/",
        "https://www.bitdoze.com/convex-self-host/",
        "https://docs.convex.dev/auth/convex-auth",
        "https://stack.convex.dev/durable-workflows-and-strong-guarantees",
        "https://github.com/get-convex/convex-nextjs-app-router-demo",
        "https://docs.convex.dev/llms.txt",
    ]
    assert {c.section for c in cited.sources} == {"References"} and cited.skipped == []
    # the localhost URL in its code sample is no citation
    assert "localhost" in adr.path.read_text() and not any("localhost" in c.target for c in cited.sources)


def test_paths_on_the_authors_machine_are_skipped_and_said_why() -> None:
    cited = cited_sources(load_adr(CORPUS / "0087-observability-pipeline-joelclaw-design-system.md"))
    assert [(s.target, s.reason) for s in cited.skipped] == [
        ("~/.agents/skills/vercel-composition-patterns/SKILL.md", "no such file on this machine")
    ]
    assert len(cited.sources) == 4 and all(c.ref.kind == "url" for c in cited.sources)
    with pytest.raises(UsageError, match="cites no source to ingest") as caught:
        cited_sources(load_adr(CORPUS / "0014-agent-memory-workspace.md"))
    assert "no such file on this machine" in str(caught.value.hint)


def test_other_adrs_the_repository_private_addresses_and_mail_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "repo" / "docs" / "decisions"
    folder.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    (tmp_path / "repo" / ".git" / "config").write_text('[remote "origin"]\n\turl = git@github.com:acme/backbone.git\n')
    (tmp_path / "repo" / "docs" / "guide.md").write_text("# Guide\n")
    outside = tmp_path / "elsewhere" / "notes.md"
    outside.parent.mkdir()
    outside.write_text("# Notes\n\nSomething worth citing.\n")
    shutil.copy(FIXTURES / "documents" / "README.md", folder / "README.md")
    (folder / "0002-earlier.md").write_text("# 2. Earlier\n")
    (folder / "0007-backbone.md").write_text(
        "# 7. Backbone\n\n## Context\n\nSee [the dev server](http://localhost:8288/) (not a citation here).\n\n"
        "## References\n\n"
        "- [Earlier decision](0002-earlier.md)\n"
        "- [Our repo](https://github.com/acme/backbone/blob/main/README.md)\n"
        "- [Guide](../guide.md)\n"
        "- Dev server: http://localhost:8288/v1/events\n"
        "- [NAS share](http://192.168.1.20/papers/x.pdf) and [tailnet](http://box.tail1234.ts.net/doc)\n"
        "- [Mail the author](mailto:someone@example.com)\n"
        f"- [My notes]({outside})\n"
        "- [A talk](https://youtu.be/JvBT4XBdoUE) and the same again https://www.youtube.com/watch?v=JvBT4XBdoUE\n"
        "- An article: https://simonwillison.net/2024/Dec/19/one-shot-python-tools/.\n"
        "\n```\ncurl http://10.0.0.5/inside-a-code-block\n```\n"
    )
    adr = load_adr(folder / "0007-backbone.md")
    assert git_remotes(folder) == ["https://github.com/acme/backbone"]
    cited = cited_sources(adr)
    assert [(c.ref.kind, c.ref.value) for c in cited.sources] == [
        ("file", str(outside.resolve())),
        ("youtube", "JvBT4XBdoUE"),
        ("url", "https://simonwillison.net/2024/Dec/19/one-shot-python-tools/"),
    ]
    assert [(s.target, s.reason) for s in cited.skipped] == [
        ("0002-earlier.md", "another ADR"),
        ("https://github.com/acme/backbone/blob/main/README.md", "this repository"),
        ("../guide.md", "a file of this repository"),
        ("http://localhost:8288/v1/events", "a localhost address"),
        ("http://192.168.1.20/papers/x.pdf", "a private address"),
        ("http://box.tail1234.ts.net/doc", "a private address (a name on a local network)"),
        ("mailto:someone@example.com", "not a web address (mailto:)"),
    ]
    vouched = cited_sources(adr, allow_hosts=["192.168.1.20"])
    assert "http://192.168.1.20/papers/x.pdf" in [c.target for c in vouched.sources]


# -- one way to show a place, everywhere -----------------------------------------------------
def test_the_note_the_decision_record_and_the_report_show_a_documents_place() -> None:
    from joeladr.decide import _cite
    from joeladr.evaluate.findings import Finding
    from joeladr.evaluate.note import finding_line
    from joeladr.report.view import play_for

    where = Location("pdf", 12, page=4, section=("2. Results",))
    paper = Finding(
        "f-0123abcd", "interop", "web-x", "A paper", "A paper", "https://x.test/p.pdf#page=4", 11.5, 12.0, "Quote.", 0.5
    )
    paper.location = where
    talk = Finding(
        "f-4567abcd", "interop", "t", "A talk", None, "https://youtu.be/JvBT4XBdoUE?t=754", 754, 760, "Q", 0.5
    )
    assert "[page 4](https://x.test/p.pdf#page=4)" in finding_line(paper)
    assert "[12:34](https://youtu.be/JvBT4XBdoUE?t=754)" in finding_line(talk)
    assert _cite(paper).endswith("— A paper at [page 4](https://x.test/p.pdf#page=4)")
    assert play_for(paper, None, None).href == "https://x.test/p.pdf#page=4"
    assert paper.to_json()["at"] == "page 4" and paper.to_json()["location"]["page"] == 4
    assert Location.from_json(paper.record()["location"]) == where
