"""Which functions an edit changed: per-function fingerprints of compiled objects.

Why it exists: a save can change no code at all (a comment), one function, or, through an
inline function in a header, dozens. The user must be told which, or an edit that did
nothing looks like one that did not reach the screen. The program and its patches are
compiled by the same compiler with the same flags (cmake/ProjectOptions.cmake), so an
unchanged function compiles to the same bytes; what differs between two objects is where
their relocations point. A fingerprint is therefore the function's code with every
relocated field blanked, plus what each relocation refers to: a symbol by name, a type by
its signature, a compiler-numbered constant (a string literal, `.L.str.3`) by its bytes,
since adding a literal above renumbers the ones below (and a constant holding addresses, a
switch's table of strings, by its bytes with those addresses blanked plus what they point to).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from wasm_binary import (RELOCATION_TYPE_INDEX, RELOCATION_WIDTH, SYMBOL_DATA, SYMBOL_FUNCTION, SYMBOL_SECTION,
                         WasmBinary)

_LEB_WIDTH = 5  # relocated LEB128 fields are padded to five bytes in object files


@dataclass(frozen=True)
class FunctionFingerprints:
    """Name -> fingerprint of every named function an object defines."""
    by_name: dict[str, str]

    @classmethod
    def of_object(cls, path: Path) -> "FunctionFingerprints":
        return cls(fingerprint_functions(WasmBinary.from_file(path)))


def only_the_programs_code_and_data(program: Path, compiled: Path) -> bool:
    """Whether every function and named data an object of a source defines is in the
    program's object of that source, with the same code and contents (what relocations point
    to compared by name, as for functions): linking it into a patch would change nothing.
    A compile of some functions only (function_edits) defines fewer than the program's."""
    binaries = [WasmBinary.from_file(path) for path in (program, compiled)]
    for fingerprints in (fingerprint_functions, fingerprint_data):
        before, after = fingerprints(binaries[0]), fingerprints(binaries[1])
        if any(before.get(name) != digest for name, digest in after.items()):
            return False
    return True


class _Targets:
    """Names what a relocation points to, the same way in any object."""

    def __init__(self, binary: WasmBinary):
        self.symbols = binary.symbols()
        self.segments = binary.data_segments_placed()
        self.types = binary.types()
        self.data_relocations = sorted(binary.relocations("reloc.DATA"), key=lambda entry: entry[1])

    def name(self, kind: int, index: int, depth: int = 0) -> str:
        if kind == RELOCATION_TYPE_INDEX:
            return "type " + str(self.types[index]) if index < len(self.types) else f"type {index}"
        if index >= len(self.symbols):
            return f"symbol {index}"
        symbol = self.symbols[index]
        if symbol.kind == SYMBOL_DATA and symbol.defined and symbol.local and (symbol.name or "").startswith(".L"):
            return "constant " + self.contents(symbol, depth)
        if symbol.kind == SYMBOL_SECTION:
            return f"section {symbol.index}"
        return f"{symbol.kind} {symbol.name}"

    def contents(self, symbol, depth: int = 0) -> str:
        if symbol.segment >= len(self.segments):
            return "?"
        placed, data = self.segments[symbol.segment]
        content = bytearray(data[symbol.offset:symbol.offset + symbol.size])
        start = placed + symbol.offset
        targets = []
        for kind, offset, index, addend in self.data_relocations:
            if start <= offset < start + symbol.size:
                at = offset - start
                width = RELOCATION_WIDTH.get(kind, _LEB_WIDTH)
                content[at:at + width] = bytes(width)
                targets.append(f"{at}:{kind}:{self.name(kind, index, depth + 1) if depth < 2 else index}:{addend}")
        return hashlib.sha1(bytes(content) + "\n".join(targets).encode()).hexdigest()


def _bodies(binary: WasmBinary):
    """Each function body an object defines, with its symbol names and the code relocations
    inside it: (names, start, end, [(kind, offset in the body, index, addend)]). Offsets in
    reloc.CODE count from the code section's payload."""
    code = binary.section(10)
    if code is None:
        return
    imported_functions = sum(1 for entry in binary.imports() if entry.kind == "function")
    names_by_function: dict[int, list[str]] = {}
    for symbol in binary.symbols():
        if symbol.kind == SYMBOL_FUNCTION and symbol.defined and symbol.name:
            names_by_function.setdefault(symbol.index - imported_functions, []).append(symbol.name)
    relocations = sorted(binary.relocations("reloc.CODE"), key=lambda entry: entry[1])
    position = 0
    for number, (start, end) in enumerate(binary.function_bodies()):
        inside = []
        while position < len(relocations) and code.start + relocations[position][1] < end:
            kind, offset, index, addend = relocations[position]
            position += 1
            if code.start + offset >= start:
                inside.append((kind, code.start + offset - start, index, addend))
        yield names_by_function.get(number, []), start, end, inside


def fingerprint_functions(binary: WasmBinary) -> dict[str, str]:
    targets_of = _Targets(binary)
    fingerprints: dict[str, str] = {}
    for names, start, end, relocations in _bodies(binary):
        body = bytearray(binary.data[start:end])
        targets = []
        for kind, at, index, addend in relocations:
            width = RELOCATION_WIDTH.get(kind, _LEB_WIDTH)
            body[at:at + width] = bytes(width)
            targets.append(f"{at}:{kind}:{targets_of.name(kind, index)}:{addend}")
        if names:
            digest = hashlib.sha1(bytes(body) + "\n".join(targets).encode()).hexdigest()
            for name in names:
                fingerprints[name] = digest
    return fingerprints


RELOCATION_FUNCTION_INDEX = 0  # R_WASM_FUNCTION_INDEX_LEB: a `call`'s callee


def calls_by_function(path: Path) -> dict[str, Counter[str]]:
    """Name -> how many `call`s its code makes to each function (by name), for every named
    function an object defines: what the compiler did not inline (function_edits)."""
    binary = WasmBinary.from_file(path)
    symbols = binary.symbols()
    calls: dict[str, Counter[str]] = {}
    for names, _, _, relocations in _bodies(binary):
        counted = Counter(symbols[index].name for kind, _, index, _ in relocations
                          if kind == RELOCATION_FUNCTION_INDEX and index < len(symbols) and symbols[index].name)
        for name in names:
            calls[name] = counted
    return calls


def fingerprint_data(binary: WasmBinary) -> dict[str, str]:
    """Name -> fingerprint (its bytes, relocated fields blanked, plus what they point to) of
    every named data symbol an object defines; compiler-numbered constants are left out, the
    code and data that use them fingerprint them by contents."""
    targets_of = _Targets(binary)
    return {symbol.name: targets_of.contents(symbol, 0) for symbol in targets_of.symbols
            if symbol.kind == SYMBOL_DATA and symbol.defined and symbol.name and not symbol.name.startswith(".L")}


@dataclass
class CodeChanges:
    changed: list[str]   # functions whose code differs from the running version
    new: list[str]       # functions the running version did not have

    @property
    def any(self) -> bool:
        return bool(self.changed or self.new)


def compare(before: dict[str, str], after: dict[str, str]) -> CodeChanges:
    changed = sorted(name for name, digest in after.items() if name in before and before[name] != digest)
    new = sorted(name for name in after if name not in before)
    return CodeChanges(changed, new)
