"""Reading (and, for object files, minimally editing) WebAssembly binaries.

Why it exists: the hot-swap tools need a few facts that no Debian tool prints in a
machine-readable form: the symbol table of a wasm object file (to list the main module's
exports and to change the binding of weak functions in a patch), and a module's imports,
exports, function types and `dylink.0` metadata (to check a patch before it ships).
Only the sections those facts live in are decoded; everything else is skipped by size.
Format references: the WebAssembly core spec (binary format) and the tool conventions
"Linking.md" (object files) and "DynamicLinking.md" (dylink.0).
"""
from __future__ import annotations

import dataclasses
import struct

MAGIC = b"\0asm"
VERSION = b"\1\0\0\0"

# Section ids (core spec).
SECTION_CUSTOM, SECTION_TYPE, SECTION_IMPORT, SECTION_FUNCTION = 0, 1, 2, 3
SECTION_GLOBAL, SECTION_EXPORT = 6, 7
SECTION_CODE, SECTION_DATA = 10, 11

# Relocation types (Linking.md) that carry an addend, and the width of each patched field.
RELOCATIONS_WITH_ADDEND = {3, 4, 5, 8, 9, 11, 14, 15, 16, 17, 21, 22, 23, 25}
RELOCATION_WIDTH = {5: 4, 8: 4, 9: 4, 13: 4, 2: 4, 23: 4, 26: 4, 14: 10, 15: 10, 17: 10, 18: 10, 25: 10, 16: 8, 19: 8, 22: 8}
RELOCATION_TYPE_INDEX = 6  # R_WASM_TYPE_INDEX_LEB: the index is a type, not a symbol

# Symbol kinds and flags (tool conventions, Linking.md).
SYMBOL_FUNCTION, SYMBOL_DATA, SYMBOL_GLOBAL, SYMBOL_SECTION, SYMBOL_TAG, SYMBOL_TABLE = range(6)
FLAG_WEAK = 0x1
FLAG_LOCAL = 0x2
FLAG_HIDDEN = 0x4
FLAG_UNDEFINED = 0x10
FLAG_EXPORTED = 0x20
FLAG_EXPLICIT_NAME = 0x40
FLAG_NO_STRIP = 0x80
FLAG_TLS = 0x100
LINKING_SYMBOL_TABLE = 8

# dylink.0 subsections (DynamicLinking.md).
DYLINK_MEM_INFO, DYLINK_NEEDED, DYLINK_EXPORT_INFO, DYLINK_IMPORT_INFO = 1, 2, 3, 4

VALUE_TYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64", 0x7B: "v128", 0x70: "funcref", 0x6F: "externref"}
EXTERNAL_KINDS = {0: "function", 1: "table", 2: "memory", 3: "global", 4: "tag"}


class WasmFormatError(ValueError):
    """The bytes are not a wasm binary of the expected shape; the message says where."""


class Reader:
    def __init__(self, data: bytes, position: int = 0, end: int | None = None, where: str = "module"):
        self.data = data
        self.position = position
        self.end = len(data) if end is None else end
        self.where = where

    def fail(self, what: str) -> WasmFormatError:
        return WasmFormatError(f"{self.where}: {what} at byte {self.position}")

    def byte(self) -> int:
        if self.position >= self.end:
            raise self.fail("unexpected end")
        value = self.data[self.position]
        self.position += 1
        return value

    def unsigned(self) -> int:
        result = shift = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return result
            if shift > 35:
                raise self.fail("LEB128 too long")

    def signed(self) -> int:
        result = shift = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                if byte & 0x40:
                    result -= 1 << shift
                return result
            if shift > 70:
                raise self.fail("LEB128 too long")

    def bytes(self, count: int) -> bytes:
        if count < 0 or self.position + count > self.end:
            raise self.fail(f"{count} bytes run past the end")
        value = self.data[self.position:self.position + count]
        self.position += count
        return value

    def name(self) -> str:
        raw = self.bytes(self.unsigned())
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise self.fail("name is not UTF-8") from error

    def value_type(self) -> str:
        code = self.byte()
        if code not in VALUE_TYPES:
            raise self.fail(f"unknown value type 0x{code:02x}")
        return VALUE_TYPES[code]

    def limits(self) -> tuple[int, int | None]:
        flags = self.byte()
        minimum = self.unsigned()
        maximum = self.unsigned() if flags & 1 else None
        return minimum, maximum

    def constant_expression(self) -> int | str:
        """Decodes `i32.const N end` or `global.get G end`; returns N or 'global G'."""
        opcode = self.byte()
        if opcode == 0x41:
            value = self.signed()
        elif opcode == 0x42:
            value = self.signed()
        elif opcode == 0x23:
            value = f"global {self.unsigned()}"
        elif opcode == 0x43:
            value = struct.unpack("<f", self.bytes(4))[0]
        elif opcode == 0x44:
            value = struct.unpack("<d", self.bytes(8))[0]
        else:
            raise self.fail(f"unsupported constant expression opcode 0x{opcode:02x}")
        if self.byte() != 0x0B:
            raise self.fail("constant expression does not end")
        return value


@dataclasses.dataclass
class Section:
    id: int
    name: str          # custom sections only
    start: int         # first byte of the payload (after the name for custom sections)
    end: int


@dataclasses.dataclass
class Symbol:
    kind: int
    flags: int
    name: str | None
    flags_offset: int  # where the flags LEB128 starts in the file (for in-place edits)
    index: int = 0     # function, global, tag or table index; a section symbol's section
    segment: int = 0   # defined data: its segment, offset in it and size
    offset: int = 0
    size: int = 0

    @property
    def defined(self) -> bool:
        return not self.flags & FLAG_UNDEFINED

    @property
    def weak(self) -> bool:
        return bool(self.flags & FLAG_WEAK)

    @property
    def local(self) -> bool:
        return bool(self.flags & FLAG_LOCAL)

    @property
    def tls(self) -> bool:
        return bool(self.flags & FLAG_TLS)


@dataclasses.dataclass
class FunctionType:
    parameters: tuple[str, ...]
    results: tuple[str, ...]

    def __str__(self) -> str:
        return f"({', '.join(self.parameters)}) -> ({', '.join(self.results)})"


@dataclasses.dataclass
class Import:
    module: str
    name: str
    kind: str
    type_index: int | None = None      # functions
    global_type: str | None = None     # globals
    mutable: bool = False              # globals


@dataclasses.dataclass
class Export:
    name: str
    kind: str
    index: int


@dataclasses.dataclass
class DylinkInfo:
    memory_size: int = 0
    memory_align: int = 0   # log2
    table_size: int = 0
    table_align: int = 0    # log2
    needed: list[str] = dataclasses.field(default_factory=list)
    tls_exports: list[str] = dataclasses.field(default_factory=list)
    weak_imports: set[tuple[str, str]] = dataclasses.field(default_factory=set)  # (module, field) of weak imports


class WasmBinary:
    """A parsed module or object file. `where` names it in error messages."""

    def __init__(self, data: bytes, where: str = "module"):
        self.data = data
        self.where = where
        if data[:4] != MAGIC:
            raise WasmFormatError(f"{where}: not a WebAssembly binary (no \\0asm magic)")
        if data[4:8] != VERSION:
            raise WasmFormatError(f"{where}: unsupported WebAssembly version {data[4:8].hex()}")
        self.sections: list[Section] = []
        reader = Reader(data, 8, where=where)
        while reader.position < len(data):
            section_id = reader.byte()
            size = reader.unsigned()
            start = reader.position
            end = start + size
            if end > len(data):
                raise WasmFormatError(f"{where}: section {section_id} at byte {start} runs past the end of the file")
            name = ""
            if section_id == SECTION_CUSTOM:
                name_reader = Reader(data, start, end, where)
                name = name_reader.name()
                start = name_reader.position
            self.sections.append(Section(section_id, name, start, end))
            reader.position = end

    @classmethod
    def from_file(cls, path) -> "WasmBinary":
        with open(path, "rb") as file:
            return cls(file.read(), str(path))

    def section(self, section_id: int, name: str = "") -> Section | None:
        for section in self.sections:
            if section.id == section_id and section.name == name:
                return section
        return None

    def reader(self, section: Section) -> Reader:
        return Reader(self.data, section.start, section.end, f"{self.where} ({section.name or f'section {section.id}'})")

    # ---- Object files ---------------------------------------------------------------------

    def symbols(self) -> list[Symbol]:
        """The symbol table of an object file's `linking` section."""
        linking = self.section(SECTION_CUSTOM, "linking")
        if linking is None:
            raise WasmFormatError(f"{self.where}: no linking section (not a wasm object file)")
        reader = self.reader(linking)
        reader.unsigned()  # version
        # An undefined symbol without an explicit name is named by the import it refers to.
        imported: dict[int, list[str]] = {}
        kind_of_import = {"function": SYMBOL_FUNCTION, "global": SYMBOL_GLOBAL, "tag": SYMBOL_TAG, "table": SYMBOL_TABLE}
        for entry in self.imports():
            if entry.kind in kind_of_import:
                imported.setdefault(kind_of_import[entry.kind], []).append(entry.name)
        symbols: list[Symbol] = []
        while reader.position < reader.end:
            subsection = reader.byte()
            size = reader.unsigned()
            end = reader.position + size
            if subsection == LINKING_SYMBOL_TABLE:
                for _ in range(reader.unsigned()):
                    symbols.append(self._symbol(reader, imported))
            reader.position = end
        return symbols

    @staticmethod
    def _symbol(reader: Reader, imported: dict[int, list[str]]) -> Symbol:
        kind = reader.byte()
        flags_offset = reader.position
        flags = reader.unsigned()
        name = None
        index = segment = offset = size = 0
        if kind in (SYMBOL_FUNCTION, SYMBOL_GLOBAL, SYMBOL_TAG, SYMBOL_TABLE):
            index = reader.unsigned()
            if not flags & FLAG_UNDEFINED or flags & FLAG_EXPLICIT_NAME:
                name = reader.name()
            elif index < len(imported.get(kind, [])):
                name = imported[kind][index]
        elif kind == SYMBOL_DATA:
            name = reader.name()
            if not flags & FLAG_UNDEFINED:
                segment, offset, size = reader.unsigned(), reader.unsigned(), reader.unsigned()
        elif kind == SYMBOL_SECTION:
            index = reader.unsigned()
        else:
            raise reader.fail(f"unknown symbol kind {kind}")
        return Symbol(kind, flags, name, flags_offset, index, segment, offset, size)

    def relocations(self, section_name: str = "reloc.CODE") -> list[tuple[int, int, int, int]]:
        """(type, offset in the target section's payload, symbol or type index, addend) of an
        object file's relocation section."""
        section = self.section(SECTION_CUSTOM, section_name)
        if section is None:
            return []
        reader = self.reader(section)
        reader.unsigned()  # the section the relocations apply to
        entries = []
        for _ in range(reader.unsigned()):
            kind = reader.byte()
            offset = reader.unsigned()
            index = reader.unsigned()
            addend = reader.signed() if kind in RELOCATIONS_WITH_ADDEND else 0
            entries.append((kind, offset, index, addend))
        return entries

    def function_bodies(self) -> list[tuple[int, int]]:
        """(start, end) in the file of each defined function's body (after its size), in order."""
        section = self.section(SECTION_CODE)
        if section is None:
            return []
        reader = self.reader(section)
        bodies = []
        for _ in range(reader.unsigned()):
            size = reader.unsigned()
            bodies.append((reader.position, reader.position + size))
            reader.position += size
        return bodies

    def function_expressions(self) -> list[tuple[int, int]]:
        """(start, end) in the file of each defined function's instructions (its locals skipped)."""
        expressions = []
        for start, end in self.function_bodies():
            reader = Reader(self.data, start, end, self.where)
            for _ in range(reader.unsigned()):
                reader.unsigned()
                reader.byte()
            expressions.append((reader.position, end))
        return expressions

    def data_segments(self) -> list[bytes]:
        """The bytes of each data segment, in order (an object's .bss segments hold zeros)."""
        return [data for _, data in self.data_segments_placed()]

    def data_segments_placed(self) -> list[tuple[int, bytes]]:
        """(where its bytes start, counted from the data section's payload as relocation
        offsets are; its bytes) of each data segment, in order."""
        section = self.section(SECTION_DATA)
        if section is None:
            return []
        reader = self.reader(section)
        segments = []
        for _ in range(reader.unsigned()):
            flags = reader.unsigned()
            if flags == 2:
                reader.unsigned()
            if flags in (0, 2):
                reader.constant_expression()
            size = reader.unsigned()
            segments.append((reader.position - section.start, reader.bytes(size)))
        return segments

    # ---- Modules ----------------------------------------------------------------------------

    def types(self) -> list[FunctionType]:
        section = self.section(SECTION_TYPE)
        if section is None:
            return []
        reader = self.reader(section)
        types = []
        for _ in range(reader.unsigned()):
            form = reader.byte()
            if form != 0x60:
                raise reader.fail(f"unexpected type form 0x{form:02x}")
            parameters = tuple(reader.value_type() for _ in range(reader.unsigned()))
            results = tuple(reader.value_type() for _ in range(reader.unsigned()))
            types.append(FunctionType(parameters, results))
        return types

    def imports(self) -> list[Import]:
        section = self.section(SECTION_IMPORT)
        if section is None:
            return []
        reader = self.reader(section)
        imports = []
        for _ in range(reader.unsigned()):
            module, name = reader.name(), reader.name()
            kind_code = reader.byte()
            kind = EXTERNAL_KINDS.get(kind_code)
            if kind is None:
                raise reader.fail(f"unknown import kind {kind_code}")
            entry = Import(module, name, kind)
            if kind == "function":
                entry.type_index = reader.unsigned()
            elif kind == "table":
                reader.byte()
                reader.limits()
            elif kind == "memory":
                reader.limits()
            elif kind == "global":
                entry.global_type = reader.value_type()
                entry.mutable = bool(reader.byte())
            else:
                reader.byte()
                reader.unsigned()
            imports.append(entry)
        return imports

    def function_type_indices(self) -> list[int]:
        """Type index of every function *defined* in the module (function section)."""
        section = self.section(SECTION_FUNCTION)
        if section is None:
            return []
        reader = self.reader(section)
        return [reader.unsigned() for _ in range(reader.unsigned())]

    def exports(self) -> list[Export]:
        section = self.section(SECTION_EXPORT)
        if section is None:
            return []
        reader = self.reader(section)
        exports = []
        for _ in range(reader.unsigned()):
            name = reader.name()
            kind_code = reader.byte()
            exports.append(Export(name, EXTERNAL_KINDS.get(kind_code, f"kind {kind_code}"), reader.unsigned()))
        return exports

    def function_types_by_export(self) -> dict[str, FunctionType]:
        """Signature of every exported function."""
        types = self.types()
        imported = [entry for entry in self.imports() if entry.kind == "function"]
        signatures = [types[entry.type_index] for entry in imported] + [types[index] for index in self.function_type_indices()]
        return {export.name: signatures[export.index] for export in self.exports() if export.kind == "function"}

    def dylink(self) -> DylinkInfo:
        section = self.section(SECTION_CUSTOM, "dylink.0")
        if section is None:
            raise WasmFormatError(f"{self.where}: no dylink.0 section (not a side module)")
        if self.sections[0] is not section:
            raise WasmFormatError(f"{self.where}: dylink.0 must be the first section")
        reader = self.reader(section)
        info = DylinkInfo()
        while reader.position < reader.end:
            subsection = reader.byte()
            size = reader.unsigned()
            end = reader.position + size
            if subsection == DYLINK_MEM_INFO:
                info.memory_size = reader.unsigned()
                info.memory_align = reader.unsigned()
                info.table_size = reader.unsigned()
                info.table_align = reader.unsigned()
            elif subsection == DYLINK_NEEDED:
                info.needed = [reader.name() for _ in range(reader.unsigned())]
            elif subsection == DYLINK_EXPORT_INFO:
                for _ in range(reader.unsigned()):
                    name, flags = reader.name(), reader.unsigned()
                    if flags & FLAG_TLS:
                        info.tls_exports.append(name)
            elif subsection == DYLINK_IMPORT_INFO:
                for _ in range(reader.unsigned()):
                    module, field, flags = reader.name(), reader.name(), reader.unsigned()
                    if flags & FLAG_WEAK:
                        info.weak_imports.add((module, field))
            if reader.position > end:
                raise reader.fail(f"dylink.0 subsection {subsection} overruns its size")
            reader.position = end
        return info


# ---- Whole modules: sections as (id, payload), for tools that rewrite a module ---------

def module_sections(data: bytes, where: str = "module") -> list[tuple[int, bytes]]:
    """Every section in order as (id, payload); a custom section's payload includes its name."""
    if data[:4] != MAGIC or data[4:8] != VERSION:
        raise WasmFormatError(f"{where}: not a WebAssembly binary")
    sections = []
    reader = Reader(data, 8, where=where)
    while reader.position < len(data):
        section_id = reader.byte()
        size = reader.unsigned()
        sections.append((section_id, reader.bytes(size)))
    return sections


def write_module(sections: list[tuple[int, bytes]]) -> bytes:
    return MAGIC + VERSION + b"".join(bytes([section_id]) + encode_unsigned(len(payload)) + payload
                                      for section_id, payload in sections)


def with_dylink_memory_info(payload: bytes, update, where: str = "module") -> bytes:
    """A dylink.0 section's payload (name included) whose memory info subsection is
    update(memory_size, memory_align, table_size, table_align) -> the four new values."""
    reader = Reader(payload, 0, len(payload), where)
    reader.name()
    out = bytearray(payload[:reader.position])
    while reader.position < len(payload):
        subsection = reader.byte()
        size = reader.unsigned()
        end = reader.position + size
        if subsection == DYLINK_MEM_INFO:
            values = update(*(reader.unsigned() for _ in range(4)))
            body = b"".join(encode_unsigned(value) for value in values)
        else:
            body = payload[reader.position:end]
        out += bytes([subsection]) + encode_unsigned(len(body)) + body
        reader.position = end
    return bytes(out)


def without_export_info(payload: bytes, where: str = "module") -> bytes:
    """A dylink.0 payload without its export info subsection (which only flags thread-locals)."""
    reader = Reader(payload, 0, len(payload), where)
    reader.name()
    out = bytearray(payload[:reader.position])
    while reader.position < len(payload):
        start = reader.position
        subsection = reader.byte()
        end = reader.unsigned() + reader.position
        if subsection != DYLINK_EXPORT_INFO:
            out += payload[start:end]
        reader.position = end
    return bytes(out)


def is_dylink(section_id: int, payload: bytes) -> bool:
    return section_id == SECTION_CUSTOM and payload.startswith(b"\x08dylink.0")


def read_name_section(module: "WasmBinary") -> dict[int, str]:
    """Function index -> name, from the `name` section (empty when there is none)."""
    section = module.section(SECTION_CUSTOM, "name")
    if section is None:
        return {}
    reader = module.reader(section)
    names: dict[int, str] = {}
    while reader.position < reader.end:
        subsection = reader.byte()
        size = reader.unsigned()
        end = reader.position + size
        if subsection == 1:  # function names
            for _ in range(reader.unsigned()):
                index = reader.unsigned()
                names[index] = reader.name()
        reader.position = end
    return names


# ---- Instructions -----------------------------------------------------------------------

@dataclasses.dataclass
class Instruction:
    offset: int                 # position of the opcode in the data
    opcode: int                 # first byte; prefixed instructions keep the prefix here
    sub_opcode: int | None      # for 0xFC / 0xFD / 0xFE prefixed instructions
    immediates: tuple           # decoded immediates (LEB values)
    end: int                    # position after the instruction


_MEMARG_OPCODES = set(range(0x28, 0x3F))
_ONE_INDEX_OPCODES = {0x0C, 0x0D, 0x10, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0xD2}


def decode_instructions(data: bytes, start: int, end: int, where: str = "function"):
    """Yields the instructions of a function body's expression (after its locals).
    Covers the MVP, sign-extension, bulk-memory, reference-type, threads and SIMD opcodes."""
    reader = Reader(data, start, end, where)
    while reader.position < end:
        offset = reader.position
        opcode = reader.byte()
        sub, immediates = None, ()
        if opcode in (0x02, 0x03, 0x04):           # block, loop, if: block type
            kind = data[reader.position]
            if kind == 0x40 or kind in VALUE_TYPES:
                reader.byte()
            else:
                reader.signed()
        elif opcode == 0x0E:                        # br_table
            immediates = tuple(reader.unsigned() for _ in range(reader.unsigned() + 1))
        elif opcode in _ONE_INDEX_OPCODES:
            immediates = (reader.unsigned(),)
        elif opcode == 0x11:                        # call_indirect
            immediates = (reader.unsigned(), reader.unsigned())
        elif opcode == 0x1C:                        # select with types
            immediates = tuple(reader.byte() for _ in range(reader.unsigned()))
        elif opcode in _MEMARG_OPCODES:
            immediates = (reader.unsigned(), reader.unsigned())
        elif opcode in (0x3F, 0x40, 0xD0):          # memory.size/grow, ref.null
            reader.byte()
        elif opcode in (0x41, 0x42):
            immediates = (reader.signed(),)
        elif opcode == 0x43:
            reader.bytes(4)
        elif opcode == 0x44:
            reader.bytes(8)
        elif opcode == 0xFC:
            sub = reader.unsigned()
            if sub == 8:
                immediates = (reader.unsigned(),)
                reader.byte()
            elif sub in (9, 13, 15, 16, 17):
                immediates = (reader.unsigned(),)
            elif sub == 10:
                reader.byte(), reader.byte()
            elif sub == 11:
                reader.byte()
            elif sub in (12, 14):
                immediates = (reader.unsigned(), reader.unsigned())
        elif opcode == 0xFE:
            sub = reader.unsigned()
            if sub == 0x03:
                reader.byte()
            else:
                immediates = (reader.unsigned(), reader.unsigned())
        elif opcode == 0xFD:
            sub = reader.unsigned()
            if sub <= 0x0B or sub in (0x5C, 0x5D):   # loads and stores
                immediates = (reader.unsigned(), reader.unsigned())
            elif sub in (0x0C, 0x0D):                 # v128.const, i8x16.shuffle
                reader.bytes(16)
            elif 0x15 <= sub <= 0x22:                 # lane access
                reader.byte()
            elif 0x54 <= sub <= 0x5B:                 # load/store lane
                immediates = (reader.unsigned(), reader.unsigned())
                reader.byte()
        yield Instruction(offset, opcode, sub, immediates, reader.position)


def encode_unsigned(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def encode_signed(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        done = (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)
