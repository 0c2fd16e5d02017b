# Why this exists: the last line of defence between a request and the disk. Given already
# safe segments, it finds the file under one root and proves, after resolving symlinks,
# that the file is still inside that root. It never lists a directory: a directory is
# served only through its index.html.
from __future__ import annotations

import dataclasses
import enum
import os
from pathlib import Path
from typing import Optional, Sequence

INDEX_FILE = "index.html"


class Outcome(enum.Enum):
    FILE = "file"            # send `path`
    ADD_SLASH = "add-slash"  # a directory asked for without "/": redirect so relative URLs work
    NOT_FOUND = "not-found"  # missing, outside the root, not a regular file, or a bare directory


@dataclasses.dataclass(frozen=True)
class Resolution:
    outcome: Outcome
    path: Optional[Path] = None  # the resolved file, for Outcome.FILE only


_NOT_FOUND = Resolution(Outcome.NOT_FOUND)


def _is_inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


def resolve_file(root: Path, segments: Sequence[str], trailing_slash: bool) -> Resolution:
    """Finds the file that `segments` name under `root`, refusing anything outside it."""
    # Resolved on every request: the build may have replaced the root since the last one.
    real_root = os.path.realpath(root)
    if not os.path.isdir(real_root):
        return _NOT_FOUND
    real_path = os.path.realpath(os.path.join(real_root, *segments))
    if not _is_inside(real_path, real_root):
        return _NOT_FOUND
    if os.path.isdir(real_path):
        real_index = os.path.realpath(os.path.join(real_path, INDEX_FILE))
        if not _is_inside(real_index, real_root) or not os.path.isfile(real_index):
            return _NOT_FOUND
        if segments and not trailing_slash:
            return Resolution(Outcome.ADD_SLASH)
        return Resolution(Outcome.FILE, Path(real_index))
    if trailing_slash or not os.path.isfile(real_path):
        return _NOT_FOUND
    return Resolution(Outcome.FILE, Path(real_path))
