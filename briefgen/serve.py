"""The HTML briefing served on this computer only, reloaded in the browser on each rebuild
(``briefgen watch --serve``).

The written file is never changed: it stays script-free and byte for byte what
``briefgen build --format html`` writes. Only the copy sent to the browser gets a small
script, which listens for Server-Sent Events (``/events``) and reloads the page when a
rebuild has written a new file, or shows the problems of a failed one in a box at the
top. The page's Content Security Policy (``default-src 'none'``) would block that
script, so the served copy's policy adds exactly two things: the script, by a nonce
new for every response, and a connection back to this server. The same policy is sent
as a header.

The server listens on 127.0.0.1 and answers only requests addressed to 127.0.0.1 or
localhost, so a web page elsewhere cannot reach the briefing through a DNS name that
points here (DNS rebinding).
"""

from __future__ import annotations

import errno
import json
import re
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from briefgen.errors import BriefgenError

HOST = "127.0.0.1"
KEEPALIVE_S = 15.0   # an SSE comment this often, so a closed tab is noticed
_CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
_WAITING = ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">\n'
            "<title>briefgen preview</title>\n</head>\n<body>\n"
            "<p>No briefing has been built yet: see the terminal running briefgen watch.</p>\n"
            "</body>\n</html>\n")
_SCRIPT = """(function () {
  var page = "%s";
  var events = new EventSource("/events");
  events.addEventListener("build", function (e) { if (e.data !== page) location.reload(); });
  events.addEventListener("problem", function (e) {
    var text = JSON.parse(e.data), box = document.getElementById("briefgen-problem");
    if (!text) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "briefgen-problem";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:9;margin:0;padding:1em;" +
        "white-space:pre-wrap;background:#fff3f3;color:#7a0000;border-bottom:2px solid #7a0000;font:14px monospace";
      document.body.appendChild(box);
    }
    box.textContent = "Not rebuilt; this is the last good briefing.\\n" + text;
  });
})();"""


def served(page: str, generation: int, nonce: str) -> tuple[str, str]:
    """The page as the browser gets it, and its Content Security Policy: the page's own
    policy plus the reload script (by `nonce`) and the connection it makes."""
    found = _CSP_META.search(page)
    base = found.group(1) if found else "default-src 'none'"
    policy = f"{base}; script-src 'nonce-{nonce}'; connect-src 'self'"
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    page = page[:found.start()] + meta + page[found.end():] if found else page.replace("<head>", "<head>\n" + meta, 1)
    script = f'<script nonce="{nonce}">\n{_SCRIPT % generation}\n</script>\n'
    at = page.rfind("</body>")
    page = page[:at] + script + page[at:] if at >= 0 else page + script
    return page, policy


class Preview:
    """An HTTP server on 127.0.0.1 for the HTML briefing, told of each rebuild."""

    def __init__(self, port: int = 8000) -> None:
        self._state = threading.Condition()
        self._page: Path | None = None
        self._generation = 0
        self._problem = ""
        self._closing = False
        try:
            self._server = ThreadingHTTPServer((HOST, port), _handler(self))
        except OSError as exc:
            busy = exc.errno == errno.EADDRINUSE
            raise BriefgenError.one(
                f"cannot serve the preview on {HOST}:{port}: {'the port is in use' if busy else exc.strerror}",
                field="--port", hint="give another port with --port, or --port 0 for any free one",
                kind="usage") from None
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="briefgen-preview", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def built(self, page: Path, rewritten: bool) -> None:
        """A build succeeded; `page` is the HTML file, new if `rewritten`."""
        with self._state:
            self._page = page
            self._generation += 1 if rewritten else 0
            self._problem = ""
            self._state.notify_all()

    def failed(self, problems: str) -> None:
        """A build failed with `problems`; the page stays, and shows them."""
        with self._state:
            self._problem = problems
            self._state.notify_all()

    def close(self) -> None:
        with self._state:
            self._closing = True
            self._state.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # --- for the request handler -------------------------------------------------------

    def page(self) -> tuple[Path | None, int]:
        """The HTML file to serve (None before the first good build), and its generation."""
        with self._state:
            return self._page, self._generation

    def news(self, last: tuple[int, str] | None, timeout: float) -> tuple[int, str] | None:
        """(generation, problems) once they differ from `last`, or after `timeout`;
        None when the server is closing."""
        with self._state:
            self._state.wait_for(lambda: self._closing or self._news() != last, timeout)
            return None if self._closing else self._news()

    def _news(self) -> tuple[int, str]:
        return self._generation, self._problem


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "briefgen"
        sys_version = ""

        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            if host not in (HOST, "localhost"):
                self.send_error(HTTPStatus.FORBIDDEN, "the preview answers only 127.0.0.1 and localhost")
            elif self.path in ("/", "/index.html"):
                self._page()
            elif self.path == "/events":
                self._events()
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def _page(self) -> None:
            page, generation = preview.page()
            try:
                text = page.read_text(encoding="utf-8") if page else _WAITING
            except OSError:
                text = _WAITING
            body, policy = served(text, generation, secrets.token_urlsafe(18))
            data = body.encode("utf-8")
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            last: tuple[int, str] | None = None
            try:
                while (now := preview.news(last, KEEPALIVE_S)) is not None:
                    if now == last:
                        self.wfile.write(b": still here\n\n")
                    else:
                        generation, problem = now
                        self.wfile.write(f"event: build\ndata: {generation}\n\n"
                                         f"event: problem\ndata: {json.dumps(problem)}\n\n".encode("utf-8"))
                        last = now
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - the standard library's name
            pass   # only the command line prints

    return Handler
