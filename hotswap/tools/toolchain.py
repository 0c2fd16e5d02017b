"""Where the WebAssembly toolchain is, and the compiler flags em++ would add.

Why it exists: em++ is a Python wrapper that costs about 0.4 s per call before clang even
starts. The patch builder pays that once per set of flags: it asks `em++ --cflags FLAGS` for
the flags em++ adds to a compile with those flags (they depend on some of them: -fexceptions
turns on Emscripten's exception handling), caches them in the build folder, and then runs
clang and wasm-ld directly. So a patch compiles exactly as em++ compiled the program.

Which clang and wasm-ld: the ones of the Emscripten config file the build wrote
(BUILD/emscripten_config.py, cmake/WasmCompiler.cmake), the file em++ was given for every
compile and link of the program. They run through the compile server when the native
preset built it (BUILD/hotswap_host_tools.json says where; compile_server.py), which keeps
them loaded between saves, and each compile records which functions it emits with the
function-use pass plugin beside it (header_edits.py).
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from compile_server import ToolRunner

EMSCRIPTEN_ROOT = Path("/usr/share/emscripten")
EMSCRIPTEN_CONFIG_FILE = "emscripten_config.py"  # in the build folder (cmake/WasmCompiler.cmake)
HOST_TOOLS_FILE = "hotswap_host_tools.json"  # in the build folder: where the native preset builds them (cmake/WasmCompiler.cmake)
# The function-use plugin writes the compile's use set to the file this variable names.
FUNCTION_USE_OUTPUT_VARIABLE = "HOTSWAP_FUNCTION_USE_OUTPUT"
PIC_LIBRARY_DIR = EMSCRIPTEN_ROOT / "cache/sysroot/lib/wasm32-emscripten/pic"

# The wasm-ld flags em++ 3.1.6 uses for -sSIDE_MODULE=1 -pthread (from `em++ -v`), plus what
# wasm-ld 19 needs to import undefined data as 3.1.6's wasm-ld 14 did, minus
# its post-link passes: the patch is called from wasm through the table, so the JS-facing
# legalisation does not apply, and skipping wasm-opt keeps the build fast.
SIDE_MODULE_LINK_FLAGS = [
    "--import-undefined", "--import-memory", "--shared-memory", "--strip-debug", "--export-dynamic",
    "--no-gc-sections", "--experimental-pic", "-shared",
    "--unresolved-symbols=import-dynamic",  # wasm-ld 19: the program's data a patch uses (vtables, typeinfo) via GOT.mem
    "--no-demangle",  # the name section names functions as symbols do (the builder reads it)
    # A patch's own thread-locals: every instance (thread) gives it a TLS block of its own.
    "--export-if-defined=__wasm_init_tls", "--export-if-defined=__tls_size", "--export-if-defined=__tls_align",
    "-mllvm", "-combiner-global-alias-analysis=false", "-mllvm", "-enable-emscripten-sjlj", "-mllvm", "-disable-lsr",
]


class ToolchainError(RuntimeError):
    """The toolchain is missing or not the expected one; the message says how to fix it."""


def _find(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise ToolchainError(f"{program} not found: run scripts/setup.sh (it installs Debian's emscripten package)")
    return path


def read_emscripten_config(config_file: Path) -> dict:
    """The settings of an Emscripten config file (Python assignments, as em++ reads them);
    LLVM_ROOT is always among them."""
    if not config_file.exists():
        raise ToolchainError(f"{config_file} is missing: configure the wasm build first (cmake --preset wasm)")
    settings: dict = {}
    exec(compile(config_file.read_text(), str(config_file), "exec"), settings)  # noqa: S102 (the build wrote it)
    if "LLVM_ROOT" not in settings:
        raise ToolchainError(f"{config_file} sets no LLVM_ROOT: configure the wasm build again")
    return settings


def _llvm_root(config_file: Path) -> Path:
    return Path(read_emscripten_config(config_file)["LLVM_ROOT"])


def _tool(root: Path, name: str) -> str:
    path = root / name
    if not path.exists():
        raise ToolchainError(f"{path} not found (LLVM_ROOT of the build's Emscripten config): run scripts/setup.sh")
    return str(path)


# Flags that can change what em++ adds (exceptions, threads, optimisation, features); em++
# --cflags compiles a C file with the flags it is given, so warnings and -std stay out.
_CODE_GENERATION_PREFIXES = ("-f", "-m", "-s", "-O", "-g", "-pthread")
_FLAGS_WITH_VALUE = {"-I", "-D", "-U", "-isystem", "-iquote", "-include", "-include-pch", "-Xclang", "-MF", "-MT"}


def _code_generation_flags(flags: list[str]) -> list[str]:
    kept, skip = [], False
    for flag in flags:
        if skip:
            skip = False
        elif flag in _FLAGS_WITH_VALUE:
            skip = True
        elif flag.startswith(_CODE_GENERATION_PREFIXES):
            kept.append(flag)
    return kept


@dataclass
class Toolchain:
    clang: str
    wasm_ld: str
    em_config: Path                             # the Emscripten config file em++ is given
    cache: Path
    stamp: str                                  # the Emscripten version and LLVM the cached flags are for
    emscripten_flags: dict[str, list[str]]      # project flags (joined) -> what em++ adds to them
    runner: ToolRunner = field(default_factory=lambda: ToolRunner(None))  # runs clang and wasm-ld (compile_server.py)
    function_use_plugin: Path | None = None     # the pass plugin that records a compile's use set, if built
    _lock: threading.Lock = field(default_factory=threading.Lock)  # background PCH builds ask too

    @classmethod
    def load(cls, cache_dir: Path, say=None) -> "Toolchain":
        cache = cache_dir / "hotswap_toolchain.json"
        version_file = EMSCRIPTEN_ROOT / "emscripten-version.txt"
        em_config = cache_dir / EMSCRIPTEN_CONFIG_FILE
        llvm_root = _llvm_root(em_config)
        version = version_file.read_text().strip() if version_file.exists() else "unknown"
        stamp = f"{version} {llvm_root}"
        cached = json.loads(cache.read_text()) if cache.exists() else {}
        flags = cached.get("flags_by_project_flags", {}) if cached.get("emscripten") == stamp else {}
        host_tools_file = cache_dir / HOST_TOOLS_FILE
        host_tools = json.loads(host_tools_file.read_text()) if host_tools_file.exists() else {}
        server = Path(host_tools["compile_server"]) if host_tools.get("compile_server") else None
        plugin = Path(host_tools["function_use_plugin"]) if host_tools.get("function_use_plugin") else None
        return cls(_tool(llvm_root, "clang++"), _tool(llvm_root, "wasm-ld"), em_config, cache, stamp, flags,
                   ToolRunner(server, say), plugin if plugin and plugin.exists() else None)

    def emscripten_flags_for(self, project_flags: list[str]) -> list[str]:
        relevant = _code_generation_flags(project_flags)
        key = " ".join(relevant)
        with self._lock:
            if key not in self.emscripten_flags:
                self._ask_em(key, relevant)
            return self.emscripten_flags[key]

    def _ask_em(self, key: str, code_generation_flags: list[str]) -> None:
        environment = dict(os.environ, NODE_PATH=os.environ.get("NODE_PATH", "/usr/share/nodejs"))
        result = subprocess.run([_find("em++"), "--em-config", str(self.em_config), "--cflags", *code_generation_flags], capture_output=True, text=True,
                                env=environment)
        if result.returncode != 0:
            raise ToolchainError(f"em++ --cflags failed:\n{result.stderr}")
        self.emscripten_flags[key] = shlex.split(result.stdout)
        self.cache.parent.mkdir(parents=True, exist_ok=True)
        self.cache.write_text(json.dumps({"emscripten": self.stamp, "flags_by_project_flags": self.emscripten_flags}))

    def compile_command(self, project_flags: list[str], source: Path, output: Path) -> list[str]:
        return [self.clang, *self.emscripten_flags_for(project_flags), *project_flags, "-c", str(source), "-o", str(output)]

    def function_use(self, output: Path) -> tuple[list[str], dict[str, str]]:
        """The flags and environment that make a compile write its use set to `output`
        (nothing when the plugin is not built)."""
        if self.function_use_plugin is None:
            return [], {}
        return [f"-fpass-plugin={self.function_use_plugin}"], {FUNCTION_USE_OUTPUT_VARIABLE: str(output)}

    def run(self, command: list[str], *, environment: dict[str, str] | None = None,
            background: bool = False) -> subprocess.CompletedProcess:
        """Runs a compile or link command (compile_server.py: through the server when it is built)."""
        return self.runner.run(command, environment=environment, background=background)

    def close(self) -> None:
        self.runner.close()

    def link_command(self, objects: list[Path], output: Path) -> list[str]:
        return [self.wasm_ld, "-o", str(output), *map(str, objects), str(PIC_LIBRARY_DIR / "crtbegin.o"),
                f"-L{PIC_LIBRARY_DIR}", *SIDE_MODULE_LINK_FLAGS]
