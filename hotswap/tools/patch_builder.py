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
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from code_fingerprints import FunctionFingerprints, compare  # noqa: E402
from compile_database import CompileDatabase  # noqa: E402
from compiler_output import CompilerOutput  # noqa: E402
from header_edits import FunctionUse, HeaderNarrowing, parse_arguments  # noqa: E402
from object_rewriter import bind_weak_functions_locally  # noqa: E402
from patch_format import PATCH_FORMAT  # noqa: E402
from precompiled_prefix import (PrecompiledPrefixes, has_target_pch, include_block, refused_pch,  # noqa: E402
                                without_target_pch)
from patch_checks import (EarlierPatches, PatchRejected, ProgramInterface, check_patch, demangle,  # noqa: E402
                          functions_defined_by, short_names)
import record_layouts  # noqa: E402
from run_flags import add_run_flags  # noqa: E402
from static_data import LinkMap, StaticBindings, bindings_for, rewrite_ir  # noqa: E402
from table_routing import direct_calls, route_patch_calls  # noqa: E402
from toolchain import Toolchain  # noqa: E402
from wasm_binary import SYMBOL_DATA, WasmBinary, WasmFormatError, read_name_section  # noqa: E402

COMPILE_JOBS = max(2, os.cpu_count() or 2)  # a header edit recompiles many sources: all cores
STATE_FILE = "builder-state.json"  # in the patch folder: what later builds carry on from


@dataclass
class BuildResult:
    version: int
    files: list[str]                  # sources compiled for this save
    carried: list[str] = field(default_factory=list)  # sources earlier patches compiled, linked again
    module: str | None = None
    build_ms: float = 0.0
    compile_ms: float = 0.0
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


@dataclass
class ProgramEquivalent:
    """What the program's own build would make of a source, as a patch build compiled it: the
    object before the patch's changes to it, its record layouts, and what it read (with when:
    a file saved after the compile makes it stale)."""
    object_file: Path
    layouts: str
    dependencies: set[Path]
    compiled_at: float  # time.time() when the compile started


@dataclass
class CompileJob:
    source: Path            # the program's source
    compiled: Path          # what is compiled: the source, or its edited copy in the overlay
    output: Path
    flags: list[str]
    quotes: list[Path]      # folders its quoted includes resolve from
    statics: StaticBindings
    layouts: bool = True    # print the record layouts (the compile whose object the patch links)


class PatchBuilder:
    def __init__(self, project_root: Path, build_dir: Path, program_wasm: Path, patch_dir: Path,
                 overlay: Path | None = None, check: bool = True, say: Callable[[str], None] | None = None,
                 narrow_header_edits: bool = False):
        self.project_root = project_root.resolve()
        self.check = check  # False only in tests that prove the loader rejects bad patches by itself
        self.overlay = overlay.resolve() if overlay else None
        self.build_dir = build_dir.resolve()
        self.patch_dir = patch_dir
        self.work_dir = self.build_dir / "hotswap-work"
        self.toolchain = Toolchain.load(self.build_dir)
        self.database = CompileDatabase(self.build_dir, CompileDatabase.program_sources(program_wasm))
        self.program = ProgramInterface.from_wasm(program_wasm)
        self.patched: dict[Path, PatchedSource] = {}
        self.pending: set[Path] = set()   # sources saves affected since the last patch that built
        self.object_dir = self.patch_dir / "objects"
        self._fingerprints: dict[Path, dict[str, str]] = {}  # object file -> its functions' fingerprints
        self.program_equivalents: dict[Path, ProgramEquivalent] = {}  # source -> its newest, for a hot restart
        self.link_map_path = program_wasm.with_name(program_wasm.stem + ".link.map")
        self._link_map: LinkMap | None = None
        self.program_slots = self._program_slots(program_wasm.with_name(program_wasm.stem + PATCH_FORMAT["table_map_suffix"]))
        self.earlier = EarlierPatches()
        self.ignored = set(PATCH_FORMAT["ignored_exports"])
        self.history: list[dict] = []
        self.patch_dir.mkdir(parents=True, exist_ok=True)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.object_dir.mkdir(parents=True, exist_ok=True)
        self.output = CompilerOutput(self.project_root, self.overlay)
        self.prefixes = PrecompiledPrefixes(self.toolchain, self.work_dir / "pch")
        self.function_use = FunctionUse(self.work_dir / "function-use", self._commands_for, self._project_inputs,
                                        (lambda known, seconds: say(
                                            f"header edits: know which functions each of {known} sources uses ({seconds:.0f} s); a "
                                            "header edit now compiles only the sources that use a function it changed")) if say else None,
                                        enabled=narrow_header_edits)
        headers = {path for source in self.database.entries for path in self._project_inputs(source)}
        self.narrowing = HeaderNarrowing(self.project_root, self.build_dir, program_wasm.stat().st_mtime,
                                         sorted(headers - set(self.database.entries)), self.function_use,
                                         Path(self.toolchain.clang).parent)
        self.function_use.refresh(sorted(self.database.entries))  # in the background, one at a time

    def warm_up(self, paths: list[Path]) -> None:
        """Starts building the precompiled prefixes of these sources (in the background), so
        that their first patch compiles fast too."""
        for source in self.database.sources_affected_by(paths):
            compiled, flags, quotes = self._overlaid(source, self.database.entry(source).flags)
            if not has_target_pch(flags):  # the others use the program's
                self.prefixes.ready(include_block(compiled.read_text()), flags, quotes, self._overlay_files())

    def close(self) -> None:
        """Stops background work (precompiled headers): call before the process exits."""
        self.prefixes.close()
        self.narrowing.close()

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
            flags = self._overlaid(includers[0], self.database.entry(includers[0]).flags)[1]
            arguments = parse_arguments(self.toolchain.compile_command(flags, includers[0], Path("-")), includers[0])
            plan = self.narrowing.plan(header, text_file.read_text(), includers, saved, arguments)
            compiled.update(source for source in includers if self.relative(source) in plan.compiled)
            notes.append(asdict(plan))
        if not compiled:  # no includer uses what changed: compile them all, which tells "no code changed"
            for note in notes:
                note["compiled"], note["skipped"] = note["compiled"] + note["skipped"], []
                note["reason"] = "none of the sources that include it uses a function it changed"
            return affected, notes
        return sorted(compiled), notes

    def build(self, changed: list[Path], version: int, plan: tuple[list[Path], list[dict]] | None = None) -> BuildResult:
        """Builds patch `version` for a save of `changed` (`plan`: what sources_to_compile
        said for it, if the caller asked already)."""
        started = time.perf_counter()
        planned, header_notes = plan or self.sources_to_compile(changed)
        sources = sorted(set(planned) | self.pending)
        result = BuildResult(version, [self.relative(path) for path in (sources or changed)], headers=header_notes)
        self.pending = set(sources)  # until a patch with them builds
        try:
            if not sources:
                raise PatchRejected("compile_error", "no source of the program is affected by "
                                    + ", ".join(self.relative(path) for path in changed))
            compiled = self._compile(sources, version, result)
            carried = {source: patched.object_file for source, patched in self.patched.items() if source not in compiled}
            result.carried = [self.relative(source) for source in sorted(carried)]
            for patched in [*compiled.values(), *(self.patched[source] for source in carried)]:
                result.static_data.update(patched.static_data)  # carried objects bind their statics too
                result.static_thread_locals.update(patched.static_thread_locals)
            module_path = self._link([*(c.object_file for c in compiled.values()), *carried.values()], version, result)
            self._check(module_path, sources, result)
            self._report_changes(module_path, compiled, result)
            self._route_own_calls(module_path, result)
            result.module = module_path.name
            self.patched.update(compiled)
            self.pending.clear()
            self._save_state()
            self.narrowing.built(sorted(compiled))
        except PatchRejected as rejection:
            self.narrowing.failed()
            result.failure = {"kind": rejection.kind, "message": self.output.relative_paths(str(rejection)),
                              "summary": self.output.relative_paths(rejection.summary)}
        result.build_ms = round((time.perf_counter() - started) * 1000, 1)
        self._publish(result)
        return result

    def _compile(self, sources: list[Path], version: int, result: BuildResult) -> dict[Path, PatchedSource]:
        started = time.perf_counter()
        compiled_at = time.time()
        jobs, fingerprint_jobs = [], {}
        for index, source in enumerate(sources):
            entry = self.database.entry(source)
            output = self.object_dir / f"v{version:06d}-{index}-{source.stem}.o"
            compiled, flags, quotes = self._overlaid(source, entry.flags)
            statics = self._static_bindings(source, compiled, entry.object_file)
            jobs.append(CompileJob(source, compiled, output, flags, quotes, statics))
            if statics.renamed:
                fingerprint_jobs[source] = CompileJob(source, compiled, output.with_suffix(".plain.o"), flags, quotes,
                                                      StaticBindings({}, {}), layouts=False)
        with ThreadPoolExecutor(max_workers=COMPILE_JOBS) as pool:
            runs = list(pool.map(self._compile_one, [*jobs, *fingerprint_jobs.values()]))
        result.compile_ms = round((time.perf_counter() - started) * 1000, 1)
        errors = [run.stderr.strip() or run.stdout.strip() for run in runs if run.returncode != 0]
        if errors:
            raise PatchRejected("compile_error", "\n".join(errors[:len(jobs)] or errors))
        for run in runs[:len(jobs)]:
            result.warnings += self.output.warnings(run.stderr)
        dependencies = {job.source: self._read_dependencies(job.output) for job in jobs}
        for job, run in zip(jobs, runs[:len(jobs)]):
            # The plain object (before the patch's rebinding below), for a hot restart.
            if job.source in fingerprint_jobs:
                plain = fingerprint_jobs[job.source].output
                plain.with_suffix(".d").unlink(missing_ok=True)
            else:
                plain = job.output.with_suffix(".program.o")
                shutil.copyfile(job.output, plain)
            self.program_equivalents[job.source] = ProgramEquivalent(
                plain, record_layouts.summaries(run.stdout), dependencies[job.source], compiled_at)
        self._check_layouts(jobs, runs[:len(jobs)])
        compiled = {}
        for job in jobs:
            self._check_static_sizes(job.source, job.output, job.statics)
            bind_weak_functions_locally(job.output)
            fingerprinted = fingerprint_jobs[job.source].output if job.source in fingerprint_jobs else job.output
            compiled[job.source] = PatchedSource(job.output, dependencies[job.source], fingerprinted, job.statics.addresses,
                                                 job.statics.thread_locals)
        return compiled

    def install_for_restart(self) -> list[str]:
        """Before a hot restart's program build: puts into the program's build folder, for every
        source compiled since the program was built, the object its own build would make (the
        same compiler and flags made it here), so that build only links. Ninja's log learns the
        new objects' times (`ninja -t restat`). A source one of whose files was saved after its
        compile, or that now includes a file Ninja does not know it includes, is left for
        Ninja to compile. Returns the sources installed."""
        installed = []
        for source, equivalent in sorted(self.program_equivalents.items()):
            entry = self.database.entry(source)
            known = self.database.dependencies_of(entry.object_file)
            files = equivalent.dependencies | {source}
            if not equivalent.object_file.exists() or not files <= known | {source}:
                continue
            if any(not path.exists() or path.stat().st_mtime > equivalent.compiled_at for path in files):
                continue
            shutil.copyfile(equivalent.object_file, entry.object_file)
            entry.object_file.with_name(entry.object_file.name + record_layouts.SUFFIX).write_text(equivalent.layouts)
            installed.append(entry.object_file)
        if installed:
            subprocess.run(["ninja", "-C", str(self.build_dir), "-t", "restat",
                            *(str(path.relative_to(self.build_dir)) for path in installed)], capture_output=True, text=True)
        return [self.relative(path) for path in installed]

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
        if not program_object.exists() or not self.link_map_path.exists():
            return StaticBindings({}, {})
        if self._link_map is None:
            self._link_map = LinkMap(self.link_map_path)
        key = self.relative(source).replace("/", ".")
        return bindings_for(key, compiled.read_text(), program_object, self._link_map, self.build_dir)

    def _check_static_sizes(self, source: Path, object_file: Path, statics: StaticBindings) -> None:
        """A bound variable whose type changed size cannot use the program's storage."""
        if not statics.renamed:
            return
        program_sizes = statics.sizes()
        sizes = {symbol.name: symbol.size for symbol in WasmBinary.from_file(object_file).symbols()
                 if symbol.kind == SYMBOL_DATA and symbol.defined and symbol.name in program_sizes}
        for old, new in statics.renamed.items():
            program_size = program_sizes[new]
            if new in sizes and sizes[new] != program_size:
                readable = demangle([old])[old]
                raise PatchRejected("layout_changed",
                                    f"{self.relative(source)}: the static variable {readable} is {sizes[new]} bytes now and "
                                    f"{program_size} bytes in the running program: its type changed, so the program's "
                                    "copy cannot be kept")

    def _read_dependencies(self, object_file: Path) -> set[Path]:
        """The files a compile read (its -MD file), mapped from overlay copies to the project."""
        depfile = object_file.with_suffix(".d")
        if not depfile.exists():
            return set()
        text = depfile.read_text().replace("\\\n", " ")
        paths = set()
        for word in text.split(":", 1)[-1].split():
            path = Path(word).resolve()
            if self.overlay is not None and path.is_relative_to(self.overlay):
                path = self.project_root / path.relative_to(self.overlay)
            if path.is_relative_to(self.project_root):
                paths.add(path)
        depfile.unlink()
        return paths

    def _compile_one(self, job: CompileJob) -> subprocess.CompletedProcess:
        """Compiles with the source's precompiled prefix when there is one, else plainly;
        through LLVM IR when static variables must be bound to the program's (static_data)."""
        source, output, flags, quotes, statics = job.compiled, job.output, job.flags, job.quotes, job.statics
        quote_flags = [argument for directory in quotes for argument in ("-iquote", str(directory))]
        quote_flags += record_layouts.FLAGS if job.layouts else []
        quote_flags += ["-MD", "-MF", str(output.with_suffix(".d"))]
        target = output.with_suffix(".ll") if statics.renamed else output
        to_ir = ["-Xclang", "-disable-llvm-passes", "-S", "-emit-llvm"] if statics.renamed else []
        # The program's own precompiled header comes with the compile command (CMake's); a
        # source without one gets a precompiled prefix of its includes. A PCH clang refuses
        # (a header in it changed) is dropped, and only a plain compile's failure believed.
        block = include_block(source.read_text())
        attempts = [flags]
        if has_target_pch(flags):
            attempts.append(without_target_pch(flags))
        else:
            pch = self.prefixes.ready(block, flags, quotes, self._overlay_files())
            if pch is not None:
                attempts.insert(0, [*flags, "-include-pch", str(pch)])
        for attempt in attempts:
            run = subprocess.run(self.toolchain.compile_command([*attempt, *quote_flags, *to_ir], source, target),
                                 capture_output=True, text=True)
            if run.returncode == 0 or not refused_pch(run.stderr):
                break
            if "-include-pch" in attempt and attempt is not flags:
                self.prefixes.forget(Path(attempt[-1]))
                self.prefixes.ready(block, flags, quotes, self._overlay_files())  # rebuilt for the next save
        if run.returncode != 0 or not statics.renamed:
            return run
        target.write_text(rewrite_ir(target.read_text(), statics.renamed))
        generated = subprocess.run(self.toolchain.compile_command([*without_target_pch(flags), "-Wno-unused-command-line-argument"],
                                                                  target, output),
                                   capture_output=True, text=True)
        target.unlink()
        if generated.returncode != 0:
            return generated
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
        started = time.perf_counter()
        output = self.patch_dir / PATCH_FORMAT["module_file"].format(version=version)
        run = subprocess.run(self.toolchain.link_command(objects, output), capture_output=True, text=True)
        result.link_ms = round((time.perf_counter() - started) * 1000, 1)
        if run.returncode != 0:
            raise PatchRejected("invalid_module", "linking the patch failed:\n" + (run.stderr or run.stdout).strip())
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
            before_object = self.patched[source].fingerprinted if source in self.patched else self.database.entry(source).object_file
            before = self._fingerprints_of(before_object) if before_object.exists() else {}
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
