"""Makes a patch call its own copies of inline and template functions.

Why it exists: wasm-ld 14, linking a side module, turns every *weak* function definition
(inline functions, template instantiations: GLM's operators, a header's helpers) into an
import, so that the program's copy wins at load time. For a patch that is wrong: an edit
to an inline function in the patched file would be silently ignored. Marking those
definitions hidden is not enough on this linker (newer ones honour it); clearing their
weak binding is. Inline functions live in COMDAT groups, so two objects of one patch that
both define one still link (the linker keeps one copy of each group).

Data stays as it is: a weak variable (a static local of an inline function, a template's
static member) keeps binding to the program's copy, so its value survives the patch.
"""
from __future__ import annotations

from pathlib import Path

from wasm_binary import FLAG_WEAK, SYMBOL_FUNCTION, WasmBinary


def bind_weak_functions_locally(object_file: Path) -> list[str]:
    """Clears the weak flag of every function the object defines; returns their names.
    The flags are a LEB128 whose first byte holds the weak bit, so the edit is in place."""
    data = bytearray(object_file.read_bytes())
    binary = WasmBinary(bytes(data), str(object_file))
    changed = []
    for symbol in binary.symbols():
        if symbol.kind == SYMBOL_FUNCTION and symbol.defined and symbol.weak:
            data[symbol.flags_offset] &= ~FLAG_WEAK & 0xFF
            changed.append(symbol.name)
    if changed:
        object_file.write_bytes(bytes(data))
    return changed
