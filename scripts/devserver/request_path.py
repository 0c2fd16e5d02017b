# Why this exists: every file the server reads is named by a client. This module turns the
# raw request target into a list of plain path segments, refusing anything that could name
# a file outside the served roots (".." in any spelling, backslashes, NUL and other control
# characters) before any file system call sees it.
from __future__ import annotations

import dataclasses
import re
import urllib.parse

# A "%" not followed by two hex digits cannot be decoded unambiguously.
_BROKEN_PERCENT_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


class MalformedPath(ValueError):
    """The request target cannot be decoded: the answer is 400."""


@dataclasses.dataclass(frozen=True)
class RequestPath:
    segments: tuple[str, ...]  # decoded, non-empty path segments, none "." or ".."
    trailing_slash: bool       # the decoded path ended in "/" (asks for a directory)
    query: str                 # the raw query string without "?", "" if none
    unsafe: bool               # a segment was ".", ".." or held a backslash: answer 404

    @property
    def area(self) -> str:
        """The first segment ("" for "/"): which part of the server the request is for."""
        return self.segments[0] if self.segments else ""


def parse_request_path(target: str) -> RequestPath:
    """Decodes an origin-form request target ("/a/b%20c?x=1") into segments.

    Raises MalformedPath when the target is not an absolute path, has a broken percent escape,
    is not UTF-8 once decoded, or holds a control character (NUL included)."""
    if not target.startswith("/"):
        raise MalformedPath(f"request target {target[:80]!r} is not an absolute path")
    raw_path, _, query = target.partition("?")
    raw_path = raw_path.partition("#")[0]
    if _BROKEN_PERCENT_ESCAPE.search(raw_path):
        raise MalformedPath("broken percent escape in path")
    try:
        decoded = urllib.parse.unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedPath("path is not UTF-8 once percent-decoded") from error
    if _CONTROL_CHARACTER.search(decoded):
        raise MalformedPath("control character in path")
    # Empty segments ("//") collapse so "//etc/passwd" stays relative to the root.
    segments = tuple(segment for segment in decoded.split("/") if segment)
    unsafe = any(segment in (".", "..") or "\\" in segment for segment in segments)
    return RequestPath(
        segments=segments,
        trailing_slash=decoded.endswith("/"),
        query=query,
        unsafe=unsafe,
    )
