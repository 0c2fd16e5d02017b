"""Runs the patch builder's clang and wasm-ld commands through the compile server
(hotswap/compiler/compile_server.cpp, built by the native preset), which keeps clang's and
lld's libraries loaded between saves: a compile or link then starts in a process forked from
a warm one instead of a new program loading ~100 MB of shared LLVM libraries (about 0.1 s a
command on this machine). The output is byte for byte the same: the same libraries run the
same arguments.

`ToolRunner.run` takes a command as subprocess would and returns a CompletedProcess. Without
a built server (LLVM's development files missing), or if it cannot start, commands run as
programs, as before; the first such fallback is said once.
"""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import threading
from contextlib import contextmanager
from concurrent.futures import Future
from pathlib import Path
from typing import Callable

# LD_BIND_NOW: every symbol bound at start, so the forked children do not resolve them again
# each. GLIBC_TUNABLES: the heap grows 64 MiB at a time in transparent huge pages, where the
# kernel allows them (madvise mode, Debian's default): a child's compile allocates tens of
# megabytes, and on this VM a page fault is dear; ~2,000 fewer faults and 10-20 ms less a
# compile of sky.cpp (docs/ARCHITECTURE.md, "Flow of a patch").
SERVER_ENVIRONMENT = {"LD_BIND_NOW": "1", "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864"}
_TOOL_BY_PROGRAM = {"clang++": "clang", "clang": "clang", "wasm-ld": "wasm-ld"}


class CompileServerError(RuntimeError):
    """The server answered a request with an error (a request the client built wrongly)."""


class ToolRunner:
    def __init__(self, server_binary: Path | None, say: Callable[[str], None] | None = None):
        self.server_binary = server_binary if server_binary and server_binary.exists() else None
        self.say = say
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self._answers: dict[int, Future] = {}
        self._ids = itertools.count(1)
        self._broken = self.server_binary is None
        self._closed = False
        self._said_fallback = False
        self._holds = 0  # holds not released (hold_background)
        self._hold_lock = threading.Lock()

    @property
    def uses_server(self) -> bool:
        return not self._broken

    def start(self) -> None:
        """Starts the server now (it takes a moment to load), so the first save finds it warm."""
        with self._lock:
            self._ensure_started()

    def run(self, command: list[str], *, directory: Path | None = None, environment: dict[str, str] | None = None,
            background: bool = False) -> subprocess.CompletedProcess:
        """Runs `command` (clang++ or wasm-ld); `background`: work for a later save, which the
        server pauses while any other request runs (without the server it runs as any other:
        a lower priority would starve it behind the page's render workers). Answers as
        subprocess.run(capture_output=True, text=True) would."""
        tool = _TOOL_BY_PROGRAM.get(Path(command[0]).name)
        future = self._submit({"tool": tool, "arguments": command, "directory": str(directory or Path.cwd()),
                               "environment": environment or {}, "background": background}) if tool else None
        if future is not None:
            answer = future.result()
            if answer is not None:
                if "error" in answer:
                    raise CompileServerError(answer["error"])
                run = subprocess.CompletedProcess(command, answer["exit_code"], answer["stdout"], answer["stderr"])
                run.cpu_ms = answer.get("cpu_milliseconds")  # the work's own processor time
                return run
        return subprocess.run(command, cwd=directory, capture_output=True, text=True,
                              env=dict(os.environ, **environment) if environment else None)

    def hold_background(self) -> Callable[[], None]:
        """Stops background work until the returned release is called (once; later calls do
        nothing): a save's build and the page's apply of its patch, not only its compiles, get
        every core. Holds nest; without a server there is nothing to hold."""
        self._count_hold(+1)
        released = threading.Event()

        def release() -> None:
            with self._hold_lock:
                if released.is_set():
                    return
                released.set()
            self._count_hold(-1)
        return release

    @contextmanager
    def background_held(self):
        """hold_background for a block."""
        release = self.hold_background()
        try:
            yield
        finally:
            release()

    def _count_hold(self, step: int) -> None:
        """The server hears of the first hold and the last release, in the order they happen."""
        with self._hold_lock:
            self._holds += step
            first_or_last = self._holds == (1 if step > 0 else 0)
            future = self._submit({"tool": "hold_background", "held": self._holds > 0}) if first_or_last else None
        answer = future.result() if future is not None else None
        if answer is not None and "error" in answer:
            raise CompileServerError(answer["error"])

    def demangle(self, names: list[str]) -> dict[str, str] | None:
        """Readable names for mangled ones, or None without a server."""
        future = self._submit({"tool": "demangle", "names": names})
        answer = future.result() if future is not None else None
        if answer is None or "names" not in answer or len(answer["names"]) != len(names):
            return None
        return dict(zip(names, answer["names"]))

    def declared_names(self, names: list[str]) -> list[str] | None:
        """Each mangled function name's declared name (qualified, without template arguments
        or parameters; "" for what is not a function), or None without a server."""
        future = self._submit({"tool": "declared_names", "names": names})
        answer = future.result() if future is not None else None
        if answer is None or "names" not in answer or len(answer["names"]) != len(names):
            return None
        return answer["names"]

    def close(self) -> None:
        """Stops the server; compiles still running are killed (their answers: None)."""
        with self._lock:
            self._closed = True
            process, reader = self._process, self._reader
        if process is not None:
            try:
                process.stdin.close()
            except OSError:
                pass
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if reader is not None:
                reader.join(timeout=10)  # it reads to the end of the server's output
            process.stdout.close()

    def _submit(self, request: dict) -> Future | None:
        with self._lock:
            if self._closed or not self._ensure_started():
                self._fall_back_said()
                return None
            request["id"] = identifier = next(self._ids)
            future: Future = Future()
            self._answers[identifier] = future
            try:
                self._process.stdin.write(json.dumps(request) + "\n")
                self._process.stdin.flush()
            except (OSError, ValueError):
                del self._answers[identifier]
                self._broken = True
                return None
            return future

    def _ensure_started(self) -> bool:
        """Under the lock: the server is running, or cannot be."""
        if self._broken:
            return False
        if self._process is not None and self._process.poll() is None:
            return True
        try:
            self._process = subprocess.Popen([str(self.server_binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             text=True, bufsize=1, env=dict(os.environ, **SERVER_ENVIRONMENT))
            ready = self._process.stdout.readline()
            if not json.loads(ready or "{}").get("ready"):
                raise OSError(f"it said {ready!r}")
        except (OSError, ValueError) as error:
            self._broken = True
            if self.say:
                self.say(f"the compile server ({self.server_binary}) did not start ({error}): compiling with clang's own programs")
            return False
        self._reader = threading.Thread(target=self._read_answers, args=(self._process,), name="compile-server", daemon=True)
        self._reader.start()
        return True

    def _read_answers(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            try:
                answer = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                future = self._answers.pop(answer.get("id"), None)
            if future is not None:
                future.set_result(answer)
        # The server ended (closed, or it crashed): whoever still waits runs the command as a program.
        with self._lock:
            waiting, self._answers = list(self._answers.values()), {}
            if not self._closed:
                self._process = None  # started again by the next request
        for future in waiting:
            future.set_result(None)

    def _fall_back_said(self) -> None:
        if not self._said_fallback and not self._closed and self.say is not None and self.server_binary is None:
            self._said_fallback = True
            self.say("the compile server is not built (scripts/build.sh builds it; it needs LLVM 19's development "
                     "files): patches compile with clang's own programs, about 0.1 s slower a command")
