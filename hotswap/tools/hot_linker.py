#!/usr/bin/env python3
"""wasm-ld for a hot-swappable main module: the real wasm-ld, then table routing.

Why it exists: calls must be routed through the table (table_routing.py) between wasm-ld
and Emscripten's own post-link steps, above all before wasm-opt, which would otherwise
inline or merge the functions a patch must be able to replace. em++ offers no hook there,
but it finds wasm-ld in its LLVM_ROOT, which the EM_LLVM_ROOT variable overrides. So:

  hot_linker.py --llvm-root DIR --em-config FILE
                                    (at configure time) makes DIR: links to every tool of
                                    the LLVM_ROOT of Emscripten config FILE, and wasm-ld
                                    pointing here;
  wasm-ld in DIR (em++ runs it)     runs the real wasm-ld; then, when HOTSWAP_HOT_FUNCTIONS
                                    names the program's hot-function list (only the link of
                                    a main module sets it, cmake/WasmMainModule.cmake), routes
                                    every call to those functions through the table and
                                    writes the table map beside the module (NAME.hotswap.json,
                                    with the program's thread-local layout: where each
                                    thread-local is in a thread's block), wasm-ld's link map
                                    (NAME.link.map: where each static variable is, for
                                    static_data.py), and what a relink without em++ replays
                                    (program_linker.py).

HOTSWAP_HOT_FUNCTIONS=none links without routing (the benchmark's plain-call builds).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from patch_format import PATCH_FORMAT  # noqa: E402
from program_linker import PRE_FINALIZE_SUFFIX, WASM_LD_RECORD_SUFFIX  # noqa: E402
from static_data import LinkMap  # noqa: E402
from table_routing import route_calls_through_table, write_table_map  # noqa: E402
from toolchain import ToolchainError, read_emscripten_config  # noqa: E402

REAL_ROOT_FILE = "real-llvm-root.txt"
HOT_FUNCTIONS_VARIABLE = "HOTSWAP_HOT_FUNCTIONS"
LINK_MAP_SUFFIX = ".link.map"


def make_llvm_root(directory: Path, em_config: Path) -> None:
    """DIR gets a link to each tool of the config's LLVM_ROOT, and wasm-ld* pointing here."""
    try:
        config = read_emscripten_config(em_config)
    except ToolchainError as error:
        raise SystemExit(f"hot_linker: {error}") from None
    real_root = Path(config["LLVM_ROOT"])
    suffix = f"-{config['LLVM_ADD_VERSION']}" if config.get("LLVM_ADD_VERSION") else ""
    if not (real_root / f"wasm-ld{suffix}").exists():
        raise SystemExit(f"hot_linker: no wasm-ld{suffix} in LLVM_ROOT {real_root} of {em_config}: run scripts/setup.sh")
    directory.mkdir(parents=True, exist_ok=True)
    for tool in real_root.iterdir():
        if suffix and not tool.name.endswith(suffix):
            continue
        link = directory / tool.name
        target = Path(__file__).resolve() if tool.name.startswith("wasm-ld") else tool
        if link.is_symlink() or link.exists():
            if link.resolve() == target.resolve():
                continue
            link.unlink()
        link.symlink_to(target)
    (directory / REAL_ROOT_FILE).write_text(str(real_root) + "\n")


def expanded(arguments: list[str]) -> list[str]:
    """The arguments with response files (@file, one argument a line, as em++ writes them) read in."""
    result: list[str] = []
    for argument in arguments:
        if argument.startswith("@"):
            for line in Path(argument[1:]).read_text().splitlines():
                line = line.strip()
                if len(line) >= 2 and line[0] == line[-1] == '"':
                    line = line[1:-1]
                result.append(line)
        else:
            result.append(argument)
    return result


def output_of(arguments: list[str]) -> Path | None:
    """The -o argument, looking into response files too."""
    words = expanded(arguments)
    for index, argument in enumerate(words):
        if argument == "-o" and index + 1 < len(words):
            return Path(words[index + 1])
        if argument.startswith("-o") and len(argument) > 2:
            return Path(argument[2:])
    return None


def link(arguments: list[str], tool: Path, hot_list: str | None) -> int:
    """wasm-ld `arguments`, run as `tool` (the wasm-ld link in a directory make_llvm_root
    made), then the routing when `hot_list` names the hot-function list."""
    real_root = Path((tool.parent / REAL_ROOT_FILE).read_text().strip())
    real = real_root / tool.name
    routing = bool(hot_list) and hot_list != "none"
    output = output_of(arguments)
    if routing and output is None:
        print("hot_linker: no -o in the link command: cannot route calls through the table", file=sys.stderr)
        return 1
    # Mangled names in the name section: the table map names functions as symbols do.
    link_map = output.with_name(output.stem + LINK_MAP_SUFFIX) if output else None
    extra = ["--no-demangle", f"--Map={link_map}"] if routing else []
    status = subprocess.run([str(real), *arguments, *extra]).returncode
    if status != 0 or not routing:
        return status
    started = time.perf_counter()
    hot_names = set(json.loads(Path(hot_list).read_text()))
    result = route_calls_through_table(output.read_bytes(), hot_names, str(output))
    output.write_bytes(result.module)
    # Patches bind the program's thread-locals per thread: each thread's block address plus this offset.
    result.table_map["thread_locals"] = {name: list(place) for name, place in sorted(LinkMap(link_map).thread_locals_by_name().items())}
    write_table_map(result.table_map, output.with_name(output.stem + PATCH_FORMAT["table_map_suffix"]))
    # For program_linker.py's relinks: these arguments (em++'s response file is gone after the
    # link), and the module as it leaves here, before em++ finishes it.
    output.with_name(output.stem + WASM_LD_RECORD_SUFFIX).write_text(json.dumps(expanded(arguments)))
    output.with_name(output.stem + PRE_FINALIZE_SUFFIX).write_bytes(result.module)
    print(f"{output.name}: {result.hot_functions} hot functions, {result.rewritten_calls} calls through the table, "
          f"{result.appended_slots} slots added ({(time.perf_counter() - started) * 1000:.0f} ms)")
    return 0


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--llvm-root" and sys.argv[3] == "--em-config":
        make_llvm_root(Path(sys.argv[2]), Path(sys.argv[4]))
        return 0
    return link(sys.argv[1:], Path(sys.argv[0]).absolute(), os.environ.get(HOT_FUNCTIONS_VARIABLE))


if __name__ == "__main__":
    sys.exit(main())
