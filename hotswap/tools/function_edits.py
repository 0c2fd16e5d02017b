"""A `.cpp` save compiles only the functions it changed, and those that may have inlined them.

Why it exists: a save compiled its whole source at -O3, whatever it changed. A statement
added to `FrameLoop::start_frame` (`app/web/frame_loop.cpp`, 37 functions) took 4.3-4.8 s
to build, to `Scene::gather_lights` (`app/core/scene.cpp`) 0.7 s; compiling the functions
that can differ from the program's instead, 0.9 s and 0.2 s (docs/ARCHITECTURE.md, "Flow of
a patch").

How: the saved text and the text the running program was built from are each split, by a
token scan (no parse: it must cost milliseconds, and it runs before the compiler), into the
function definitions at namespace scope and everything else (the *skeleton*, in which each
definition is one unit: its name and declaration). The two skeletons are aligned; where they
differ, only whole definitions may have been added or removed (a changed signature is one
removed and one added). The functions whose code differs from the program's are then known:
the new ones, those whose body changed, those that spell the name of one added or removed (a
call may resolve to another overload now), and, transitively, those that may have inlined
one of them (no other file can have: there is no LTO; for a large function, the program's
object tells which callers still call it). The compile keeps those, and every definition
they name that the patch cannot call in the program (an internal one) or that the program's
code may have inlined (a small one); templates, `inline` and `constexpr` functions,
constructors, destructors, operators and conversions always stay (they may be used without
being named, and cost nothing unused). Every other definition is blanked out with its line
breaks kept, so `__LINE__` and the compiler's diagnostics point where they did (one the kept
code names keeps its declaration); a `#line` directive after the include block keeps
`__FILE__` (the include block itself stays as it was, so the source's preamble still fits).
The running program keeps its own code for the functions left out; a function the running
patch changed is compiled again even when the save puts it back (a patch changes only the
functions it defines). When no function's code differs (a comment, or the file saved back to
the program's text), what would compile is only the definitions always kept, whose code is
the program's (`code_is_the_programs`): the builder compiles nothing of the source (before,
such a save compiled the whole source: `frame_loop.cpp`, 5-7 s, for no code).

The whole source compiles, as before, when: anything outside function definitions changed
(a global, a type, a macro, an include); a changed, added or removed function is one whose
callers need not spell its name (a constructor, destructor, operator, conversion, or one of
header_edits.UNSPELT_NAMES); the scan meets a brace it does not follow (a function-try-block,
say); or no definition could be left out.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Callable

from header_edits import UNSPELT_NAMES

_TOKEN = re.compile(r"""
    (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<directive>^[ \t]*\#(?:\\\n|[^\n])*)
  | (?P<string>(?:u8|u|U|L)?R"(?P<delimiter>[^(\s]*)\(.*?\)(?P=delimiter)"|(?:u8|u|U|L)?"(?:\\.|[^"\\\n])*")
  | (?P<character>(?:u8|u|U|L)?'(?:\\.|[^'\\\n])+')
  | (?P<number>\.?\d(?:[eEpP][+-]|'(?=\w)|[\w.])*)
  | (?P<identifier>[A-Za-z_]\w*)
  | (?P<punctuation>::|->|\.\.\.|&&|\|\||<<=|>>=|<<|>>|[-+*/%^&|=!<>]=?|[{}()\[\];,:.?~])
  | (?P<space>\n|[ \t\r\f\v]+|\\\n)
  | (?P<other>.)
""", re.S | re.M | re.X)

_OPENING, _CLOSING = "([{", ")]}"
# Words after which a parenthesis is not a function's parameter list.
_NOT_DECLARATORS = {"alignas", "__attribute__", "decltype", "noexcept", "alignof", "sizeof", "__declspec", "throw",
                    "requires", "static_assert"}
# What may stand between a parameter list and the body.
_BEFORE_BODY = {")", "const", "noexcept", "override", "final", "&", "&&", "volatile", "mutable", "]"}
_TYPE_KEYS = {"class", "struct", "union", "enum"}
_ALWAYS_KEPT_WORDS = {"template", "inline", "constexpr", "consteval"}
# A compile of some functions: what the left-out ones used is unused now, and saying so is noise.
QUIET_FLAGS = ["-Wno-unused-function", "-Wno-unused-variable", "-Wno-unused-const-variable", "-Wno-unused-member-function",
               "-Wno-unneeded-internal-declaration", "-Wno-unused-template", "-Wno-unused-local-typedef"]
# A function of the file the kept code calls stays when its body has at most this many
# tokens: the program's build may have inlined it (LLVM's -O3 threshold is about 250
# instructions; a body of a few dozen statements). Larger ones are called in the program.
INLINE_CANDIDATE_TOKENS = 150
_ERROR = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):\d+: (?:fatal )?error: ", re.M)


@dataclass
class Token:
    kind: str
    text: str
    start: int
    end: int


@dataclass
class FunctionDefinition:
    name: str               # as its callers spell it: `zoom` for FrameLoop::zoom
    qualified: str          # as written: `FrameLoop::zoom`
    start: int              # offset of the definition's first token
    body_start: int         # offset of its body's opening brace
    end: int                # offset just after its closing brace
    body: tuple[str, ...]   # its body's tokens
    mentions: frozenset[str]  # every identifier in its declaration and body
    always_kept: bool       # a template, inline or constexpr function, or one called without its name
    internal: bool          # `static` or in an anonymous namespace: the program's copy cannot be called from a patch
    callers_spell_it: bool  # false for constructors, destructors, operators, conversions, macros, UNSPELT_NAMES
    declaration: tuple[str, ...] = ()  # the tokens before its body

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """Which function it is, in any text of the file: its name and declaration."""
        return (self.qualified, self.declaration)


@dataclass
class ScannedSource:
    functions: list[FunctionDefinition]
    # The tokens outside function definitions, each definition as one unit: (qualified name,
    # the tokens of its declaration), at its place.
    skeleton: list[str | tuple[str, tuple[str, ...]]]
    outside_mentions: set[str]   # identifiers outside every function definition
    include_block_end: int       # offset just after the include block's last line


@dataclass
class PartialSource:
    """What a save compiles instead of its whole source."""
    text: str
    changed: list[str] = field(default_factory=list)    # functions whose body differs from the program's (qualified names)
    restored: list[str] = field(default_factory=list)   # functions the running patch changed, back to the program's code
    removed: list[str] = field(default_factory=list)    # the program's functions the text no longer defines
    compiled: list[str] = field(default_factory=list)   # every definition kept
    left_out: list[str] = field(default_factory=list)   # definitions blanked out: the program's run
    changed_lines: list[tuple[int, int]] = field(default_factory=list)  # first and last line of each changed function
    code_is_the_programs: bool = False  # no function's code differs (a comment): what compiles is the program's code


def tokenize(text: str) -> list[Token]:
    """The tokens of a C++ text; comments and white space dropped, each preprocessor
    directive one token."""
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup if match.lastgroup != "delimiter" else "string"
        if kind in ("comment", "space"):
            continue
        value = match.group(kind)
        if kind == "directive":
            value = " ".join(value.replace("\\\n", " ").split())
        tokens.append(Token(kind, value, match.start(), match.end()))
    return tokens


def _matching(tokens: list[Token], index: int) -> int | None:
    """The index of the bracket that closes tokens[index]'s."""
    depth = 0
    for position in range(index, len(tokens)):
        text = tokens[position].text
        if text in _OPENING:
            depth += 1
        elif text in _CLOSING:
            depth -= 1
            if depth == 0:
                return position
    return None


def _is_macro_name(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Z0-9_]*", text))


def _function_at(statement: list[Token], body: list[Token], in_anonymous_namespace: bool) -> FunctionDefinition | str:
    """The function whose definition `statement` (its tokens before the body) begins."""
    words = [token.text for token in statement]
    # The parameter list: the first top-level parenthesis after a name.
    depth, parameters = 0, None
    for index, word in enumerate(words):
        if word in _OPENING:
            if depth == 0 and word == "(" and index > 0 and words[index - 1] not in _NOT_DECLARATORS and (
                    statement[index - 1].kind == "identifier" or words[index - 1] == ">" or "operator" in words[max(0, index - 3):index]):
                parameters = index
                break
            depth += 1
        elif word in _CLOSING:
            depth -= 1
    if parameters is None:
        return "a brace the scan does not follow"
    before = words[:parameters]
    operator = "operator" in before[-3:]
    name = "operator" if operator else before[-1]
    qualified_from = parameters - 1
    while qualified_from >= 2 and words[qualified_from - 1] == "::" and statement[qualified_from - 2].kind == "identifier":
        qualified_from -= 2
    if operator:
        qualified_from = next(index for index in range(parameters - 1, -1, -1) if words[index] == "operator")
    qualified = "".join(words[qualified_from:parameters])
    destructor = qualified_from > 0 and words[qualified_from - 1] == "~"
    scope = qualified.split("::")
    constructor = len(scope) >= 2 and scope[-1] == scope[-2]
    closing = _matching(statement, parameters)
    if closing is None:
        return "a brace the scan does not follow"
    after = words[closing + 1:]
    if "try" in after:
        return f"{qualified} is a function-try-block"
    initialisers = ":" in after
    if not initialisers and "->" not in after and (after and after[-1] not in _BEFORE_BODY):
        return "a brace the scan does not follow"
    macro = _is_macro_name(words[0]) and words[0] == name
    special = operator or destructor or constructor or macro or name in UNSPELT_NAMES
    return FunctionDefinition(
        name=name, qualified=("~" if destructor else "") + qualified, start=statement[0].start, body_start=body[0].start,
        end=body[-1].end,
        body=tuple(token.text for token in body),
        mentions=frozenset(token.text for token in [*statement, *body] if token.kind == "identifier"),
        always_kept=special or bool(_ALWAYS_KEPT_WORDS & set(words)), callers_spell_it=not special,
        internal=in_anonymous_namespace or "static" in words[:parameters], declaration=tuple(words))


def scan(text: str) -> ScannedSource | str:
    """The function definitions at namespace scope and the rest; or why the scan cannot tell."""
    tokens = tokenize(text)
    functions: list[FunctionDefinition] = []
    skeleton: list[str | tuple[str, tuple[str, ...]]] = []
    outside: set[str] = set()
    namespaces: list[bool] = []  # open namespaces (and linkage blocks): whether each is anonymous
    include_block_end = 0
    statement: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "directive":
            if not functions and not skeleton_has_code(skeleton) and re.match(r"#\s*(include|pragma\s+once)\b", token.text):
                include_block_end = token.end
            if statement:
                return "a preprocessor directive inside a declaration"
            skeleton.append(token.text)
            outside.update(re.findall(r"[A-Za-z_]\w*", token.text))
            index += 1
            continue
        if token.text in (";", "}"):
            if token.text == "}":
                if not namespaces or statement:
                    return "unbalanced braces"
                namespaces.pop()
            outside.update(t.text for t in statement if t.kind == "identifier")
            skeleton.append(token.text)
            statement = []
            index += 1
            continue
        if token.text in "([":
            closing = _matching(tokens, index)
            if closing is None:
                return "unbalanced brackets"
            group = tokens[index:closing + 1]
            statement += group
            skeleton += [t.text for t in group]
            index = closing + 1
            # A macro used as a declaration (EM_JS(...)) ends without a semicolon.
            if len(statement) == len(group) + 1 and _is_macro_name(statement[0].text) and index < len(tokens) \
                    and tokens[index].text not in ("{", ";"):
                outside.update(t.text for t in statement if t.kind == "identifier")
                statement = []
            continue
        if token.text != "{":
            statement.append(token)
            skeleton.append(token.text)
            index += 1
            continue
        # An opening brace at namespace scope.
        words = [t.text for t in statement]
        closing = _matching(tokens, index)
        if closing is None:
            return "unbalanced braces"
        if words[:1] == ["namespace"] or words[:2] == ["inline", "namespace"] or (
                len(words) == 2 and words[0] == "extern" and statement[1].kind == "string"):
            outside.update(t.text for t in statement if t.kind == "identifier")
            skeleton.append("{")
            namespaces.append(words in (["namespace"], ["inline", "namespace"]))
            statement = []
            index += 1
            continue
        top_level = _top_level(words)
        previous = words[-1] if words else ""
        declared = words[_after_template_parameters(words):]
        first = declared[1] if declared[:1] == ["typedef"] and len(declared) > 1 else (declared[0] if declared else "")
        type_body = first in _TYPE_KEYS and previous != ")"
        initialiser = "=" in top_level or (statement and statement[-1].kind == "identifier" and "(" not in words)
        member_initialiser = _in_initialiser_list(words) and (statement[-1].kind == "identifier" or previous == ">")
        if not words or type_body or initialiser or member_initialiser:
            group = tokens[index:closing + 1]  # a type's body, a braced initialiser: part of the statement
            statement += group
            skeleton += [t.text for t in group]
            index = closing + 1
            continue
        function = _function_at(statement, tokens[index:closing + 1], any(namespaces))
        if isinstance(function, str):
            return function
        functions.append(function)
        del skeleton[len(skeleton) - len(statement):]  # the declaration's tokens: the definition is one unit
        skeleton.append(function.key)
        statement = []
        index = closing + 1
    if statement or namespaces:
        return "the text ends inside a declaration"
    return ScannedSource(functions, skeleton, outside, include_block_end)


def skeleton_has_code(skeleton: list) -> bool:
    return any(not isinstance(unit, str) or not unit.startswith("#") for unit in skeleton)


def _top_level(words: list[str]) -> list[str]:
    """The words outside every bracket."""
    depth, found = 0, []
    for word in words:
        if word in _OPENING:
            depth += 1
        elif word in _CLOSING:
            depth -= 1
        elif depth == 0:
            found.append(word)
    return found


def _after_template_parameters(words: list[str]) -> int:
    """The index after `template <...>` at the start of a declaration (0 if none)."""
    if words[:2] != ["template", "<"]:
        return 0
    depth = 0
    for index, word in enumerate(words[1:], start=1):
        depth += {"<": 1, ">": -1, ">>": -2}.get(word, 0)
        if depth <= 0:
            return index + 1
    return len(words)


def _in_initialiser_list(words: list[str]) -> bool:
    """Whether the statement so far is a constructor's header into its member initialisers:
    `A::A(int x) : a_(x), b_`."""
    depth = 0
    for index, word in enumerate(words):
        if word in _OPENING:
            depth += 1
        elif word in _CLOSING:
            depth -= 1
        elif word == ":" and depth == 0 and index > 0 and words[index - 1] in (")", "noexcept", "const"):
            return True
    return False


# How many calls the program's code of a function (the first) makes to another (the second);
# None when it cannot tell.
CallsInProgram = Callable[[FunctionDefinition, FunctionDefinition], "int | None"]


def _matched(program: ScannedSource, saved: ScannedSource) -> tuple[list[int | None], list[int]] | str:
    """For each function of `saved`, the index of the same function in `program` (None: a new
    one), and the program's functions `saved` no longer has; or why the two differ in more
    than function definitions added, removed or changed in their bodies (a signature change
    is one removed and one added)."""
    matches: list[int | None] = [None] * len(saved.functions)
    removed: list[int] = []
    program_at = [index for index, unit in enumerate(program.skeleton) if not isinstance(unit, str)]
    saved_at = [index for index, unit in enumerate(saved.skeleton) if not isinstance(unit, str)]
    matcher = difflib.SequenceMatcher(None, program.skeleton, saved.skeleton, autojunk=False)
    for tag, first, last, saved_first, saved_last in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(last - first):
                if not isinstance(program.skeleton[first + offset], str):
                    matches[saved_at.index(saved_first + offset)] = program_at.index(first + offset)
            continue
        if any(isinstance(unit, str) for unit in [*program.skeleton[first:last], *saved.skeleton[saved_first:saved_last]]):
            return "a change outside function definitions"
        removed += [program_at.index(index) for index in range(first, last)]
    return matches, removed


def _code_differing(program: ScannedSource, saved: ScannedSource, calls_in_program: CallsInProgram | None) -> set[int] | str:
    """The functions (indices in `saved`) whose code differs from the program's: those new or
    whose body changed and, transitively, those that may have inlined one, or that spell the
    name of one added or removed (a call may now resolve to another overload)."""
    matched = _matched(program, saved)
    if isinstance(matched, str):
        return matched
    matches, removed = matched
    changed = [index for index, match in enumerate(matches)
               if match is None or program.functions[match].body != saved.functions[index].body]
    unspelt = next((function for function in [*(saved.functions[index] for index in changed),
                                               *(program.functions[index] for index in removed)]
                    if not function.callers_spell_it), None)
    if unspelt is not None:
        return f"{unspelt.qualified} changed, and its callers need not spell its name"
    names_resolved_anew = {saved.functions[index].name for index, match in enumerate(matches) if match is None}
    names_resolved_anew |= {program.functions[index].name for index in removed}

    def may_have_inlined(caller: FunctionDefinition, callee: FunctionDefinition) -> bool:
        if callee.name not in caller.mentions:
            return False
        if callee.name in names_resolved_anew or callee.internal or callee.always_kept \
                or len(callee.body) <= INLINE_CANDIDATE_TOKENS or calls_in_program is None:
            return True
        sites = sum(1 for at, word in enumerate(caller.body[:-1]) if word == callee.name and caller.body[at + 1] == "(")
        calls = calls_in_program(caller, callee)
        return calls is None or sites == 0 or calls < sites  # a call site the program's code does not call
    differing = set(changed) | {index for index, function in enumerate(saved.functions) if function.mentions & names_resolved_anew}
    waiting = list(differing)
    while waiting:
        callee = saved.functions[waiting.pop()]
        for index, function in enumerate(saved.functions):
            if index not in differing and may_have_inlined(function, callee):
                differing.add(index)
                waiting.append(index)
    return differing


def partial_source(program_text: str, text: str, file_name: str, calls_in_program: CallsInProgram | None = None,
                   running_text: str | None = None) -> PartialSource | str:
    """What to compile for a save of `text` over `program_text` (the running program's build
    of the file), with `#line` naming `file_name`; or why the whole source must compile.
    `calls_in_program` tells whether a caller of a large function inlined it (otherwise it
    is assumed it may have). `running_text`: the text the newest patch compiled of the file,
    if one did: the functions whose code it changed are compiled again, back to the
    program's or as saved, since a patch changes only the functions it defines."""
    old, new = scan(program_text), scan(text)
    if isinstance(old, str):
        return f"the program's text: {old}"
    if isinstance(new, str):
        return new
    differing = _code_differing(old, new, calls_in_program)
    if isinstance(differing, str):
        return differing
    restored: set[int] = set()
    if running_text is not None:
        running = scan(running_text)
        if isinstance(running, str):
            return f"the running patch's text: {running}"
        earlier = _code_differing(old, running, calls_in_program)
        if isinstance(earlier, str):
            return f"the running patch: {earlier}"
        earlier_keys = {running.functions[index].key for index in earlier}
        restored = {index for index, function in enumerate(new.functions) if function.key in earlier_keys} - differing
        differing |= restored
    # Nothing differing (a comment, a file saved back to the program's text) is not a reason
    # to compile the whole source (seconds, for no code): what is kept is the functions always
    # kept, whose code is the program's (code_is_the_programs: the builder need not compile it).
    program_bodies = {function.key: function.body for function in old.functions}
    changed = [function for function in new.functions if program_bodies.get(function.key) != function.body]
    saved_keys = {function.key for function in new.functions}
    removed = [function.qualified for function in old.functions if function.key not in saved_keys]
    kept = {id(new.functions[index]) for index in differing}
    # The definitions the kept code (or the skeleton) names, transitively: those it cannot
    # call in the program (internal ones), and those small enough that it may inline them.
    needed = kept | {id(function) for function in new.functions if function.always_kept}
    named = set(new.outside_mentions)
    grew = True
    while grew:
        grew = False
        for function in new.functions:
            if id(function) in needed:
                if not function.mentions <= named:
                    named |= function.mentions
                    grew = True
            elif function.name in named and (function.internal or len(function.body) <= INLINE_CANDIDATE_TOKENS):
                needed.add(id(function))
                grew = True
    left_out = [function for function in new.functions if id(function) not in needed]
    if not left_out:
        return "every function is needed"
    # A function left out that the kept code names stays declared (a member, or one whose
    # name is qualified, is declared elsewhere already: it goes whole).
    pieces, at = [], 0
    for function in left_out:
        declared = function.name in named and "::" not in function.qualified
        start = function.body_start if declared else function.start
        pieces += [text[at:start], ";" if declared else "", "\n" * text.count("\n", start, function.end)]
        at = function.end
    stripped = "".join(pieces) + text[at:]
    with_line = _with_line_directive(stripped, new.include_block_end, file_name)
    if with_line is None:
        return "no blank or comment line after the include block for a #line directive"
    return PartialSource(with_line, changed=[function.qualified for function in changed],
                         restored=[new.functions[index].qualified for index in sorted(restored)], removed=removed,
                         compiled=[function.qualified for function in new.functions if id(function) in needed],
                         left_out=[function.qualified for function in left_out],
                         changed_lines=[(text.count("\n", 0, function.start) + 1, text.count("\n", 0, function.end) + 1)
                                        for function in changed],
                         code_is_the_programs=not differing)


def symbols_named(function: FunctionDefinition, symbols: list[str]) -> list[str]:
    """The symbols (mangled names) that may be `function`'s: an `extern "C"` name as it is, a
    C++ one by its qualified name's components in Itanium's mangling (`9FrameLoop4zoom`)."""
    if function.qualified in symbols:
        return [function.qualified]
    parts = function.qualified.split("::")
    pattern = re.compile(r"(?<![0-9])" + "".join(f"{len(part)}{re.escape(part)}" for part in parts))
    return [symbol for symbol in symbols if symbol.startswith("_Z") and pattern.search(symbol)]


def error_locations(compiler_output: str) -> list[tuple[str, int]]:
    """(file, line) of each error in a compiler's output."""
    return [(match["file"], int(match["line"])) for match in _ERROR.finditer(compiler_output)]


def _with_line_directive(text: str, after: int, file_name: str) -> str | None:
    """`text` with its first blank or comment-only line after offset `after` replaced by a
    `#line` directive naming the next line as it is numbered in the file, in `file_name`."""
    comments = [(match.start(), match.end()) for match in _TOKEN.finditer(text)
                if match.lastgroup in ("comment", "string") and "\n" in match.group()]
    start = text.find("\n", after) + 1 if after else 0
    while 0 <= start < len(text):
        end = text.find("\n", start)
        if end < 0:
            return None
        line = text[start:end].strip()
        inside = any(begin < start < finish for begin, finish in comments)
        if not inside and (not line or (line.startswith("//") and not line.endswith("\\"))):
            number = text.count("\n", 0, start) + 2  # the next line's number, counting from 1
            quoted = file_name.replace("\\", "\\\\").replace('"', '\\"')
            return f'{text[:start]}#line {number} "{quoted}"{text[end:]}'
        start = end + 1
    return None
