"""Run flags: each function a patch changed marks, the first time it runs, one byte of the
patch's memory, so the page can tell the user which of the changed functions have run.

Why it exists: "applied" is not "seen". A patch can change a function the picture does not
use right now (a material no object has, an error path); the patch log then says the edit is
live but has not run, instead of leaving the user to wonder why nothing changed.

The flags are bytes appended to the patch's memory (its dylink.0 memory size grows by one a
function; the loader zeroes a patch's memory when it reserves it, and the patch's own start
function only initialises its data). Each instrumented function begins with

    if (load8_u(__memory_base + flag) == 0) store8(__memory_base + flag, 1)

which reads a shared byte on every call and writes it once: on a cache line the cores keep
shared, so the cost after the first run is a load and a branch.
"""
from __future__ import annotations

from wasm_binary import (WasmBinary, WasmFormatError, encode_unsigned, is_dylink, module_sections, read_name_section,
                         with_dylink_memory_info, write_module)

SECTION_CODE = 10
GLOBAL_GET, I32_CONST, I32_LOAD8_U, I32_STORE8, I32_EQZ, IF, END, EMPTY_BLOCK = 0x23, 0x41, 0x2D, 0x3A, 0x45, 0x04, 0x0B, 0x40


def _mark_once(memory_base_global: int, flag: int) -> bytes:
    base = bytes([GLOBAL_GET]) + encode_unsigned(memory_base_global)
    memarg = b"\x00" + encode_unsigned(flag)  # alignment 1, offset = the flag
    return (base + bytes([I32_LOAD8_U]) + memarg + bytes([I32_EQZ, IF, EMPTY_BLOCK])
            + base + bytes([I32_CONST, 1, I32_STORE8]) + memarg + bytes([END]))


def add_run_flags(data: bytes, names: set[str], where: str = "patch") -> tuple[bytes, dict[str, int]]:
    """Instruments the defined functions of the side module `data` whose name is in `names`.
    Returns the new module and, per instrumented name, its flag's offset in the patch's memory."""
    module = WasmBinary(data, where)
    dylink = module.dylink()
    imports = module.imports()
    globals_ = [entry for entry in imports if entry.kind == "global"]
    memory_base = next((i for i, entry in enumerate(globals_) if (entry.module, entry.name) == ("env", "__memory_base")), None)
    if memory_base is None:
        raise WasmFormatError(f"{where}: imports no env.__memory_base, so its functions cannot mark their run flags")
    first_defined = sum(1 for entry in imports if entry.kind == "function")
    function_names = read_name_section(module)
    flags: dict[str, int] = {}
    next_flag = dylink.memory_size
    bodies = module.function_bodies()
    code = bytearray(encode_unsigned(len(bodies)))
    for number, ((start, end), (locals_end, _)) in enumerate(zip(bodies, module.function_expressions())):
        name = function_names.get(first_defined + number)
        body = data[start:end]
        if name in names:
            if name not in flags:
                flags[name] = next_flag
                next_flag += 1
            body = data[start:locals_end] + _mark_once(memory_base, flags[name]) + data[locals_end:end]
        code += encode_unsigned(len(body)) + body
    if not flags:
        return data, {}
    sections = []
    for section_id, payload in module_sections(data, where):
        if section_id == SECTION_CODE:
            payload = bytes(code)
        elif is_dylink(section_id, payload):
            payload = with_dylink_memory_info(payload, lambda _, align, table, table_align: (next_flag, align, table, table_align),
                                              where)
        sections.append((section_id, payload))
    return write_module(sections), flags
