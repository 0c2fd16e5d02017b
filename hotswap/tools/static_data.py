"""Static variables of a patched source keep the program's storage.

Why it exists: a `static` variable (file-local, or local to a non-inline function, such as
a singleton's instance `static FrameLoop loop;`) has internal linkage, so a patch compiled
normally gets its own zeroed copy. With every function patchable, the patch's
`FrameLoop::instance()` would then build a second, empty frame loop: the page would lose
its scene, camera and workers. So the patch must use the program's copy, at the program's
address, as it already does for variables with external linkage (through GOT.mem).

The compiler decides how code reaches a variable, so the change is made before code is
generated: the source is compiled to LLVM IR without optimisation, each such variable is
renamed to a unique name and made a weak definition (code then reaches it through the GOT,
like any preemptible symbol), and the IR is compiled on with the source's own flags (the
same optimisation pipeline: unchanged functions come out identical). The loader binds the
new names to the program's addresses, which the program's link map gives
(NAME.link.map, written by hot_linker.py).

Only writable variables are bound (in the program's `.data.`/`.bss.` segments); a variable
declared const, even one initialised at run time (a lookup table computed from code the
user may be editing), gets a fresh copy computed by the patch's code. A static the program
does not have yet stays the patch's own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from patch_checks import demangle
from wasm_binary import SYMBOL_DATA, WasmBinary

# A line of wasm-ld's map for one input data segment: address, offset, size, "input:(segment)".
_MAP_SEGMENT = re.compile(r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+(\S.*):\((\.(?:data|bss)\.[^)]+)\)\s*$")
_CONST_DECLARATION = re.compile(r"\bstatic\b[^;{}()=]*\b(?:const|constexpr)\b[^;{}()=]*?\b([A-Za-z_]\w*)\s*[({=;\[]")
BOUND_PREFIX = "__hotswap_static."


class LinkMap:
    """Data addresses (relative to the program's memory base) by input file and symbol."""

    def __init__(self, path: Path):
        self.segments: dict[str, dict[str, tuple[int, int]]] = {}
        for line in path.read_text().splitlines():
            match = _MAP_SEGMENT.match(line)
            if match:
                address, size, source, segment = match.groups()
                symbol = segment.split(".", 2)[2]
                self.segments.setdefault(source, {})[symbol] = (int(address, 16), int(size, 16))

    def of_object(self, object_file: Path, build_dir: Path) -> dict[str, tuple[int, int]]:
        """The data of one of the program's objects: linked as itself, or from its target's archive."""
        relative = str(object_file.relative_to(build_dir)) if object_file.is_relative_to(build_dir) else str(object_file)
        if relative in self.segments:
            return self.segments[relative]
        match = re.search(r"CMakeFiles/([^/]+)\.dir/", relative)
        if match:
            member = f"lib{match.group(1)}.a({object_file.name})"
            found = [source for source in self.segments if source.endswith(member) and
                     (source == member or source.endswith("/" + member))]
            if len(found) == 1:
                return self.segments[found[0]]
        return {}


def writable_locals(object_file: Path) -> set[str]:
    """The file-local variables an object defines (not thread-local): candidates to bind."""
    return {symbol.name for symbol in WasmBinary.from_file(object_file).symbols()
            if symbol.kind == SYMBOL_DATA and symbol.defined and symbol.local and not symbol.tls and symbol.name}


def const_declared_names(source_text: str) -> set[str]:
    """Names the source declares `static ... const` (or constexpr)."""
    return set(_CONST_DECLARATION.findall(source_text))


@dataclass
class StaticBindings:
    """For one source: each variable to bind, its name in the patch, and its program address."""
    renamed: dict[str, str]              # symbol in the source's IR -> the patch's name for it
    addresses: dict[str, tuple[int, int]]  # the patch's name -> (address relative to memory base, size)


def bindings_for(source_key: str, source_text: str, program_object: Path, link_map: LinkMap, build_dir: Path) -> StaticBindings:
    program_data = link_map.of_object(program_object, build_dir)
    candidates = sorted(name for name in writable_locals(program_object) if name in program_data)
    if not candidates:
        return StaticBindings({}, {})
    constant = const_declared_names(source_text)
    readable = demangle(candidates)
    renamed, addresses = {}, {}
    for name in candidates:
        if readable[name].rsplit("::", 1)[-1].strip() in constant:  # "f()::table", "guard variable for f()::table"
            continue
        bound = f"{BOUND_PREFIX}{source_key}.{name}"
        renamed[name] = bound
        addresses[bound] = program_data[name]
    return StaticBindings(renamed, addresses)


def rewrite_ir(text: str, renamed: dict[str, str]) -> str:
    """Makes each renamed internal variable a weak definition under its new name."""
    for old, new in renamed.items():
        quoted_old = re.escape(old)
        reference = re.compile(r'@(?:"' + quoted_old + r'"|' + quoted_old + r')(?![\w.$-])')
        text = reference.sub('@"' + new + '"', text)
        definition = re.compile(r'^(@"' + re.escape(new) + r'" = )internal ', re.MULTILINE)
        text, count = definition.subn(r"\1weak ", text)
        if count != 1:
            raise ValueError(f"the IR does not define {old} as an internal variable")
    return text
