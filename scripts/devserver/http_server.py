# Why this exists: the listening socket and the state its request threads share (settings,
# event channel, report callback, log). It also keeps track of open connections so stopping
# the server ends them at once instead of leaving threads parked on idle keep-alives.
from __future__ import annotations

import http.server
import socket
import socketserver
import threading
import traceback

from .event_channel import EventChannel
from .reports import ReportDispatcher
from .request_handler import DevRequestHandler
from .server_log import ServerLog
from .settings import ServerSettings


class DevHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, settings: ServerSettings, events: EventChannel,
                 reports: ReportDispatcher, log: ServerLog):
        self.settings = settings
        self.events = events
        self.reports = reports
        self.log = log
        self._connections_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        if ":" in settings.host:
            self.address_family = socket.AF_INET6
        super().__init__((settings.host.strip("[]"), settings.port), DevRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's DNS name, which can stall for seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.settings.host
        self.server_port = self.server_address[1]

    def process_request(self, request, client_address) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address) -> None:
        # A client going away is handled where it happens (request_handler.py, event_stream.py):
        # whatever reaches here is a bug in the server, worth its traceback.
        self.log.warning(f"error while answering {client_address[0]}:\n{traceback.format_exc().rstrip()}")
