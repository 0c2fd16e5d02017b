"""Per-source preambles: each source's leading block of #include lines, precompiled once,
so that a patch compile parses only the source's own code (as clangd does for an open file).

Why: compiling `app/hot/sky.cpp` with the program's precompiled header (the standard
headers, GLM, nlohmann/json) still parsed the project's own headers it includes and
instantiated their templates: 0.4-0.6 s of a 0.45-0.6 s compile
(../shared/notes/compile-time-probe.md). With its preamble, the compile is the source's own
functions and their code generation.

A source's *preamble* is its include block (comments and blank lines skipped), compiled as a
header with the source's own flags. For a source that uses the program's precompiled header,
the preamble is *chained* on it (it extends that PCH) and made as CMake makes that PCH, with
-fpch-instantiate-templates (the templates the headers use are instantiated once, in the
preamble); the source then compiles with the preamble in its place. Either way the object is
byte for byte the program's (the instantiation flag reorders the functions of an object the
program built without a PCH, so those preambles go without it; tests/hotswap/test_preambles.py). Keyed by the block's text, the
flags, the folders its quoted includes resolve from and the overlay's files.

A preamble is used only while fresh: none of the files it read (its depfile's, outside
/usr, and the program's PCH it extends) changed since it was built. A missing or stale one
is built in the background, one at a time (a core at most), the one a save is waiting for
first; meanwhile the source compiles without it. They are kept in the build folder, so the
next run of the dev loop starts with them. clang itself refuses a preamble whose headers changed, and the
builder then compiles without it (`refused_pch`).
"""
from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import os
import re
import threading
import time
from pathlib import Path
from typing import Callable

_DIRECTIVE = re.compile(r"^\s*#\s*(include|pragma\s+once)\b")
_SKIPPABLE = re.compile(r"^\s*(//.*)?$")
_SYSTEM_PREFIX = "/usr/"  # Debian's headers: they change only with a package upgrade
# A preamble a save is waiting for comes before the warm-up's.
PRIORITY_NOW = 0


def include_block(text: str) -> str:
    """The #include lines at the top of a source file (comments and blank lines skipped)."""
    lines = []
    in_block_comment = False
    for line in text.splitlines():
        stripped = line.strip()
        if in_block_comment:
            in_block_comment = "*/" not in stripped
            continue
        if stripped.startswith("/*"):
            in_block_comment = "*/" not in stripped
            continue
        if _DIRECTIVE.match(line):
            if "include" in line:
                lines.append(stripped)
            continue
        if _SKIPPABLE.match(line):
            continue
        break
    return "\n".join(lines) + "\n" if lines else ""


class Preambles:
    def __init__(self, toolchain, directory: Path, on_ready: Callable[[int, float], None] | None = None):
        self.toolchain = toolchain
        self.directory = directory
        self.on_ready = on_ready  # (built, seconds): when the queue empties after building some
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queue: list[tuple[float, int, str]] = []       # (priority, order, key)
        self._requests: dict[str, tuple[str, list[str], list[Path]]] = {}  # key -> (block, flags, quotes)
        self._order = itertools.count()
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="preambles", daemon=True)
        self._thread.start()

    @staticmethod
    def _key(block: str, flags: list[str], quote_directories: list[Path], context: str) -> str:
        text = "\0".join([block, *flags, *map(str, quote_directories), context])
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    def flags_for(self, block: str, flags: list[str], quote_directories: list[Path], context: str = "",
                  priority: float | None = PRIORITY_NOW) -> list[str] | None:
        """The flags that compile a source of this include block with its preamble (in place
        of the program's PCH, if it has one), if a fresh preamble is built; otherwise None,
        and it is built in the background with `priority` (lower first; None: not now).
        `context`: anything else that changes how the block's includes resolve."""
        if not block:
            return None
        key = self._key(block, flags, quote_directories, context)
        pch = self.directory / f"{key}.pch"
        if self._fresh(key):
            if has_target_pch(flags):
                return [*without_target_pch(flags, keep_header=False), "-Xclang", "-include-pch", "-Xclang", str(pch)]
            return [*flags, "-include-pch", str(pch)]
        if priority is not None:
            pch.unlink(missing_ok=True)
            self._request(key, block, flags, quote_directories, priority)
        return None

    def _fresh(self, key: str) -> bool:
        pch, inputs = self.directory / f"{key}.pch", self.directory / f"{key}.inputs"
        try:
            built = pch.stat().st_mtime_ns
            return all(os.stat(path).st_mtime_ns <= built for path in json.loads(inputs.read_text()))
        except (OSError, ValueError):
            return False

    def _request(self, key: str, block: str, flags: list[str], quote_directories: list[Path], priority: float) -> None:
        with self._lock:
            if self._closed:
                return
            queued = key in self._requests
            self._requests[key] = (block, flags, quote_directories)
            if queued:  # a more urgent request moves it up; the stale entry is skipped
                priority = min(priority, next(entry[0] for entry in self._queue if entry[2] == key))
            heapq.heappush(self._queue, (priority, next(self._order), key))
            self._wake.notify()

    def _work(self) -> None:
        built, started = 0, time.perf_counter()
        while True:
            with self._lock:
                if not self._queue and built and self.on_ready is not None and not self._closed:
                    self._lock.release()
                    try:
                        self.on_ready(built, time.perf_counter() - started)
                    finally:
                        self._lock.acquire()
                    built = 0
                while not self._queue and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                if not built:
                    started = time.perf_counter()
                _, _, key = heapq.heappop(self._queue)
                request = self._requests.pop(key, None)
            if request is not None and not self._fresh(key):
                self._build(key, *request)
                built += 1

    def _build(self, key: str, block: str, flags: list[str], quote_directories: list[Path]) -> None:
        header, pch = self.directory / f"{key}.h", self.directory / f"{key}.pch"
        partial, depfile = self.directory / f"{key}.pch.partial", self.directory / f"{key}.d"
        header.write_text(block)
        quotes = [argument for directory in quote_directories for argument in ("-iquote", str(directory))]
        instantiate = ["-fpch-instantiate-templates"] if has_target_pch(flags) else []
        command = [self.toolchain.clang, *self.toolchain.emscripten_flags_for(flags), *flags, *quotes, *instantiate,
                   "-MD", "-MF", str(depfile), "-x", "c++-header", str(header), "-o", str(partial)]
        # Background work: the compile server pauses it while a save compiles. At the page's
        # priority otherwise (a lower one starves behind the page's render workers).
        run = self.toolchain.run(command, background=True)
        with self._lock:
            if self._closed or run.returncode != 0:
                partial.unlink(missing_ok=True)
                return
        read = set(_depfile_paths(depfile)) - {os.path.realpath(header)}
        read |= {os.path.realpath(flags[index + 2]) for index, flag in enumerate(flags[:-2]) if flag == "-include-pch"}
        inputs = sorted(path for path in read if not path.startswith(_SYSTEM_PREFIX))
        depfile.unlink(missing_ok=True)
        (self.directory / f"{key}.inputs").write_text(json.dumps(inputs))
        partial.replace(pch)

    def close(self) -> None:
        """Stops background builds (the builder is shutting down: a half-built preamble is
        never used)."""
        with self._lock:
            self._closed = True
            self._wake.notify()

    def forget(self, pch: Path) -> None:
        """A preamble clang refused (a header in it changed): deleted, so it is rebuilt."""
        pch.unlink(missing_ok=True)


def _depfile_paths(depfile: Path) -> list[str]:
    try:
        text = depfile.read_text().replace("\\\n", " ")
    except OSError:
        return []
    return [os.path.realpath(word) for word in text.split(":", 1)[-1].split()]


def has_target_pch(flags: list[str]) -> bool:
    """Whether a compile command uses its target's precompiled header (CMake's
    `-Xclang -include-pch -Xclang FILE -Xclang -include -Xclang HEADER`)."""
    return any(flag == "-include-pch" for flag in flags)


def without_target_pch(flags: list[str], keep_header: bool = True) -> list[str]:
    """The compile command without its target's precompiled header; with `keep_header` the
    header it was made from is included instead, so the source still sees the same
    declarations (a preamble chained on the PCH brings them itself)."""
    kept, index = [], 0
    while index < len(flags):
        if flags[index] == "-Xclang" and index + 3 < len(flags) and flags[index + 1] == "-include-pch":
            index += 4  # -Xclang -include-pch -Xclang FILE
            continue
        if not keep_header and flags[index] == "-Xclang" and index + 3 < len(flags) and flags[index + 1] == "-include" \
                and flags[index + 3].endswith("cmake_pch.hxx"):
            index += 4  # -Xclang -include -Xclang HEADER (CMake's)
            continue
        kept.append(flags[index])
        index += 1
    return kept


def refused_pch(stderr: str) -> bool:
    """Whether clang failed because of the PCH itself rather than the source."""
    return "precompiled header" in stderr or ".pch'" in stderr
