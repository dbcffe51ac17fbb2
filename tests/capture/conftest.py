"""A real HTTP server on 127.0.0.1 (port 0) serving posting pages, board API answers and
the hostile cases: a 20 MB page, redirect loops and redirects to internal addresses.

The capture settings point at it: `localhost` is the allowed host the tests fetch from,
while 127.0.0.1 itself stays forbidden, so a redirect from the server to 127.0.0.1 shows
the loopback refusal. The boards' API bases are mapped to paths on the same server.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PAGES = Path(__file__).parent / "pages"
BIG_PAGE_BYTES = 20 * 1024 * 1024

# path on the server -> fixture file
STATIC = {
    "/jobs/backend": "jsonld.html",
    "/jobs/graph": "graph.html",
    "/jobs/og": "opengraph.html",
    "/jobs/title": "title-only.html",
    "/jobs/hostile": "hostile.html",
    "/gh/v1/boards/piedpiper/jobs/4012345": "greenhouse.json",
    "/lever/v0/postings/hooli/5f1c2d3e-0000-4000-8000-abcdefabcdef": "lever.json",
    "/ashby/posting-api/job-board/openai-ish": "ashby.json",
    "/workable/api/v2/accounts/tulip/jobs/A1B2C3D4E5": "workable.json",
}


class PostingHandler(BaseHTTPRequestHandler):
    server_version = "PostingFixtures/1"

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str, **headers) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/html", Location=location)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        path = self.path.split("?", 1)[0]
        port = self.server.server_address[1]
        self.server.requests.append(self.path)
        self.server.hosts.append(self.headers.get("Host", ""))
        if path in STATIC:
            name = STATIC[path]
            kind = "application/json" if name.endswith(".json") else "text/html; charset=utf-8"
            self._send(200, (PAGES / name).read_bytes(), kind)
        elif path == "/jobs/future":
            # The JSON-LD page with a closing date four weeks from today, so saving it
            # schedules the "Apply before" reminder whenever the suite runs.
            closing = (date.today() + timedelta(days=28)).isoformat()
            page = (PAGES / "jsonld.html").read_text(encoding="utf-8")
            page = page.replace("2026-03-20T23:59:59+01:00", closing)
            self._send(200, page.encode(), "text/html; charset=utf-8")
        elif path == "/big":
            # No Content-Length: the size cap must hold while reading the stream.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<p>" + b"x" * (1024 * 1024 - 7) + b"</p>\n"
            try:
                for _ in range(BIG_PAGE_BYTES // len(chunk) + 1):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif path == "/big-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(BIG_PAGE_BYTES))
            self.end_headers()
            self.close_connection = True
        elif path == "/loop/a":
            self._redirect("/loop/b")
        elif path == "/loop/b":
            self._redirect("/loop/a")
        elif path.startswith("/hops/"):
            self._redirect(f"/hops/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path == "/two-hops":
            self._redirect("/one-hop")
        elif path == "/one-hop":
            self._redirect("/jobs/backend")
        elif path == "/to-loopback":
            self._redirect(f"http://127.0.0.1:{port}/jobs/backend")
        elif path == "/to-metadata":
            self._redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/")
        elif path == "/slow":
            time.sleep(3)
            self._send(200, b"<title>Late at Slowco</title>", "text/html")
        elif path == "/pdf":
            self._send(200, b"%PDF-1.4", "application/pdf")
        elif path == "/gone":
            self._send(404, b"not here", "text/plain")
        else:
            self._send(404, b"no such fixture", "text/plain")


@pytest.fixture(scope="session")
def posting_server():
    """The fixture server; `.base` is its URL through the allowed name `localhost`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), PostingHandler)
    server.daemon_threads = True
    server.requests = []
    server.hosts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.port = server.server_address[1]
    server.base = f"http://localhost:{server.port}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def capture_settings(settings, posting_server):
    """Allows only `localhost` (the fixture server) and maps the boards' APIs onto it."""
    settings.CAPTURE_ALLOWED_HOSTS = ["localhost"]
    settings.CAPTURE_TIMEOUT_SECONDS = 2
    settings.CAPTURE_BOARD_APIS = {
        "greenhouse": f"{posting_server.base}/gh",
        "lever": f"{posting_server.base}/lever",
        "ashby": f"{posting_server.base}/ashby",
        "workable": f"{posting_server.base}/workable",
    }
    return settings


@pytest.fixture
def page_html():
    """page_html(name): a fixture page's text, for read_posting's direct tests."""

    def read(name: str) -> str:
        return (PAGES / name).read_text(encoding="utf-8")

    return read


# The browser fixtures of tests/browser, for the bookmarklet's browser test here.
from tests.browser.conftest import browser, screenshot  # noqa: E402, F401
