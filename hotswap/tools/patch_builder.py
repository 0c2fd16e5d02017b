#!/usr/bin/env python3
"""Builds a patch: a WebAssembly side module from edited sources of the program only,
linked against the running program's symbols, plus its manifest.

Steps (docs/ARCHITECTURE.md, "Flow of a patch"): find the sources an edit affects;
compile each with the program's own flags but default visibility (clang directly, no
em++ wrapper); rebind weak functions to the patch (object_rewriter); link with wasm-ld as
a side module; check it against the program and the earlier patches (patch_checks);
write `patch-NNNNNN.wasm`, `patch-NNNNNN.json` and the folder's `index.json`.

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
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compile_database import CompileDatabase  # noqa: E402
from object_rewriter import bind_weak_functions_locally  # noqa: E402
from precompiled_prefix import PrecompiledPrefixes, include_block, refused_pch  # noqa: E402
from patch_checks import EarlierPatches, PatchRejected, ProgramInterface, check_patch, functions_defined_by  # noqa: E402
from toolchain import Toolchain  # noqa: E402
from wasm_binary import WasmBinary, WasmFormatError  # noqa: E402

PATCH_FORMAT = json.loads((Path(__file__).resolve().parent.parent / "patch_format.json").read_text())


@dataclass
class BuildResult:
    version: int
    files: list[str]
    module: str | None = None
    build_ms: float = 0.0
    compile_ms: float = 0.0
    link_ms: float = 0.0
    check_ms: float = 0.0
    functions: list[str] = field(default_factory=list)
    failure: dict | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None

    def manifest(self) -> dict:
        manifest = {key: value for key, value in asdict(self).items() if value is not None}
        manifest["format_version"] = PATCH_FORMAT["format_version"]
        return manifest


class PatchBuilder:
    def __init__(self, project_root: Path, build_dir: Path, program_wasm: Path, patch_dir: Path,
                 overlay: Path | None = None, check: bool = True):
        self.project_root = project_root.resolve()
        self.check = check  # False only in tests that prove the loader rejects bad patches by itself
        self.overlay = overlay.resolve() if overlay else None
        self.build_dir = build_dir.resolve()
        self.patch_dir = patch_dir
        self.work_dir = self.build_dir / "hotswap-work"
        self.toolchain = Toolchain.load(self.build_dir)
        self.database = CompileDatabase(self.build_dir)
        self.program = ProgramInterface.from_wasm(program_wasm)
        self.earlier = EarlierPatches()
        self.ignored = set(PATCH_FORMAT["ignored_exports"])
        self.history: list[dict] = []
        self.patch_dir.mkdir(parents=True, exist_ok=True)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.prefixes = PrecompiledPrefixes(self.toolchain, self.work_dir / "pch")

    def warm_up(self, paths: list[Path]) -> None:
        """Starts building the precompiled prefixes of these sources (in the background), so
        that their first patch compiles fast too."""
        for source in self.database.sources_affected_by(paths):
            compiled, flags, quotes = self._overlaid(source, self.database.entry(source).flags)
            self.prefixes.ready(include_block(compiled.read_text()), flags, quotes, self._overlay_files())

    def close(self) -> None:
        """Stops background work (precompiled headers): call before the process exits."""
        self.prefixes.close()

    def relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.project_root))
        except ValueError:
            return str(path)

    def build(self, changed: list[Path], version: int) -> BuildResult:
        started = time.perf_counter()
        sources = self.database.sources_affected_by(changed)
        result = BuildResult(version, [self.relative(path) for path in (sources or changed)])
        try:
            if not sources:
                raise PatchRejected("compile_error", "no source of the program is affected by "
                                    + ", ".join(self.relative(path) for path in changed))
            objects = self._compile(sources, version, result)
            module_path = self._link(objects, version, result)
            self._check(module_path, sources, result)
            result.module = module_path.name
        except PatchRejected as rejection:
            result.failure = {"kind": rejection.kind, "message": str(rejection)}
        result.build_ms = round((time.perf_counter() - started) * 1000, 1)
        self._publish(result)
        return result

    def _compile(self, sources: list[Path], version: int, result: BuildResult) -> list[Path]:
        started = time.perf_counter()
        jobs = []
        for index, source in enumerate(sources):
            entry = self.database.entry(source)
            output = self.work_dir / f"v{version:06d}-{index}-{source.stem}.o"
            compiled, flags, quotes = self._overlaid(source, entry.flags)
            jobs.append((compiled, output, flags, quotes))
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = list(pool.map(lambda job: self._compile_one(*job), jobs))
        result.compile_ms = round((time.perf_counter() - started) * 1000, 1)
        errors = [run.stderr.strip() or run.stdout.strip() for run in runs if run.returncode != 0]
        if errors:
            raise PatchRejected("compile_error", "\n".join(errors))
        for _, output, _, _ in jobs:
            bind_weak_functions_locally(output)
        return [output for _, output, _, _ in jobs]

    def _compile_one(self, source: Path, output: Path, flags: list[str], quotes: list[Path]) -> subprocess.CompletedProcess:
        """Compiles with the source's precompiled prefix when there is one, else plainly."""
        quote_flags = [argument for directory in quotes for argument in ("-iquote", str(directory))]
        block = include_block(source.read_text())
        pch = self.prefixes.ready(block, flags, quotes, self._overlay_files())
        if pch is not None:
            command = self.toolchain.compile_command([*flags, *quote_flags, "-include-pch", str(pch)], source, output)
            run = subprocess.run(command, capture_output=True, text=True)
            if run.returncode == 0:
                return run
            # A PCH can be stale in ways clang does not notice (a new header now shadows one
            # it contains), so a failure is only believed from a plain compile.
            if refused_pch(run.stderr):
                self.prefixes.forget(pch)
                self.prefixes.ready(block, flags, quotes, self._overlay_files())  # rebuild for the next save
        return subprocess.run(self.toolchain.compile_command([*flags, *quote_flags], source, output),
                              capture_output=True, text=True)

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

    def continue_from(self, patch_dir: Path) -> None:
        """Picks up the patches already in `patch_dir` (built by earlier runs), so that later
        patches are checked against what they define and the index lists them all."""
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
