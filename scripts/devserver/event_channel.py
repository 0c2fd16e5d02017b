# Why this exists: the dev loop must push news (a patch is ready, a build failed) to every
# open page without the page polling. This is the publish/subscribe core behind /events:
# it numbers events, keeps a bounded backlog so a page that reconnects with Last-Event-ID
# gets what it missed, and hands each connected page its own queue. It knows nothing of
# HTTP; event_stream.py writes a subscription to a socket.
from __future__ import annotations

import collections
import json
import re
import socket
import threading
from typing import Any, Mapping, Optional

_EVENT_KIND = re.compile(r"[A-Za-z0-9_.-]+")


def format_event(event_id: int, kind: str, data: Mapping[str, Any]) -> bytes:
    """One Server-Sent Events frame: id, event name and the data as one line of JSON."""
    # json.dumps escapes every control character, so the data is always a single line.
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return f"id: {event_id}\nevent: {kind}\ndata: {payload}\n\n".encode("utf-8")


class Subscription:
    """One connected page's queue of frames, with a socket to wake its writer thread."""

    def __init__(self, channel: "EventChannel", missed_frames: list[bytes], pending_limit: int):
        self._channel = channel
        self._lock = threading.Lock()
        self._frames: collections.deque[bytes] = collections.deque(missed_frames)
        self._pending_limit = pending_limit
        self._ended = False
        # Readable whenever frames are waiting or the subscription ended: the writer selects
        # on it together with the page's socket, so it also notices a page that left.
        self.wakeup_reader, self._wakeup_writer = socket.socketpair()
        self.wakeup_reader.setblocking(False)
        self._wakeup_writer.setblocking(False)
        if missed_frames:
            self._wake()

    @property
    def ended(self) -> bool:
        """True once no more frames will come: this page fell behind, or left."""
        with self._lock:
            return self._ended

    def take_frames(self) -> list[bytes]:
        """Every frame queued so far (possibly none), removing them from the queue."""
        try:
            while self.wakeup_reader.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass
        with self._lock:
            frames = list(self._frames)
            self._frames.clear()
        return frames

    def close(self) -> None:
        """Leaves the channel; called by the writer when its page is gone."""
        self._channel._unsubscribe(self)
        with self._lock:
            self._ended = True
        self.wakeup_reader.close()
        self._wakeup_writer.close()

    def _deliver(self, frame: bytes) -> None:
        with self._lock:
            if self._ended:
                return
            if len(self._frames) >= self._pending_limit:
                # A page this far behind is cut off; it reconnects with Last-Event-ID and the
                # backlog replays what it can, instead of the server buffering without bound.
                self._ended = True
            else:
                self._frames.append(frame)
        self._wake()

    def _wake(self) -> None:
        try:
            self._wakeup_writer.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # already awake (buffer full) or closed


class EventChannel:
    """Publishes events to every subscribed page; thread-safe."""

    def __init__(self, backlog_size: int = 256, pending_limit: int = 1024):
        self._lock = threading.Lock()
        self._backlog: collections.deque[tuple[int, bytes]] = collections.deque(maxlen=backlog_size)
        self._last_id = 0
        self._subscriptions: set[Subscription] = set()
        self._pending_limit = pending_limit

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscriptions)

    @property
    def last_event_id(self) -> int:
        """The id of the newest event published, 0 before the first."""
        with self._lock:
            return self._last_id

    def publish(self, kind: str, data: Mapping[str, Any]) -> int:
        """Sends `data` (a JSON object) as event `kind` to every page; returns the event's id.

        Ids are consecutive integers from 1, so a page can see whether it missed any."""
        if not isinstance(kind, str) or not _EVENT_KIND.fullmatch(kind):
            raise ValueError(f"event kind {kind!r} must be letters, digits, '_', '.' or '-'")
        if not isinstance(data, Mapping):
            raise TypeError(f"event data must be a mapping (a JSON object), not {type(data).__name__}")
        with self._lock:
            event_id = self._last_id + 1
            frame = format_event(event_id, kind, data)  # raises before the id is used up
            self._last_id = event_id
            self._backlog.append((event_id, frame))
            for subscription in self._subscriptions:
                subscription._deliver(frame)
        return event_id

    def subscribe(self, last_event_id: Optional[str] = None) -> Subscription:
        """A queue of every event published from now on, preceded by the backlog events
        newer than `last_event_id` (the page's Last-Event-ID header), if it sent one."""
        with self._lock:
            subscription = Subscription(self, self._missed_frames(last_event_id), self._pending_limit)
            self._subscriptions.add(subscription)
            return subscription

    def _missed_frames(self, last_event_id: Optional[str]) -> list[bytes]:
        if last_event_id is None:
            return []
        try:
            seen = int(last_event_id.strip())
        except ValueError:
            return []  # not an id this server handed out: nothing to replay
        if seen > self._last_id:
            seen = 0  # an id from an earlier run of the server: all of this run is news
        return [frame for event_id, frame in self._backlog if event_id > seen]

    def _unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)
