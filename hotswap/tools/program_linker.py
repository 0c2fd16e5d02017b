#!/usr/bin/env python3
"""The link launcher of a main module (cmake/WasmMainModule.cmake): links with em++, and
relinks without most of em++ when only the program's code changed.

Why it exists: a hot restart waits for the program's link. em++'s link runs wasm-ld (here
hot_linker.py, which also routes calls through the table), wasm-emscripten-finalize (which
finishes the module and reports the *metadata* the JavaScript glue is made from: imports,
exports, EM_JS code, signatures), the JS compiler and the worker script's tools in Node, and
llvm-objcopy; about 2.5 s of processor time, of which the JavaScript is about half. When the
link's command is the one of the last full link, every file it names but the code (export
lists, JS libraries, the config) is unchanged, and finalize reports the same metadata, em++
would write the same JavaScript again: so a relink runs only the steps that make the
module (the same commands em++ ran, recorded at its last full link) and keeps the
JavaScript. Anything else (another command, other metadata, no record) is a full em++ link,
which records anew. tests/hotswap/test_program_linker.py checks the two give the same files.

  program_linker.py --llvm-root DIR --hot-functions FILE|none EM++ ARGUMENTS...

The record, NAME.relink.json beside the output: the em++ command, the commands it ran for
the module (wasm-ld's arguments come from hot_linker.py's NAME.wasm-ld.json), and the
metadata of that link.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

RECORD_SUFFIX = ".relink.json"
WASM_LD_RECORD_SUFFIX = ".wasm-ld.json"  # written by hot_linker.py: the arguments em++ gave it
PRE_FINALIZE_SUFFIX = ".linked.wasm"     # written by hot_linker.py: the module before em++ finishes it
# Subcommands em++ prints with EMCC_VERBOSE=1 (` "PROGRAM" ARGUMENTS`) that make the module.
MODULE_STEPS = ("wasm-emscripten-finalize", "llvm-objcopy")


CODE_SUFFIXES = (".o", ".a")  # the code a relink links again; every other file the command names must be unchanged


def settings_files(em_command: list[str]) -> dict[str, str]:
    """Every file the em++ command names that is not code (export lists, JS libraries, the
    config; directly or as @FILE), with a digest of its content: the JavaScript depends on
    them, so a relink needs them all unchanged."""
    files = {}
    for index, argument in enumerate(em_command[1:], start=1):
        if em_command[index - 1] == "-o":
            continue  # the output
        for candidate in [argument, *re.findall(r"@([^,=]+)$", argument)]:
            path = Path(candidate)
            if candidate.endswith(CODE_SUFFIXES) or not path.is_file():
                continue
            files[str(path.resolve())] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def output_of(arguments: list[str]) -> Path | None:
    for index, argument in enumerate(arguments):
        if argument == "-o" and index + 1 < len(arguments):
            return Path(arguments[index + 1])
    return None


def full_link(em_command: list[str], environment: dict[str, str], output: Path) -> int:
    """em++'s own link; then the record a later relink replays."""
    record_file = output.with_name(output.stem + RECORD_SUFFIX)
    record_file.unlink(missing_ok=True)
    run = subprocess.run(em_command, env=dict(environment, EMCC_VERBOSE="1"), stderr=subprocess.PIPE, text=True)
    steps = []
    for line in run.stderr.splitlines(keepends=True):
        if line.startswith(' "'):
            command = shlex.split(line)
            if Path(command[0]).name.startswith(MODULE_STEPS):
                steps.append(command)
        else:
            sys.stderr.write(line)
    if run.returncode != 0:
        return run.returncode
    wasm = output.with_suffix(".wasm")
    wasm_ld_record = wasm.with_name(wasm.stem + WASM_LD_RECORD_SUFFIX)
    linked = wasm.with_name(wasm.stem + PRE_FINALIZE_SUFFIX)
    finalize = next((step for step in steps if Path(step[0]).name.startswith(MODULE_STEPS[0])), None)
    if not wasm_ld_record.exists() or not linked.exists() or finalize is None:
        return 0  # nothing to replay: every link stays a full one
    metadata = run_finalize(finalize, linked, environment)
    if metadata is None:
        return 0
    record_file.write_text(json.dumps({
        "em_command": em_command, "directory": os.getcwd(), "wasm_ld": json.loads(wasm_ld_record.read_text()),
        "steps": steps, "metadata": metadata, "outputs": javascript_outputs(output), "settings_files": settings_files(em_command),
    }, indent=1))
    return 0


def run_finalize(finalize: list[str], module: Path, environment: dict[str, str]) -> str | None:
    """finalize's metadata for `module` (it finishes the module in place, as em++ had it do)."""
    command = retarget(finalize, module)
    run = subprocess.run(command, env=environment, capture_output=True, text=True)
    return run.stdout if run.returncode == 0 else None


def retarget(finalize: list[str], module: Path) -> list[str]:
    """em++'s finalize command with `module` as its input and output (em++ finishes NAME.wasm in place)."""
    command, skip = [], False
    for index, argument in enumerate(finalize):
        if skip:
            skip = False
            continue
        if argument == "-o":
            command += ["-o", str(module)]
            skip = True
        elif index > 0 and argument.endswith(".wasm"):
            command.append(str(module))
        else:
            command.append(argument)
    return command


def javascript_outputs(output: Path) -> dict[str, int]:
    """The JavaScript the link wrote, with its sizes (a relink keeps them only while they are there)."""
    files = [output, output.with_name(output.stem + ".worker.js")]
    return {str(path): path.stat().st_size for path in files if path.exists()}


def relink(em_command: list[str], environment: dict[str, str], output: Path) -> bool:
    """The module-making steps of the last full link, replayed; True when the JavaScript that
    link wrote is still right (same metadata), so the relink is complete."""
    record_file = output.with_name(output.stem + RECORD_SUFFIX)
    try:
        record = json.loads(record_file.read_text())
    except (OSError, ValueError):
        return False
    if record.get("em_command") != em_command or record.get("directory") != os.getcwd():
        return False
    if record.get("settings_files") != settings_files(em_command):
        return False  # another export list, JS library or config: em++ makes other JavaScript
    if any(not Path(path).exists() or Path(path).stat().st_size != size for path, size in record["outputs"].items()):
        return False
    # hot_linker.py (the wasm-ld em++ runs) in this process: one Python start and its imports
    # fewer, about 0.1 s of a hot restart's wait.
    import hot_linker
    if hot_linker.link(record["wasm_ld"], Path(environment["EM_LLVM_ROOT"]) / "wasm-ld", environment[hot_linker.HOT_FUNCTIONS_VARIABLE]) != 0:
        return False
    sys.stdout.flush()
    wasm = output.with_suffix(".wasm")
    for step in record["steps"]:
        if Path(step[0]).name.startswith(MODULE_STEPS[0]):
            run = subprocess.run(step, env=environment, capture_output=True, text=True)
            if run.returncode != 0 or run.stdout != record["metadata"]:
                return False  # new imports, exports or EM_JS code: the JavaScript must be made again
        elif subprocess.run(step, env=environment).returncode != 0:
            return False
    for path in record["outputs"]:
        os.utime(path)  # the build's output is up to date (its content is)
    print(f"{wasm.name}: relinked without em++'s JavaScript steps (the program's imports, exports and EM_JS code are unchanged)")
    return True


def main() -> int:
    arguments = sys.argv[1:]
    if len(arguments) < 5 or arguments[0] != "--llvm-root" or arguments[2] != "--hot-functions":
        print("usage: program_linker.py --llvm-root DIR --hot-functions FILE|none EM++ ARGUMENTS...", file=sys.stderr)
        return 2
    llvm_root, hot_functions, em_command = arguments[1], arguments[3], arguments[4:]
    environment = dict(os.environ, EM_LLVM_ROOT=llvm_root, HOTSWAP_HOT_FUNCTIONS=hot_functions)
    output = output_of(em_command)
    if output is None:
        return subprocess.run(em_command, env=environment).returncode
    if relink(em_command, environment, output):
        return 0
    return full_link(em_command, environment, output)


if __name__ == "__main__":
    sys.exit(main())
