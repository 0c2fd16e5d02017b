"""The wasm build's compile commands, and which sources an edited file affects.

Why it exists: a patch must be compiled exactly like the program's object for the same
source (same defines, include paths, optimisation, float semantics), except for
visibility: the program is built -fvisibility=hidden (see cmake/ProjectOptions.cmake);
a patch needs default visibility so its globals bind to the program's copies. The
compile database (compile_commands.json) has the command of every source, and each
object's dependency file (.d) says which headers it includes.
"""
from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

# Flags of the program's compile command that a patch must not inherit.
_DROPPED_FLAGS = {"-fvisibility=hidden", "-MD", "-MMD"}
_DROPPED_WITH_VALUE = {"-o", "-c", "-MT", "-MF", "-MQ"}


@dataclass
class CompileEntry:
    source: Path
    object_file: Path
    flags: list[str]     # the patch's flags (no -o/-c/dependency flags, default visibility)


class CompileDatabase:
    def __init__(self, build_dir: Path):
        self.build_dir = build_dir
        database = build_dir / "compile_commands.json"
        if not database.exists():
            raise FileNotFoundError(f"{database} is missing: configure the wasm build first (cmake --preset wasm)")
        self.entries: dict[Path, CompileEntry] = {}
        for item in json.loads(database.read_text()):
            arguments = item.get("arguments") or shlex.split(item["command"])
            directory = Path(item["directory"])
            source = (directory / item["file"]).resolve()
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

    def entry(self, source: Path) -> CompileEntry | None:
        return self.entries.get(source.resolve())

    def sources_affected_by(self, changed: list[Path]) -> list[Path]:
        """Sources to recompile: the edited sources themselves, and every source whose
        object depends on an edited header (from the objects' .d files)."""
        changed_set = {path.resolve() for path in changed}
        affected = [path for path in changed_set if path in self.entries]
        headers = changed_set - set(affected)
        if headers:
            for source, entry in self.entries.items():
                if source in affected:
                    continue
                if headers & self._dependencies(entry):
                    affected.append(source)
        return sorted(affected)

    def _dependencies(self, entry: CompileEntry) -> set[Path]:
        depfile = Path(str(entry.object_file) + ".d")
        if not depfile.exists():
            return set()
        text = depfile.read_text().replace("\\\n", " ")
        _, _, dependencies = text.partition(":")
        return {(self.build_dir / token).resolve() for token in dependencies.split()}
