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

File-local thread-locals (`static thread_local`, a function's `static thread_local`, and the
guard of the file's thread-local initialisers) are bound the same way, to the program's
copy of each thread: their place is an offset in the program's thread-local block
(`.tdata.`/`.tbss.` in the link map), which the loader adds to each thread's block address.

The program's optimiser may have split a struct variable into one variable per field
(GlobalOpt: NAME.0, NAME.1, ...), where the patch's unoptimised IR has NAME. One piece left
(a one-field struct such as std::atomic) is the variable and is bound, when its size agrees;
a variable split in several pieces cannot be: the patch keeps its own copy, with a warning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from patch_checks import demangle
from wasm_binary import SYMBOL_DATA, WasmBinary

# A line of wasm-ld's map for one input data segment: address, offset, size, "input:(segment)".
# For a thread-local segment (.tdata., .tbss.) the address is an offset in the thread-local block.
_MAP_SEGMENT = re.compile(r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+(\S.*):\((\.(t?data|t?bss)\.[^)]+)\)\s*$")
_CONST_DECLARATION = re.compile(r"\bstatic\b[^;{}()=]*\b(?:const|constexpr)\b[^;{}()=]*?\b([A-Za-z_]\w*)\s*[({=;\[]")
BOUND_PREFIX = "__hotswap_static."


class LinkMap:
    """Data addresses (relative to the program's memory base) and thread-local offsets (in a
    thread's block) by input file and symbol."""

    def __init__(self, path: Path):
        self.segments: dict[str, dict[str, tuple[int, int]]] = {}
        self.thread_local_segments: dict[str, dict[str, tuple[int, int]]] = {}
        for line in path.read_text().splitlines():
            match = _MAP_SEGMENT.match(line)
            if match:
                address, size, source, segment, kind = match.groups()
                symbol = segment.split(".", 2)[2]
                table = self.thread_local_segments if kind.startswith("t") else self.segments
                table.setdefault(source, {})[symbol] = (int(address, 16), int(size, 16))

    def of_object(self, object_file: Path, build_dir: Path, thread_locals: bool = False) -> dict[str, tuple[int, int]]:
        """The data (or thread-locals) of one of the program's objects: linked as itself, or
        from its target's archive."""
        segments = self.thread_local_segments if thread_locals else self.segments
        relative = str(object_file.relative_to(build_dir)) if object_file.is_relative_to(build_dir) else str(object_file)
        if relative in segments:
            return segments[relative]
        match = re.search(r"CMakeFiles/([^/]+)\.dir/", relative)
        if match:
            member = f"lib{match.group(1)}.a({object_file.name})"
            found = [source for source in segments if source.endswith(member) and
                     (source == member or source.endswith("/" + member))]
            if len(found) == 1:
                return segments[found[0]]
        return {}

    def thread_locals_by_name(self) -> dict[str, tuple[int, int]]:
        """Every thread-local of the program whose name only one input defines: offset in a
        thread's block, size. What the program tells patches of its thread-local layout."""
        seen: dict[str, list[tuple[int, int]]] = {}
        for symbols in self.thread_local_segments.values():
            for name, place in symbols.items():
                seen.setdefault(name, []).append(place)
        return {name: places[0] for name, places in seen.items() if len(places) == 1}


def writable_locals(object_file: Path) -> tuple[set[str], set[str]]:
    """The file-local variables an object defines, plain and thread-local: candidates to bind."""
    locals_ = [symbol for symbol in WasmBinary.from_file(object_file).symbols()
               if symbol.kind == SYMBOL_DATA and symbol.defined and symbol.local and symbol.name]
    return {symbol.name for symbol in locals_ if not symbol.tls}, {symbol.name for symbol in locals_ if symbol.tls}


def const_declared_names(source_text: str) -> set[str]:
    """Names the source declares `static ... const` (or constexpr)."""
    return set(_CONST_DECLARATION.findall(source_text))


@dataclass
class StaticBindings:
    """For one source: each variable to bind, its name in the patch, and its program address."""
    renamed: dict[str, str]              # symbol in the program's object -> the patch's name for it
    addresses: dict[str, tuple[int, int]]  # the patch's name -> (address relative to memory base, size)
    # Thread-locals: the patch's name -> (offset in the program's thread-local block, size).
    thread_locals: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Bound to the one piece the program's optimiser left of them (NAME.0): the patch's names.
    pieces: set[str] = field(default_factory=set)

    def sizes(self) -> dict[str, int]:
        return {name: size for name, (_, size) in [*self.addresses.items(), *self.thread_locals.items()]}

    def unbind(self, name: str) -> None:
        """The patch keeps its own copy of the variable it calls `name`."""
        self.renamed = {old: new for old, new in self.renamed.items() if new != name}
        self.addresses.pop(name, None)
        self.thread_locals.pop(name, None)
        self.pieces.discard(name)


def bindings_for(source_key: str, source_text: str, program_object: Path, link_map: LinkMap, build_dir: Path) -> StaticBindings:
    program_data = link_map.of_object(program_object, build_dir)
    program_thread_locals = link_map.of_object(program_object, build_dir, thread_locals=True)
    plain, thread_local = writable_locals(program_object)
    candidates = sorted([name for name in plain if name in program_data] + [name for name in thread_local if name in program_thread_locals])
    if not candidates:
        return StaticBindings({}, {})
    constant = const_declared_names(source_text)
    readable = demangle(candidates)
    bindings = StaticBindings({}, {})
    for name in candidates:
        if readable[name].rsplit("::", 1)[-1].strip() in constant:  # "f()::table", "guard variable for f()::table"
            continue
        bound = f"{BOUND_PREFIX}{source_key}.{name}"
        bindings.renamed[name] = bound
        if name in thread_local:
            bindings.thread_locals[bound] = program_thread_locals[name]
        else:
            bindings.addresses[bound] = program_data[name]
    return bindings


_PIECE = re.compile(r"^(.+)\.(\d+)$")  # a variable GlobalOpt split: NAME.0, NAME.1, ...


def whole_name(name: str) -> str:
    """The variable a piece GlobalOpt split off is part of (NAME for NAME.0); else `name`."""
    piece = _PIECE.match(name)
    return piece.group(1) if piece else name


def _defines(text: str, name: str) -> bool:
    return re.search(r'^@(?:"' + re.escape(name) + r'"|' + re.escape(name) + r') = internal ', text, re.MULTILINE) is not None


def rewrite_ir(text: str, statics: StaticBindings) -> tuple[str, dict[str, str]]:
    """Makes each bound internal variable a weak definition under its new name, and unbinds
    those it cannot bind. Returns the IR and the variables the patch keeps its own copy of
    (the program's name -> why): those the program's optimiser split in several pieces."""
    split: dict[str, list[str]] = {}
    for old in statics.renamed:
        piece = _PIECE.match(old)
        if piece and not _defines(text, old):
            split.setdefault(piece.group(1), []).append(old)
    unbound: dict[str, str] = {}
    for old, new in list(statics.renamed.items()):
        name = old
        if not _defines(text, old):
            whole = _PIECE.match(old)
            if whole and _defines(text, whole.group(1)) and split[whole.group(1)] == [old] and whole.group(2) == "0":
                name = whole.group(1)
                statics.pieces.add(new)
            else:
                # A variable the edit no longer uses is not in the IR at all: nothing to bind.
                if whole and _defines(text, whole.group(1)):
                    unbound[old] = "the program's optimiser split it into several variables"
                statics.unbind(new)
                continue
        quoted = re.escape(name)
        reference = re.compile(r'@(?:"' + quoted + r'"|' + quoted + r')(?![\w.$-])')
        text = reference.sub('@"' + new + '"', text)
        definition = re.compile(r'^(@"' + re.escape(new) + r'" = )internal ', re.MULTILINE)
        text = definition.sub(r"\1weak ", text, count=1)
    return text, unbound
