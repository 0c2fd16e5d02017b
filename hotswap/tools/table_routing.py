"""Makes every function of a program's own sources hot: calls to it go through its table slot.

Why it exists: WebAssembly code is immutable and `call $f` is fixed when an instance is
made, but each instance's function table can be changed. So every direct call to a
function the program's own sources define becomes a `call_indirect` on that function's slot
(the route binaryen's wasm-split takes), and each exported name of such a function is
re-pointed to a small trampoline that calls through the slot too (JavaScript's calls into
the program and a patch's calls to program functions). Function pointers and vtables
already hold slot numbers. A patch then changes what runs by writing the slots of the
functions it redefines in each instance's own table (hotswap/js/hotswap_linker.js).

Runs on wasm-ld's output, before Emscripten's finalize and wasm-opt (hot_linker.py), so that
binaryen can neither inline a hot function into its callers nor merge it away: a call
through the table is opaque to it. The slots sit in the module's one element segment:
a function that already has an entry (its address is taken) keeps it, the others are
appended, and the table's declared size grows by as many.

It also writes the facts the loader and the builder need about the program (the "table
map", <program>.hotswap.json, format in docs/ARCHITECTURE.md, "Table layout"): the slot
of every hot function and of every other named function in the table, and the program's
direct-call graph (which functions a function calls), by function name.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fix_start_order import got_initialisations
from wasm_binary import (VALUE_TYPES, Reader, WasmBinary, WasmFormatError, decode_instructions, encode_signed,
                         encode_unsigned, is_dylink, module_sections, read_name_section, with_dylink_memory_info,
                         without_export_info, write_module)

SECTION_TYPE, SECTION_IMPORT, SECTION_FUNCTION, SECTION_EXPORT, SECTION_ELEMENT, SECTION_CODE = 1, 2, 3, 7, 9, 10
CALL, CALL_INDIRECT, LOCAL_GET, GLOBAL_GET, I32_CONST, I32_ADD, END = 0x10, 0x11, 0x20, 0x23, 0x41, 0x6A, 0x0B
TABLE_MAP_FORMAT = 1
GLOBAL_RELOCATIONS_FUNCTION = "__wasm_apply_global_relocs"  # wasm-ld's: sets the internal GOT
TABLE_BASE_GLOBAL = ("env", "__table_base")

# How many immediates each opcode has, for skipping instructions quickly (core spec,
# threads, SIMD, bulk memory, reference types).
_NONE, _ULEB, _BLOCK, _BR_TABLE, _TWO_ULEB, _SLEB, _F32, _F64, _BYTE, _SELECT_T, _PREFIX_FC, _PREFIX_FD, _PREFIX_FE = range(13)
_IMMEDIATES = [_NONE] * 256
for _opcode in (0x02, 0x03, 0x04):
    _IMMEDIATES[_opcode] = _BLOCK
for _opcode in (0x0C, 0x0D, 0x10, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0xD2):
    _IMMEDIATES[_opcode] = _ULEB
_IMMEDIATES[0x0E] = _BR_TABLE
_IMMEDIATES[0x11] = _TWO_ULEB
_IMMEDIATES[0x1C] = _SELECT_T
for _opcode in range(0x28, 0x3F):
    _IMMEDIATES[_opcode] = _TWO_ULEB  # memarg: alignment, offset
_IMMEDIATES[0x3F] = _IMMEDIATES[0x40] = _IMMEDIATES[0xD0] = _BYTE
_IMMEDIATES[0x41] = _IMMEDIATES[0x42] = _SLEB
_IMMEDIATES[0x43] = _F32
_IMMEDIATES[0x44] = _F64
_IMMEDIATES[0xFC] = _PREFIX_FC
_IMMEDIATES[0xFD] = _PREFIX_FD
_IMMEDIATES[0xFE] = _PREFIX_FE


def _skip_leb(data: bytes, position: int) -> int:
    while data[position] & 0x80:
        position += 1
    return position + 1


def _read_uleb(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, position


def direct_calls(data: bytes, start: int, end: int, globals_read: set[int] | None = None) -> list[tuple[int, int, int]]:
    """(offset of the `call`, offset after it, callee) of every direct call in an expression;
    the globals it reads (global.get) go into `globals_read` when one is given."""
    calls = []
    position = start
    immediates = _IMMEDIATES
    while position < end:
        opcode = data[position]
        kind = immediates[opcode]
        at = position
        position += 1
        if kind == _NONE:
            continue
        # The commonest immediates (a local's index, a memory access's alignment and offset)
        # are one byte: skipped here without a call, which halves the time of a program's scan.
        if kind == _ULEB:
            if opcode == CALL:
                callee, position = _read_uleb(data, position)
                calls.append((at, position, callee))
            elif opcode == GLOBAL_GET and globals_read is not None:
                read, position = _read_uleb(data, position)
                globals_read.add(read)
            elif data[position] < 0x80:
                position += 1
            else:
                position = _skip_leb(data, position)
        elif kind == _TWO_ULEB:
            position = position + 1 if data[position] < 0x80 else _skip_leb(data, position)
            position = position + 1 if data[position] < 0x80 else _skip_leb(data, position)
        elif kind == _SLEB:
            position = _skip_leb(data, position)
        elif kind == _BLOCK:
            if data[position] == 0x40 or data[position] in VALUE_TYPES:
                position += 1
            else:
                position = _skip_leb(data, position)
        elif kind == _BR_TABLE:
            count, position = _read_uleb(data, position)
            for _ in range(count + 1):
                position = _skip_leb(data, position)
        elif kind == _BYTE:
            position += 1
        elif kind == _F32:
            position += 4
        elif kind == _F64:
            position += 8
        elif kind == _SELECT_T:
            count, position = _read_uleb(data, position)
            position += count
        elif kind == _PREFIX_FC:
            sub, position = _read_uleb(data, position)
            if sub == 8:                       # memory.init segment, memory
                position = _skip_leb(data, position) + 1
            elif sub in (9, 13, 15, 16, 17):   # data.drop, elem.drop, table.grow/size/fill
                position = _skip_leb(data, position)
            elif sub == 10:                    # memory.copy
                position += 2
            elif sub == 11:                    # memory.fill
                position += 1
            elif sub in (12, 14):              # table.init, table.copy
                position = _skip_leb(data, _skip_leb(data, position))
        elif kind == _PREFIX_FE:
            sub, position = _read_uleb(data, position)
            if sub == 0x03:                    # atomic.fence
                position += 1
            else:
                position = _skip_leb(data, _skip_leb(data, position))
        elif kind == _PREFIX_FD:
            sub, position = _read_uleb(data, position)
            if sub <= 0x0B or sub in (0x5C, 0x5D):
                position = _skip_leb(data, _skip_leb(data, position))
            elif sub in (0x0C, 0x0D):
                position += 16
            elif 0x15 <= sub <= 0x22:
                position += 1
            elif 0x54 <= sub <= 0x5B:
                position = _skip_leb(data, _skip_leb(data, position)) + 1
    if position != end:
        raise WasmFormatError(f"an instruction runs past the end of its function body (byte {position}, end {end})")
    return calls


@dataclass
class RoutingResult:
    module: bytes
    table_map: dict
    hot_functions: int      # functions whose calls now go through the table
    rewritten_calls: int    # direct calls turned into calls through a slot
    appended_slots: int     # slots added to the element segment


def route_calls_through_table(data: bytes, hot_names: set[str], where: str = "module") -> RoutingResult:
    module = WasmBinary(data, where)
    sections = module_sections(data, where)
    types = module.types()
    imports = module.imports()
    imported_functions = [entry for entry in imports if entry.kind == "function"]
    imported_globals = [entry for entry in imports if entry.kind == "global"]
    table_base = next((index for index, entry in enumerate(imported_globals)
                       if (entry.module, entry.name) == TABLE_BASE_GLOBAL), None)
    if table_base is None:
        raise WasmFormatError(f"{where}: no imported {'.'.join(TABLE_BASE_GLOBAL)}: not a relocatable main module (-sMAIN_MODULE)")
    function_types = [entry.type_index for entry in imported_functions] + module.function_type_indices()
    first_defined = len(imported_functions)
    names = read_name_section(module)

    # The hot functions: defined here and exported under a name the program's sources define.
    # Thread-locals are not exported: no patch can use the program's (docs/ARCHITECTURE.md),
    # and Emscripten 3.1.6 does not handle a main module's thread-local exports.
    thread_locals = set(module.dylink().tls_exports)
    exports = [export for export in module.exports() if export.name not in thread_locals]
    hot: dict[int, str] = {}
    for export in exports:
        if export.kind == "function" and export.name in hot_names and export.index >= first_defined:
            hot.setdefault(export.index, export.name)

    # Their slots: an existing element entry, else a new one at the end of the segment.
    entries = _read_element_segment(module, where, table_base)
    slot_of: dict[int, int] = {}
    for position, function in enumerate(entries):
        slot_of.setdefault(function, position)
    appended = 0
    for function in sorted(hot):
        if function not in slot_of:
            slot_of[function] = len(entries)
            entries.append(function)
            appended += 1

    # Every direct call to a hot function goes through its slot; the call graph is kept.
    # Every direct call to a hot function goes through its slot. The call graph is kept, and
    # counts taking a function's address as calling it: C++ exceptions call through JS
    # (invoke_*) with the function's address, so code in a try block is reached that way.
    address_globals = _function_address_globals(module, names, table_base, entries)
    bodies = module.function_bodies()
    body_count = len(bodies)
    new_bodies = bytearray()
    calls_of: list[list[int]] = []
    rewritten = 0
    for (body_start, body_end), (expression_start, _) in zip(bodies, module.function_expressions()):
        globals_read: set[int] = set()
        calls = direct_calls(data, expression_start, body_end, globals_read)
        callees = {callee for _, _, callee in calls} | {address_globals[g] for g in globals_read if g in address_globals}
        calls_of.append(sorted(callee - first_defined for callee in callees if callee >= first_defined))
        body, count = _with_calls_replaced(data, body_start, expression_start, body_end, calls, {
            callee: _call_through_slot(slot_of[callee], table_base, function_types[callee]) for _, _, callee in calls if callee in hot})
        rewritten += count
        new_bodies += encode_unsigned(len(body)) + body

    # A trampoline per hot function, for the names it is exported under.
    trampolines = {}
    for function in sorted(hot):
        type_index = function_types[function]
        parameters = len(types[type_index].parameters)
        body = (b"\x00" + b"".join(bytes([LOCAL_GET]) + encode_unsigned(i) for i in range(parameters))
                + _call_through_slot(slot_of[function], table_base, type_index) + bytes([END]))
        trampolines[function] = first_defined + body_count + len(trampolines)
        new_bodies += encode_unsigned(len(body)) + body
    total_bodies = body_count + len(trampolines)

    rebuilt = []
    for section_id, payload in sections:
        if section_id == SECTION_FUNCTION:
            type_indices = module.function_type_indices() + [function_types[f] for f in sorted(hot)]
            payload = encode_unsigned(len(type_indices)) + b"".join(encode_unsigned(t) for t in type_indices)
        elif section_id == SECTION_IMPORT:
            payload = _grow_imported_table(payload, appended, where)
        elif section_id == SECTION_EXPORT:
            payload = _export_trampolines(exports, trampolines)
        elif section_id == SECTION_ELEMENT:
            payload = (b"\x01" + b"\x00" + bytes([GLOBAL_GET]) + encode_unsigned(table_base) + bytes([END])
                       + encode_unsigned(len(entries)) + b"".join(encode_unsigned(f) for f in entries))
        elif section_id == SECTION_CODE:
            payload = encode_unsigned(total_bodies) + bytes(new_bodies)
        elif is_dylink(section_id, payload):
            payload = with_dylink_memory_info(
                payload, lambda memory, align, table, table_align: (memory, align, table + appended, table_align), where)
            payload = without_export_info(payload, where)
        rebuilt.append((section_id, payload))

    # The table map: slots by name, and the call graph by function name.
    slots: dict[str, int] = {}
    named_count: dict[str, int] = {}
    for function in set(entries):
        name = names.get(function)
        if name:
            named_count[name] = named_count.get(name, 0) + 1
    for function, position in slot_of.items():
        name = hot.get(function) or names.get(function)
        if name and (function in hot or named_count.get(name) == 1):  # a local name may repeat: skip those
            slots[name] = position
    table_map = {
        "format": TABLE_MAP_FORMAT,
        "hot": sorted(hot.values()),
        "slots": dict(sorted(slots.items())),
        "functions": [names.get(first_defined + i, "") for i in range(body_count)],
        "calls": calls_of,
    }
    return RoutingResult(write_module(rebuilt), table_map, len(hot), rewritten, appended)


def route_patch_calls(data: bytes, program_slots: dict[str, int], where: str = "patch") -> tuple[bytes, int]:
    """A patch's own calls go through the program's slots too. Inside a side module wasm-ld
    links a call to a function the module defines as a direct call, so code running in an
    older patch would keep calling that patch's copies: a loop that never leaves a module
    (the frame loop's frame_complete -> start_frame -> the workers' tasks -> frame_complete)
    would run patch N's code after patch N+1 committed. So every direct call to a function
    this patch defines and exports under a name in `program_slots` (name -> absolute slot
    in the program's table: the loader writes those slots with the newest patch's code)
    becomes `i32.const slot; call_indirect`. Returns the module and the calls rewritten."""
    module = WasmBinary(data, where)
    imported_functions = [entry for entry in module.imports() if entry.kind == "function"]
    function_types = [entry.type_index for entry in imported_functions] + module.function_type_indices()
    first_defined = len(imported_functions)
    slot_of = {export.index: program_slots[export.name] for export in module.exports()
               if export.kind == "function" and export.index >= first_defined and export.name in program_slots}
    if not slot_of:
        return data, 0
    new_bodies = bytearray()
    bodies = module.function_bodies()
    rewritten = 0
    through_slot = {callee: bytes([I32_CONST]) + encode_signed(slot) + bytes([CALL_INDIRECT])
                    + encode_unsigned(function_types[callee]) + b"\x00" for callee, slot in slot_of.items()}
    for (body_start, body_end), (expression_start, _) in zip(bodies, module.function_expressions()):
        body, count = _with_calls_replaced(data, body_start, expression_start, body_end,
                                           direct_calls(data, expression_start, body_end), through_slot)
        rewritten += count
        new_bodies += encode_unsigned(len(body)) + body
    if not rewritten:
        return data, 0
    code = encode_unsigned(len(bodies)) + bytes(new_bodies)
    return write_module([(section_id, code if section_id == SECTION_CODE else payload)
                         for section_id, payload in module_sections(data, where)]), rewritten


def _with_calls_replaced(data: bytes, body_start: int, expression_start: int, body_end: int,
                         calls: list[tuple[int, int, int]], replacement: dict[int, bytes]) -> tuple[bytes, int]:
    """A function body with each direct call (from direct_calls) to a callee in `replacement`
    replaced by its code; also how many were replaced."""
    pieces = [data[body_start:expression_start]]
    copied = expression_start
    count = 0
    for at, after, callee in calls:
        if callee in replacement:
            pieces += [data[copied:at], replacement[callee]]
            copied = after
            count += 1
    pieces.append(data[copied:body_end])
    return b"".join(pieces), count


def _function_address_globals(module: WasmBinary, names: dict[int, str], table_base: int,
                               entries: list[int]) -> dict[int, int]:
    """Global -> function, for each internal GOT global holding a function's address: wasm-ld
    sets them (in __wasm_apply_global_relocs) to __table_base + the function's element."""
    by_name = {name: index for index, name in names.items()}
    relocating = by_name.get(GLOBAL_RELOCATIONS_FUNCTION)
    if relocating is None:
        return {}
    imports = module.imports()
    first_defined = sum(1 for entry in imports if entry.kind == "function")
    bases = {index for index, entry in enumerate(entry for entry in imports if entry.kind == "global")
             if entry.module == "env" and entry.name in ("__memory_base", "__table_base")}
    start, end = module.function_expressions()[relocating - first_defined]
    instructions = list(decode_instructions(module.data, start, end, GLOBAL_RELOCATIONS_FUNCTION))
    return {target: entries[offset] for base, offset, target in got_initialisations(instructions, bases)
            if base == table_base and 0 <= offset < len(entries)}


def _call_through_slot(slot: int, table_base_global: int, type_index: int) -> bytes:
    """`call_indirect` of the function in table slot __table_base + slot."""
    return (bytes([I32_CONST]) + encode_signed(slot) + bytes([GLOBAL_GET]) + encode_unsigned(table_base_global)
            + bytes([I32_ADD, CALL_INDIRECT]) + encode_unsigned(type_index) + b"\x00")


def _read_element_segment(module: WasmBinary, where: str, table_base: int) -> list[int]:
    """The entries of the module's one element segment, which must sit at __table_base."""
    section = module.section(SECTION_ELEMENT)
    if section is None:
        raise WasmFormatError(f"{where}: no element segment (a relocatable main module has one at __table_base)")
    reader = module.reader(section)
    if reader.unsigned() != 1:
        raise WasmFormatError(f"{where}: expected exactly one element segment")
    flags = reader.unsigned()
    if flags != 0:
        raise WasmFormatError(f"{where}: element segment kind {flags} is not supported (expected an active funcref segment)")
    offset = reader.constant_expression()
    if offset != f"global {table_base}":
        raise WasmFormatError(f"{where}: the element segment does not start at __table_base ({offset})")
    return [reader.unsigned() for _ in range(reader.unsigned())]


def _grow_imported_table(payload: bytes, extra: int, where: str) -> bytes:
    """The import section with the imported table's minimum size raised by `extra`."""
    reader = Reader(payload, 0, len(payload), where)
    out = bytearray()
    count = reader.unsigned()
    out += encode_unsigned(count)
    for _ in range(count):
        start = reader.position
        reader.name(), reader.name()
        kind = reader.byte()
        if kind == 1:  # table: element type, limits
            out += payload[start:reader.position]
            out.append(reader.byte())
            flags = reader.byte()
            minimum = reader.unsigned()
            out += bytes([flags]) + encode_unsigned(minimum + extra)
            if flags & 1:
                out += encode_unsigned(reader.unsigned() + extra)
            continue
        if kind == 0:
            reader.unsigned()
        elif kind == 2:
            reader.limits()
        elif kind == 3:
            reader.byte(), reader.byte()
        else:
            reader.byte(), reader.unsigned()
        out += payload[start:reader.position]
    return bytes(out)


def _export_trampolines(exports, trampolines: dict[int, int]) -> bytes:
    kinds = {"function": 0, "table": 1, "memory": 2, "global": 3, "tag": 4}
    out = bytearray(encode_unsigned(len(exports)))
    for export in exports:
        index = trampolines.get(export.index, export.index) if export.kind == "function" else export.index
        name = export.name.encode()
        out += encode_unsigned(len(name)) + name + bytes([kinds[export.kind]]) + encode_unsigned(index)
    return bytes(out)


def write_table_map(table_map: dict, path: Path) -> None:
    path.write_text(json.dumps(table_map, separators=(",", ":")))
