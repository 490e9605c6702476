"""A real browser for the report tests: Debian's Chromium, headless, driven by Playwright.

`make test` installs Chromium (``apt-get install chromium``) when it is missing; Playwright's
own browser downloads are never used (``executable_path``). Every request the page makes is
recorded; any that is not a local file is aborted inside the browser, so a test never sends
traffic off this machine, and can still assert what the page tried to load.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"  # git-ignored; CI keeps what lands here
FLAGS = [
    "--headless",
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium), or install it yourself")
    return found


@dataclass
class Requests:
    """What a page asked for: every URL, and those the browser was not allowed to fetch."""

    seen: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)

    def off_machine(self) -> list[str]:
        return [url for url in self.seen if not url.startswith(("file://", "data:", "about:"))]


@contextmanager
def page_for(url: str) -> Iterator[tuple[Any, Requests]]:
    """A fresh browser (new empty profile) with one page open at ``url``, and the requests it makes."""
    from playwright.sync_api import sync_playwright

    requests = Requests()
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 900}, service_workers="block")

            def route(handle: Any) -> None:
                target = handle.request.url
                if target.startswith("file://"):
                    handle.continue_()
                else:
                    requests.aborted.append(target)
                    handle.abort("blockedbyclient")

            context.route("**/*", route)
            page = context.new_page()
            page.on("request", lambda request: requests.seen.append(request.url))
            page.goto(url, wait_until="load")
            yield page, requests
        finally:
            browser.close()
