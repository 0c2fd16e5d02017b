# Why this exists: one place that lists every knob of the dev server, so the command line,
# the dev loop and the tests configure it the same way and read its defaults in one spot.
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Optional, TextIO

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@dataclasses.dataclass
class ServerSettings:
    web_root: Path                      # directory served at "/"
    patch_root: Optional[Path] = None   # directory served at "/patches/"; None: nothing there
    host: str = DEFAULT_HOST            # address to bind; loopback unless asked otherwise
    port: int = DEFAULT_PORT            # port to bind; 0 lets the system pick a free one
    quiet: bool = False                 # True: no line per request (warnings still print)
    log_stream: Optional[TextIO] = None # where request lines and warnings go; None: sys.stderr
    report_limit_bytes: int = 64 * 1024 # largest accepted POST /api/report body
    keepalive_seconds: float = 15.0     # silence on an event stream before a keep-alive comment
    event_backlog: int = 256            # events kept for pages that reconnect with Last-Event-ID
    reconnect_milliseconds: int = 1000  # the "retry:" a page waits before reconnecting
    idle_timeout_seconds: float = 60.0  # a connection silent this long is closed

    def __post_init__(self) -> None:
        self.web_root = Path(self.web_root)
        if self.patch_root is not None:
            self.patch_root = Path(self.patch_root)
