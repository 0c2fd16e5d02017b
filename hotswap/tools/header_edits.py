"""Which of a header's includers a save of it really changes.

A header edit used to recompile every program source that includes the header (Ninja's
dependencies): 13 sources for app/core/texture.h, over ten seconds of compiling on two
cores. Most header edits change the body of one inline function, which few of those
sources use. This module narrows the set, and only where it can show the others are
unaffected; otherwise every includer is compiled, as before:

1. `compare_header`: the header as the running code was built from it and as saved, both
   parsed by libclang. Narrowing needs the two to differ only inside function bodies (not of
   a constexpr/consteval function: it can be evaluated at compile time where it is used,
   leaving no call; nor of one whose return type is deduced from its body), in the value
   of a `const`/`constexpr` variable, or by whole declarations added or removed: a
   function (a new one, a new overload, a changed signature: code that calls it spells its
   name, unless it is virtual, an operator, a conversion, a constructor or destructor, a
   friend, or a name the language or the standard library calls unspelt, like begin()), or
   a type at namespace scope (a struct, class template, enum or alias: code that uses it
   spells its name, or an unscoped enum's enumerators). Anything else (a default argument
   or member initialiser, a type changed in place or declared inside a class, a
   specialization, a macro, a declaration moved) makes every includer compile.
2. `FunctionUse`: for each program source, every function its code can reach, as the
   front end emits it before any LLVM pass (so nothing is inlined away yet): the source's
   own functions, and each inline, template or header function it calls, transitively.
   Known from the program's build and from each patch compile (the function-use plugin).
3. `HeaderNarrowing.plan`: a source that includes an edited header is compiled if it was
   itself saved, if its use set is not known yet, if it names a constant whose value changed
   (in its own text or another project file it reads: the value is folded into the code that
   names it; the header's own functions that name it count as changed), or if it uses a
   function whose body changed: a plain function by its linker name; a template (any instantiation), a member
   of a class template, a constructor or destructor (any of its variants) by its declared
   name, what the compile server's demangler makes of each name in the set
   ("raytracer::Bvh::intersect"); or if it spells the name of a function or type declared
   or removed (in its own text or another project file it reads; the header's own functions
   that spell it count as changed).

`HeaderNarrowing` also keeps each project header's text as the running code was built from
it (read when the builder starts, for headers older than the program; replaced after each
patch that builds).
"""
from __future__ import annotations

import bisect
import hashlib
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

# Debian's python3-clang-19 installs the bindings for the system's Python; scripts/setup.sh
# installs it. Another Python (a virtualenv, pyenv) reads them from there.
DEBIAN_BINDINGS = Path("/usr/lib/python3/dist-packages")
IR_FLAGS = ["-Xclang", "-disable-llvm-passes", "-S", "-emit-llvm"]
# A patch's sources are worked out again this long after it built, once the page has applied
# it and drawn its first frame: the work should not slow that down.
REFRESH_DELAY_SECONDS = 3.0
DEFINED_FUNCTION = re.compile(r'^define [^@]*@(?:"([^"]+)"|([^\s(]+))\(', re.MULTILINE)
# A function declared or removed is narrowed by its name: no code calls it without spelling
# it. These are the exceptions: the kinds the language calls by other spellings, and the
# names the language (range for, structured bindings) or the standard library's templates
# (ranges, span, swap) call on a type without the user's code spelling them. (A type is
# narrowed only when it is new or gone as a whole, at namespace scope, and not a
# specialization: see _declarations.)
UNSPELT_TOKENS = {"virtual", "override", "final", "friend", "operator"}
UNSPELT_NAMES = {"begin", "end", "cbegin", "cend", "rbegin", "rend", "size", "ssize", "data", "empty", "get", "swap",
                 "iter_move", "iter_swap", "main"}


def load_libclang(llvm_bin: Path | None = None):
    """The clang.cindex module bound to the toolchain's libclang; None if not installed."""
    try:
        import clang.cindex as cindex  # noqa: PLC0415
    except ImportError:
        if not DEBIAN_BINDINGS.is_dir():
            return None
        sys.path.append(str(DEBIAN_BINDINGS))
        try:
            import clang.cindex as cindex  # noqa: PLC0415
        except ImportError:
            return None
    if not cindex.Config.loaded:
        roots = [llvm_bin.parent / "lib"] if llvm_bin else []
        roots += [Path("/usr/lib/llvm-19/lib")]
        for root in roots:
            libraries = sorted(root.glob("libclang-*.so*")) + sorted(root.glob("libclang.so*"))
            if libraries:
                cindex.Config.set_library_file(str(libraries[0]))
                break
    try:
        cindex.Index.create()
    except Exception:  # noqa: BLE001 - the library is missing or does not match
        return None
    return cindex


@dataclass
class HeaderFunction:
    name: str            # mangled
    readable: str        # as the user wrote it, qualified ("raytracer::Texture::value"): its declared name
    body: tuple          # the body's tokens, comments left out
    narrowable: str | None  # None, or why a change to it cannot be narrowed
    by_declared_name: bool = False  # a template, a member of one, a constructor or destructor: found in a
                                    # use set by its declared name, not by one linker name
    declaration: tuple | None = None  # its HeaderDeclaration's key, if it has one
    start: int = 0       # where its declaration starts in the header's text (byte offset)


@dataclass
class HeaderDeclaration:
    """A declaration code can only use by spelling its name: added or removed, it changes
    only that code. A function's (its body, when it has one, is "{body}"), or a type's at
    namespace scope (everything in it)."""
    kind: str            # "function" or "type"
    names: frozenset     # what code spells to use it: its name ("perimeter"); an unscoped enum's enumerators too
    readable: str        # qualified ("shapes::Box::perimeter")
    key: tuple           # (kind, readable, linker name, its tokens): the same declaration before and after
    positions: tuple     # its entries in the skeleton (with the semicolon after it)
    start: int           # its extent in the header's text (byte offsets)
    end: int


@dataclass
class HeaderConstant:
    name: str            # as spelled ("kMaximumDepth"): how code that uses it names it
    readable: str        # qualified, for the log
    value: tuple         # its initialiser's tokens


@dataclass
class HeaderSummary:
    skeleton: tuple                                   # tokens outside function bodies and constants' initialisers
    functions: list[HeaderFunction] = field(default_factory=list)
    constants: list[HeaderConstant] = field(default_factory=list)  # const/constexpr variables with an initialiser
    declarations: list[HeaderDeclaration] = field(default_factory=list)  # in the order written


@dataclass
class HeaderComparison:
    changed: list[HeaderFunction]   # functions whose body changed (valid when `reason` is None)
    reason: str | None              # why every includer must compile, or None
    constants: list[HeaderConstant] = field(default_factory=list)  # constants whose value changed
    declarations: list[str] = field(default_factory=list)  # "declared shapes::third", "removed shapes::Box::area"
    names: set[str] = field(default_factory=set)    # the names of those functions: code that spells one compiles


def parse_arguments(compile_command: list[str], source: Path) -> list[str]:
    """A source's compile command as arguments to parse a header of it with libclang. The
    program's precompiled header stays (libclang 19 reads clang 19's): the header's includes
    are then mostly read already, and a parse takes 0.05-0.2 s instead of 0.4-0.9 s."""
    arguments, index = [], 1  # [0] is the compiler
    while index < len(compile_command):
        argument = compile_command[index]
        if argument == "-o":
            index += 2
            continue
        if argument == "-Xclang" and index + 1 < len(compile_command):  # passed on as a pair
            arguments += compile_command[index:index + 2]
            index += 2
            continue
        if argument in ("-c", "-MD") or argument == str(source):
            index += 1
            continue
        if argument in ("-MF", "-include-pch"):
            index += 2
            continue
        arguments.append(argument)
        index += 1
    return ["-x", "c++", *arguments, "-Wno-pragma-once-outside-header"]


def summarize_header(cindex, path: Path, text: str, arguments: list[str]) -> HeaderSummary | str:
    """The header's function definitions and everything around them; or why it cannot tell."""
    unit = cindex.TranslationUnit.from_source(str(path), args=arguments, unsaved_files=[(str(path), text)])
    errors = [d for d in unit.diagnostics if d.severity >= cindex.Diagnostic.Error]
    if errors:
        first = errors[0]
        return f"it does not compile on its own ({first.location.line}:{first.location.column}: {first.spelling})"
    kinds = cindex.CursorKind
    function_kinds = {kinds.FUNCTION_DECL, kinds.CXX_METHOD, kinds.CONSTRUCTOR, kinds.DESTRUCTOR,
                      kinds.CONVERSION_FUNCTION, kinds.FUNCTION_TEMPLATE}
    container_kinds = {kinds.NAMESPACE, kinds.STRUCT_DECL, kinds.CLASS_DECL, kinds.UNION_DECL, kinds.CLASS_TEMPLATE,
                       kinds.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION, kinds.UNEXPOSED_DECL, kinds.LINKAGE_SPEC}
    template_kinds = {kinds.CLASS_TEMPLATE, kinds.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION}
    namespace_kinds = {kinds.TRANSLATION_UNIT, kinds.NAMESPACE, kinds.LINKAGE_SPEC, kinds.UNEXPOSED_DECL}
    type_kinds = {kinds.STRUCT_DECL, kinds.CLASS_DECL, kinds.UNION_DECL, kinds.ENUM_DECL, kinds.CLASS_TEMPLATE,
                  kinds.TYPE_ALIAS_DECL, kinds.TYPEDEF_DECL, kinds.TYPE_ALIAS_TEMPLATE_DECL}  # narrowed at namespace scope
    resolved = str(path.resolve())
    bodies: list[tuple[int, int, object, bool]] = []  # (start offset, end offset, cursor, inside a template)
    declared: list[tuple[int, int, object]] = []       # every function and namespace-scope type: (start, end, cursor)
    initialisers: list[tuple[int, int, object]] = []   # a const/constexpr variable's initialiser: (start, end, cursor)

    def in_header(cursor) -> bool:
        return cursor.location.file is not None and os.path.realpath(cursor.location.file.name) == resolved

    def walk(cursor, in_template: bool) -> None:
        for child in cursor.get_children():
            if not in_header(child):
                continue
            if child.kind in function_kinds or (child.kind in type_kinds and cursor.kind in namespace_kinds):
                declared.append((child.extent.start.offset, child.extent.end.offset, child))
            if child.kind in function_kinds and child.is_definition():
                body = [part for part in child.get_children() if part.kind == kinds.COMPOUND_STMT]
                if body:
                    bodies.append((body[-1].extent.start.offset, body[-1].extent.end.offset, child, in_template))
            elif child.kind == kinds.VAR_DECL and not in_template and child.type.is_const_qualified():
                value = [part for part in child.get_children() if part.kind.is_expression()]
                if value:
                    initialisers.append((value[-1].extent.start.offset, value[-1].extent.end.offset, child))
            elif child.kind in container_kinds:
                walk(child, in_template or child.kind in template_kinds)

    walk(unit.cursor, False)
    bodies.sort(key=lambda entry: entry[0])
    # A constant's initialiser is set apart like a body; one inside a function body stays in it.
    initialisers = [entry for entry in initialisers if not any(start <= entry[0] < end for start, end, _, _ in bodies)]
    regions = sorted([(start, end, ("body", cursor, in_template)) for start, end, cursor, in_template in bodies] +
                     [(start, end, ("value", cursor, False)) for start, end, cursor in initialisers], key=lambda entry: entry[0])
    tokens = [token for token in unit.get_tokens(extent=unit.get_extent(str(path), (0, len(text.encode()))))
              if token.kind != cindex.TokenKind.COMMENT]
    skeleton, functions, values, region_index = [], [], [], 0
    offsets: list[int] = []  # per skeleton entry: where its token (a body's first) starts
    current: list[str] | None = None
    for token in tokens:
        offset = token.extent.start.offset
        while region_index < len(regions) and offset >= regions[region_index][1]:
            region_index += 1
            current = None
        if region_index < len(regions) and regions[region_index][0] <= offset < regions[region_index][1]:
            if current is None:
                current = []
                start, _, (what, cursor, in_template) = regions[region_index]
                if what == "body":
                    functions.append((cursor, in_template, current, start))
                else:
                    values.append((cursor, current))
                skeleton.append("{" + what + "}")
                offsets.append(offset)
            current.append(token.spelling)
        else:
            skeleton.append(token.spelling)
            offsets.append(offset)
    summary = HeaderSummary(tuple(skeleton))
    keys = _declarations(summary, offsets, declared, kinds, type_kinds)
    summary.constants = [HeaderConstant(cursor.spelling, _qualified(cursor, kinds), tuple(value)) for cursor, value in values]
    for cursor, in_template, body_tokens, start in functions:
        declaration = [token.spelling for token in tokens
                       if cursor.extent.start.offset <= token.extent.start.offset < start]
        reason = None
        templated = cursor.kind == kinds.FUNCTION_TEMPLATE or in_template or _member_of_template(cursor, template_kinds)
        by_declared_name = templated or cursor.kind in (kinds.CONSTRUCTOR, kinds.DESTRUCTOR)
        if "constexpr" in declaration or "consteval" in declaration:
            reason = "constexpr (it can be evaluated where it is used)"
        elif "auto" in declaration and "->" not in declaration:
            reason = "a function whose return type is deduced from its body"
        elif not cursor.mangled_name and not by_declared_name:
            reason = "a function without a linker name"
        summary.functions.append(HeaderFunction(cursor.mangled_name, _qualified(cursor, kinds), tuple(body_tokens), reason,
                                                by_declared_name, keys.get(cursor.hash), cursor.extent.start.offset))
    return summary



def _declarations(summary: HeaderSummary, offsets: list[int], declared: list, kinds, type_kinds: set) -> dict:
    """Sets the summary's declarations (those code must spell to use); returns each
    function's key by its cursor's hash."""
    skeleton, keys = summary.skeleton, {}
    for start, end, cursor in declared:
        positions = list(range(bisect.bisect_left(offsets, start), bisect.bisect_left(offsets, end)))
        if not positions:
            continue
        tokens = [skeleton[position] for position in positions]
        if positions[-1] + 1 < len(skeleton) and skeleton[positions[-1] + 1] == ";":
            positions.append(positions[-1] + 1)  # a declaration's extent stops before its semicolon
        if cursor.kind in type_kinds:
            specialization = any(tokens[i:i + 3] == ["template", "<", ">"] for i in range(len(tokens)))
            if not cursor.spelling or specialization or "static" in tokens:
                continue  # unnamed, a specialization, or a static member (initialised in every includer)
            names = {cursor.spelling}
            if cursor.kind == kinds.ENUM_DECL and not cursor.is_scoped_enum():
                names |= {child.spelling for child in cursor.get_children() if child.kind == kinds.ENUM_CONSTANT_DECL}
            kind = "type"
        elif cursor.kind in (kinds.FUNCTION_DECL, kinds.CXX_METHOD, kinds.FUNCTION_TEMPLATE) and \
                not UNSPELT_TOKENS & set(tokens) and cursor.spelling not in UNSPELT_NAMES:
            names, kind = {cursor.spelling}, "function"
        else:
            continue
        key = (kind, _qualified(cursor, kinds), cursor.mangled_name or "", tuple(tokens))
        summary.declarations.append(HeaderDeclaration(kind, frozenset(names), key[1], key, tuple(positions), start, end))
        keys[cursor.hash] = key
    return keys


def _member_of_template(cursor, template_kinds) -> bool:
    """Whether the function belongs to a class template, however it was written (a member
    defined outside its class is not lexically inside it)."""
    parent = cursor.semantic_parent
    while parent is not None and parent.kind.is_declaration():
        if parent.kind in template_kinds:
            return True
        parent = parent.semantic_parent
    return False


def _qualified(cursor, kinds) -> str:
    parts, parent = [cursor.spelling], cursor.semantic_parent
    while parent is not None and parent.kind != kinds.TRANSLATION_UNIT:
        parts.insert(0, parent.spelling or "(anonymous namespace)")
        parent = parent.semantic_parent
    return "::".join(parts)


def compare_header(old: HeaderSummary | str, new: HeaderSummary | str) -> HeaderComparison:
    """Which function bodies and constants' values changed; or why every includer must compile.
    A constant's value reaches the code of every source that names it (constant folding),
    and of every function of this header that names it, which then counts as changed."""
    if isinstance(old, str) or isinstance(new, str):
        return HeaderComparison([], "as saved, " + new if isinstance(new, str) else "as it was built, " + old)
    outside = HeaderComparison([], "it changed outside function bodies")
    if len(old.constants) != len(new.constants):
        return outside
    old_keys = Counter(declaration.key for declaration in old.declarations)
    new_keys = Counter(declaration.key for declaration in new.declarations)
    # A type on both sides with other tokens changed in place: not added or removed.
    changed_types = {key[1] for key in new_keys - old_keys if key[0] == "type"} & \
                    {key[1] for key in old_keys - new_keys if key[0] == "type"}
    added = _whole_declarations(new.declarations, new_keys - old_keys, changed_types)
    gone = _whole_declarations(old.declarations, old_keys - new_keys, changed_types)
    if not added and not gone and old.skeleton != new.skeleton:
        return outside  # a declaration moved: what a call finds can change
    if _without(old.skeleton, gone) != _without(new.skeleton, added):
        return outside
    new_functions, old_functions = _functions_without(new.functions, added), _functions_without(old.functions, gone)
    if len(old_functions) != len(new_functions):
        return outside
    declarations = sorted({f"declared {d.readable}" for d in added} | {f"removed {d.readable}" for d in gone})
    spelled = set().union(*(d.names for d in [*added, *gone]))
    for summary, own in ((new, added), (old, gone)):
        # Every token but those of the declarations named, and of the functions' declarations
        # (an overload spells its own name; any other spelling is checked below).
        functions = [d for d in summary.declarations if d.kind == "function"]
        masked = _without(summary.skeleton, [*own, *functions])
        for name in sorted(spelled):
            if name in masked:
                return HeaderComparison([], f"{name} was declared or removed, and the header names it outside function bodies")
            for declaration in functions:
                if name not in declaration.names and name in declaration.key[3] and \
                        not any(d.start <= declaration.start < d.end for d in own):
                    return HeaderComparison([], f"{name} was declared or removed, and {declaration.readable}'s declaration names it")
    constants = [after for before, after in zip(old.constants, new.constants) if before.value != after.value]
    for constant in new.constants:
        if spelled & set(constant.value):
            return HeaderComparison([], f"{constant.readable}'s value names {sorted(spelled & set(constant.value))[0]}, "
                                        "which was declared or removed")
    names = {constant.name for constant in constants}
    for constant in new.constants:
        if constant not in constants and names & set(constant.value):
            return HeaderComparison([], f"{constant.readable}'s value names a constant that changed")
    declared = [constant.name for constant in new.constants]
    for name in sorted(names):
        if new.skeleton.count(name) > declared.count(name):  # more than its own declarations
            return HeaderComparison([], f"{name} changed, and the header uses it outside function bodies")
    changed = [after for before, after in zip(old_functions, new_functions)
               if before.body != after.body or (names | spelled) & set(after.body)]
    if not changed and not constants and not spelled:
        return HeaderComparison([], "no function body changed")
    for function in changed:
        if function.narrowable is not None:
            return HeaderComparison(changed, f"{function.readable} changed, and it is {function.narrowable}", constants)
    return HeaderComparison(changed, None, constants, declarations, spelled)


def _whole_declarations(declarations: list[HeaderDeclaration], keys: Counter, changed_types: set[str]) -> list[HeaderDeclaration]:
    """Those of `declarations` whose key is in `keys` (one each), not inside another of them,
    and not a type changed in place."""
    left, chosen = Counter(keys), []
    for declaration in declarations:
        if left[declaration.key] > 0 and not (declaration.kind == "type" and declaration.readable in changed_types):
            left[declaration.key] -= 1
            chosen.append(declaration)
    return [d for d in chosen if not any(o is not d and o.start <= d.start and d.end <= o.end for o in chosen)]


def _without(skeleton: tuple, declarations: list[HeaderDeclaration]) -> tuple:
    removed = {position for declaration in declarations for position in declaration.positions}
    return tuple(token for position, token in enumerate(skeleton) if position not in removed)


def _functions_without(functions: list[HeaderFunction], declarations: list[HeaderDeclaration]) -> list[HeaderFunction]:
    """The functions other than those of these declarations (added or removed ones), or inside them."""
    keys = Counter(d.key for d in declarations if d.kind == "function")
    kept = []
    for function in functions:
        if function.declaration is not None and keys[function.declaration] > 0:
            keys[function.declaration] -= 1
        elif not any(d.start <= function.start < d.end for d in declarations if d.kind == "type"):
            kept.append(function)
    return kept


class FunctionUse:
    """For each program source, the functions the front end emits for it (see the top).

    Known from the start when the program's build ran the function-use plugin
    (hotswap/compiler: OBJECT.uses beside each of the program's objects), and learned from
    each patch compile the same way. Without the plugin, worked out in the background: a
    front-end run of its own per source, cached on disk by content."""

    def __init__(self, cache_dir: Path, commands_for: Callable[[Path, list[str], Path], list[list[str]]],
                 inputs_of: Callable[[Path], list[Path]], on_first_ready: Callable[[int, float], None] | None = None,
                 enabled: bool = True, known: dict[Path, frozenset[str]] | None = None,
                 run: Callable[[list[str]], subprocess.CompletedProcess] | None = None,
                 declared_names: Callable[[list[str]], list[str] | None] | None = None):
        self.cache_dir = cache_dir
        self.enabled = enabled  # off: nothing is known, so every header edit compiles all its includers
        self.on_first_ready = on_first_ready  # (sources known, seconds): once, when the first batch is done
        self.commands_for = commands_for  # (source, extra flags, output) -> compile commands to try in turn
        self.inputs_of = inputs_of      # source -> the project files its compile reads
        self.run = run or (lambda command: subprocess.run(command, capture_output=True, text=True))
        self.declared_names = declared_names  # linker names -> declared names (the compile server), or None
        self._declared: dict[Path, tuple[frozenset[str], frozenset[str]]] = {}  # source -> (its use set, their declared names)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self._known: dict[Path, frozenset[str]] = dict(known or {}) if enabled else {}
        self._lock = threading.Lock()
        self._requested: dict[Path, float] = {}  # source -> when it may be worked out (time.monotonic)
        self._wake = threading.Condition(self._lock)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._work, name="function-use", daemon=True)
        self._thread.start()

    def learn(self, source: Path, names: frozenset[str]) -> None:
        """What a compile of `source` just emitted (the plugin's set): its code now."""
        if not self.enabled:
            return
        with self._lock:
            self._known[source] = names
            self._requested.pop(source, None)

    def known_count(self) -> int:
        with self._lock:
            return len(self._known)

    @property
    def can_name_declarations(self) -> bool:
        return self.declared_names is not None

    def declared_uses(self, source: Path) -> frozenset[str] | None:
        """The declared names of the functions in the source's use set ("raytracer::Bvh::intersect"
        for every instantiation of that template), or None when not known."""
        uses = self.uses(source)
        if uses is None or self.declared_names is None:
            return None
        cached = self._declared.get(source)
        if cached is not None and cached[0] is uses:
            return cached[1]
        names = self.declared_names(sorted(uses))
        if names is None:
            return None
        declared = frozenset(name for name in names if name)
        self._declared[source] = (uses, declared)
        return declared

    def uses(self, source: Path) -> frozenset[str] | None:
        with self._lock:
            return self._known.get(source)

    def refresh(self, sources: list[Path], after_seconds: float = 0.0) -> None:
        """Forgets what these sources used (they compiled anew) and works it out again,
        `after_seconds` from now (a patch just built: the page is busy applying it)."""
        if not self.enabled:
            return
        with self._lock:
            for source in sources:
                self._known.pop(source, None)
                self._requested[source] = time.monotonic() + after_seconds
            self._wake.notify()

    def close(self) -> None:
        self._stopped.set()
        with self._lock:
            self._wake.notify()

    def _next(self) -> Path | None:
        """The source requested first whose time has come; waits for one; None once closed."""
        with self._lock:
            while not self._stopped.is_set():
                if self._requested:
                    source, due = min(self._requested.items(), key=lambda item: item[1])
                    wait = due - time.monotonic()
                    if wait <= 0:
                        del self._requested[source]
                        return source
                    self._wake.wait(wait)
                else:
                    self._wake.wait()
            return None

    def _key(self, source: Path) -> str:
        digest = hashlib.sha256(" ".join(self.commands_for(source, IR_FLAGS, Path("-"))[-1]).encode())
        for path in sorted({source, *self.inputs_of(source)}):
            digest.update(str(path).encode())
            digest.update(path.read_bytes() if path.exists() else b"(missing)")
        return digest.hexdigest()[:32]

    def _work(self) -> None:
        started, worked = time.perf_counter(), False
        while not self._stopped.is_set():
            if self.on_first_ready is not None and worked:
                with self._lock:
                    known, waiting = len(self._known), len(self._requested)
                if not waiting:
                    self.on_first_ready(known, time.perf_counter() - started)
                    self.on_first_ready = None
            source = self._next()
            if source is None:
                return
            worked = True
            try:
                key = self._key(source)
                cached = self.cache_dir / f"{key}.txt"
                if not cached.exists():
                    output = self.cache_dir / f"{key}.ll"
                    for command in self.commands_for(source, IR_FLAGS, output):
                        run = self.run(command)
                        if run.returncode == 0:
                            break
                    if run.returncode != 0 or not output.exists():
                        continue  # unknown: its includers compile whenever a header of theirs changes
                    names = {quoted or plain for quoted, plain in DEFINED_FUNCTION.findall(output.read_text())}
                    output.unlink()
                    cached.write_text("\n".join(sorted(names)))
                if key == self._key(source):  # not saved meanwhile
                    with self._lock:
                        self._known[source] = frozenset(cached.read_text().split())
            except OSError:
                continue


@dataclass
class NarrowedHeader:
    header: str                    # relative path
    functions: list[str]           # readable names of the functions whose bodies (and constants whose values) changed
    compiled: list[str]            # includers compiled (they use one, or their use is not known yet)
    skipped: list[str]             # includers left alone: they use none of them
    reason: str | None = None      # why every includer compiles, when it does
    check_ms: float = 0.0          # parsing the header twice and comparing
    none_use_it: bool = False      # no includer uses what changed: one compiled anyway, to make the patch
    declarations: list[str] = field(default_factory=list)  # functions declared or removed ("declared raytracer::Texture::f")


class HeaderNarrowing:
    def __init__(self, project_root: Path, build_dir: Path, program_built_at: float, headers: list[Path],
                 function_use: FunctionUse, llvm_bin: Path | None):
        self.project_root = project_root
        self.function_use = function_use
        self.cindex = load_libclang(llvm_bin)
        # The header texts the running code was built from; a header saved after the program
        # was built has no trustworthy old text, so its edits compile every includer.
        self.texts: dict[Path, str] = {}
        for header in headers:
            if header.is_relative_to(project_root) and not header.is_relative_to(build_dir) and header.exists() \
                    and header.stat().st_mtime <= program_built_at:
                self.texts[header] = header.read_text()
        self._planned: dict[Path, tuple[str, HeaderSummary | str | None]] = {}
        self._parsed: dict[tuple[Path, str], HeaderSummary | str] = {}  # (header, a text of it) -> its summary
        self._texts: dict[Path, tuple[int, str]] = {}  # project file -> (modification time, text): which constants it names

    def plan(self, header: Path, saved_text: str, includers: list[Path], saved: set[Path],
             parse_arguments: list[str]) -> NarrowedHeader:
        """Which includers of `header` the save to `saved_text` makes compile."""
        started = time.perf_counter()
        self._planned[header] = (saved_text, None)  # once built, the running code's text, however this ends
        relative = str(header.relative_to(self.project_root))
        names = [str(source.relative_to(self.project_root)) for source in includers]

        def everyone(reason: str) -> NarrowedHeader:
            return NarrowedHeader(relative, [], names, [], reason, round((time.perf_counter() - started) * 1000, 1))
        if self.cindex is None:
            return everyone("libclang is not installed (scripts/setup.sh installs python3-clang-19)")
        old_text = self.texts.get(header)
        if old_text is None:
            return everyone("it was saved after the program was built, so its old text is not known")
        try:
            with ThreadPoolExecutor(max_workers=2) as pool:  # libclang parses outside Python's lock
                old, new = [self._parsed.get((header, text)) or pool.submit(summarize_header, self.cindex, header, text, parse_arguments)
                            for text in (old_text, saved_text)]
                old, new = [summary if isinstance(summary, (HeaderSummary, str)) else summary.result() for summary in (old, new)]
        except Exception as error:  # noqa: BLE001 - libclang failing must not fail the build
            return everyone(f"libclang could not parse it ({error})")
        # The running code's text is parsed once; saves of the header are compared with it
        # until one builds (a few texts a header, so none is dropped).
        self._parsed[(header, old_text)], self._parsed[(header, saved_text)] = old, new
        self._planned[header] = (saved_text, new)
        comparison = compare_header(old, new)
        if comparison.reason is not None:
            return everyone(comparison.reason)
        linker_names = {function.name for function in comparison.changed if not function.by_declared_name}
        declared_names = {function.readable for function in comparison.changed if function.by_declared_name}
        if declared_names and not self.function_use.can_name_declarations:
            return everyone(f"{sorted(declared_names)[0]} changed, and it is a template, constructor or destructor, whose "
                            "instantiations only the compile server names (scripts/build.sh builds it)")
        constants = {constant.name for constant in comparison.constants}
        compiled, skipped = [], []
        for source, name in zip(includers, names):
            uses = self.function_use.uses(source)
            declared = self.function_use.declared_uses(source) if declared_names else frozenset()
            uses_changed = uses is None or declared is None or uses & linker_names or declared & declared_names
            spelled = constants | comparison.names  # a changed constant, or a function or type declared or removed
            names_one = spelled and self._mentions(source, spelled, header)
            (compiled if source in saved or uses_changed or names_one else skipped).append(name)
        return NarrowedHeader(relative, [item.readable for item in [*comparison.changed, *comparison.constants]], compiled, skipped,
                              None, round((time.perf_counter() - started) * 1000, 1), declarations=comparison.declarations)

    def _mentions(self, source: Path, names: set[str], header: Path) -> bool:
        """Whether the source, or a project file its compile reads other than `header`, spells
        one of `names` (a constant's value is folded into the code that names it; a function
        is called by code that names it; a macro that pastes a name together from pieces is
        not seen)."""
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")
        for path in {source, *self.function_use.inputs_of(source)} - {header}:
            try:
                stamp = path.stat().st_mtime_ns
            except OSError:
                return True  # a file gone since: cannot tell
            cached = self._texts.get(path)
            if cached is None or cached[0] != stamp:
                cached = self._texts[path] = (stamp, path.read_text(errors="replace"))
            if pattern.search(cached[1]):
                return True
        return False

    def compiled_side_by_side(self, header: Path, saved_text: str, includers: list[Path]) -> NarrowedHeader:
        """Every includer compiles without the header being parsed: there are no more of them
        than compile at once, so telling which use the change would not save a moment (the
        parse takes 0.3-0.6 s). The saved text becomes the running code's once built."""
        self._planned[header] = (saved_text, None)
        return NarrowedHeader(str(header.relative_to(self.project_root)), [],
                              [str(source.relative_to(self.project_root)) for source in includers], [],
                              "no more than compile at once, so the header was not parsed to tell which use the change")

    def built(self, compiled: list[Path]) -> None:
        """A patch built: the planned header texts are now the running code's, and the sources
        it compiled whose use set the compile did not give (FunctionUse.learn) may use other
        functions now."""
        for header, (text, _) in self._planned.items():
            self.texts[header] = text  # the next edit's old text (its summary is parsed already)
            self._parsed = {key: summary for key, summary in self._parsed.items() if key[0] != header or key[1] == text}
        self._planned.clear()
        if compiled:
            self.function_use.refresh(compiled, after_seconds=REFRESH_DELAY_SECONDS)

    def failed(self) -> None:
        self._planned.clear()

    def close(self) -> None:
        self.function_use.close()
