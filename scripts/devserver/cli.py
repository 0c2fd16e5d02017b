# Why this exists: the command line of scripts/serve.py, kept in the package so it can be
# tested and reused; serve.py itself only finds the package and calls main().
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Optional, Sequence

from .server import DevServer
from .settings import DEFAULT_HOST, DEFAULT_PORT, ServerSettings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="serve.py",
        description="Serves the raytracer page with cross-origin isolation, /patches/, "
                    "an event stream at /events and page reports at /api/report.")
    parser.add_argument("--root", required=True, type=Path,
                        help="directory served at / (the built page)")
    parser.add_argument("--patches", type=Path, default=None,
                        help="directory served at /patches/ (built patch modules)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}; anything else is "
                             f"reachable from other machines)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--quiet", action="store_true", help="no line per request")
    return parser


def _stop_on_sigterm(signal_number, frame) -> None:
    raise KeyboardInterrupt


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if not arguments.root.is_dir():
        parser.error(f"--root {arguments.root}: not a directory")
    if arguments.patches is not None and arguments.patches.exists() and not arguments.patches.is_dir():
        parser.error(f"--patches {arguments.patches}: not a directory")
    if not 0 <= arguments.port <= 65535:
        parser.error(f"--port {arguments.port}: not between 0 and 65535")

    server = DevServer(ServerSettings(web_root=arguments.root, patch_root=arguments.patches,
                                      host=arguments.host, port=arguments.port,
                                      quiet=arguments.quiet))
    try:
        server.start()
    except OSError as error:
        print(f"serve.py: cannot listen on {arguments.host}:{arguments.port}: "
              f"{error.strerror or error}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    print(f"Serving {server.url}", flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
