# Why this exists: every server test needs the same thing: the real DevServer on a free port,
# serving a temporary web root with a secret file just outside it, and clients that can send
# exactly the bytes a test wants (http.client refuses some hostile paths, so there is a raw
# socket client too). Not a test file itself.
from __future__ import annotations

import dataclasses
import http.client
import io
import os
import socket
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Mapping, Optional

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY_ROOT / "scripts"))

from devserver import DevServer, ServerSettings  # noqa: E402

SECRET_TEXT = b"SECRET-OUTSIDE-THE-ROOTS"
# Guards against a hung test only; no test measures time.
CLIENT_TIMEOUT_SECONDS = 10.0

ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclasses.dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name)

    @property
    def media_type(self) -> str:
        """Content-Type without parameters ("text/javascript" of "text/javascript; charset=utf-8")."""
        return (self.header("Content-Type") or "").split(";")[0].strip()


def build_served_tree(base: Path) -> dict[str, Path]:
    """Creates base/secret.txt (never to be served), base/web (the web root) and base/patches."""
    secret = base / "secret.txt"
    secret.write_bytes(SECRET_TEXT)
    secret_directory = base / "outside"
    secret_directory.mkdir()
    (secret_directory / "secret.txt").write_bytes(SECRET_TEXT)
    # A sibling whose name starts like the root's: "web-private" must not count as inside "web".
    sibling = base / "web-private"
    sibling.mkdir()
    (sibling / "secret.txt").write_bytes(SECRET_TEXT)

    web = base / "web"
    web.mkdir()
    (web / "index.html").write_bytes(b"<!doctype html><title>root index</title>")
    for name, content in {
        "program.wasm": b"\0asm\1\0\0\0",
        "app.js": b"export const answer = 42;\n",
        "worker.mjs": b"self.onmessage = () => {};\n",
        "scene.json": b'{"spheres": []}\n',
        "style.css": b"body { margin: 0; }\n",
        "image.png": b"\x89PNG\r\n\x1a\n",
        "icon.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>\n",
        "teapot.obj": b"v 0 0 0\n",
        "README.md": b"# notes\n",
        "data.bin": b"\x00\x01\x02",
        "UPPER.WASM": b"\0asm\1\0\0\0",
    }.items():
        (web / name).write_bytes(content)
    (web / "with index").mkdir()
    (web / "with index" / "index.html").write_bytes(b"<title>inner index</title>")
    (web / "no_index").mkdir()
    (web / "no_index" / "listed-if-listing.txt").write_bytes(b"a file in a directory without index")
    os.symlink(web / "app.js", web / "link_inside.js")
    os.symlink(secret, web / "link_to_secret.txt")
    os.symlink(secret_directory, web / "link_to_outside")
    os.symlink(base, web / "link_to_parent")
    os.symlink(sibling, web / "link_to_sibling")

    patches = base / "patches"
    patches.mkdir()
    (patches / "patch_1.wasm").write_bytes(b"\0asm\1\0\0\0patch")
    os.symlink(secret, patches / "link_to_secret.txt")
    return {"base": base, "secret": secret, "web": web, "patches": patches}


class ServerTestCase(unittest.TestCase):
    """Starts a DevServer on port 0 for each test; its log goes to self.log."""

    # Extra ServerSettings fields a test class wants (e.g. a short keep-alive).
    settings_overrides: Mapping[str, object] = {}

    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory(prefix="devserver-test-")
        self.addCleanup(temporary.cleanup)
        self.tree = build_served_tree(Path(temporary.name))
        self.log = io.StringIO()
        settings = ServerSettings(web_root=self.tree["web"], patch_root=self.tree["patches"],
                                  port=0, log_stream=self.log, **dict(self.settings_overrides))
        self.server = DevServer(settings).start()
        self.addCleanup(self.server.stop)
        self.port = self.server.port
        self.origin = f"http://127.0.0.1:{self.port}"

    # ---- clients -----------------------------------------------------------------------

    def connect(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT_SECONDS)
        self.addCleanup(connection.close)
        return connection

    def request(self, method: str, path: str, headers: Optional[Mapping[str, str]] = None,
                body: Optional[bytes] = None) -> Response:
        """One request through http.client (which adds Host and, with a body, Content-Length)."""
        connection = self.connect()
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())

    def raw_request(self, request_bytes: bytes, method: str = "GET") -> Response:
        """Sends `request_bytes` verbatim (hostile paths, broken request lines)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=CLIENT_TIMEOUT_SECONDS) as connection:
            connection.sendall(request_bytes)
            response = http.client.HTTPResponse(connection, method=method)
            response.begin()
            return Response(response.status, response.headers, response.read())

    def raw_get(self, target: str, extra_headers: str = "") -> Response:
        """GET with `target` put on the request line exactly as given (latin-1)."""
        return self.raw_request(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{extra_headers}"
            f"Connection: close\r\n\r\n".encode("latin-1"))

    # ---- assertions --------------------------------------------------------------------

    def assertIsolationHeaders(self, response) -> None:
        """`response`: anything with .status and .headers (a Response or an HTTPResponse)."""
        for name, value in ISOLATION_HEADERS.items():
            self.assertEqual(response.headers.get(name), value,
                             f"{name} on a {response.status} response")

    def assertNoSecret(self, response: Response) -> None:
        self.assertNotIn(SECRET_TEXT, response.body, f"secret served with status {response.status}")


class EventStreamClient:
    """Reads /events as a browser's EventSource would: frames of "field: value" lines."""

    def __init__(self, test: ServerTestCase, last_event_id: Optional[str] = None,
                 headers: Optional[Mapping[str, str]] = None):
        self.connection = test.connect()
        request_headers = dict(headers or {})
        if last_event_id is not None:
            request_headers["Last-Event-ID"] = last_event_id
        self.connection.request("GET", "/events", headers=request_headers)
        self.response = self.connection.getresponse()
        # The server subscribes before it writes the opening frame: once it is read, every
        # event published from now on reaches this client.
        self.opening = self.read_frame() if self.response.status == 200 else {}

    def read_frame(self) -> dict[str, list[str]]:
        """The next frame up to its blank line: field name to values (":" holds comments).
        An empty dict means the stream ended."""
        frame: dict[str, list[str]] = {}
        while True:
            line = self.response.readline()
            if not line:
                return frame
            line = line.decode("utf-8").rstrip("\r\n")
            if not line:
                if frame:
                    return frame
                continue
            name, _, value = line.partition(":")
            frame.setdefault(name, []).append(value[1:] if value.startswith(" ") else value)

    def read_event(self) -> dict[str, list[str]]:
        """The next frame that carries an event (comments and retry skipped)."""
        while True:
            frame = self.read_frame()
            if not frame or "data" in frame:
                return frame

    def close(self) -> None:
        # The response holds the socket open on its own: both must close for the page to leave.
        self.response.close()
        self.connection.close()
