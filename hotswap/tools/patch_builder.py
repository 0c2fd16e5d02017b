#!/usr/bin/env python3
"""Builds a patch: a WebAssembly side module from edited sources of the program only,
linked against the running program's symbols, plus its manifest.

Steps (docs/ARCHITECTURE.md, "Flow of a patch"): find the program's sources an edit
affects (for a header, with narrow_header_edits as the dev loop has it, only the includers
that use a function whose body changed: header_edits); compile each with the program's own flags (clang directly, no em++ wrapper, in
parallel, with a precompiled header of its includes); rebind weak functions to the patch
(object_rewriter); link them, with the newest objects of every source an earlier patch
carried (a patch replaces all code patched so far, so no function of an older patch is
still called); check it against the program and the earlier patches (patch_checks); tell
which functions changed (code_fingerprints) and make each mark when it first runs
(run_flags); write `patch-NNNNNN.wasm`, `patch-NNNNNN.json` and the folder's `index.json`.

Command line (the dev loop imports PatchBuilder instead):
  patch_builder.py --build-dir build/wasm --program site/raytracer.wasm \
                   --patch-dir build/wasm/site/patches --version 1 app/hot/sky.cpp

With --overlay DIR, DIR mirrors the project: a file there (an edited copy) replaces the
project's file of the same relative path, and the named files are given relative to the
project. The tests use it to build patches from edited copies without touching the tree.

With --serve, it builds one patch per line of standard input, {"version": N, "files": [...]},
and answers each with the manifest on one line of standard output (long runs such as the
soak keep one builder, and its precompiled headers, warm).
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from code_fingerprints import FunctionFingerprints, calls_by_function, compare, only_the_programs_code_and_data  # noqa: E402
from compile_database import CompileDatabase  # noqa: E402
from compiler_output import CompilerOutput  # noqa: E402
import function_edits  # noqa: E402
from function_edits import PartialSource, partial_source, symbols_named  # noqa: E402
from header_edits import FunctionUse, HeaderNarrowing, parse_arguments  # noqa: E402
from object_rewriter import bind_weak_functions_locally  # noqa: E402
from patch_format import PATCH_FORMAT  # noqa: E402
from preambles import Preambles, has_target_pch, include_block, refused_pch, without_target_pch  # noqa: E402
from patch_checks import (EarlierPatches, PatchRejected, ProgramInterface, check_patch, demangle,  # noqa: E402
                          functions_defined_by, short_names, use_demangler)
import record_layouts  # noqa: E402
from run_flags import add_run_flags  # noqa: E402
from static_data import LinkMap, StaticBindings, bindings_for, rewrite_ir, whole_name  # noqa: E402
from table_routing import direct_calls, route_patch_calls  # noqa: E402
from toolchain import Toolchain  # noqa: E402
from wasm_binary import SYMBOL_DATA, WasmBinary, WasmFormatError, read_name_section  # noqa: E402

COMPILE_JOBS = max(2, os.cpu_count() or 2)  # a header edit recompiles many sources: all cores
STATE_FILE = "builder-state.json"  # in the patch folder: what later builds carry on from
WHOLE_COMPILE_DELAY_SECONDS = 5.0  # after a save compiled in part, before its whole compile starts (the next save may come first)
PREBUILT_SUFFIX = ".prebuilt"  # beside a program object: the patch build's compile of it, for a hot restart (program_compiler.sh)


@dataclass
class BuildResult:
    version: int
    files: list[str]                  # sources compiled for this save
    carried: list[str] = field(default_factory=list)  # sources earlier patches compiled, linked again
    # Of `files`, those whose code and data came out as the program's (a declaration added to a
    # header they include), or would have (a comment: not compiled at all): not linked, so later
    # patches do not carry them either.
    left_out: list[str] = field(default_factory=list)
    module: str | None = None
    build_ms: float = 0.0
    compile_ms: float = 0.0
    compile_cpu_ms: float | None = None  # processor time of the compiles (the compile server's count; None without it)
    link_ms: float = 0.0
    check_ms: float = 0.0
    functions: list[str] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)   # {name, readable, short, new, flag}
    calls: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)  # {file, line, column, message, context}
    static_data: dict[str, tuple[int, int]] = field(default_factory=dict)  # bound static -> (program address, size)
    # bound file-local thread-local -> (offset in the program's thread-local block, size)
    static_thread_locals: dict[str, tuple[int, int]] = field(default_factory=dict)
    routed_calls: int = 0  # the patch's own calls that go through the program's slots
    headers: list[dict] = field(default_factory=list)  # per edited header: which includers compiled and why (header_edits)
    reused: list[str] = field(default_factory=list)  # of `files`, those an earlier compile of the same text gave (no compile)
    # per compiled source: the functions it compiled when not all of them (function_edits), or why all
    sources: list[dict] = field(default_factory=list)
    failure: dict | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None

    def manifest(self) -> dict:
        manifest = {key: value for key, value in asdict(self).items() if value is not None}
        manifest["format_version"] = PATCH_FORMAT["format_version"]
        return manifest


@dataclass
class PatchedSource:
    """A source some patch compiled: its newest object, and what that compile read.
    `fingerprinted` is the object to compare code with: the same one, or for a source whose
    static variables are bound (compiled through IR, which changes how code reaches them) a
    plain compile of it, made alongside, exactly as the program's own objects are made."""
    object_file: Path
    dependencies: set[Path]
    fingerprinted: Path
    static_data: dict[str, tuple[int, int]] = field(default_factory=dict)  # its bound statics (static_data.py)
    static_thread_locals: dict[str, tuple[int, int]] = field(default_factory=dict)  # and thread-locals
    text: str | None = None  # the source's text it was compiled from (function_edits), if known


@dataclass
class ProgramEquivalent:
    """What the program's own build would make of a source, as a patch build compiled it: the
    object before the patch's changes to it, its record layouts, and what it read (with when:
    a file saved after the compile makes it stale)."""
    object_file: Path
    layouts: str
    dependencies: set[Path]
    compiled_at: float  # time.time() when the compile started
    depfile: str = ""   # the compile's dependency file as clang wrote it (every file it read), for Ninja
    uses: Path | None = None  # its use set (the function-use plugin), if written


@dataclass
class CompiledSource:
    """An earlier compile of a source, kept by the content it was compiled from: saving the
    same text again (an undo) reuses it instead of compiling."""
    patched: PatchedSource
    warnings: list[dict]
    equivalent: ProgramEquivalent | None  # None for a compile of some functions only (function_edits)
    uses: frozenset[str] | None  # its use set, when the plugin wrote one


@dataclass
class CompileJob:
    source: Path            # the program's source
    compiled: Path          # what is compiled: the source, or its edited copy in the overlay
    output: Path
    flags: list[str]
    quotes: list[Path]      # folders its quoted includes resolve from
    statics: StaticBindings
    layouts: bool = True    # print the record layouts (the compile whose object the patch links)
    # Bound statics: where the plain object (the program's, for the comparison) goes when it
    # comes from the same front-end run, the IR compiled as it is (byte-identical for a source
    # with the program's PCH; tests/hotswap/test_patch_builder.py). None: a compile of its own.
    plain_output: Path | None = None
    # Statics the patch keeps its own copy of after all (static_data.rewrite_ir): program's name -> why.
    unbound: dict[str, str] = field(default_factory=dict)
    partial: PartialSource | None = None  # `compiled` holds only some of the source's functions (function_edits)
    background: bool = False  # paused while a save compiles (a hot restart's object, made ahead)


class PatchBuilder:
    def __init__(self, project_root: Path, build_dir: Path, program_wasm: Path, patch_dir: Path,
                 overlay: Path | None = None, check: bool = True, say: Callable[[str], None] | None = None,
                 narrow_header_edits: bool = False, compile_changed_functions: bool = True):
        self.project_root = project_root.resolve()
        self.check = check  # False only in tests that prove the loader rejects bad patches by itself
        self.overlay = overlay.resolve() if overlay else None
        self.build_dir = build_dir.resolve()
        self.patch_dir = patch_dir
        self.work_dir = self.build_dir / "hotswap-work"
        self.toolchain = Toolchain.load(self.build_dir, say)
        self.toolchain.runner.start()  # loads clang and lld while the page loads
        if self.toolchain.runner.uses_server:
            use_demangler(self.toolchain.runner.demangle)
        self.database = CompileDatabase(self.build_dir, CompileDatabase.program_sources(program_wasm))
        self.program = ProgramInterface.from_wasm(program_wasm)
        self.patched: dict[Path, PatchedSource] = {}
        self.pending: set[Path] = set()   # sources saves affected since the last patch that built
        self.object_dir = self.patch_dir / "objects"
        self._fingerprints: dict[Path, dict[str, str]] = {}  # object file -> its functions' fingerprints
        self.program_equivalents: dict[Path, ProgramEquivalent] = {}  # source -> its newest, for a hot restart
        self.link_map_path = program_wasm.with_name(program_wasm.stem + ".link.map")
        self.program_slots = self._program_slots(program_wasm.with_name(program_wasm.stem + PATCH_FORMAT["table_map_suffix"]))
        self.earlier = EarlierPatches()
        self.ignored = set(PATCH_FORMAT["ignored_exports"])
        self.history: list[dict] = []
        self.patch_dir.mkdir(parents=True, exist_ok=True)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.object_dir.mkdir(parents=True, exist_ok=True)
        self.output = CompilerOutput(self.project_root, self.overlay)
        self.preambles = Preambles(self.toolchain, self.work_dir / "preambles", (lambda built, seconds: say(
            f"preambles: {built} precompiled ({seconds:.0f} s); a save of one of their sources compiles only its own code")) if say else None)
        # The program's build wrote each object's use set when the plugin was there (program_compiler.sh).
        from_build = {source: frozenset(uses.read_text().split()) for source, entry in self.database.entries.items()
                      if (uses := entry.object_file.with_name(entry.object_file.name + ".uses")).exists()}
        self.function_use = FunctionUse(self.work_dir / "function-use", self._commands_for, self._project_inputs,
                                        (lambda known, seconds: say(
                                            f"header edits: know which functions each of {known} sources uses ({seconds:.0f} s); a "
                                            "header edit now compiles only the sources that use a function it changed")) if say else None,
                                        enabled=narrow_header_edits, known=from_build,
                                        run=lambda command: self.toolchain.run(command, background=True),
                                        declared_names=self.toolchain.runner.declared_names if self.toolchain.runner.uses_server else None)
        headers = {path for source in self.database.entries for path in self._project_inputs(source)}
        self.narrowing = HeaderNarrowing(self.project_root, self.build_dir, program_wasm.stat().st_mtime,
                                         sorted(headers - set(self.database.entries)), self.function_use,
                                         Path(self.toolchain.clang).parent)
        unknown = sorted(set(self.database.entries) - set(from_build))
        if narrow_header_edits and not unknown and say:
            say(f"header edits: know which functions each of {len(from_build)} sources uses (from the program's build)")
        self.function_use.refresh(unknown)  # in the background, one at a time
        self._compiled_objects: dict[str, CompiledSource] = {}  # content key of a compile -> what it made (undo)
        self._linked_modules: dict[tuple[str, ...], Path] = {}  # the objects linked -> the module they made
        self._use_learned: dict[Path, bool] = {}  # source -> whether its newest compile gave its use set
        # Sources a header edit left alone (header_edits: it cannot change their code): their
        # program objects are still what a hot restart's build would make of them.
        self.unaffected: dict[Path, float] = {}  # source -> when (time.time()) the newest such edit was planned
        # The text each source's program object was built from (function_edits compares a save
        # with it): known for the sources not saved since their object was built.
        self.compile_changed_functions = compile_changed_functions
        self._program_texts: dict[Path, str] = {}
        self._program_calls: dict[Path, dict] = {}  # program object -> calls_by_function of it
        # Work off a save's path, one piece at a time. A source compiled in part has no object a
        # hot restart's build can take: its whole compile follows, once saves pause (the newest
        # text only). And first, the program's link map (static_data): read on the first save,
        # it cost that save 16 ms.
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="builder-background")
        self._link_map: Future = self._background.submit(
            lambda: LinkMap(self.link_map_path) if self.link_map_path.exists() else None)
        self._whole_wanted: dict[Path, int] = {}  # source -> the version whose text it is to compile
        self._closing = threading.Event()
        self._equivalents_lock = threading.Lock()  # program_equivalents: written by builds and by whole compiles
        for source, entry in self.database.entries.items():
            text_file = self._overlaid_file(source)
            if compile_changed_functions and entry.object_file.exists() and text_file.exists() \
                    and text_file.stat().st_mtime_ns <= entry.object_file.stat().st_mtime_ns:
                self._program_texts[source] = text_file.read_text()

    def warm_up(self, paths: list[Path]) -> None:
        """Starts building the preambles of these sources that have none fresh (in the
        background, one at a time): the hot files first, then the most recently saved, the
        likeliest next edits; so that their first patch compiles fast too."""
        sources = self.database.sources_affected_by(paths)
        hot = self.project_root / "app" / "hot"
        sources.sort(key=lambda source: (not source.is_relative_to(hot), -self._overlaid_file(source).stat().st_mtime))
        for order, source in enumerate(sources, start=1):
            compiled, flags, quotes = self._overlaid(source, self.database.entry(source).flags)
            self.preambles.flags_for(include_block(compiled.read_text()), flags, quotes, self._overlay_files(), priority=order)

    def close(self) -> None:
        """Stops background work (preambles, use sets) and the compile server: call before
        the process exits."""
        self._closing.set()
        self._background.shutdown(wait=True, cancel_futures=True)
        self.preambles.close()
        self.narrowing.close()
        self.toolchain.close()

    def relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.project_root))
        except ValueError:
            return str(path)

    def affected_sources(self, changed: list[Path]) -> list[Path]:
        """The program's sources a save of `changed` makes stale."""
        extra = {source: patched.dependencies for source, patched in self.patched.items()}
        return self.database.sources_affected_by(changed, extra)

    def sources_to_compile(self, changed: list[Path]) -> tuple[list[Path], list[dict]]:
        """The sources a save of `changed` compiles: the saved sources, and the includers of
        each saved header that use a function it changed (or all of them when that cannot be
        told: header_edits); with, per header, what was decided and why."""
        changed = [path.resolve() for path in changed]
        affected = self.affected_sources(changed)
        saved = {path for path in changed if path in self.database.entries}
        headers = [path for path in changed if path not in self.database.entries]
        if not headers or not self.function_use.enabled:
            return affected, []
        compiled, notes = set(saved), []
        for header in headers:
            includers = self.affected_sources([header])
            if not includers:
                continue
            text_file = self._overlaid_file(header)
            if not text_file.exists():
                compiled.update(includers)
                continue
            if len(set(includers) | saved) <= COMPILE_JOBS:
                notes.append(asdict(self.narrowing.compiled_side_by_side(header, text_file.read_text(), includers)))
                compiled.update(includers)
                continue
            # The header is parsed as an includer with the program's PCH sees it (faster).
            model = next((source for source in includers if has_target_pch(self.database.entry(source).flags)), includers[0])
            flags = self._overlaid(model, self.database.entry(model).flags)[1]
            arguments = parse_arguments(self.toolchain.compile_command(flags, model, Path("-")), model)
            plan = self.narrowing.plan(header, text_file.read_text(), includers, saved, arguments)
            compiled.update(source for source in includers if self.relative(source) in plan.compiled)
            self.unaffected.update({source: time.time() for source in includers if self.relative(source) in plan.skipped})
            notes.append(asdict(plan))
        if not compiled:  # no includer uses what changed: one compiles, the smallest, so the save makes a patch ("no code changed")
            smallest = min(affected, key=lambda source: self._overlaid_file(source).stat().st_size)
            for note in notes:
                if self.relative(smallest) in note["skipped"]:
                    note["skipped"].remove(self.relative(smallest))
                    note["compiled"].append(self.relative(smallest))
                note["reason"] = None
                note["none_use_it"] = True
            return [smallest], notes
        return sorted(compiled), notes

    def hold_background(self) -> Callable[[], None]:
        """Stops the builder's background work (whole compiles for a restart, preambles, use
        sets) until the returned release is called: the dev loop holds it from a save until the
        page shows its patch. A build holds it itself too."""
        return self.toolchain.runner.hold_background()

    def build(self, changed: list[Path], version: int, plan: tuple[list[Path], list[dict]] | None = None,
              whole: bool = False) -> BuildResult:
        """Builds patch `version` for a save of `changed` (`plan`: what sources_to_compile
        said for it, if the caller asked already). A source whose save changed some function
        bodies compiles those functions only (function_edits), unless `whole`; when that
        build fails for any other reason than an error in a changed function, it is built
        again with whole sources, whose verdict stands. Background work stays stopped
        throughout (not only while a compile runs: the steps between compiles need the cores
        too)."""
        with self.toolchain.runner.background_held():
            return self._build(changed, version, plan, whole)

    def _build(self, changed: list[Path], version: int, plan: tuple[list[Path], list[dict]] | None, whole: bool) -> BuildResult:
        started = time.perf_counter()
        planned, header_notes = plan or self.sources_to_compile(changed)
        sources = sorted(set(planned) | self.pending)
        result = BuildResult(version, [self.relative(path) for path in (sources or changed)], headers=header_notes)
        self.pending = set(sources)  # until a patch with them builds
        try:
            if not sources:
                raise PatchRejected("compile_error", "no source of the program is affected by "
                                    + ", ".join(self.relative(path) for path in changed))
            compiled = self._leave_out_unchanged(self._compile(sources, version, result, whole), result)
            carried = {source: patched.object_file for source, patched in self.patched.items() if source not in compiled}
            result.carried = [self.relative(source) for source in sorted(carried)]
            for patched in [*compiled.values(), *(self.patched[source] for source in carried)]:
                result.static_data.update(patched.static_data)  # carried objects bind their statics too
                result.static_thread_locals.update(patched.static_thread_locals)
            module_path = self._link([*(c.object_file for c in compiled.values()), *carried.values()], version, result)
            self._check(module_path, sorted(compiled), result)
            self._report_changes(module_path, compiled, result)
            self._route_own_calls(module_path, result)
            result.module = module_path.name
            self.patched.update(compiled)
            self.pending.clear()
            for note in result.sources:
                if "compiled" in note:
                    self._compile_whole_later(self.project_root / note["source"], version)
            self._save_state()
            self.narrowing.built(sorted(source for source in compiled if not self._use_learned.get(source)))
        except PatchRejected as rejection:
            if not whole and any("compiled" in note for note in result.sources) and not self._error_in_changed_functions(rejection, result):
                return self._build(changed, version, (planned, header_notes), whole=True)
            self.narrowing.failed()
            result.failure = {"kind": rejection.kind, "message": self.output.relative_paths(str(rejection)),
                              "summary": self.output.relative_paths(rejection.summary)}
        result.build_ms = round((time.perf_counter() - started) * 1000, 1)
        self._publish(result)
        # The preambles of the sources this compiled (built if missing), and of every source
        # that includes a saved header (stale now), are rebuilt in the background, as clangd
        # does: the next save of one of those sources compiles only its own code.
        saved_headers = [path for path in changed if path.resolve() not in self.database.entries]
        self.warm_up(sorted(set(sources) | set(self.affected_sources(saved_headers) if saved_headers else [])))
        return result

    def _compile(self, sources: list[Path], version: int, result: BuildResult, whole: bool = False) -> dict[Path, PatchedSource]:
        """Compiles `sources` in parallel, each its changed functions only when function_edits
        can tell them (not `whole`); a source whose text (and every project file its
        compile reads) is one an earlier patch compiled already reuses that compile (an undo,
        an experiment toggled back): `result.reused` names those."""
        started = time.perf_counter()
        compiled_at = time.time()
        jobs, fingerprint_jobs, keys, reused = [], {}, {}, {}
        plain_objects: dict[Path, Path] = {}  # bound statics: the plain object, for the comparison and a restart
        notes: dict[Path, dict] = {}
        texts: dict[Path, str] = {}
        overlaid, partials = {}, {}
        for source in sources:
            self._whole_wanted.pop(source, None)  # a newer save of it: the build below decides anew
            overlaid[source] = self._overlaid(source, self.database.entry(source).flags)
            texts[source] = overlaid[source][0].read_text()
            partials[source], notes[source] = self._changed_functions(source, texts[source], str(overlaid[source][0]), whole)
        programs_code = self._programs_code_only(sources, partials, notes)
        result.left_out = [self.relative(source) for source in programs_code]
        for index, source in enumerate(sources):
            if source in programs_code:
                continue
            entry = self.database.entry(source)
            compiled, flags, quotes = overlaid[source]
            partial = partials[source]
            own = self._programs_own_object(source, texts[source], compiled,
                                            self.object_dir / f"v{version:06d}-{index}-{source.stem}.programs-own.o")
            if own is not None:
                reused[source] = own
                notes[source] = {"source": self.relative(source), "programs_own_object": True,
                                 "restored": partial.restored if partial is not None else []}
                self.unaffected[source] = time.time()  # a hot restart's build keeps the program's object too
                continue
            if partial is not None:
                compiled = self.work_dir / "functions" / self.relative(source)
            keys[source] = key = self._compile_key(source, compiled, flags, quotes)
            earlier = self._compiled_objects.get(key)
            if earlier is not None and earlier.patched.object_file.exists():
                reused[source] = earlier
                continue
            output = self.object_dir / f"v{version:06d}-{index}-{source.stem}.o"
            statics = self._static_bindings(source, compiled, entry.object_file)
            jobs.append(CompileJob(source, compiled, output, flags, quotes, statics, partial=partial))
            if statics.renamed and has_target_pch(flags):
                jobs[-1].plain_output = plain_objects[source] = output.with_suffix(".plain.o")
            elif statics.renamed:
                fingerprint_jobs[source] = CompileJob(source, compiled, output.with_suffix(".plain.o"), flags, quotes,
                                                      StaticBindings({}, {}), layouts=False, partial=partial)
                plain_objects[source] = fingerprint_jobs[source].output
        result.sources = [note for source in sources if (note := notes[source])]
        runs = []
        if jobs:
            with ThreadPoolExecutor(max_workers=COMPILE_JOBS) as pool:
                runs = list(pool.map(self._compile_one, [*jobs, *fingerprint_jobs.values()]))
        result.compile_ms = round((time.perf_counter() - started) * 1000, 1)
        cpu = [getattr(run, "cpu_ms", None) for run in runs]
        result.compile_cpu_ms = round(sum(cpu), 1) if None not in cpu else None
        errors = [run.stderr.strip() or run.stdout.strip() for run in runs if run.returncode != 0]
        if errors:
            raise PatchRejected("compile_error", "\n".join(errors[:len(jobs)] or errors))
        warnings = {job.source: self.output.warnings(run.stderr) for job, run in zip(jobs, runs)}
        depfiles = {job.source: self._depfile_text(job.output) for job in jobs}
        dependencies = {job.source: self._read_dependencies(job.output) for job in jobs}
        for job, run in zip(jobs, runs[:len(jobs)]):
            if job.source in plain_objects:
                plain_objects[job.source].with_suffix(".d").unlink(missing_ok=True)
            if job.partial is not None:
                dependencies[job.source].add(job.source)  # compiled from a copy in the build folder
                with self._equivalents_lock:
                    self.program_equivalents.pop(job.source, None)  # some functions only: compiled whole later (build)
                continue
            # The plain object (before the patch's rebinding below), for a hot restart.
            plain = plain_objects.get(job.source)
            if plain is None:
                plain = job.output.with_suffix(".program.o")
                shutil.copyfile(job.output, plain)
            uses = job.output.with_suffix(".uses")
            with self._equivalents_lock:
                self.program_equivalents[job.source] = ProgramEquivalent(
                    plain, record_layouts.summaries(run.stdout), dependencies[job.source], compiled_at, depfiles[job.source],
                    uses if uses.exists() else None)
        self._check_layouts(jobs, runs[:len(jobs)])
        compiled = {}
        for job in jobs:
            job.unbound.update(self._check_static_sizes(job.source, job.output, job.statics))
            warnings[job.source] += [self._unbound_warning(job.source, name, why) for name, why in job.unbound.items()]
            bind_weak_functions_locally(job.output)
            fingerprinted = plain_objects.get(job.source, job.output)
            compiled[job.source] = PatchedSource(job.output, dependencies[job.source], fingerprinted, job.statics.addresses,
                                                 job.statics.thread_locals, texts[job.source])
            uses = self._learn_function_use(job.source, job.output.with_suffix(".uses"), some_functions=job.partial is not None)
            self._compiled_objects[keys[job.source]] = CompiledSource(compiled[job.source], warnings[job.source],
                                                                      self.program_equivalents.get(job.source), uses)
        for source, earlier in reused.items():
            compiled[source] = earlier.patched
            result.warnings += earlier.warnings
            with self._equivalents_lock:
                if earlier.equivalent is None:
                    self.program_equivalents.pop(source, None)
                else:
                    self.program_equivalents[source] = dataclasses.replace(earlier.equivalent, compiled_at=compiled_at)
            self._use_learned[source] = earlier.uses is not None
            if earlier.uses is not None:
                self.function_use.learn(source, earlier.uses)
        for source in sources:
            result.warnings += warnings.get(source, [])
        result.reused = [self.relative(source) for source in sorted(reused)]
        return compiled

    def _changed_functions(self, source: Path, text: str, file_name: str, whole: bool) -> tuple[PartialSource | None, dict]:
        """What to compile of `source` (saved as `text`, in `file_name`) when not all of it: the
        functions whose code differs from the program's, now or in the running patch, and what
        they need (function_edits), written to the work folder; with a note for the manifest
        (what compiled, or why all of it did)."""
        if not self.compile_changed_functions:
            return None, {}
        note = {"source": self.relative(source)}
        program_text = self._program_texts.get(source)
        if whole:
            return None, {**note, "whole": "the build of its changed functions alone failed"}
        if program_text is None:
            return None, {**note, "whole": "saved before the program was built: its text then is not known"}
        if (saved := self._input_saved_since_build(source)) is not None:
            return None, {**note, "whole": f"{self.relative(saved)} changed since the program was built"}
        running = self.patched.get(source)
        if running is not None and running.text is None:
            return None, {**note, "whole": "the running patch's text of it is not known"}
        partial = partial_source(program_text, text, file_name, self._calls_in_program(source),
                                 running.text if running is not None else None)
        if isinstance(partial, str):
            return None, {**note, "whole": partial}
        path = self.work_dir / "functions" / self.relative(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(partial.text)
        return partial, {**note, "changed": partial.changed, "restored": partial.restored, "removed": partial.removed,
                         "compiled": partial.compiled,
                         "left_out": len(partial.left_out), "changed_lines": partial.changed_lines}

    def _programs_code_only(self, sources: list[Path], partials: dict[Path, PartialSource | None],
                            notes: dict[Path, dict]) -> list[Path]:
        """The sources none of whose functions' code differs from the program's (a comment, a
        file saved back to the program's text when no patch changed it), which need no compile:
        the program runs their code. When nothing else would make a patch, they compile (the
        functions always kept) to make one. Their notes say nothing compiled."""
        found = [source for source in sources if partials[source] is not None and partials[source].code_is_the_programs]
        if len(found) == len(sources) and not self.patched:
            return []
        for source in found:
            notes[source]["compiled"] = []
            notes[source]["left_out"] += len(partials[source].compiled)
            with self._equivalents_lock:
                self.program_equivalents.pop(source, None)  # an older text's: compiled whole later (build)
        return found

    def _input_saved_since_build(self, source: Path) -> Path | None:
        """A project file other than `source` that its compile reads, saved since the program's
        object of it was built; None if there is none."""
        built = self.database.entry(source).object_file.stat().st_mtime_ns
        for path in self._project_inputs(source):
            if path != source and (copy := self._overlaid_file(path)).exists() and copy.stat().st_mtime_ns > built:
                return path
        return None

    def _programs_own_object(self, source: Path, text: str, compiled: Path, output: Path) -> CompiledSource | None:
        """The program's own object of `source`, as the compile of a save that put back the very
        text it was built from (every file its compile reads unchanged since) after a patch
        changed some of its functions: the same compiler and flags made it, so it is that
        compile, and linking it puts those functions back without compiling (an undo of every
        edit since the program was built). Not for a source whose static variables a patch
        binds to the program's (its patch object is compiled through IR)."""
        entry = self.database.entry(source)
        if source not in self.patched or self._program_texts.get(source) != text or not entry.object_file.exists() \
                or self._input_saved_since_build(source) is not None \
                or self._static_bindings(source, compiled, entry.object_file).renamed:
            return None
        shutil.copyfile(entry.object_file, output)
        bind_weak_functions_locally(output)
        uses = entry.object_file.with_name(entry.object_file.name + ".uses")
        return CompiledSource(PatchedSource(output, {*self.database.dependencies_of(entry.object_file), source}, output, text=text),
                              [], None, frozenset(uses.read_text().split()) if uses.exists() else None)

    def _compile_whole_later(self, source: Path, version: int) -> None:
        """Compiles all of `source` in the background, WHOLE_COMPILE_DELAY_SECONDS from now if no
        later save of it came first: the object the program's own build would make, for a hot
        restart (install_for_restart), as a save that compiled all of it leaves."""
        source = source.resolve()
        self._whole_wanted[source] = version

        def compile_whole():
            if self._closing.wait(WHOLE_COMPILE_DELAY_SECONDS) or self._whole_wanted.get(source) != version:
                return
            compiled_at = time.time()
            compiled, flags, quotes = self._overlaid(source, self.database.entry(source).flags)
            if self._program_texts.get(source) == compiled.read_text() and self._input_saved_since_build(source) is None:
                with self._equivalents_lock:  # the program's text: its own object is this compile
                    self.unaffected[source] = compiled_at
                return
            output = self.object_dir / f"v{version:06d}-{source.stem}.whole.o"
            run = self._compile_one(CompileJob(source, compiled, output, flags, quotes, StaticBindings({}, {}), background=True))
            depfile = self._depfile_text(output)
            dependencies = self._read_dependencies(output)
            if run.returncode != 0 or self._whole_wanted.get(source) != version:
                return
            uses = output.with_suffix(".uses")
            with self._equivalents_lock:
                self.program_equivalents[source] = ProgramEquivalent(output, record_layouts.summaries(run.stdout), dependencies,
                                                                     compiled_at, depfile, uses if uses.exists() else None)
            self._learn_function_use(source, uses)  # what all of it uses, exactly
        self._background.submit(compile_whole)

    def _calls_in_program(self, source: Path) -> function_edits.CallsInProgram:
        """How many calls one function makes to another in the program's object of `source`."""
        object_file = self.database.entry(source).object_file
        if object_file not in self._program_calls:
            self._program_calls[object_file] = calls_by_function(object_file)
        calls = self._program_calls[object_file]

        def count(caller: function_edits.FunctionDefinition, callee: function_edits.FunctionDefinition) -> int | None:
            callers, callees = symbols_named(caller, list(calls)), symbols_named(callee, list(calls))
            return calls[callers[0]][callees[0]] if len(callers) == 1 and len(callees) == 1 else None
        return count

    def _error_in_changed_functions(self, rejection: PatchRejected, result: BuildResult) -> bool:
        """Whether a rejected build failed on an error in a function the save changed: the
        user's to fix, which a build of whole sources would report as well."""
        if rejection.kind != "compile_error":
            return False
        spans = {note["source"]: note["changed_lines"] for note in result.sources if "changed_lines" in note}
        errors = function_edits.error_locations(self.output.relative_paths(str(rejection)))
        return bool(errors) and all(any(first <= line <= last for first, last in spans.get(file, [])) for file, line in errors)

    def _leave_out_unchanged(self, compiled: dict[Path, PatchedSource], result: BuildResult) -> dict[Path, PatchedSource]:
        """The compiled sources the patch links: not those no patch carries yet whose code and
        data are the program's own. Patches are cumulative, so a source linked once is carried
        by every later patch (its code recompiled by the engine, tiered up again from its
        first tier, in every thread); after an edit that compiles every includer of a header
        but changes none of their code, the next saves carry the saved source alone. One
        source stays when nothing else would make a patch (the save still shows as one)."""
        unchanged = sorted(source for source, patched in compiled.items()
                           if source not in self.patched and self.database.entry(source).object_file.exists()
                           and only_the_programs_code_and_data(self.database.entry(source).object_file, patched.fingerprinted))
        if len(unchanged) == len(compiled) and not self.patched:
            smallest = min(unchanged, key=lambda source: compiled[source].object_file.stat().st_size)
            unchanged.remove(smallest)
        result.left_out = sorted([*result.left_out, *(self.relative(source) for source in unchanged)])
        return {source: patched for source, patched in compiled.items() if source not in unchanged}

    def _compile_key(self, source: Path, compiled: Path, flags: list[str], quotes: list[Path]) -> str:
        """What a compile of `source` depends on: its flags, its text and that of every project
        file its compile reads (the newest compile's list of them)."""
        digest = hashlib.sha256("\0".join([*flags, *map(str, quotes), self._overlay_files()]).encode())
        for path in [compiled, *(self._overlaid_file(path) for path in self._project_inputs(source))]:
            digest.update(str(path).encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"\0(missing)")
        return digest.hexdigest()

    def _learn_function_use(self, source: Path, uses_file: Path, some_functions: bool = False) -> frozenset[str] | None:
        """The use set the function-use plugin wrote for this compile, told to the narrowing.
        A compile of `some_functions` only adds to what the source was known to use (the
        program still runs the others)."""
        try:
            uses = frozenset(uses_file.read_text().split())
        except OSError:
            self._use_learned[source] = False
            return None
        if some_functions:
            known = self.function_use.uses(source)
            if known is None:
                self._use_learned[source] = False
                return None
            uses |= known
        self.function_use.learn(source, uses)
        self._use_learned[source] = True
        return uses

    def install_for_restart(self) -> list[str]:
        """Before a hot restart's program build: leaves beside each of the program's objects
        whose source a patch compiled since the program was built what its own build would
        make of it (the same compiler and flags made it here): OBJECT.prebuilt, with the
        compile's dependency file, record layouts and use set. When Ninja then compiles that
        object, the program's compiler launcher (program_compiler.sh) takes the prebuilt one
        instead, if no file it was compiled from changed since (its modification time is the
        compile's start): Ninja records its dependencies as for any compile. A source saved
        after its compile is left to compile. Returns the sources prepared."""
        prepared = []
        with self._equivalents_lock:  # the background's whole compiles add to it
            equivalents = sorted(self.program_equivalents.items())
        for source, equivalent in equivalents:
            entry = self.database.entry(source)
            files = equivalent.dependencies | {source}
            if not equivalent.object_file.exists() or not equivalent.depfile:
                continue
            if any(not path.exists() or path.stat().st_mtime > equivalent.compiled_at for path in files):
                continue
            prebuilt = entry.object_file.with_name(entry.object_file.name + PREBUILT_SUFFIX)
            shutil.copyfile(equivalent.object_file, prebuilt)
            prebuilt.with_name(prebuilt.name + ".d").write_text(equivalent.depfile)
            prebuilt.with_name(prebuilt.name + record_layouts.SUFFIX).write_text(equivalent.layouts)
            if equivalent.uses is not None and equivalent.uses.exists():
                shutil.copyfile(equivalent.uses, prebuilt.with_name(prebuilt.name + ".uses"))
            os.utime(prebuilt, (equivalent.compiled_at, equivalent.compiled_at))
            prepared.append(source)
        # A source a narrowed header edit left alone keeps its object: Ninja would compile it
        # again only because the header is newer (a `__LINE__` below the edit keeps its number,
        # as in the running program). Its files saved since the edit was planned, it compiles.
        with self._equivalents_lock:  # the background's whole compiles add to it too
            unaffected = sorted(self.unaffected.items())
        for source, planned_at in unaffected:
            if source in self.program_equivalents:
                continue
            entry = self.database.entry(source)
            known = self.database.dependencies_of(entry.object_file)
            layouts = entry.object_file.with_name(entry.object_file.name + record_layouts.SUFFIX)
            if not entry.object_file.exists() or not known or not layouts.exists():
                continue
            prebuilt = entry.object_file.with_name(entry.object_file.name + PREBUILT_SUFFIX)
            shutil.copyfile(entry.object_file, prebuilt)
            prebuilt.with_name(prebuilt.name + ".d").write_text("object: " + " ".join(sorted(map(str, known))) + "\n")
            shutil.copyfile(layouts, prebuilt.with_name(prebuilt.name + record_layouts.SUFFIX))
            uses = entry.object_file.with_name(entry.object_file.name + ".uses")
            if uses.exists():
                shutil.copyfile(uses, prebuilt.with_name(prebuilt.name + ".uses"))
            os.utime(prebuilt, (planned_at, planned_at))
            prepared.append(source)
        return [self.relative(path) for path in prepared]

    def _check_layouts(self, jobs: list[CompileJob], runs: list[subprocess.CompletedProcess]) -> None:
        """Refuses a save that changes the layout of a type the program has (record_layouts)."""
        found = []
        for job, run in zip(jobs, runs):
            program = record_layouts.of_object(self.database.entry(job.source).object_file)
            if program is not None:
                found += [change for change in record_layouts.changes(program, record_layouts.parse(run.stdout))
                          if change not in found]
        if found:
            raise PatchRejected("layout_changed", "; ".join(found) + ". The running program's objects have the old "
                                "layout, so the new code cannot use them: this save needs the program rebuilt",
                                "; ".join(change.split(" (", 1)[0] for change in found))

    def _static_bindings(self, source: Path, compiled: Path, program_object: Path) -> StaticBindings:
        link_map = self._link_map.result()
        if not program_object.exists() or link_map is None:
            return StaticBindings({}, {})
        key = self.relative(source).replace("/", ".")
        return bindings_for(key, compiled.read_text(), program_object, link_map, self.build_dir)

    def _check_static_sizes(self, source: Path, object_file: Path, statics: StaticBindings) -> dict[str, str]:
        """A bound variable whose type changed size cannot use the program's storage. Returns
        the variables unbound instead: a piece the program's optimiser kept of a variable
        (static_data) that is not all of it."""
        unbound = {}
        if not statics.renamed:
            return unbound
        program_sizes = statics.sizes()
        sizes = {symbol.name: symbol.size for symbol in WasmBinary.from_file(object_file).symbols()
                 if symbol.kind == SYMBOL_DATA and symbol.defined and symbol.name in program_sizes}
        for old, new in list(statics.renamed.items()):
            program_size = program_sizes[new]
            if new in sizes and sizes[new] != program_size and new in statics.pieces:
                unbound[old] = f"the program's optimiser kept {program_size} of its {sizes[new]} bytes"
                statics.unbind(new)
            elif new in sizes and sizes[new] != program_size:
                readable = demangle([old])[old]
                raise PatchRejected("layout_changed",
                                    f"{self.relative(source)}: the static variable {readable} is {sizes[new]} bytes now and "
                                    f"{program_size} bytes in the running program: its type changed, so the program's "
                                    "copy cannot be kept")
        return unbound

    def _unbound_warning(self, source: Path, name: str, why: str) -> str:
        """`name`: the variable in the program's object (NAME.0 for a piece of NAME)."""
        whole = whole_name(name)
        return (f"{self.relative(source)}: warning: the static variable {demangle([whole])[whole]} starts afresh in this "
                f"patch ({why}), so the patch does not see the running program's value")

    @staticmethod
    def _depfile_text(object_file: Path) -> str:
        try:
            return object_file.with_suffix(".d").read_text()
        except OSError:
            return ""

    def _read_dependencies(self, object_file: Path) -> set[Path]:
        """The files a compile read (its -MD file), mapped from overlay copies to the project."""
        depfile = object_file.with_suffix(".d")
        if not depfile.exists():
            return set()
        text = depfile.read_text().replace("\\\n", " ")
        paths = set()
        build_folder = str(self.build_dir) + os.sep
        for word in text.split(":", 1)[-1].split():
            if word.startswith("/usr/") or os.path.abspath(word).startswith(build_folder):
                continue  # Debian's headers, the build's (third-party links): not the user's files
            path = Path(word).resolve()
            if self.overlay is not None and path.is_relative_to(self.overlay):
                path = self.project_root / path.relative_to(self.overlay)
            if path.is_relative_to(self.project_root):
                paths.add(path)
        depfile.unlink()
        return paths

    def _compile_one(self, job: CompileJob) -> subprocess.CompletedProcess:
        """Compiles with the source's preamble when a fresh one is built (preambles.py), else
        with the program's precompiled header (or plainly); through LLVM IR when static
        variables must be bound to the program's (static_data). The compile that makes the
        patch's object also writes its use set (OUTPUT.uses, the function-use plugin)."""
        source, output, flags, quotes, statics = job.compiled, job.output, job.flags, job.quotes, job.statics
        quote_flags = [argument for directory in quotes for argument in ("-iquote", str(directory))]
        quote_flags += record_layouts.FLAGS if job.layouts else []
        quote_flags += ["-MD", "-MF", str(output.with_suffix(".d"))]
        quote_flags += function_edits.QUIET_FLAGS if job.partial is not None else []
        target = output.with_suffix(".ll") if statics.renamed else output
        to_ir = ["-Xclang", "-disable-llvm-passes", "-S", "-emit-llvm"] if statics.renamed else []
        use_flags, use_environment = self.toolchain.function_use(output.with_suffix(".uses")) if job.layouts else ([], {})
        # A PCH clang refuses (a header in it changed) is dropped, and only a plain compile's failure believed.
        block = include_block(source.read_text())
        # A missing or stale preamble is built after the patch (warm_up), not beside its compile.
        preamble = self.preambles.flags_for(block, flags, quotes, self._overlay_files(), priority=None)
        attempts = [attempt for attempt in (preamble, flags) if attempt is not None]
        if has_target_pch(flags):
            attempts.append(without_target_pch(flags))
        for attempt in attempts:
            run = self.toolchain.run(self.toolchain.compile_command([*attempt, *quote_flags, *to_ir, *([] if to_ir else use_flags)],
                                                                   source, target), environment=use_environment,
                                     background=job.background)
            if run.returncode == 0 or not refused_pch(run.stderr):
                break
            if attempt is preamble:
                self.preambles.forget(Path(preamble[-1]))  # rebuilt after the patch (warm_up)
        if run.returncode != 0 or not statics.renamed:
            return run
        # The IR's code generation: with the statics renamed (the patch's object) and, when the
        # plain object comes from the same IR, as it is; both at once.
        backend_flags = [*without_target_pch(flags), "-Wno-unused-command-line-argument"]
        plain_ir = target.with_suffix(".plain.ll")
        if job.plain_output is not None:
            shutil.copyfile(target, plain_ir)
        text, job.unbound = rewrite_ir(target.read_text(), statics)
        target.write_text(text)
        with ThreadPoolExecutor(max_workers=2) as pool:
            renamed = pool.submit(self.toolchain.run, self.toolchain.compile_command([*backend_flags, *use_flags], target, output),
                                  environment=use_environment)
            plain = pool.submit(self.toolchain.run, self.toolchain.compile_command(backend_flags, plain_ir, job.plain_output)) \
                if job.plain_output is not None else None
            generated = [renamed.result(), *([plain.result()] if plain else [])]
        target.unlink()
        plain_ir.unlink(missing_ok=True)
        failed = [step for step in generated if step.returncode != 0]
        if failed:
            return failed[0]
        cpu = [getattr(step, "cpu_ms", None) for step in [run, *generated]]
        run.cpu_ms = sum(cpu) if None not in cpu else None
        return run  # the source's own diagnostics

    def _overlaid_file(self, path: Path) -> Path:
        """The file that holds `path`'s text: its edited copy in the overlay, else itself."""
        if self.overlay is not None:
            copy = self.overlay / path.resolve().relative_to(self.project_root)
            if copy.exists():
                return copy
        return path

    def _commands_for(self, source: Path, extra_flags: list[str], output: Path) -> list[list[str]]:
        """Compile commands for `source` as a patch compiles it, with `extra_flags`: with the
        program's precompiled header when it has one, then without (header_edits' use sets)."""
        compiled, flags, quotes = self._overlaid(source, self.database.entry(source).flags)
        quote_flags = [argument for directory in quotes for argument in ("-iquote", str(directory))]
        attempts = [flags, without_target_pch(flags)] if has_target_pch(flags) else [flags]
        return [self.toolchain.compile_command([*attempt, *quote_flags, *extra_flags], compiled, output) for attempt in attempts]

    def _project_inputs(self, source: Path) -> list[Path]:
        """The user's files a source's compile reads (its Ninja dependencies and a patch's),
        not the build folder's."""
        entry = self.database.entry(source)
        patched = self.patched.get(source)
        files = self.database.dependencies_of(entry.object_file) | (patched.dependencies if patched else set())
        return sorted(path for path in files if path.is_relative_to(self.project_root) and not path.is_relative_to(self.build_dir))

    def _overlay_files(self) -> str:
        """What the overlay holds (a new file there can change how includes resolve)."""
        if self.overlay is None:
            return ""
        return "\n".join(sorted(str(path.relative_to(self.overlay)) for path in self.overlay.rglob("*") if path.is_file()))

    def _overlaid(self, source: Path, flags: list[str]) -> tuple[Path, list[str], list[Path]]:
        """The file to compile for `source`, its flags (the overlay's copies first), and the
        folders its quoted includes resolve from besides its own."""
        if self.overlay is None:
            return source, flags, [source.parent]
        overlaid_flags = []
        for index, flag in enumerate(flags):
            if flag.startswith("-I") and len(flag) > 2:
                directory = Path(flag[2:]).resolve()
                if directory.is_relative_to(self.project_root):
                    overlaid_flags.append("-I" + str(self.overlay / directory.relative_to(self.project_root)))
            overlaid_flags.append(flag)
        copy = self.overlay / source.resolve().relative_to(self.project_root)
        if copy.exists():
            return copy, overlaid_flags, [copy.parent, source.parent]
        return source, overlaid_flags, [source.parent]

    def _link(self, objects: list[Path], version: int, result: BuildResult) -> Path:
        """Links the objects into the patch module; the same objects linked before (an undo)
        give the same module, copied instead."""
        started = time.perf_counter()
        output = self.patch_dir / PATCH_FORMAT["module_file"].format(version=version)
        inputs = tuple(sorted(map(str, objects)))
        linked = self._linked_modules.get(inputs)
        if linked is not None and linked.exists():
            shutil.copyfile(linked, output)
        else:
            run = self.toolchain.run(self.toolchain.link_command(objects, output))
            if run.returncode != 0:
                raise PatchRejected("invalid_module", "linking the patch failed:\n" + (run.stderr or run.stdout).strip())
            name = hashlib.sha256("\0".join(inputs).encode()).hexdigest()[:24]
            linked = self.work_dir / "linked" / f"{name}.wasm"
            linked.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(output, linked)  # as linked: the run flags and routing below change the module
            self._linked_modules[inputs] = linked
        result.link_ms = round((time.perf_counter() - started) * 1000, 1)
        return output

    def _check(self, module_path: Path, sources: list[Path], result: BuildResult) -> None:
        started = time.perf_counter()
        try:
            patch = WasmBinary.from_file(module_path)
            patch.dylink()
        except WasmFormatError as error:
            raise PatchRejected("invalid_module", str(error)) from error
        original: dict[str, Path] = {}
        for source in sources:
            entry = self.database.entry(source)
            if entry.object_file.exists():
                for name in functions_defined_by(entry.object_file):
                    original[name] = Path(self.relative(source))
        if self.check:
            check_patch(patch, self.program, self.earlier, original, self.ignored)
        self.earlier.add(patch, self.ignored)
        result.functions = sorted(name for name in patch.function_types_by_export()
                                  if name in self.program.function_signatures and name not in self.ignored)
        result.check_ms = round((time.perf_counter() - started) * 1000, 1)

    def _fingerprints_of(self, object_file: Path) -> dict[str, str]:
        if object_file not in self._fingerprints:
            self._fingerprints[object_file] = FunctionFingerprints.of_object(object_file).by_name
        return self._fingerprints[object_file]

    def _report_changes(self, module_path: Path, compiled: dict[Path, PatchedSource], result: BuildResult) -> None:
        """Which functions this save changed (against the code running now: the newest patch's
        object of each source, else the program's), instrumented to flag their first run, and
        whom they call (the loader's call graph)."""
        changed: set[str] = set()
        new: set[str] = set()
        for source, patched in compiled.items():
            # The program's functions, those of the newest patch in their place (it may hold some only: function_edits).
            before_objects = [self.database.entry(source).object_file, *([self.patched[source].fingerprinted] if source in self.patched else [])]
            before = {name: fingerprint for path in before_objects if path.exists()
                      for name, fingerprint in self._fingerprints_of(path).items()}
            changes = compare(before, self._fingerprints_of(patched.fingerprinted))
            changed |= set(changes.changed)
            new |= set(changes.new)
        new -= changed  # a function new in one source may exist in another's (an inline one)
        data = module_path.read_bytes()
        flags: dict[str, int] = {}
        if changed | new:
            data, flags = add_run_flags(data, changed | new, module_path.name)
            module_path.write_bytes(data)
        readable = demangle(sorted(changed | new))
        short = short_names({readable[name] for name in changed | new})
        result.changed = sorted(({"name": name, "readable": readable[name], "short": short[readable[name]],
                                  "new": name in new, "flag": flags.get(name)} for name in changed | new),
                                key=lambda change: change["readable"])
        result.calls = self._calls_of(data, changed | new)

    @staticmethod
    def _program_slots(table_map_path: Path) -> dict[str, int]:
        """Absolute table slot of each function whose calls the program routes through the table
        (its table map; none for a program linked with plain calls)."""
        if not table_map_path.exists():
            return {}
        table_map = json.loads(table_map_path.read_text())
        base = PATCH_FORMAT["program_table_base"]
        return {name: base + table_map["slots"][name] for name in table_map["hot"] if name in table_map["slots"]}

    def _route_own_calls(self, module_path: Path, result: BuildResult) -> None:
        """The patch's calls to functions the program routes go through the same slots
        (table_routing.route_patch_calls): the newest patch's code runs, whichever module calls."""
        data, result.routed_calls = route_patch_calls(module_path.read_bytes(), self.program_slots, module_path.name)
        if result.routed_calls:
            module_path.write_bytes(data)

    @staticmethod
    def _calls_of(data: bytes, names: set[str]) -> dict[str, list[str]]:
        module = WasmBinary(data)
        imported = [entry.name for entry in module.imports() if entry.kind == "function"]
        function_names = read_name_section(module)
        calls: dict[str, list[str]] = {}
        for number, (start, end) in enumerate(module.function_expressions()):
            name = function_names.get(len(imported) + number)
            if name not in names:
                continue
            callees = set()
            for _, _, callee in direct_calls(data, start, end):
                callees.add(imported[callee] if callee < len(imported) else function_names.get(callee, ""))
            calls[name] = sorted(callee for callee in callees if callee)
        return calls

    def _save_state(self) -> None:
        state = {"patched": {str(source): {"object": str(patched.object_file), "fingerprinted": str(patched.fingerprinted),
                                           "dependencies": sorted(map(str, patched.dependencies)),
                                           "static_data": patched.static_data,
                                           "static_thread_locals": patched.static_thread_locals}
                             for source, patched in self.patched.items()}}
        (self.patch_dir / STATE_FILE).write_text(json.dumps(state, indent=1))

    def continue_from(self, patch_dir: Path) -> None:
        """Picks up the patches already in `patch_dir` (built by earlier runs), so that later
        patches are checked against what they define and the index lists them all."""
        state = patch_dir / STATE_FILE
        if state.exists():
            for source, patched in json.loads(state.read_text())["patched"].items():
                if Path(patched["object"]).exists():
                    self.patched[Path(source)] = PatchedSource(Path(patched["object"]), set(map(Path, patched["dependencies"])),
                                                               Path(patched["fingerprinted"]),
                                                               {name: tuple(at) for name, at in patched["static_data"].items()},
                                                               {name: tuple(at) for name, at in
                                                                patched.get("static_thread_locals", {}).items()})
        index = patch_dir / "index.json"
        if not index.exists():
            return
        self.history = json.loads(index.read_text())["patches"]
        for manifest in self.history:
            if manifest.get("module") and (patch_dir / manifest["module"]).exists():
                self.earlier.add(WasmBinary.from_file(patch_dir / manifest["module"]), self.ignored)

    def _publish(self, result: BuildResult) -> None:
        manifest = result.manifest()
        (self.patch_dir / PATCH_FORMAT["manifest_file"].format(version=result.version)).write_text(json.dumps(manifest, indent=1))
        # A version built again (the dev loop redoes a build a save interrupted) replaces its entry.
        self.history = [entry for entry in self.history if entry.get("version") != result.version] + [manifest]
        (self.patch_dir / "index.json").write_text(json.dumps({"patches": self.history}, indent=1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project-root", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("--build-dir", type=Path, required=True, help="the wasm build folder (has compile_commands.json)")
    parser.add_argument("--program", type=Path, required=True, help="the running program's .wasm")
    parser.add_argument("--patch-dir", type=Path, required=True)
    parser.add_argument("--version", type=int, help="the patch version (not with --serve)")
    parser.add_argument("--serve", action="store_true", help="build one patch per JSON line of standard input")
    parser.add_argument("--overlay", type=Path, help="a folder of edited copies that replace project files")
    parser.add_argument("--no-check", action="store_true",
                        help="skip the builder's checks (tests of the loader's own checks only)")
    parser.add_argument("files", nargs="*", type=Path, help="edited files")
    arguments = parser.parse_args()
    builder = PatchBuilder(arguments.project_root, arguments.build_dir, arguments.program, arguments.patch_dir,
                           arguments.overlay, check=not arguments.no_check)
    builder.continue_from(arguments.patch_dir)
    absolute = lambda paths: [arguments.project_root / Path(path) if not Path(path).is_absolute() else Path(path) for path in paths]
    try:
        if arguments.serve:
            for line in sys.stdin:
                if not line.strip():
                    continue
                request = json.loads(line)
                result = builder.build(absolute(request["files"]), int(request["version"]))
                print(json.dumps(result.manifest()), flush=True)
            return 0
        if arguments.version is None or not arguments.files:
            parser.error("give --version and the edited files (or --serve)")
        result = builder.build(absolute(arguments.files), arguments.version)
        print(json.dumps(result.manifest(), indent=1))
        return 0 if result.ok else 1
    finally:
        builder.close()


if __name__ == "__main__":
    sys.exit(main())
