"""A loopback HTTP server (127.0.0.1 only) that serves test media to the real yt-dlp."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".webm": "audio/webm"}  # noqa: RUF012

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def running(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A threaded server for ``handler`` on 127.0.0.1 and a free port; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` at http://127.0.0.1:PORT; yields the base URL."""
    with running(functools.partial(_Handler, directory=str(folder))) as url:
        yield url


class _Site(http.server.BaseHTTPRequestHandler):
    """Serves fixed bodies by path (``pages``: path -> (content type, body, status)); 404 for the rest.
    A 3xx status redirects to the body (a URL)."""

    pages: dict[str, tuple[str, bytes, int]] = {}  # noqa: RUF012  (set per server by ``site``)

    def do_GET(self) -> None:
        from urllib.parse import urlsplit

        found = self.pages.get(urlsplit(self.path).path)
        if found is None:
            self.send_error(404)
            return
        kind, body, status = found
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", body.decode())  # a redirect's body is where it leads
            body = b""
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def site(pages: dict[str, tuple[str, bytes] | tuple[str, bytes, int]]) -> Iterator[str]:
    """A loopback web site serving ``pages`` (path -> (content type, body[, status])); yields its base URL."""
    table = {path: (entry[0], entry[1], entry[2] if len(entry) > 2 else 200) for path, entry in pages.items()}
    handler = type("Site", (_Site,), {"pages": table})
    with running(handler) as url:
        yield url


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Hostile(http.server.BaseHTTPRequestHandler):
    """Servers a user should not have to trust: endless and trickling bodies, pages that link elsewhere.

    ``/endless.webm``: a 200 with no length whose body goes on (64 MB, then it stops: a test run
    against code without a ceiling must not fill the disk). ``/trickle.webm``: one byte every
    half second (for a minute). ``/big.webm``: announces 10 GB. ``/page.html?links=URL,URL``:
    a page with a <video> per link.
    """

    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        import time
        from urllib.parse import parse_qs, urlparse

        parsed = urlparse(self.path)
        try:
            if parsed.path == "/endless.webm":
                self._head("audio/webm")
                chunk = b"\x1a\x45\xdf\xa3" + b"\0" * 65532
                for _ in range(1024):
                    self.wfile.write(chunk)
            elif parsed.path == "/trickle.webm":
                self._head("audio/webm")
                for _ in range(120):
                    self.wfile.write(b"\0")
                    self.wfile.flush()
                    time.sleep(0.5)
            elif parsed.path == "/big.webm":
                self._head("audio/webm", 10_000_000_000)
                self.wfile.write(b"\x1a\x45\xdf\xa3")
            elif parsed.path == "/page.html":
                links = parse_qs(parsed.query).get("links", [""])[0].split(",")
                body = "".join(f'<video controls src="{link}"></video>\n' for link in links if link)
                self._head("text/html", len(body.encode()))
                self.wfile.write(body.encode())
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _head(self, kind: str, length: int | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def hostile() -> Iterator[str]:
    """The hostile server at http://127.0.0.1:PORT; yields the base URL."""
    with running(_Hostile) as url:
        yield url


@contextmanager
def listener() -> Iterator[tuple[int, list[str]]]:
    """A loopback TCP port that records every connection made to it (and answers nothing)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    seen: list[str] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                conn, peer = sock.accept()
            except OSError:
                continue
            seen.append(f"{peer[0]}:{peer[1]}")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1]), seen
    finally:
        done.set()
        thread.join(2)
        sock.close()
