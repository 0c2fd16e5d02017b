#!/usr/bin/env python3
"""Writes the export list of a relocatable main module.

Why it exists: a patch links against the running program by name, so the program must
export every symbol a patched source file may use. Exporting everything
(-sMAIN_MODULE=1) costs megabytes; so the main module gets this explicit list instead:
  - every function and (not thread-local) variable our own objects define, and
  - every library symbol they use (a patch of the same file uses the same ones), and
  - a short list of common C library functions a new edit is likely to want
    (listed in EXPORTED_FUNCTIONS, which links them in even when nothing uses them yet).

Outputs:
  --exported-functions FILE  JSON list for emcc -sEXPORTED_FUNCTIONS=@FILE (pulls them in)
  --export-if-defined FILE   wasm-ld response file: library symbols, exported when the
                             link contains them (JS-implemented ones are skipped silently)
  --hot-functions FILE       JSON list of the functions the program's own sources define
                             (strong, not file-local): the hot functions, whose calls the
                             link routes through the table (hot_linker.py)
  --thread-local-stubs FILE  an Emscripten JS library with a no-op for every C++ thread-local
                             initialiser (_ZTH...) the objects refer to and none defines: a
                             source that uses an `extern thread_local` declared elsewhere
                             refers to it weakly, in case the variable has a dynamic
                             initialiser; in a static link the reference is null, but a main
                             module imports it, and em++ refuses an import nothing provides
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wasm_binary import SYMBOL_DATA, SYMBOL_FUNCTION, WasmBinary  # noqa: E402

# C library functions worth having in the program even before any file uses them.
COMMON_LIBRARY_FUNCTIONS = [
    "malloc", "free", "calloc", "realloc", "memalign", "memcpy", "memmove", "memset", "memcmp",
    "strlen", "strcmp", "strncmp", "printf", "puts", "putchar", "snprintf", "abort",
    "sinf", "cosf", "tanf", "asinf", "acosf", "atanf", "atan2f", "expf", "exp2f", "logf",
    "log2f", "log10f", "powf", "fmodf", "floorf", "ceilf", "roundf", "truncf", "fabsf",
    "fminf", "fmaxf", "sqrtf", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "exp",
    "exp2", "log", "log2", "log10", "pow", "fmod", "floor", "ceil", "round", "trunc", "fabs",
    "fmin", "fmax", "sqrt",
    "_Znwm", "_Znam", "_ZdlPv", "_ZdaPv",
]

# Symbols that belong to the runtime (or to EM_JS/EM_ASM, which become JS) and must not be listed.
RUNTIME_PREFIXES = ("__wasm", "__em_js__", "__em_asm", "__start_em_", "__stop_em_")
RUNTIME_SYMBOLS = {"__wasm_call_ctors", "__dso_handle", "__stack_pointer", "__memory_base", "__table_base",
                   "__indirect_function_table", "__tls_base", "__tls_size", "__tls_align"}


def archive_members(path: Path):
    """Yields (member name, bytes) of a System V / GNU `ar` archive."""
    data = path.read_bytes()
    if not data.startswith(b"!<arch>\n"):
        raise SystemExit(f"{path}: not an ar archive")
    position, long_names = 8, b""
    while position + 60 <= len(data):
        header = data[position:position + 60]
        name = header[:16].decode().strip()
        size = int(header[48:58].decode().strip())
        body = data[position + 60:position + 60 + size]
        position += 60 + size + (size & 1)
        if name == "//":
            long_names = body
        elif name in ("/", "/SYM64/"):
            continue
        else:
            if name.startswith("/") and name[1:].isdigit():
                offset = int(name[1:])
                name = long_names[offset:long_names.index(b"/\n", offset)].decode()
            yield name.rstrip("/"), body


def object_binaries(paths: list[Path]):
    for path in paths:
        if path.suffix == ".pch":
            continue  # a precompiled header CMake lists among a target's objects
        if path.suffix == ".a":
            for member, body in archive_members(path):
                yield WasmBinary(body, f"{path}({member})")
        else:
            yield WasmBinary.from_file(path)


THREAD_LOCAL_INITIALISER_PREFIX = "_ZTH"  # Itanium C++ ABI: a thread-local's initialisation function


def collect(paths: list[Path]) -> tuple[list[str], list[str], list[str], list[str]]:
    """(hard exports, exports if defined, hot functions, thread-local initialisers referred to
    and not defined). Library *data* the program uses is a
    hard export: data is never implemented in JS, and wasm-ld 14 skips --export-if-defined for
    data that comes from an archive. Library functions may be JS (then wasm-ld has nothing to
    export). Hot functions are the strong ones: a weak (inline, template) function is compiled
    into every source that calls it, so an edit to it rebuilds all its callers anyway."""
    defined: set[str] = set()
    hot: set[str] = set()
    used: set[str] = set()
    used_data: set[str] = set()
    for binary in object_binaries(paths):
        for symbol in binary.symbols():
            if symbol.kind not in (SYMBOL_FUNCTION, SYMBOL_DATA) or symbol.name is None or symbol.local:
                continue
            if symbol.tls:
                continue  # a main module exports thread-locals as offsets, useless to a patch
            if symbol.name in RUNTIME_SYMBOLS or symbol.name.startswith(RUNTIME_PREFIXES):
                continue
            if symbol.defined:
                defined.add(symbol.name)
                if symbol.kind == SYMBOL_FUNCTION and not symbol.weak:
                    hot.add(symbol.name)
            elif symbol.kind == SYMBOL_DATA:
                used_data.add(symbol.name)
            else:
                used.add(symbol.name)
    exported = defined | used_data | set(COMMON_LIBRARY_FUNCTIONS)
    missing_initialisers = {name for name in used - defined if name.startswith(THREAD_LOCAL_INITIALISER_PREFIX)}
    return sorted(exported), sorted(used - exported - missing_initialisers), sorted(hot), sorted(missing_initialisers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", type=Path, help="wasm object files and static libraries of the program")
    parser.add_argument("--exported-functions", type=Path, required=True)
    parser.add_argument("--export-if-defined", type=Path, required=True)
    parser.add_argument("--hot-functions", type=Path)
    parser.add_argument("--thread-local-stubs", type=Path)
    arguments = parser.parse_args()
    defined, library, hot, missing_initialisers = collect(arguments.inputs)
    if arguments.thread_local_stubs:
        # A library key is the C name without Emscripten's leading underscore.
        # `__sig`: Emscripten puts a JS function whose address code takes into the table.
        stubs = "".join(f"  {name}__sig: 'v',\n  {name}: function() {{}},\n" for name in missing_initialisers)
        arguments.thread_local_stubs.write_text("// Written by hotswap/tools/main_module_exports.py: thread-locals these "
                                                "initialisers would set up need none.\nmergeInto(LibraryManager.library, {\n"
                                                + stubs + "});\n")
    if arguments.hot_functions:
        arguments.hot_functions.write_text(json.dumps(hot, indent=0) + "\n")
    # Emscripten spells C symbols with a leading underscore in EXPORTED_FUNCTIONS.
    arguments.exported_functions.write_text(json.dumps(["_" + name for name in defined], indent=0) + "\n")
    arguments.export_if_defined.write_text("".join(f"--export-if-defined={name}\n" for name in library))
    return 0


if __name__ == "__main__":
    sys.exit(main())
