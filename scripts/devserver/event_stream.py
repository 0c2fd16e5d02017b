# Why this exists: the HTTP side of /events. It writes one subscription to one page's socket
# as Server-Sent Events, sends keep-alive comments so proxies and the browser keep the
# connection open, and ends quietly when the page goes away or the server stops.
from __future__ import annotations

import selectors
import socket
from typing import BinaryIO

from .event_channel import Subscription

KEEPALIVE_COMMENT = b": keep-alive\n\n"


def opening_frame(reconnect_milliseconds: int) -> bytes:
    """Sent first: tells the page how soon to reconnect, and that it is subscribed."""
    return f": connected\nretry: {reconnect_milliseconds}\n\n".encode("ascii")


def stream_events(connection: socket.socket, output: BinaryIO, subscription: Subscription,
                  keepalive_seconds: float) -> None:
    """Writes frames until the subscription ends or the page disconnects; never raises for
    a page that went away."""
    selector = selectors.DefaultSelector()
    try:
        selector.register(connection, selectors.EVENT_READ)
        selector.register(subscription.wakeup_reader, selectors.EVENT_READ)
        while True:
            frames = subscription.take_frames()
            if frames:
                output.write(b"".join(frames))
                output.flush()
            if subscription.ended:
                return
            ready = selector.select(keepalive_seconds)
            if any(key.fileobj is connection for key, _ in ready):
                return  # a page sends nothing after its request: readable means it left
            if not ready:
                output.write(KEEPALIVE_COMMENT)
                output.flush()
    except OSError:
        return  # the page went away mid-write (reset, broken pipe, timeout)
    finally:
        selector.close()
        subscription.close()
