"""Where the WebAssembly toolchain is, and the compiler flags em++ would add.

Why it exists: em++ is a Python wrapper that costs about 0.4 s per call before clang even
starts. The patch builder pays that once: it asks `em++ --cflags` for the flags em++ adds,
caches them in the build folder, and then runs clang and wasm-ld directly.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

EMSCRIPTEN_ROOT = Path("/usr/share/emscripten")
PIC_LIBRARY_DIR = EMSCRIPTEN_ROOT / "cache/sysroot/lib/wasm32-emscripten/pic"

# The wasm-ld flags em++ 3.1.6 uses for -sSIDE_MODULE=1 -pthread (from `em++ -v`), minus
# its post-link passes: the patch is called from wasm through the table, so the JS-facing
# legalisation does not apply, and skipping wasm-opt keeps the build fast.
SIDE_MODULE_LINK_FLAGS = [
    "--import-undefined", "--import-memory", "--shared-memory", "--strip-debug", "--export-dynamic",
    "--no-gc-sections", "--experimental-pic", "-shared",
    "-mllvm", "-combiner-global-alias-analysis=false", "-mllvm", "-enable-emscripten-sjlj", "-mllvm", "-disable-lsr",
]


class ToolchainError(RuntimeError):
    """The toolchain is missing or not the expected one; the message says how to fix it."""


def _find(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise ToolchainError(f"{program} not found: run scripts/setup.sh (it installs Debian's emscripten package)")
    return path


@dataclass
class Toolchain:
    clang: str
    wasm_ld: str
    emscripten_compile_flags: list[str]

    @classmethod
    def load(cls, cache_dir: Path) -> "Toolchain":
        clang = _find("clang++-14")
        wasm_ld = _find("wasm-ld-14")
        cache = cache_dir / "hotswap_toolchain.json"
        em_config = EMSCRIPTEN_ROOT / "emscripten-version.txt"
        stamp = em_config.read_text().strip() if em_config.exists() else "unknown"
        if cache.exists():
            cached = json.loads(cache.read_text())
            if cached.get("emscripten") == stamp:
                return cls(clang, wasm_ld, cached["flags"])
        environment = dict(os.environ, NODE_PATH=os.environ.get("NODE_PATH", "/usr/share/nodejs"))
        result = subprocess.run([_find("em++"), "--cflags", "-pthread"], capture_output=True, text=True, env=environment)
        if result.returncode != 0:
            raise ToolchainError(f"em++ --cflags failed:\n{result.stderr}")
        flags = shlex.split(result.stdout)
        cache_dir.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"emscripten": stamp, "flags": flags}))
        return cls(clang, wasm_ld, flags)

    def compile_command(self, project_flags: list[str], source: Path, output: Path) -> list[str]:
        return [self.clang, *self.emscripten_compile_flags, *project_flags, "-c", str(source), "-o", str(output)]

    def link_command(self, objects: list[Path], output: Path) -> list[str]:
        return [self.wasm_ld, "-o", str(output), *map(str, objects), str(PIC_LIBRARY_DIR / "crtbegin.o"),
                f"-L{PIC_LIBRARY_DIR}", *SIDE_MODULE_LINK_FLAGS]
