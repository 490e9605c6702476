"""Build the document fixtures that quote the evalset: a blog post, a docs page and a paper, into a folder.

    python scripts/make_document_fixtures.py OUT      # needs ../shared/evalset and Debian's chromium

The tests run this once per session into a tmp folder (``tests/conftest.py``, fixture ``documents``): the
evalset's transcripts are CC BY-SA 4.0 (Changelog Media LLC) and stay out of the project's tree
(``../shared/evalset/README.md``), so nothing built from them is committed. It writes, into ``OUT``:

- ``blog-post.html``: a blog post (The Changelog #439, paragraphs 76-100, three headings) inside
  navigation, a cookie banner, a sidebar, a footer and a comment thread;
- ``docs-page.html``: a documentation page (The Changelog #588, paragraphs 108-122) inside a
  docs site's sidebar, breadcrumbs and "was this helpful" footer;
- ``paper.pdf``: an arXiv-style paper (The Changelog #258, paragraphs 20-50, numbered sections),
  printed by headless Chromium with its outline (``bench/eval/documents.py``; the same Chromium gives
  the same bytes);
- ``paragraphs.json``: what each of the three holds, so a test can check the text without quoting it:
  per file, each paragraph's number, speaker, text and the heading it sits under.

Every page says where its text comes from and under which licence. The pages with nothing to cite
(``login.html``, ``paywall.html``, ``captcha.html``, ``empty.html``), ``README.md``, ``llms.txt``,
``feed.xml`` and ``feed.atom`` are the project's own text, committed in ``tests/fixtures/documents/``.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "eval"))

from documents import ATTRIBUTION, paragraph_html, publish, sections  # noqa: E402
from paragraphs import TRANSCRIPTS, Paragraph, paragraphs  # noqa: E402

BLOG = ("the-changelog-439", 76, 100)
BLOG_HEADINGS = [(76, "How LiveBook started"), (83, "What people complain about in notebooks"), (91, "A LiveView app")]
DOCS = ("the-changelog-588", 108, 122)
DOCS_HEADINGS = [
    (108, "Using packages from Hex"),
    (114, "Bindings to Erlang and Elixir code"),
    (120, "Unchecked bindings"),
]
PAPER = ("the-changelog-258", 20, 50)
PAPER_TITLE = "Ten years of RabbitMQ: Erlang/OTP in production"
PAPER_SECTION_SIZE = 8
NAV = """<header class="site"><a class="logo" href="/">The BEAM Notes</a>
<nav aria-label="Main"><ul><li><a href="/">Home</a></li><li><a href="/archive">Archive</a></li>
<li><a href="/tags">Tags</a></li><li><a href="/about">About</a></li>
<li><a href="/feed.xml">RSS</a></li></ul></nav></header>
<div class="cookie-banner" role="dialog">We use cookies to improve your experience and to show you relevant
advertising. By clicking Accept all cookies you agree to the storing of cookies on your device.
<button>Accept all cookies</button> <button>Manage preferences</button></div>"""
FOOTER = """<footer class="site"><p>© 2024 The BEAM Notes. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of service</a></li>
<li><a href="/contact">Contact</a></li></ul>
<p>Subscribe to our newsletter for weekly updates on Elixir and Erlang.</p></footer>"""
COMMENTS = """<section id="comments" class="comments"><h2>12 Comments</h2>
<div class="comment"><p class="who">beam_fan_42 · 3 days ago</p><p>Great write-up! I have been using Phoenix for years
and never tried the notebooks. Does anyone know if it works with Nerves devices on a Raspberry Pi at home?</p></div>
<div class="comment"><p class="who">typescript_forever · 2 days ago</p><p>Honestly I do not see why anyone
would pick this over Jupyter. Python has every library under the sun, and my team would never learn a new
language for this.</p></div>
<form class="reply"><textarea placeholder="Leave a comment"></textarea><button>Post comment</button></form></section>"""


def _excerpt(episode: str, first: int, last: int) -> list[Paragraph]:
    return [p for p in paragraphs(TRANSCRIPTS / f"{episode}.md") if first <= p.index <= last]


def blog_post() -> str:
    body = []
    for heading, part in sections(_excerpt(*BLOG), 0, BLOG_HEADINGS):
        body.append(f"<h2>{html.escape(heading)}</h2>")
        body.extend(paragraph_html(p) for p in part)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>LiveBook, notebooks and LiveView – The BEAM Notes</title>
<meta name="author" content="José Valim">
<meta property="og:site_name" content="The BEAM Notes">
<meta property="article:published_time" content="2021-04-30T09:00:00Z">
</head><body>
{NAV}
<div class="layout"><aside class="sidebar"><h3>Popular posts</h3><ul><li><a href="/p/1">Ten years of RabbitMQ</a></li>
<li><a href="/p/2">Gleam on the BEAM</a></li><li><a href="/p/3">Oban in production</a></li></ul>
<h3>Newsletter</h3><p>Get the best of the BEAM in your inbox every Friday.</p></aside>
<main><article class="post">
<h1>LiveBook, notebooks and LiveView</h1>
<p class="byline">By José Valim · April 30, 2021 · 9 min read</p>
{chr(10).join(body)}
<p class="licence">{html.escape(ATTRIBUTION)} Excerpt of The Changelog #439, paragraphs 76–100.</p>
</article>
<div class="share">Share this post: <a href="/share/twitter">Twitter</a> <a href="/share/mastodon">Mastodon</a></div>
{COMMENTS}
</main></div>
{FOOTER}
</body></html>
"""


def docs_page() -> str:
    body = []
    for heading, part in sections(_excerpt(*DOCS), 0, DOCS_HEADINGS):
        body.append(f"<h2>{html.escape(heading)}</h2>")
        body.extend(paragraph_html(p) for p in part)
    links = "".join(
        f'<li><a href="/docs/{slug}">{name}</a></li>'
        for slug, name in [
            ("install", "Installing"),
            ("tour", "Language tour"),
            ("packages", "Packages"),
            ("ffi", "External functions"),
            ("otp", "OTP"),
            ("javascript", "JavaScript target"),
            ("cli", "Command line reference"),
            ("faq", "FAQ"),
        ]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Packages and interop · Gleam documentation</title>
<meta property="og:site_name" content="Gleam documentation"></head><body>
<header class="docs-header"><a href="/">Gleam</a> <input type="search" placeholder="Search the docs"></header>
<div class="docs"><nav class="docs-sidebar" aria-label="Documentation"><ul>{links}</ul></nav>
<main class="docs-content">
<nav class="breadcrumbs"><a href="/docs">Docs</a> › <a href="/docs/packages">Packages</a> › Interop</nav>
<h1>Packages and interop</h1>
{chr(10).join(body)}
<p class="licence">{html.escape(ATTRIBUTION)} Excerpt of The Changelog #588, paragraphs 108–122.</p>
<div class="feedback">Was this page helpful? <button>Yes</button> <button>No</button>
<a href="/edit/docs/packages.md">Edit this page on GitHub</a></div>
<nav class="pager"><a href="/docs/install">← Installing</a> <a href="/docs/otp">OTP →</a></nav>
</main></div>
<footer><p>Gleam is released under the Apache 2.0 licence. Documentation built with love.</p></footer>
</body></html>
"""


def held(parts: Sequence[tuple[str, Sequence[Paragraph]]]) -> list[dict[str, object]]:
    """What a document holds, for ``paragraphs.json``: each paragraph with the heading it sits under."""
    return [
        {"index": p.index, "speaker": p.speaker, "text": p.text, "section": heading}
        for heading, items in parts
        for p in items
    ]


def build(out: Path) -> None:
    """Write the three documents and ``paragraphs.json`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "blog-post.html").write_text(blog_post(), encoding="utf-8")
    (out / "docs-page.html").write_text(docs_page(), encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="joeladr-paper-") as scratch:
        episode, first, last = PAPER
        paper = publish(
            episode, Path(scratch), first=first, last=last, section_size=PAPER_SECTION_SIZE, title=PAPER_TITLE
        )
        assert paper.pdf is not None
        shutil.move(paper.pdf, out / "paper.pdf")
    contents = {
        "blog-post.html": held(sections(_excerpt(*BLOG), 0, BLOG_HEADINGS)),
        "docs-page.html": held(sections(_excerpt(*DOCS), 0, DOCS_HEADINGS)),
        "paper.pdf": held(sections(_excerpt(*PAPER), PAPER_SECTION_SIZE)),
    }
    (out / "paragraphs.json").write_text(json.dumps(contents, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the folder to write them to (not the project's tree)")
    args = parser.parse_args(argv)
    build(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
