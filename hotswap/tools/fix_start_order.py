#!/usr/bin/env python3
"""Post-link fix for a relocatable -pthread main module built by Emscripten 3.1.6.

The bug (docs/ARCHITECTURE.md, "Known limits"): wasm-ld 14's start function for a
shared-memory PIE first initialises memory and applies the data relocations, and only at
its very end sets the module's internal GOT globals (`global.set G` of
`__memory_base + C` or `__table_base + C`, the base sometimes cached in a local).
Relocations that read those globals run while they are still 0, so a pointer in static
data to a default-visibility symbol comes out null. Our own code avoids that with
-fvisibility=hidden, but the prebuilt C++ runtime (embind's type lists, typeinfo,
vtables) cannot.

The fix: copy those initialisations, each rewritten to read its base global directly, to
the top of the start function. They depend only on imported globals and each instance
runs them anyway; the original ones at the end stay and set the same values again. The
code section is re-encoded with the new body size. A module without such a run is left
untouched.

The second fix, for wasm-ld 19 (cmake/WasmCompiler.cmake): in a shared-memory PIE it no
longer applies the data relocations at start-up but exports `__wasm_apply_data_relocs` for
the runtime to call once, which Emscripten 3.1.6's runtime never does, so pointers in static
data (vtables, typeinfo) stay unrelocated and the first dynamic_cast or caught exception
traps. Only the main thread runs the constructors (`__wasm_call_ctors`), so that function
now calls it first. A module whose start-up already applies them is left untouched; one
whose relocations this moves needs no first fix (they now run after the whole start
function), so it gets only this one.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wasm_binary import (Reader, WasmBinary, WasmFormatError, decode_instructions,  # noqa: E402
                         encode_signed, encode_unsigned)

SECTION_START, SECTION_CODE = 8, 10
LOCAL_GET, LOCAL_SET, LOCAL_TEE, GLOBAL_GET, GLOBAL_SET = 0x20, 0x21, 0x22, 0x23, 0x24
I32_CONST, I32_ADD, CALL, END = 0x41, 0x6A, 0x10, 0x0B
GOT_RUN_OPCODES = {GLOBAL_GET, LOCAL_GET, LOCAL_SET, LOCAL_TEE, I32_CONST, I32_ADD, GLOBAL_SET}


def got_initialisations(instructions, base_globals: set[int]) -> list[tuple[int, int, int]]:
    """(base global, constant, target global) of every GOT initialisation in the
    straight-line run of instructions that ends the function. The run is evaluated
    symbolically: values are `base + constant`; locals are those set inside the run."""
    allowed = GOT_RUN_OPCODES
    body = instructions[:-1]  # drop the function's final `end`
    start = len(body)
    while start > 0 and body[start - 1].opcode in allowed:
        start -= 1
    stack: list[tuple[int | None, int]] = []  # (base global or None for a constant, offset)
    locals_: dict[int, tuple[int | None, int]] = {}
    groups = []
    for instruction in body[start:]:
        opcode = instruction.opcode
        if opcode == GLOBAL_GET:
            if instruction.immediates[0] not in base_globals:
                return []
            stack.append((instruction.immediates[0], 0))
        elif opcode == I32_CONST:
            stack.append((None, instruction.immediates[0]))
        elif opcode in (LOCAL_SET, LOCAL_TEE):
            if not stack:
                return []
            locals_[instruction.immediates[0]] = stack[-1] if opcode == LOCAL_TEE else stack.pop()
        elif opcode == LOCAL_GET:
            if instruction.immediates[0] not in locals_:
                return []
            stack.append(locals_[instruction.immediates[0]])
        elif opcode == I32_ADD:
            if len(stack) < 2:
                return []
            (left_base, left), (right_base, right) = stack.pop(), stack.pop()
            if (left_base is None) == (right_base is None):
                return []
            stack.append((left_base if left_base is not None else right_base, (left + right) & 0xFFFFFFFF))
        elif opcode == GLOBAL_SET:
            if not stack or stack[-1][0] is None:
                return []
            base, offset = stack.pop()
            groups.append((base, offset if offset < 0x80000000 else offset - 0x100000000, instruction.immediates[0]))
    return groups if not stack else []


def fix(data: bytes, where: str) -> tuple[bytes, int]:
    module = WasmBinary(data, where)
    start_section = module.section(SECTION_START)
    code_section = module.section(SECTION_CODE)
    if start_section is None or code_section is None:
        return data, 0
    start_function = module.reader(start_section).unsigned()
    imports = module.imports()
    imported_functions = sum(1 for entry in imports if entry.kind == "function")
    imported_globals = [entry for entry in imports if entry.kind == "global"]
    base_globals = {index for index, entry in enumerate(imported_globals)
                    if entry.module == "env" and entry.name in ("__memory_base", "__table_base")}
    expressions = module.function_expressions()
    if not 0 <= start_function - imported_functions < len(expressions):
        raise WasmFormatError(f"{where}: the start function {start_function} is not a defined function")
    instructions_start, body_end = expressions[start_function - imported_functions]
    instructions = list(decode_instructions(data, instructions_start, body_end, f"{where} start function"))
    if not instructions or instructions[-1].opcode != END or instructions[-1].end != body_end:
        raise WasmFormatError(f"{where}: could not decode the start function")
    groups = got_initialisations(instructions, base_globals) or _got_of_callees(module, instructions, base_globals,
                                                                                imported_functions, where)
    if not groups:
        return data, 0
    prefix = b"".join(bytes([GLOBAL_GET]) + encode_unsigned(base) + bytes([I32_CONST]) + encode_signed(constant)
                      + bytes([I32_ADD, GLOBAL_SET]) + encode_unsigned(target) for base, constant, target in groups)
    return _with_prefix(module, start_function - imported_functions, prefix), len(groups)


def apply_data_relocations_first(data: bytes, where: str) -> tuple[bytes, bool]:
    """Makes `__wasm_call_ctors` call `__wasm_apply_data_relocs` first, when the module exports
    both and its start function does not apply them itself (wasm-ld 19)."""
    module = WasmBinary(data, where)
    exported = {entry.name: entry.index for entry in module.exports() if entry.kind == "function"}
    apply, constructors = exported.get("__wasm_apply_data_relocs"), exported.get("__wasm_call_ctors")
    start_section = module.section(SECTION_START)
    if apply is None or constructors is None:
        return data, False
    imported_functions = sum(1 for entry in module.imports() if entry.kind == "function")
    expressions = module.function_expressions()

    def callees(function: int) -> set[int]:
        start, end = expressions[function - imported_functions]
        return {instruction.immediates[0] for instruction in decode_instructions(data, start, end, f"{where} function {function}")
                if instruction.opcode == CALL}

    if start_section is not None:
        start_function = module.reader(start_section).unsigned()
        called = callees(start_function)
        called |= {inner for callee in called if callee >= imported_functions for inner in callees(callee)}
        if apply in called:
            return data, False
    if apply in callees(constructors):
        return data, False
    return _with_prefix(module, constructors - imported_functions, bytes([CALL]) + encode_unsigned(apply)), True


def _with_prefix(module: WasmBinary, defined_function: int, prefix: bytes) -> bytes:
    """The module with `prefix` (encoded instructions) at the top of a defined function's
    body; the code section is re-encoded with the new body size."""
    data = module.data
    code_section = module.section(SECTION_CODE)
    reader = module.reader(code_section)
    count = reader.unsigned()
    bodies_start = reader.position
    for function_index in range(count):
        size_offset = reader.position
        body_size = reader.unsigned()
        body_start = reader.position
        body_end = body_start + body_size
        if function_index != defined_function:
            reader.position = body_end
            continue
        for _ in range(reader.unsigned()):  # local declarations
            reader.unsigned()
            reader.byte()
        instructions_start = reader.position
        new_body = data[body_start:instructions_start] + prefix + data[instructions_start:body_end]
        new_bodies = (data[bodies_start:size_offset] + encode_unsigned(len(new_body)) + new_body
                      + data[body_end:code_section.end])
        new_payload = encode_unsigned(count) + new_bodies
        section_header_start = _section_header_start(data, code_section)
        return (data[:section_header_start] + bytes([SECTION_CODE]) + encode_unsigned(len(new_payload))
                + new_payload + data[code_section.end:])
    raise WasmFormatError(f"{module.where}: no defined function {defined_function}")


def _got_of_callees(module: WasmBinary, instructions, base_globals: set[int], imported_functions: int,
                    where: str) -> list[tuple[int, int, int]]:
    """Without wasm-opt's inlining (a link at -O1) the start function is only calls:
    `__wasm_init_memory` (data and its relocations), then `__wasm_apply_global_relocs` (the
    GOT). The GOT initialisations of the callee that is nothing but them, if there is one."""
    body = instructions[:-1]
    if not body or any(instruction.opcode != CALL for instruction in body):
        return []
    expressions = module.function_expressions()
    for call in body:
        callee = call.immediates[0] - imported_functions
        if not 0 <= callee < len(expressions):
            continue
        start, end = expressions[callee]
        callee_instructions = list(decode_instructions(module.data, start, end, f"{where} function {call.immediates[0]}"))
        groups = got_initialisations(callee_instructions, base_globals)
        if groups and all(instruction.opcode in GOT_RUN_OPCODES for instruction in callee_instructions[:-1]):
            return groups
    return []


def _section_header_start(data: bytes, section) -> int:
    """Position of the id byte of a (non-custom) section, given its payload start."""
    for size_length in range(1, 6):
        start = section.start - size_length - 1
        if data[start] == SECTION_CODE:
            reader = Reader(data, start + 1)
            if reader.unsigned() == section.end - section.start and reader.position == section.start:
                return start
    raise WasmFormatError("cannot locate the code section header")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("wasm", type=Path, help="the main module, fixed in place")
    arguments = parser.parse_args()
    data = arguments.wasm.read_bytes()
    marker = b"hotswap-start-order-fixed"
    if marker in data[-64:]:
        return 0  # already fixed (the build re-runs POST_BUILD only after a relink, but be safe)
    fixed, relocations_moved = apply_data_relocations_first(data, str(arguments.wasm))
    # Moved to the constructors, the relocations run after the whole start function, GOT
    # included: the first fix is then for nothing (wasm-ld 19).
    fixed, groups = (fixed, 0) if relocations_moved else fix(fixed, str(arguments.wasm))
    if groups or relocations_moved:
        custom = encode_unsigned(len(marker)) + marker
        fixed += bytes([0]) + encode_unsigned(len(custom)) + custom
        arguments.wasm.write_bytes(fixed)
    if groups:
        print(f"{arguments.wasm.name}: internal GOT set before data relocations ({groups} entries)")
    if relocations_moved:
        print(f"{arguments.wasm.name}: data relocations applied by __wasm_call_ctors (main thread, once)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
