# Why this exists: the API other scripts use (the dev loop, benchmarks, tests). It owns the
# server's lifetime: bind, serve on a background thread, publish events, take reports, stop.
from __future__ import annotations

import threading
from typing import Optional

from .bind_address import browse_url, non_loopback_warning
from .event_channel import EventChannel
from .http_server import DevHTTPServer
from .reports import ReportCallback, ReportDispatcher
from .server_log import ServerLog
from .settings import ServerSettings

# How often the serving thread checks whether stop() was called.
SHUTDOWN_POLL_SECONDS = 0.1


class DevServer:
    """The project's web server. Single use: start() once, stop() once.

    Usage:
        server = DevServer(ServerSettings(web_root=Path("build/wasm/web"), port=0)).start()
        server.on_report(lambda report: print(report))
        server.events.publish("patch", {"version": 3})
        ...
        server.stop()
    """

    def __init__(self, settings: ServerSettings):
        if not settings.web_root.is_dir():
            raise NotADirectoryError(f"web root {settings.web_root} is not a directory")
        self.settings = settings
        self.log = ServerLog(settings.log_stream, settings.quiet)
        self.events = EventChannel(backlog_size=settings.event_backlog)
        self._reports = ReportDispatcher()
        self._http_server: Optional[DevHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self._stopped = False

    def on_report(self, callback: ReportCallback) -> None:
        """Sends every POST /api/report body (a dict) to `callback` instead of printing it.
        Called on a request thread, one report at a time."""
        self._reports.set_callback(callback)

    def start(self) -> "DevServer":
        """Binds (raising OSError if the port is taken) and serves on a background thread."""
        if self._http_server is not None or self._stopped:
            raise RuntimeError("a DevServer can be started only once")
        self._http_server = DevHTTPServer(self.settings, self.events, self._reports, self.log)
        warning = non_loopback_warning(self.settings.host, self.port)
        if warning:
            self.log.warning(warning)
        self._thread = threading.Thread(target=self._http_server.serve_forever,
                                        args=(SHUTDOWN_POLL_SECONDS,),
                                        name=f"devserver:{self.port}", daemon=True)
        self._thread.start()
        return self

    @property
    def host(self) -> str:
        return self.settings.host

    @property
    def port(self) -> int:
        """The port actually bound (the one the system picked when settings.port is 0)."""
        return self.address[1]

    @property
    def address(self) -> tuple:
        """The socket address actually bound, e.g. ("127.0.0.1", 8000)."""
        if self._http_server is None:
            raise RuntimeError("the server has not been started")
        return self._http_server.server_address

    @property
    def url(self) -> str:
        """The URL to open in a browser on this machine."""
        return browse_url(self.settings.host, self.port)

    def wait(self) -> None:
        """Blocks until stop() is called from another thread (or Ctrl-C interrupts it)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self) -> None:
        """Ends every event stream and connection and closes the socket. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if self._http_server is None:
            return
        self._http_server.shutdown()
        # Ends event streams and idle keep-alive connections: their threads see the socket close.
        self._http_server.close_connections()
        self._http_server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> "DevServer":
        return self.start()

    def __exit__(self, *exception_info) -> None:
        self.stop()
