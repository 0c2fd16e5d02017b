# Why this exists: one place decides what the server says on stderr, so a request line, a
# warning and a handler's traceback never interleave mid-line between threads, and tests
# can capture or silence it.
from __future__ import annotations

import re
import sys
import threading
from typing import Optional, TextIO

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with control characters escaped, so a request cannot forge log lines."""
    return _UNPRINTABLE.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


class ServerLog:
    def __init__(self, stream: Optional[TextIO] = None, quiet: bool = False):
        self._stream = stream  # None: whatever sys.stderr is when a line is written
        self._quiet = quiet
        self._lock = threading.Lock()

    def request(self, method: str, path: str, status: int) -> None:
        """One line per answered request: method, path, status. Silent when quiet."""
        if not self._quiet:
            self._write(f"{printable(method)} {printable(path)} {status}")

    def warning(self, text: str) -> None:
        """Always written, quiet or not."""
        self._write(text)

    def _write(self, line: str) -> None:
        stream = self._stream if self._stream is not None else sys.stderr
        with self._lock:
            stream.write(line + "\n")
            stream.flush()
