# Why this exists: the one place that decides what a request gets. It parses the request
# line itself (so every method, even an unknown one, gets a 405 rather than 501), routes by
# the first path segment, applies the cross-origin policy to the protected areas, and makes
# every answer, errors included, carry the isolation and no-store headers.
from __future__ import annotations

import http.server
import os
import re
import socket
import time
import traceback
import urllib.parse
from http import HTTPStatus
from pathlib import Path
from typing import Iterable, Optional, Sequence

from . import event_stream
from .file_resolver import Outcome, resolve_file
from .mime_types import content_type_for
from .origin_policy import cross_origin_refusal
from .reports import ReportError, parse_report
from .request_body import BodyError, has_body, read_body
from .request_path import MalformedPath, RequestPath, parse_request_path
from .response_headers import EVERY_RESPONSE_HEADERS

# RFC 9110 token: what a method name may be made of.
_METHOD_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

STATIC_METHODS = ("GET", "HEAD")
# How long a connection is drained after an error answer to a request whose body was not read.
LINGER_SECONDS = 2.0
EVENTS_AREA = "events"
API_AREA = "api"
PATCHES_AREA = "patches"
# First path segments that only the page itself may use (see origin_policy.py).
PROTECTED_AREAS = (EVENTS_AREA, API_AREA, PATCHES_AREA)


class DevRequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Answers to a request line too broken to carry a version still get a status line and headers.
    default_request_version = "HTTP/1.0"
    server_version = "devserver"

    # ---- connection and request line -------------------------------------------------

    def setup(self) -> None:
        self.timeout = self.server.settings.idle_timeout_seconds
        super().setup()

    def handle_one_request(self) -> None:
        self._body_pending = False
        self.path = ""  # so a request that fails to parse is not logged under the previous path
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline, self.request_version, self.command = "", "HTTP/1.0", ""
                self.send_plain_error(HTTPStatus.REQUEST_URI_TOO_LONG, "request line too long")
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return  # parse_request answered already (through send_error below)
            self._body_pending = has_body(self.headers)
            if len(self.requestline.split()) != 3:
                self.send_plain_error(HTTPStatus.BAD_REQUEST, "request line has no HTTP version")
            elif not _METHOD_TOKEN.fullmatch(self.command):
                self.send_plain_error(HTTPStatus.BAD_REQUEST, "method is not a valid token")
            else:
                self._route()
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client went away or stayed silent too long

    # ---- routing -----------------------------------------------------------------------

    def _route(self) -> None:
        try:
            request_path = parse_request_path(self.path)
        except MalformedPath as error:
            self.send_plain_error(HTTPStatus.BAD_REQUEST, str(error))
            return
        if request_path.unsafe:
            self.send_plain_error(HTTPStatus.NOT_FOUND, "no such file")
            return
        area = request_path.area
        if area in PROTECTED_AREAS:
            refusal = cross_origin_refusal(self.headers, self.server.settings.host)
            if refusal is not None:
                self.send_plain_error(HTTPStatus.FORBIDDEN, refusal)
                return
        if area == EVENTS_AREA:
            if len(request_path.segments) == 1:
                self._serve_events()
            else:
                self.send_plain_error(HTTPStatus.NOT_FOUND, "no such endpoint")
        elif area == API_AREA:
            self._serve_api(request_path.segments[1:])
        elif area == PATCHES_AREA:
            self._serve_static(self.server.settings.patch_root, request_path.segments[1:],
                               request_path, url_prefix="/patches/")
        else:
            self._serve_static(self.server.settings.web_root, request_path.segments,
                               request_path, url_prefix="/")

    # ---- static files ------------------------------------------------------------------

    def _serve_static(self, root: Optional[Path], segments: Sequence[str],
                      request_path: RequestPath, url_prefix: str) -> None:
        if self.command not in STATIC_METHODS:
            self._refuse_method(STATIC_METHODS)
            return
        if root is None:
            self.send_plain_error(HTTPStatus.NOT_FOUND, "no patch folder is served")
            return
        resolution = resolve_file(root, segments, request_path.trailing_slash)
        if resolution.outcome is Outcome.ADD_SLASH:
            location = url_prefix + "/".join(urllib.parse.quote(segment) for segment in segments) + "/"
            if request_path.query:
                location += "?" + request_path.query
            self._send_empty(HTTPStatus.MOVED_PERMANENTLY, [("Location", location)])
            return
        if resolution.outcome is not Outcome.FILE:
            self.send_plain_error(HTTPStatus.NOT_FOUND, "no such file")
            return
        try:
            file = open(resolution.path, "rb")
        except OSError:
            self.send_plain_error(HTTPStatus.NOT_FOUND, "no such file")
            return
        with file:
            size = os.fstat(file.fileno()).st_size
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type_for(resolution.path.name))
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if self.command == "GET" and size:
                sent = self.connection.sendfile(file, 0, size)
                if sent != size:
                    self.close_connection = True  # the file shrank while being sent

    # ---- /events -----------------------------------------------------------------------

    def _serve_events(self) -> None:
        if self.command != "GET":
            self._refuse_method(("GET",))
            return
        settings = self.server.settings
        subscription = self.server.events.subscribe(self.headers.get("Last-Event-ID"))
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            # No length: the stream ends when the connection does.
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(event_stream.opening_frame(settings.reconnect_milliseconds))
            self.wfile.flush()
        except OSError:
            subscription.close()
            raise
        event_stream.stream_events(self.connection, self.wfile, subscription, settings.keepalive_seconds)

    # ---- /api --------------------------------------------------------------------------

    def _serve_api(self, segments: Sequence[str]) -> None:
        if tuple(segments) != ("report",):
            self.send_plain_error(HTTPStatus.NOT_FOUND, "no such endpoint")
            return
        if self.command != "POST":
            self._refuse_method(("POST",))
            return
        try:
            body = read_body(self.headers, self.rfile, self.server.settings.report_limit_bytes)
        except BodyError as error:
            self.send_plain_error(error.status, error.reason)
            return
        self._body_pending = False
        try:
            report = parse_report(body)
        except ReportError as error:
            self.send_plain_error(HTTPStatus.BAD_REQUEST, str(error))
            return
        try:
            self.server.reports.deliver(report)
        except Exception:
            self.server.log.warning("report callback failed:\n" + traceback.format_exc().rstrip())
            self.send_plain_error(HTTPStatus.INTERNAL_SERVER_ERROR, "the report callback failed")
            return
        self._send_empty(HTTPStatus.NO_CONTENT)

    # ---- answers -----------------------------------------------------------------------

    def version_string(self) -> str:
        return self.server_version

    def send_response(self, code: int, message: Optional[str] = None) -> None:
        super().send_response(code, message)
        for name, value in EVERY_RESPONSE_HEADERS:
            self.send_header(name, value)

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """Used by BaseHTTPRequestHandler.parse_request for broken requests."""
        self.send_plain_error(code, message or HTTPStatus(code).phrase)

    def send_plain_error(self, status: int, reason: str,
                         extra_headers: Iterable[tuple[str, str]] = ()) -> None:
        """An error answer whose body is one line of text: "<status> <phrase>: <reason>"."""
        status = HTTPStatus(status)
        line = " ".join(f"{status.value} {status.phrase}: {reason}".split())
        body = (line + "\n").encode("utf-8", "replace")
        self.send_response(status)
        for name, value in extra_headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        if self._body_pending:
            # Closing with the body unread would reset the connection and lose this answer.
            self._linger_before_close()

    def _linger_before_close(self) -> None:
        """Half-closes, then reads and drops what the client still sends, for a moment, so it
        reads the answer instead of a reset caused by closing with its body unread."""
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(LINGER_SECONDS)
            deadline = time.monotonic() + LINGER_SECONDS
            while time.monotonic() < deadline and self.connection.recv(64 * 1024):
                pass
        except OSError:
            pass

    def _refuse_method(self, allowed: Sequence[str]) -> None:
        allow = ", ".join(allowed)
        self.send_plain_error(HTTPStatus.METHOD_NOT_ALLOWED,
                              f"{self.command} is not allowed here (allowed: {allow})",
                              [("Allow", allow)])

    def _send_empty(self, status: int, extra_headers: Iterable[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        for name, value in extra_headers:
            self.send_header(name, value)
        if status != HTTPStatus.NO_CONTENT:
            self.send_header("Content-Length", "0")
        self.end_headers()

    # ---- logging -----------------------------------------------------------------------

    def log_request(self, code="-", size="-") -> None:
        status = code.value if isinstance(code, HTTPStatus) else code
        self.server.log.request(self.command or "-", getattr(self, "path", "-") or "-", status)

    def log_message(self, format: str, *args) -> None:
        self.server.log.warning(format % args)
