# Why this exists: the dev server as a package other scripts import (`from devserver import
# DevServer, ServerSettings`). Everything a caller needs is re-exported here; the modules
# beside it are internals with one job each (see docs/SERVER.md).
from .event_channel import EventChannel
from .reports import Report, ReportCallback, print_report
from .server import DevServer
from .settings import DEFAULT_HOST, DEFAULT_PORT, ServerSettings

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DevServer",
    "EventChannel",
    "Report",
    "ReportCallback",
    "ServerSettings",
    "print_report",
]
