"""Checks a linked patch against the running program before it ships.

Why it exists: the loader in the page checks every patch again (it is the authority),
but the builder can say what is wrong sooner, in the terminal, with source-level names:
a function whose signature changed, a symbol nothing defines. Failure kinds come from
hotswap/patch_format.json.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from patch_format import PATCH_FORMAT
from wasm_binary import SYMBOL_FUNCTION, WasmBinary


ORIGINAL_PREFIX = "orig$"


class PatchRejected(Exception):
    """A save a patch cannot carry: `kind` from patch_format.json's failure kinds, the whole
    `message` (the compiler's own output, say), and a one-line `summary` for the patch log."""

    def __init__(self, kind: str, message: str, summary: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.summary = summary or (message.strip().splitlines()[0] if message.strip() else kind)


@dataclass
class ProgramInterface:
    """What a patch can link against: the program's exports, the JS functions it imports, the
    functions whose address it takes through its own GOT (Emscripten gives those a slot:
    JS functions such as __cxa_throw), and its thread-locals (its table map lists them: each
    thread has its own copy, which the loader binds per thread)."""
    function_signatures: dict[str, str]
    data_names: set[str]
    js_functions: set[str]
    got_functions: set[str]
    thread_local_names: set[str] = field(default_factory=set)

    @classmethod
    def from_wasm(cls, path: Path) -> "ProgramInterface":
        binary = WasmBinary.from_file(path)
        signatures = {name: str(signature) for name, signature in binary.function_types_by_export().items()}
        # Emscripten exports a JS-callable version of a function with i64 parameters under its
        # name and the function itself as orig$NAME: that one is what a patch links to.
        for name, signature in list(signatures.items()):
            if name.startswith(ORIGINAL_PREFIX):
                signatures[name[len(ORIGINAL_PREFIX):]] = signature
                del signatures[name]
        data = {export.name for export in binary.exports() if export.kind == "global"}
        js_functions = {entry.name for entry in binary.imports() if entry.module == "env" and entry.kind == "function"}
        got_functions = {entry.name for entry in binary.imports() if entry.module == "GOT.func"}
        table_map = path.with_name(path.stem + PATCH_FORMAT["table_map_suffix"])
        thread_locals = set(json.loads(table_map.read_text()).get("thread_locals", {})) if table_map.exists() else set()
        return cls(signatures, data, js_functions, got_functions, thread_locals)


@dataclass
class EarlierPatches:
    """What the patches built so far define (later patches may use it)."""
    function_signatures: dict[str, str] = field(default_factory=dict)
    data_names: set[str] = field(default_factory=set)

    def add(self, patch: WasmBinary, ignored: set[str]) -> None:
        for name, signature in patch.function_types_by_export().items():
            if name not in ignored:
                self.function_signatures[name] = str(signature)
        self.data_names |= {export.name for export in patch.exports() if export.kind == "global" and export.name not in ignored}


# A demangler in this process's reach (the compile server's, set by the patch builder): a
# program started per call costs ~50 ms, which a save should not wait for.
_demangler: Callable[[list[str]], dict[str, str] | None] | None = None


def use_demangler(demangler: Callable[[list[str]], dict[str, str] | None] | None) -> None:
    global _demangler
    _demangler = demangler


def demangle(names: list[str]) -> dict[str, str]:
    if _demangler is not None and names:
        readable = _demangler(names)
        if readable is not None:
            return readable
    tool = shutil.which("llvm-cxxfilt-14") or shutil.which("c++filt")
    if tool is None or not names:
        return {name: name for name in names}
    result = subprocess.run([tool], input="\n".join(names), capture_output=True, text=True)
    lines = result.stdout.splitlines()
    return dict(zip(names, lines)) if len(lines) == len(names) else {name: name for name in names}


def without_parameters(readable: str) -> str:
    """A demangled name without its parameter list (and qualifiers after it):
    "raytracer::sky_radiance(raytracer::Sky const&, ...)" -> "raytracer::sky_radiance"."""
    depth = 0
    for index in range(len(readable) - 1, -1, -1):
        character = readable[index]
        if character == ")":
            depth += 1
        elif character == "(":
            depth -= 1
            if depth == 0:
                head = readable[:index]
                return head if head and not head.endswith("operator") else readable
    return readable


def short_names(readable_names: set[str]) -> dict[str, str]:
    """The name the patch log shows for each readable (demangled) name: without its parameters,
    unless another of them would look the same (overloads keep their parameters). Variants of
    one function that share a readable name (a constructor's complete-object and base-object
    copies) share the short name too, so the log lists them once."""
    by_short: dict[str, list[str]] = {}
    for name in readable_names:
        by_short.setdefault(without_parameters(name), []).append(name)
    return {name: short if len(names) == 1 else name for short, names in by_short.items() for name in names}


def functions_defined_by(object_file: Path) -> set[str]:
    """The strong, non-local functions an object of the program defines."""
    binary = WasmBinary.from_file(object_file)
    return {symbol.name for symbol in binary.symbols()
            if symbol.kind == SYMBOL_FUNCTION and symbol.defined and not symbol.local and not symbol.weak and symbol.name}


def _base_name(demangled: str) -> str:
    return demangled.split("(", 1)[0]


def check_patch(patch: WasmBinary, program: ProgramInterface, earlier: EarlierPatches,
                original_functions: dict[str, Path], ignored: set[str]) -> None:
    """Raises PatchRejected with the first problem found."""
    patch_signatures = {name: str(signature) for name, signature in patch.function_types_by_export().items()}

    # 1. A function the edited files defined before must still be there with its signature.
    missing = [name for name in original_functions if name not in patch_signatures and name in program.function_signatures]
    if missing:
        readable = demangle(missing + list(patch_signatures))
        new_by_base: dict[str, list[str]] = {}
        for name in patch_signatures:
            if name not in program.function_signatures:
                new_by_base.setdefault(_base_name(readable[name]), []).append(readable[name])
        for name in missing:
            candidates = new_by_base.get(_base_name(readable[name]))
            if candidates:
                raise PatchRejected("signature_changed",
                                    f"{original_functions[name]}: the signature of {readable[name]} changed to "
                                    f"{candidates[0]}; a patch cannot change the signature of a function the program "
                                    "already calls", f"{without_parameters(readable[name])} changed its signature")

    # 2. Same name, same signature.
    for name, signature in patch_signatures.items():
        if name in ignored:
            continue
        known = program.function_signatures.get(name) or earlier.function_signatures.get(name)
        if known is not None and known != signature:
            readable = demangle([name])[name]
            raise PatchRejected("signature_changed",
                                f"{readable} would change signature from {known} to {signature}",
                                f"{without_parameters(readable)} changed its signature")

    # 3. Every import must be defined by the program, an earlier patch, or the patch itself;
    # or be weak (a thread-local's initialiser that no one needs defines none): it binds to null.
    patch_data = {export.name for export in patch.exports() if export.kind == "global"}
    weak = patch.dylink().weak_imports
    special = {"memory", "__indirect_function_table", "__stack_pointer", "__memory_base", "__table_base"}
    for entry in patch.imports():
        name = entry.name
        if entry.module == "env" and (name in special or name in program.function_signatures or name in program.js_functions
                                      or name in earlier.function_signatures):
            continue
        if entry.module == "GOT.mem" and (name in program.data_names or name in earlier.data_names or name in patch_data
                                          or name in program.thread_local_names):
            continue
        if (entry.module, name) in weak or (entry.module in ("GOT.mem", "GOT.func") and ("env", name) in weak):
            continue
        if entry.module == "GOT.func" and (name in program.function_signatures or name in program.got_functions
                                           or name in earlier.function_signatures or name in patch_signatures):
            continue
        readable = demangle([name])[name]
        raise PatchRejected("unresolved_import",
                            f"the edit uses {readable} ({entry.module}.{name}), which the running program does not "
                            "contain", f"the edit uses {without_parameters(readable)}, which the running program does not have")
