"""Precompiled headers for patch builds: most of a patch's compile time is parsing headers
(GLM, the raytracer's own), which do not change between two saves of a hot file.

For a source, its *prefix* is the leading block of #include lines (with the comments and
blank lines around them). The prefix is compiled once into a clang PCH (keyed by the block's
text, the compile flags and the folder its quoted includes resolve from) and every later
compile of a file with that same block uses it with -include-pch: the file's own #includes
then find everything already defined. When the block changes, or a header in it is edited
(clang refuses a PCH whose headers changed), the build falls back to a plain compile and the
PCH is rebuilt in the background for the next save.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import threading
from pathlib import Path

_DIRECTIVE = re.compile(r"^\s*#\s*(include|pragma\s+once)\b")
_SKIPPABLE = re.compile(r"^\s*(//.*)?$")


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


class PrecompiledPrefixes:
    def __init__(self, toolchain, directory: Path):
        self.toolchain = toolchain
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._building: dict[str, threading.Event] = {}
        # One background build at a time: patches in progress need the cores more.
        self._one_at_a_time = threading.Semaphore(1)
        self._running: set[subprocess.Popen] = set()
        self._closed = False

    @staticmethod
    def _key(block: str, flags: list[str], quote_directories: list[Path], context: str) -> str:
        text = "\0".join([block, *flags, *map(str, quote_directories), context])
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    def ready(self, block: str, flags: list[str], quote_directories: list[Path], context: str = "") -> Path | None:
        """The PCH for this prefix if it is built; otherwise None (and it starts building).
        `context`: anything else that changes how the block's includes resolve."""
        if not block:
            return None
        key = self._key(block, flags, quote_directories, context)
        pch = self.directory / f"{key}.pch"
        if pch.exists():
            return pch
        self._build_in_background(key, block, flags, quote_directories)
        return None

    def _build_in_background(self, key: str, block: str, flags: list[str], quote_directories: list[Path]) -> threading.Event:
        with self._lock:
            if key in self._building:
                return self._building[key]
            done = self._building[key] = threading.Event()
        threading.Thread(target=self._build, args=(key, block, flags, quote_directories, done), daemon=True).start()
        return done

    def _build(self, key: str, block: str, flags: list[str], quote_directories: list[Path], done: threading.Event) -> None:
        with self._one_at_a_time:
            self._build_now(key, block, flags, quote_directories)
        with self._lock:
            self._building.pop(key, None)
        done.set()

    def _build_now(self, key: str, block: str, flags: list[str], quote_directories: list[Path]) -> None:
        if self._closed:
            return
        header = self.directory / f"{key}.h"
        header.write_text(block)
        pch = self.directory / f"{key}.pch"
        partial = self.directory / f"{key}.pch.partial"
        quotes = [argument for directory in quote_directories for argument in ("-iquote", str(directory))]
        command = [self.toolchain.clang, *self.toolchain.emscripten_flags_for(flags), *flags, *quotes,
                   "-x", "c++-header", str(header), "-o", str(partial)]
        with self._lock:
            if self._closed:
                return
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self._running.add(process)
        returncode = process.wait()
        with self._lock:
            self._running.discard(process)
        if returncode == 0 and not self._closed:
            partial.replace(pch)
        else:
            partial.unlink(missing_ok=True)

    def close(self) -> None:
        """Stops background builds (the builder is shutting down: nothing may write into its
        folder afterwards, and a half-built PCH is never used)."""
        with self._lock:
            self._closed = True
            running = list(self._running)
        for process in running:
            process.kill()
            process.wait()

    def forget(self, pch: Path) -> None:
        """A PCH clang refused (a header in it changed): delete it so it is rebuilt."""
        pch.unlink(missing_ok=True)


def has_target_pch(flags: list[str]) -> bool:
    """Whether a compile command uses its target's precompiled header (CMake's
    `-Xclang -include-pch -Xclang FILE -Xclang -include -Xclang HEADER`)."""
    return any(flag == "-include-pch" for flag in flags)


def without_target_pch(flags: list[str]) -> list[str]:
    """The compile command without its target's precompiled header (the header it was made
    from is included instead, so the source still sees the same declarations)."""
    kept, index = [], 0
    while index < len(flags):
        if flags[index] == "-Xclang" and index + 3 < len(flags) and flags[index + 1] == "-include-pch":
            index += 4  # -Xclang -include-pch -Xclang FILE
            continue
        kept.append(flags[index])
        index += 1
    return kept


def refused_pch(stderr: str) -> bool:
    """Whether clang failed because of the PCH itself rather than the source."""
    return "precompiled header" in stderr or ".pch'" in stderr
