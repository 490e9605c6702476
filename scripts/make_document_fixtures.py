"""Rebuild tests/fixtures/documents/: the pages, README, paper and feeds the document tests serve over loopback.

    python scripts/make_document_fixtures.py            # needs ../shared/evalset and Debian's chromium

The article text is real speech, excerpts of the evalset's CC BY-SA 4.0 transcripts (Changelog
Media LLC; every page says so), wrapped the way sites wrap articles:

- ``blog-post.html``: a blog post (The Changelog #439, paragraphs 76-100, three headings) inside
  navigation, a cookie banner, a sidebar, a footer and a comment thread;
- ``docs-page.html``: a documentation page (The Changelog #588, paragraphs 108-122) inside a
  docs site's sidebar, breadcrumbs and "was this helpful" footer;
- ``paper.pdf``: an arXiv-style paper (The Changelog #258, paragraphs 20-50, numbered sections),
  printed by headless Chromium with its outline (``bench/eval/documents.py``);
- ``login.html``, ``paywall.html``, ``captcha.html``, ``empty.html``: pages with nothing to cite.

``README.md`` (a GitHub-like repository's README, written for these tests), ``llms.txt``,
``feed.xml`` and ``feed.atom`` (episodes that point at the synthetic talks in ``../talks``) are
written by hand and kept as they are; this script does not touch them.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "eval"))

from documents import ATTRIBUTION, paragraph_html, publish, sections  # noqa: E402
from paragraphs import TRANSCRIPTS, Paragraph, paragraphs  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "documents"
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
    items = _excerpt("the-changelog-439", 76, 100)
    headings = [(76, "How LiveBook started"), (83, "What people complain about in notebooks"), (91, "A LiveView app")]
    body = []
    for heading, part in sections(items, 0, headings):
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
    items = _excerpt("the-changelog-588", 108, 122)
    headings = [
        (108, "Using packages from Hex"),
        (114, "Bindings to Erlang and Elixir code"),
        (120, "Unchecked bindings"),
    ]
    body = []
    for heading, part in sections(items, 0, headings):
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


LOGIN = """<!doctype html><html><head><title>Sign in – Example Journal</title></head><body>
<header><a href="/">Example Journal</a></header>
<main><h1>Sign in to continue</h1><form method="post" action="/login">
<label>Email <input type="email" name="email"></label>
<label>Password <input type="password" name="password"></label>
<button>Sign in</button></form><p>New here? <a href="/register">Create an account</a>.</p></main>
<footer>© Example Journal</footer></body></html>
"""
PAYWALL = """<!doctype html><html><head><title>Why queues beat cron – Example Times</title>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Why queues beat cron",
"isAccessibleForFree": false}</script></head><body>
<article><h1>Why queues beat cron</h1><p>Every team that runs background work eventually meets the same
question: should a job run on a timer, or should it wait in a queue until a worker is free?</p>
<div class="paywall"><p>Subscribe to continue reading. Already a subscriber? <a href="/login">Log in</a>.</p></div>
</article></body></html>
"""
CAPTCHA = """<!doctype html><html><head><title>Just a moment...</title></head><body>
<div class="challenge"><h1>Checking your browser before accessing the site.</h1>
<p>Please verify you are human by completing the captcha below.</p>
<div class="g-recaptcha" data-sitekey="test"></div></div></body></html>
"""
EMPTY = f"""<!doctype html><html><head><title>Archive – The BEAM Notes</title></head><body>
{NAV}
<main><h1>Archive</h1></main>
{FOOTER}
</body></html>
"""


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "blog-post.html").write_text(blog_post(), encoding="utf-8")
    (OUT / "docs-page.html").write_text(docs_page(), encoding="utf-8")
    walls = {"login.html": LOGIN, "paywall.html": PAYWALL, "captcha.html": CAPTCHA, "empty.html": EMPTY}
    for name, text in walls.items():
        (OUT / name).write_text(text, encoding="utf-8")
    paper = publish(
        "the-changelog-258",
        OUT / "paper-source",
        first=20,
        last=50,
        section_size=8,
        title="Ten years of RabbitMQ: Erlang/OTP in production",
    )
    assert paper.pdf is not None
    paper.pdf.replace(OUT / "paper.pdf")
    paper.html.unlink()
    (OUT / "paper-source").rmdir()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
