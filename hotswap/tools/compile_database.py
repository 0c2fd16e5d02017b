"""The program's compile commands, and which of its sources an edited file affects.

Why it exists: a patch must be compiled exactly like the program's object for the same
source (same defines, include paths, optimisation, float semantics, visibility): then an
unchanged function compiles to the same code, which is how the builder tells what an edit
changed. The one difference: warnings do not stop a patch (-Werror is dropped; the program's
own build keeps it). The compile database (compile_commands.json) has the command of every
source of every target; only the program's own sources (NAME.sources.json, written by
cmake/WasmMainModule.cmake) may go into its patches. Ninja's dependency log (`ninja -t
deps`) says which headers each object includes.
"""
from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Flags of the program's compile command that a patch must not inherit.
_DROPPED_FLAGS = {"-MD", "-MMD", "-Werror"}
# (--em-config is em++'s: the patch builder runs the compiler that file names directly.)
_DROPPED_WITH_VALUE = {"-o", "-c", "-MT", "-MF", "-MQ", "--em-config"}


@dataclass
class CompileEntry:
    source: Path
    object_file: Path
    flags: list[str]     # the patch's flags (no -o/-c/dependency flags, no -Werror)


class CompileDatabase:
    def __init__(self, build_dir: Path, program_sources: set[Path] | None = None):
        """Entries for `program_sources` only (absolute paths), or for every source if None."""
        self.build_dir = build_dir
        database = build_dir / "compile_commands.json"
        if not database.exists():
            raise FileNotFoundError(f"{database} is missing: configure the wasm build first (cmake --preset wasm)")
        self.entries: dict[Path, CompileEntry] = {}
        for item in json.loads(database.read_text()):
            arguments = item.get("arguments") or shlex.split(item["command"])
            directory = Path(item["directory"])
            source = (directory / item["file"]).resolve()
            if program_sources is not None and source not in program_sources:
                continue
            object_file = None
            flags: list[str] = []
            skip = False
            for index, argument in enumerate(arguments[1:], start=1):
                if skip:
                    skip = False
                    continue
                if argument in _DROPPED_WITH_VALUE:
                    if argument == "-o":
                        object_file = (directory / arguments[index + 1]).resolve()
                    skip = True
                    continue
                if argument in _DROPPED_FLAGS or Path(argument).resolve() == source:
                    continue
                flags.append(argument)
            if object_file is not None:
                self.entries[source] = CompileEntry(source, object_file, flags)
        self._dependencies = self._read_dependency_log()

    def _read_dependency_log(self) -> dict[Path, set[Path]]:
        """Object file -> the files it was built from, from Ninja's log (empty if none)."""
        run = subprocess.run(["ninja", "-C", str(self.build_dir), "-t", "deps"], capture_output=True, text=True)
        dependencies: dict[Path, set[Path]] = {}
        current: set[Path] | None = None
        # ~20,000 lines name ~1,000 files: each resolved once (resolving stats every folder on
        # the way, ~1.3 s of a hot restart's new builder when done for every line).
        resolved: dict[str, Path] = {}

        def resolve(name: str) -> Path:
            path = resolved.get(name)
            if path is None:
                path = resolved[name] = (self.build_dir / name).resolve()
            return path

        for line in run.stdout.splitlines():
            if not line.strip():
                current = None
            elif not line.startswith(" "):
                current = dependencies.setdefault(resolve(line.split(":", 1)[0]), set())
            elif current is not None:
                current.add(resolve(line.strip()))
        return dependencies

    def dependencies_of(self, object_file: Path) -> set[Path]:
        """The files Ninja knows an object was built from (its last compile's depfile)."""
        return self._dependencies.get(object_file.resolve(), set())

    def entry(self, source: Path) -> CompileEntry | None:
        return self.entries.get(source.resolve())

    def sources_affected_by(self, changed: list[Path], extra_dependencies: dict[Path, set[Path]] | None = None) -> list[Path]:
        """Sources to recompile: the edited sources themselves, and every source whose object
        depends on an edited header (Ninja's log; `extra_dependencies`: source -> files a
        newer compile of it read, e.g. a patch's, which may include headers the program's did not)."""
        changed_set = {path.resolve() for path in changed}
        affected = [path for path in changed_set if path in self.entries]
        headers = changed_set - set(affected)
        if headers:
            for source, entry in self.entries.items():
                if source in affected:
                    continue
                dependencies = self._dependencies.get(entry.object_file, set()) | (extra_dependencies or {}).get(source, set())
                if headers & dependencies:
                    affected.append(source)
        return sorted(affected)

    @staticmethod
    def program_sources(program_wasm: Path) -> set[Path] | None:
        """The program's own sources, from NAME.sources.json beside NAME.wasm (None if absent)."""
        listing = program_wasm.with_name(program_wasm.stem + ".sources.json")
        if not listing.exists():
            return None
        return {Path(path).resolve() for path in json.loads(listing.read_text())}
