# Why this exists: a POST body is read into memory, so its size is checked against a limit
# before a single byte of it is read.
from __future__ import annotations

from email.message import Message
from typing import BinaryIO, Optional


class BodyError(Exception):
    """The body cannot be accepted: `status` and a one-line `reason` for the answer."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def declared_length(headers: Message) -> Optional[int]:
    """The Content-Length, None when absent. Raises BodyError(400) when it is malformed."""
    values = headers.get_all("Content-Length") or []
    if not values:
        return None
    distinct = {value.strip() for value in values}
    if len(distinct) != 1:
        raise BodyError(400, "conflicting Content-Length headers")
    text = distinct.pop()
    if not text.isdigit() or not text.isascii():
        raise BodyError(400, f"Content-Length {text[:40]!r} is not a number")
    return int(text)


def has_body(headers: Message) -> bool:
    """True when the request announces a body (chunked, or a Content-Length above 0)."""
    if headers.get("Transfer-Encoding") is not None:
        return True
    try:
        return bool(declared_length(headers))
    except BodyError:
        return True


def read_body(headers: Message, input_stream: BinaryIO, limit: int) -> bytes:
    """Reads the whole body, refusing one that is chunked, unannounced or over `limit`."""
    if headers.get("Transfer-Encoding") is not None:
        raise BodyError(411, "chunked bodies are not accepted: send a Content-Length")
    length = declared_length(headers)
    if length is None:
        raise BodyError(411, "a Content-Length header is required")
    if length > limit:
        raise BodyError(413, f"body of {length} bytes is over the limit of {limit} bytes")
    body = input_stream.read(length)
    if len(body) != length:
        raise BodyError(400, f"body ended after {len(body)} of {length} bytes")
    return body
