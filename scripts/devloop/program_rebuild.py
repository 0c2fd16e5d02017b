"""Rebuilding the page's program for a hot restart: `cmake --build BUILD --target NAME`, the
same incremental build scripts/run.sh ran first (only the sources that changed are compiled
again, then the program is linked).

Why it exists: some saves compile but cannot be carried by a patch (a changed signature, a
changed struct layout, a library function the program never linked). The dev loop then
rebuilds the program and the page reloads itself, keeping its settings and camera. Warnings
do not stop this build (HOTSWAP_WARNINGS_ARE_NOT_ERRORS, read by the program's compiler
launcher hotswap/tools/program_compiler.sh): they did not stop the patch either.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class RebuildResult:
    ok: bool
    milliseconds: float
    output: str   # the build's own output (its errors when it failed)


class ProgramRebuild:
    def __init__(self, build_dir: Path, target: str):
        self.build_dir = build_dir
        self.target = target

    def run(self) -> RebuildResult:
        started = time.perf_counter()
        # This interpreter for every Python the build starts (em++, the link tools): not a
        # version manager's shim, which costs ~0.4 s of processor time a start (scripts/env.sh).
        python_folder = str(Path(sys.executable).parent)
        environment = dict(os.environ, NODE_PATH=os.environ.get("NODE_PATH", "/usr/share/nodejs"),
                           HOTSWAP_WARNINGS_ARE_NOT_ERRORS="1", EMSDK_PYTHON=sys.executable,
                           PATH=python_folder + os.pathsep + os.environ.get("PATH", ""))
        build = subprocess.run(["cmake", "--build", str(self.build_dir), "--target", self.target],
                               capture_output=True, text=True, env=environment)
        return RebuildResult(build.returncode == 0, round((time.perf_counter() - started) * 1000, 1),
                             (build.stdout + build.stderr).strip())
