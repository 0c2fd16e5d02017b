# Why this exists: a hot restart relinks the program without em++'s JavaScript steps when
# only its code changed (hotswap/tools/program_linker.py). Such a relink must make exactly
# the program em++ would, and must not be taken when em++ would write other JavaScript.
# These tests link the raytracer's real objects with its real link command, into a folder of
# their own (the build's program is not touched).
import filecmp
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "wasm"
sys.path.insert(0, str(ROOT / "hotswap" / "tools"))
from patch_builder import PatchBuilder  # noqa: E402

RELINKED = "relinked without em++'s JavaScript steps"


class ARelinkMakesWhatEmscriptenMakes(unittest.TestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp())
        commands = subprocess.run(["ninja", "-C", str(BUILD), "-t", "commands", "raytracer"], capture_output=True, text=True,
                                  check=True).stdout.strip().splitlines()
        link = next(command for command in commands if "program_linker.py" in command)
        self.directory = BUILD  # where Ninja runs the link
        self.command = shlex.split(re.search(r"(\S*python3? \S*program_linker\.py .*?)(?: && |$)", link).group(1))
        # The program's objects, copied, so that one can be swapped for a recompiled one.
        self.objects = self.folder / "objects"
        self.objects.mkdir()
        for index, argument in enumerate(self.command):
            if argument.endswith((".o", ".a")) and (self.directory / argument).exists():
                copy = self.objects / f"{index}-{Path(argument).name}"
                shutil.copyfile(self.directory / argument, copy)
                self.command[index] = str(copy)
        self.command[self.command.index("-o") + 1] = str(self.folder / "out" / "raytracer.js")
        (self.folder / "out").mkdir()

    def tearDown(self):
        shutil.rmtree(self.folder, ignore_errors=True)

    def link(self) -> str:
        run = subprocess.run(self.command, cwd=self.directory, capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        return run.stdout

    def outputs(self) -> dict[str, bytes]:
        return {name: (self.folder / "out" / name).read_bytes() for name in ("raytracer.wasm", "raytracer.js", "raytracer.worker.js")}

    def recompile_with_a_change(self, relative: str, before: str, after: str) -> None:
        """Compiles `relative` with the program's flags and one edit, in place of its object."""
        source = ROOT / relative
        edited = self.folder / "edited" / source.name
        edited.parent.mkdir(exist_ok=True)
        text = source.read_text()
        self.assertIn(before, text)
        edited.write_text(text.replace(before, after))
        builder = PatchBuilder(ROOT, BUILD, BUILD / "site" / "raytracer.wasm", self.folder / "patches")
        try:
            entry = builder.database.entry(source.resolve())
            target = next(argument for argument in self.command if argument.endswith("-" + Path(entry.object_file).name))
            run = builder.toolchain.run(builder.toolchain.compile_command([*entry.flags, "-iquote", str(source.parent)],
                                                                         edited, Path(target)))
            self.assertEqual(run.returncode, 0, run.stderr)
        finally:
            builder.close()

    def test_a_relink_of_changed_code_is_the_program_em_makes(self):
        self.assertNotIn(RELINKED, self.link())  # the first link is em++'s, and is recorded
        self.recompile_with_a_change("app/web/preview_frame.cpp", ">= kSmallestPreviewedSide", "> kSmallestPreviewedSide")
        self.assertIn(RELINKED, self.link())
        relinked = self.outputs()
        (self.folder / "out" / "raytracer.relink.json").unlink()  # the same inputs, linked by em++ alone
        self.assertNotIn(RELINKED, self.link())
        self.assertEqual(relinked, self.outputs(), "the relink's program differs from em++'s")

    def test_a_changed_export_list_links_with_em_again(self):
        exports_argument = next(index for index, argument in enumerate(self.command) if argument.startswith("-sEXPORTED_FUNCTIONS=@"))
        exports = self.folder / "exported_functions.json"
        shutil.copyfile(self.command[exports_argument].split("@", 1)[1], exports)
        self.command[exports_argument] = f"-sEXPORTED_FUNCTIONS=@{exports}"
        self.link()
        self.assertIn(RELINKED, self.link())
        exports.write_text(exports.read_text().replace("[", '["_raytracer_start", ', 1))  # one more (a repeat) in the list
        self.assertNotIn(RELINKED, self.link(), "a relink kept the JavaScript of another export list")


if __name__ == "__main__":
    unittest.main()
