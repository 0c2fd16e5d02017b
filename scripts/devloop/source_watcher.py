"""Notices saved source files by polling their modification times (the standard library
has no portable file-change API, and ~100 files cost well under a millisecond to stat).

A save is reported once its content actually changed (editors that rewrite a file with the
same bytes, or `touch`, trigger nothing), with the time the change was first seen. A save is
not always one write: an editor (or Node's writeFileSync) truncates the file and then writes
it, and a multi-file save touches files one after another. `settled_changes` waits until the
saves are over, so one save makes one patch, of the content the editor meant.

Between looks, `wait` sleeps until the kernel says a watched folder changed (inotify, on
Linux) rather than for a fixed poll period: a save is seen within a millisecond, not up to
20 ms later. Polling stays the truth (what changed is always found by comparing stamps and
contents); inotify only wakes the loop, and without it `wait` just sleeps.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import select
import time
from dataclasses import dataclass
from pathlib import Path

SOURCE_SUFFIXES = (".cpp", ".cc", ".h", ".hpp", ".inl")


@dataclass
class Change:
    path: Path
    seen_at: float          # time.time() when the watcher first saw it
    seen_monotonic: float   # time.perf_counter() at the same moment


class FolderEvents:
    """Wakes a waiting loop when something changes in a set of folders (Linux inotify through
    libc); `available` is False where it cannot, and `wait` then sleeps its whole timeout."""
    _MASK = 0x2 | 0x8 | 0x80 | 0x100 | 0x200  # IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE

    def __init__(self):
        self._watched: set[str] = set()
        self._fd = -1
        try:
            self._libc = ctypes.CDLL(None, use_errno=True)
            self._fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        except (OSError, AttributeError):
            self._fd = -1

    @property
    def available(self) -> bool:
        return self._fd >= 0

    def watch(self, folder: str) -> None:
        if self._fd >= 0 and folder not in self._watched:
            if self._libc.inotify_add_watch(self._fd, os.fsencode(folder), self._MASK) >= 0:
                self._watched.add(folder)

    def wait(self, timeout: float) -> bool | None:
        """Sleeps until something changes or `timeout` passes: True if something changed,
        False if nothing did, None if it cannot tell (no inotify: it slept the whole time)."""
        if self._fd < 0:
            time.sleep(timeout)
            return None
        readable, _, _ = select.select([self._fd], [], [], timeout)
        if readable:
            try:
                while os.read(self._fd, 65536):
                    pass
            except BlockingIOError:
                pass
        return bool(readable)


class SourceWatcher:
    def __init__(self, roots: list[Path], suffixes: tuple[str, ...] = SOURCE_SUFFIXES):
        self.roots = roots
        self.suffixes = suffixes
        self._stamps: dict[Path, tuple[int, int]] = {}
        self._digests: dict[Path, str] = {}
        self._events = FolderEvents()
        for path in self._files():
            self._record(path)

    def wait(self, timeout: float) -> None:
        """Returns once a watched folder changed, or after `timeout` seconds."""
        self._events.wait(timeout)

    def _files(self):
        for root in self.roots:
            for directory, _, names in os.walk(root):
                self._events.watch(directory)  # a new folder is watched from the look that finds it
                for name in names:
                    if name.endswith(self.suffixes):
                        yield Path(directory) / name

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int] | None:
        try:
            status = path.stat()
        except FileNotFoundError:
            return None
        return status.st_mtime_ns, status.st_size

    @staticmethod
    def _digest(path: Path) -> str | None:
        try:
            return hashlib.sha1(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            return None

    def _record(self, path: Path) -> None:
        self._stamps[path] = self._stamp(path)
        self._digests[path] = self._digest(path)

    def settled_changes(self, quiet_seconds: float, max_wait_seconds: float) -> list[Change]:
        """Like changes(), but once something changed, waits until no watched file has changed
        for `quiet_seconds` and no changed file is empty (a save caught between truncating and
        writing), or until `max_wait_seconds` have passed: a file really emptied is reported then."""
        changes = self.changes()
        if not changes:
            return []
        deadline = time.perf_counter() + max_wait_seconds
        while time.perf_counter() < deadline:
            # With inotify the quiet period starts at the last write the kernel reported (a save
            # made of a truncate and a write ends 10 ms after the write, not after two polls).
            written = self._events.wait(quiet_seconds)
            more = self.changes()
            changes += more
            if written or more:
                continue
            if not any(self._stamps.get(change.path) and self._stamps[change.path][1] == 0 for change in changes):
                break
        return changes

    def dirty(self) -> bool:
        """Whether any watched file was written since the last changes() (without taking it)."""
        return any(self._stamp(path) != self._stamps.get(path) for path in self._files())

    def changes(self) -> list[Change]:
        """Files whose content changed since the last call (new files included)."""
        changed = []
        for path in self._files():
            stamp = self._stamp(path)
            if stamp is None or stamp == self._stamps.get(path):
                continue
            self._stamps[path] = stamp
            digest = self._digest(path)
            if digest is not None and digest != self._digests.get(path):
                self._digests[path] = digest
                changed.append(Change(path, time.time(), time.perf_counter()))
        return changed
