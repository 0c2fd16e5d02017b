# Why this exists: what makes a save fast must not make it wrong. These tests build real
# patches of the raytracer with the real builder (its compile server, preambles and caches),
# from edited copies in an overlay folder, never touching the project's files, and check:
#  - a source compiled with its preamble is byte for byte the program's object (the program's
#    PCH chained, or no PCH), and a preamble whose header changed is not used until rebuilt;
#  - a source whose statics are bound (compiled through IR) is compared with the right object;
#    a static the program's optimiser split (NAME.0) is bound when one piece is all of it;
#  - saving a text already built (an undo) reuses that build, and serves that patch;
#  - a source that compiles to the program's own code (a header it includes had a member
#    initialiser rewritten to the same value) is left out of the patch, so the next saves do
#    not carry it;
#  - a header edit as the first save of a session compiles only the includers that use what
#    changed (a template: those that instantiate it; a function declared: those that spell
#    its name): the program's build told the builder which functions each source emits.
# Needs the wasm build (the program's objects) and the native build's host tools.
import filecmp
import shutil
import sys
import tempfile
import time
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "wasm"
PROGRAM = BUILD / "site" / "raytracer.wasm"
sys.path.insert(0, str(ROOT / "hotswap" / "tools"))
from patch_builder import WHOLE_COMPILE_DELAY_SECONDS, PatchBuilder  # noqa: E402
from preambles import include_block  # noqa: E402
from static_data import StaticBindings, rewrite_ir  # noqa: E402

SKY = "app/hot/sky.cpp"
TEXTURE = "app/core/texture.h"
CHECKER = ("& 1) == 0 ? color : other_color;", "& 1) != 0 ? color : other_color;")
PREAMBLE_WAIT_SECONDS = 180


class BuilderTest(unittest.TestCase):
    """A builder of patches of the raytracer from an overlay of edited copies."""

    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.overlay = Path(self.folder.name) / "overlay"
        self.overlay.mkdir()
        self.said = []
        self.builder = PatchBuilder(ROOT, BUILD, PROGRAM, Path(self.folder.name) / "patches", overlay=self.overlay,
                                    say=self.said.append, narrow_header_edits=True)
        self.version = 0

    def tearDown(self):
        self.builder.close()
        self.folder.cleanup()

    def save(self, relative: str, text: str):
        copy = self.overlay / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text)
        self.version += 1
        result = self.builder.build([ROOT / relative], self.version)
        self.assertIsNone(result.failure, result.failure and result.failure["message"])
        return result

    def module(self, result) -> bytes:
        return (Path(self.folder.name) / "patches" / result.module).read_bytes()

    def preamble_flags(self, relative: str) -> list[str]:
        """The source's preamble flags, once its preamble is built (it is asked for, then waited for)."""
        source = (ROOT / relative).resolve()
        compiled, flags, quotes = self.builder._overlaid(source, self.builder.database.entry(source).flags)
        deadline = time.monotonic() + PREAMBLE_WAIT_SECONDS
        while time.monotonic() < deadline:
            found = self.builder.preambles.flags_for(include_block(compiled.read_text()), flags, quotes,
                                                     self.builder._overlay_files())
            if found is not None:
                return found
            time.sleep(0.2)
        self.fail(f"the preamble of {relative} was not built in {PREAMBLE_WAIT_SECONDS} s")


class APreambleCompilesExactlyAsTheProgram(BuilderTest):
    def test_a_source_compiled_with_its_preamble_is_the_programs_object(self):
        self.assertTrue(self.builder.toolchain.runner.uses_server, "the compile server is not built (native preset)")
        # sky.cpp uses the program's precompiled header (its preamble is chained on it);
        # json_field.cpp is compiled with exceptions and no PCH (a preamble of its own).
        for relative in (SKY, "app/core/json_field.cpp"):
            with self.subTest(source=relative):
                source = (ROOT / relative).resolve()
                flags = self.preamble_flags(relative)
                self.assertTrue(any(flag.endswith(".pch") and "preambles" in flag for flag in flags), flags)
                output = Path(self.folder.name) / (source.stem + ".o")
                quotes = ["-iquote", str(source.parent)]
                run = self.builder.toolchain.run(self.builder.toolchain.compile_command([*flags, *quotes], source, output))
                self.assertEqual(run.returncode, 0, run.stderr)
                self.assertTrue(filecmp.cmp(output, self.builder.database.entry(source).object_file, shallow=False),
                                f"{relative} compiled with its preamble differs from the program's object")

    def test_a_preamble_whose_header_changed_is_not_used_until_it_is_rebuilt(self):
        # A preamble of its own folder: sky.cpp's include block, with a header there the test edits.
        source = self.overlay / "preamble_probe" / "probe.cpp"
        header = source.with_name("probe_value.h")
        source.parent.mkdir(parents=True)
        header.write_text("#pragma once\ninline int probe_value() { return 1; }\n")
        source.write_text('#include "probe_value.h"\nint probe() { return probe_value(); }\n')
        entry = self.builder.database.entry((ROOT / SKY).resolve())
        preambles, block, quotes = self.builder.preambles, include_block(source.read_text()), [source.parent]
        deadline = time.monotonic() + PREAMBLE_WAIT_SECONDS
        while (flags := preambles.flags_for(block, entry.flags, quotes)) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIsNotNone(flags, "the probe's preamble was not built")
        time.sleep(0.01)  # a later modification time than the preamble's
        header.write_text("#pragma once\ninline int probe_value() { return 2; }\n")
        self.assertIsNone(preambles.flags_for(block, entry.flags, quotes), "a stale preamble was offered")
        deadline = time.monotonic() + PREAMBLE_WAIT_SECONDS
        while (flags := preambles.flags_for(block, entry.flags, quotes)) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIsNotNone(flags, "the stale preamble was not rebuilt")
        # Compiled with the rebuilt preamble, the source sees the new header: the same object
        # as compiling it with the program's own flags.
        with_preamble, plain = Path(self.folder.name) / "with.o", Path(self.folder.name) / "plain.o"
        toolchain = self.builder.toolchain
        for used, output in ((flags, with_preamble), (entry.flags, plain)):
            run = toolchain.run(toolchain.compile_command([*used, "-iquote", str(source.parent)], source, output))
            self.assertEqual(run.returncode, 0, run.stderr)
        self.assertTrue(filecmp.cmp(with_preamble, plain, shallow=False), "the rebuilt preamble still has the old header")


class ASourceWithBoundStaticsComparesExactly(BuilderTest):
    def setUp(self):
        super().setUp()
        # The whole source, through IR: a comment alone would compile only the functions
        # always kept (ASaveCompilesOnlyTheFunctionsItChanged).
        self.builder.compile_changed_functions = False

    def test_a_comment_in_the_frame_loop_changes_no_code(self):
        # frame_loop.cpp has a static the patch binds to the program's (the singleton): its
        # patch object is compiled through IR, and the object it is compared with comes from
        # the same IR compiled as it is, which must be the program's object byte for byte.
        text = (ROOT / "app/web/frame_loop.cpp").read_text()
        result = self.save("app/web/frame_loop.cpp", text.replace("namespace raytracer::web {\n",
                                                                  "namespace raytracer::web {\n// a comment\n", 1))
        self.assertTrue(result.static_data, "frame_loop.cpp's statics were not bound")
        self.assertEqual(result.changed, [], "a comment changed code: the compared object is not the program's")

    def test_a_static_the_programs_optimiser_kept_as_one_field_is_bound_to_it(self):
        # fault_recovery.cpp's page_hidden (a file-local std::atomic) is `page_hidden.0` in the
        # program's object: GlobalOpt split the one-field struct. The patch binds it all the same.
        text = (ROOT / "app/web/fault_recovery.cpp").read_text()
        result = self.save("app/web/fault_recovery.cpp", text.replace("namespace raytracer::web {\n",
                                                                      "namespace raytracer::web {\n// a comment\n", 1))
        self.assertTrue([name for name in result.static_data if "page_hidden" in name],
                        f"page_hidden was not bound: {sorted(result.static_data)}")
        self.assertEqual(result.changed, [])
        self.assertFalse([w for w in result.warnings if "starts afresh" in w], result.warnings)


class AStaticSplitInSeveralPiecesStartsAfresh(unittest.TestCase):
    def test_the_patch_keeps_its_own_copy_and_says_so(self):
        ir = ('@_ZL5pairs = internal global %struct.P zeroinitializer, align 4\n'
              '@_ZL4kept = internal global i32 0, align 4\n'
              'define void @f() {\n  store i32 1, ptr @_ZL5pairs\n  store i32 2, ptr @_ZL4kept\n  ret void\n}\n')
        statics = StaticBindings({"_ZL5pairs.0": "__hotswap_static.a.0", "_ZL5pairs.1": "__hotswap_static.a.1",
                                  "_ZL4kept": "__hotswap_static.b", "_ZL4gone": "__hotswap_static.c"},
                                 {"__hotswap_static.a.0": (16, 4), "__hotswap_static.a.1": (40, 4),
                                  "__hotswap_static.b": (20, 4), "__hotswap_static.c": (24, 4)})
        text, unbound = rewrite_ir(ir, statics)
        self.assertEqual(set(unbound), {"_ZL5pairs.0", "_ZL5pairs.1"})
        self.assertEqual(statics.renamed, {"_ZL4kept": "__hotswap_static.b"})
        self.assertEqual(set(statics.addresses), {"__hotswap_static.b"})
        self.assertIn('@"__hotswap_static.b" = weak global i32 0', text)
        self.assertIn("@_ZL5pairs = internal global", text)


class ACompileServerThatDiesIsStartedAgain(BuilderTest):
    def test_a_save_after_the_compile_server_was_killed_still_builds(self):
        runner = self.builder.toolchain.runner
        self.assertTrue(runner.uses_server)
        runner._process.kill()  # as a crash or an out-of-memory kill would
        runner._process.wait()
        original = (ROOT / SKY).read_text()
        result = self.save(SKY, original.replace("  return radiance;\n", "  return radiance * 0.5f;\n"))
        self.assertEqual([change["short"] for change in result.changed], ["raytracer::sky_radiance"])
        self.assertTrue(runner.uses_server and runner._process.poll() is None, "the server was not started again")


class BackgroundWorkPausesWhileASaveCompiles(BuilderTest):
    def test_a_background_compile_is_stopped_while_a_foreground_one_runs_and_both_finish(self):
        # The preambles and use sets the dev loop rebuilds after a header edit must not take
        # a core from the next save's compile: the server stops them while it runs.
        runner = self.builder.toolchain.runner
        self.assertTrue(runner.uses_server)
        runner.start()
        source = (ROOT / "app/core/scene_loader.cpp").resolve()  # seconds to compile without a PCH
        entry = self.builder.database.entry(source)
        command = self.builder.toolchain.compile_command([*entry.flags, "-fsyntax-only"], source, Path("/dev/null"))
        states = []
        with ThreadPoolExecutor(max_workers=2) as pool:
            background = pool.submit(runner.run, command, background=True)
            time.sleep(0.3)
            foreground = pool.submit(runner.run, command)
            while not foreground.done():
                states.append(sorted(children_of(runner._process.pid).values()))
                time.sleep(0.05)
            self.assertEqual(foreground.result().returncode, 0, foreground.result().stderr)
            self.assertEqual(background.result().returncode, 0, background.result().stderr)
        self.assertIn("T", {state for seen in states for state in seen}, f"no child was ever stopped: {states}")
        self.assertNotIn(["T", "T"], states, "the foreground compile was stopped too")

    def test_a_background_compile_is_stopped_for_as_long_as_a_save_holds_background_work(self):
        # A build's steps between compiles (a link, the checks, an object reused without a
        # compile) and the page's apply need the cores too: the hold covers them.
        runner = self.builder.toolchain.runner
        self.assertTrue(runner.uses_server)
        runner.start()
        source = (ROOT / "app/core/scene_loader.cpp").resolve()
        entry = self.builder.database.entry(source)
        command = self.builder.toolchain.compile_command([*entry.flags, "-fsyntax-only"], source, Path("/dev/null"))
        with ThreadPoolExecutor(max_workers=1) as pool:
            background = pool.submit(runner.run, command, background=True)
            time.sleep(0.3)
            release = runner.hold_background()
            inner = runner.hold_background()  # holds nest: the dev loop's around the builder's
            inner()
            held = []
            for _ in range(6):
                time.sleep(0.05)
                held.append(sorted(children_of(runner._process.pid).values()))
            release()
            release()  # a second release does nothing
            time.sleep(0.1)
            after = sorted(children_of(runner._process.pid).values())
            self.assertEqual(background.result().returncode, 0, background.result().stderr)
        self.assertEqual(held, [["T"]] * 6, "the background compile ran while held")
        self.assertNotIn("T", after, "the background compile was not resumed after the release")

    def test_a_stopped_background_compile_dies_with_a_killed_server(self):
        runner = self.builder.toolchain.runner
        self.assertTrue(runner.uses_server)
        runner.start()
        server = runner._process
        source = (ROOT / "app/core/scene_loader.cpp").resolve()
        entry = self.builder.database.entry(source)
        command = self.builder.toolchain.compile_command([*entry.flags, "-fsyntax-only"], source, Path("/dev/null"))
        pool = ThreadPoolExecutor(max_workers=2)
        pool.submit(runner.run, command, background=True)
        time.sleep(0.3)
        pool.submit(runner.run, command)
        deadline, children = time.monotonic() + 5, {}
        while time.monotonic() < deadline and "T" not in children.values():
            children = children_of(server.pid)
            time.sleep(0.05)
        self.assertIn("T", children.values(), f"the background compile was not stopped: {children}")
        server.kill()  # as a crash or an out-of-memory kill would
        server.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in children):
            time.sleep(0.05)
        self.assertEqual([pid for pid in children if Path(f"/proc/{pid}").exists()], [], "a child outlived the server")
        pool.shutdown(wait=True)


def children_of(parent: int) -> dict[int, str]:
    """pid -> state ("R", "S", "T"...) of each process whose parent is `parent`."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" ", 1)
            fields = rest.rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent:
            found[int(pid)] = fields[0]
    return found


class AnUndoIsServedFromEarlierBuilds(BuilderTest):
    def test_saving_a_text_already_built_reuses_its_compile_and_gives_its_patch(self):
        original = (ROOT / SKY).read_text()
        tinted = lambda blue: original.replace("  return radiance;\n", f"  return radiance * glm::vec3(1.0f, 1.0f, {blue}f);\n")
        first = self.save(SKY, tinted("0.5"))
        second = self.save(SKY, tinted("0.25"))
        undo = self.save(SKY, tinted("0.5"))
        self.assertEqual((first.reused, second.reused), ([], []))
        self.assertEqual(undo.reused, [SKY])
        self.assertEqual([change["short"] for change in undo.changed], ["raytracer::sky_radiance"])
        self.assertEqual(self.module(undo), self.module(first), "the undo's patch is not the one built for that text")
        self.assertNotEqual(self.module(undo), self.module(second))
        fresh = self.save(SKY, tinted("0.75"))  # a text never built compiles
        self.assertEqual(fresh.reused, [])
        self.assertNotEqual(self.module(fresh), self.module(first))


class ASourceThatCompilesToTheProgramsCodeIsLeftOut(BuilderTest):
    def test_a_member_initialiser_in_a_header_leaves_every_includer_out_of_this_patch_and_the_next(self):
        text = (ROOT / TEXTURE).read_text()
        self.assertIn("float cell_size = 1.0f;", text)
        declared = self.save(TEXTURE, text.replace("float cell_size = 1.0f;", "float cell_size = 2.0f / 2.0f;", 1))
        self.assertGreaterEqual(len(declared.files), 10, "a member initialiser should compile every includer")
        self.assertEqual(len(declared.left_out), len(declared.files) - 1, declared.left_out)
        self.assertEqual(declared.changed, [])
        original = (ROOT / SKY).read_text()
        tinted = self.save(SKY, original.replace("  return radiance;\n", "  return radiance * glm::vec3(1.0f, 1.0f, 0.5f);\n"))
        self.assertEqual(tinted.files, [SKY])
        self.assertLessEqual(len(tinted.carried), 1, tinted.carried)
        self.assertEqual([change["short"] for change in tinted.changed], ["raytracer::sky_radiance"])

    def test_a_source_whose_code_changed_is_linked_and_carried(self):
        scatter = "app/hot/scatter.cpp"
        text = (ROOT / TEXTURE).read_text()
        changed = self.save(TEXTURE, text.replace(CHECKER[0], CHECKER[1]))
        self.assertIn(scatter, changed.files)
        self.assertNotIn(scatter, changed.left_out)
        original = (ROOT / SKY).read_text()
        tinted = self.save(SKY, original.replace("  return radiance;\n", "  return radiance * glm::vec3(1.0f, 1.0f, 0.5f);\n"))
        self.assertIn(scatter, tinted.carried)


SCENE = "app/core/scene.cpp"
FRAME_LOOP = "app/web/frame_loop.cpp"
START_FRAME = ("void FrameLoop::start_frame() {\n", "void FrameLoop::start_frame() {\n  if (frame_number_ == 123456789u) return;\n")
EMITS = ("return emission.x > 0.0f || emission.y > 0.0f || emission.z > 0.0f;",
         "return emission.x > 0.5f || emission.y > 0.5f || emission.z > 0.5f;")


class ASaveCompilesOnlyTheFunctionsItChanged(BuilderTest):
    def test_a_body_edit_compiles_the_functions_it_touches_exactly_as_the_whole_source(self):
        for relative, edit, changed, left_out in ((SCENE, EMITS, "Scene::emits", "Scene::intersect_brute_force"),
                                                  (FRAME_LOOP, START_FRAME, "FrameLoop::start_frame", "FrameLoop::frame_complete")):
            with self.subTest(source=relative):
                self.check_compiled_in_part(relative, edit, changed, left_out)

    def check_compiled_in_part(self, relative: str, edit: tuple[str, str], changed: str, left_out: str):
        text = (ROOT / relative).read_text()
        self.assertIn(edit[0], text)
        result = self.save(relative, text.replace(*edit))
        note = result.sources[0]
        self.assertEqual(note["changed"], [changed], note)
        self.assertNotIn(left_out, note["compiled"])
        self.assertGreaterEqual(note["left_out"], 5)
        short = changed.split("::")[-1]
        self.assertFalse([name for name in result.functions if left_out.split("::")[-1] in name], result.functions)
        self.assertTrue([change for change in result.changed if short in change["readable"]], result.changed)
        # The functions it compiled are those a compile of the whole source makes.
        source = (ROOT / relative).resolve()
        whole = PatchBuilder(ROOT, BUILD, PROGRAM, Path(self.folder.name) / f"whole-{short}", overlay=self.overlay,
                             compile_changed_functions=False)
        try:
            everything = whole.build([ROOT / relative], 1)
            self.assertIsNone(everything.failure)
            self.assertEqual(everything.sources, [])
            some = self.builder._fingerprints_of(self.builder.patched[source].fingerprinted)
            every = whole._fingerprints_of(whole.patched[source].fingerprinted)
            self.assertLess(len(some), len(every))
            differing = sorted(name for name in some if name in every and some[name] != every[name])
            self.assertEqual(differing, [])
            # Compiled in part, it is compiled whole in the background, for a hot restart's
            # build: as the whole compile makes it.
            self.assertNotIn(source, self.builder.program_equivalents)
            deadline = time.monotonic() + 120
            while source not in self.builder.program_equivalents and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertIn(source, self.builder.program_equivalents, "the whole compile for a hot restart did not come")
            self.assertEqual(self.builder._fingerprints_of(self.builder.program_equivalents[source].object_file),
                             whole._fingerprints_of(whole.program_equivalents[source].object_file))
        finally:
            whole.close()

    def test_a_function_saved_back_to_the_programs_text_is_compiled_again(self):
        text = (ROOT / SCENE).read_text()
        self.save(SCENE, text.replace(*EMITS))
        back = self.save(SCENE, text.replace("void Scene::gather_lights() {\n", "void Scene::gather_lights() {\n  static_cast<void>(1);\n"))
        note = back.sources[0]
        self.assertEqual((note["changed"], note["restored"][:1]), (["Scene::gather_lights"], ["Scene::emits"]), note)
        self.assertTrue([change for change in back.changed if "emits" in change["readable"]], back.changed)
        self.assertTrue([name for name in back.functions if "emits" in name], back.functions)

    def test_a_file_saved_back_to_the_programs_text_links_the_programs_own_object(self):
        # An undo of every edit since the program was built: that text was compiled, by the
        # program's build, and its object puts back what the patches changed.
        text = (ROOT / SCENE).read_text()
        self.save(SCENE, text.replace(*EMITS))
        back = self.save(SCENE, text)
        self.assertEqual(back.sources, [{"source": SCENE, "programs_own_object": True, "restored": ["Scene::emits", "Scene::gather_lights"]}])
        self.assertEqual(back.reused, [SCENE])
        self.assertEqual(back.compile_cpu_ms, 0, "something compiled")
        self.assertTrue([change for change in back.changed if "emits" in change["readable"]], back.changed)
        program = self.builder._fingerprints_of(self.builder.database.entry((ROOT / SCENE).resolve()).object_file)
        linked = self.builder._fingerprints_of(self.builder.patched[(ROOT / SCENE).resolve()].object_file)
        self.assertEqual({name: linked[name] for name in program if name in linked}, {name: program[name] for name in program if name in linked})
        # A hot restart's build keeps the program's object of it (install_for_restart).
        self.assertIn((ROOT / SCENE).resolve(), self.builder.unaffected)

    def test_some_functions_that_compile_to_the_programs_code_are_left_out_of_the_patch(self):
        # Left in, every later patch would carry them (patches are cumulative).
        original = (ROOT / SKY).read_text()
        self.save(SKY, original.replace("  return radiance;\n", "  return radiance * glm::vec3(1.0f, 1.0f, 0.5f);\n"))
        text = (ROOT / SCENE).read_text()
        result = self.save(SCENE, text.replace("void Scene::gather_lights() {\n", "void Scene::gather_lights() {\n  static_cast<void>(1);\n"))
        self.assertIn("compiled", result.sources[0])
        self.assertEqual(result.left_out, [SCENE])
        self.assertEqual(result.carried, [SKY])

    def test_a_comment_compiles_nothing_and_the_patch_carries_what_it_did(self):
        # Before, a comment compiled the whole source: frame_loop.cpp, 5-7 s for no code.
        original = (ROOT / SKY).read_text()
        self.save(SKY, original.replace("  return radiance;\n", "  return radiance * glm::vec3(1.0f, 1.0f, 0.5f);\n"))
        text = (ROOT / FRAME_LOOP).read_text()
        result = self.save(FRAME_LOOP, text.replace("namespace raytracer::web {\n", "namespace raytracer::web {\n// a comment\n", 1))
        note = result.sources[0]
        self.assertEqual((note["changed"], note["restored"], note["compiled"]), ([], [], []), note)
        self.assertGreaterEqual(note["left_out"], 30)
        self.assertEqual(result.left_out, [FRAME_LOOP])
        self.assertEqual(result.carried, [SKY])
        self.assertEqual(result.changed, [])
        self.assertEqual(result.compile_cpu_ms, 0, "something compiled")

    def test_a_file_saved_back_unpatched_is_not_compiled_whole_later_the_programs_object_serves_a_restart(self):
        original = (ROOT / SKY).read_text()
        self.save(SKY, original.replace("  return radiance;\n", "  return radiance * glm::vec3(1.0f, 1.0f, 0.5f);\n"))
        self.save(SCENE, (ROOT / SCENE).read_text())
        time.sleep(WHOLE_COMPILE_DELAY_SECONDS + 0.5)
        self.builder._background.submit(lambda: None).result()  # after the whole compile it scheduled
        source = (ROOT / SCENE).resolve()
        self.assertFalse(source in self.builder.program_equivalents, "the program's own text was compiled whole")
        self.assertIn(source, self.builder.unaffected)

    def test_a_comment_as_the_first_save_compiles_the_functions_always_kept_to_make_a_patch(self):
        text = (ROOT / SCENE).read_text()
        result = self.save(SCENE, text.replace("namespace raytracer {\n", "namespace raytracer {\n// a comment\n", 1))
        note = result.sources[0]
        self.assertEqual((note["changed"], note["restored"]), ([], []), note)
        self.assertTrue(note["compiled"], note)
        self.assertNotIn("Scene::emits", note["compiled"])
        self.assertIsNotNone(result.module)
        self.assertEqual(result.changed, [])

    def test_a_new_function_compiles_with_its_callers_only(self):
        text = (ROOT / SCENE).read_text()
        helper = "bool brighter_than(const glm::vec3& colour, float floor) {\n  return colour.x > floor || colour.y > floor || colour.z > floor;\n}\n\n"
        edited = text.replace("bool Scene::emits(", helper + "bool Scene::emits(").replace(
            EMITS[0], "return brighter_than(emission, 0.5f);")
        result = self.save(SCENE, edited)
        note = result.sources[0]
        self.assertEqual(note["changed"], ["brighter_than", "Scene::emits"], note)
        self.assertNotIn("Scene::intersect_brute_force", note["compiled"])
        self.assertTrue([change for change in result.changed if "emits" in change["readable"]], result.changed)

    def test_an_error_in_a_changed_function_is_reported_at_its_line_without_a_whole_build(self):
        text = (ROOT / SCENE).read_text()
        broken = text.replace(*EMITS).replace("const glm::vec3& emission = materials_[material].emission;",
                                              "const glm::vec3& emission = materials_[material].emision;")
        copy = self.overlay / SCENE
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(broken)
        result = self.builder.build([ROOT / SCENE], 1)
        self.assertEqual(result.failure["kind"], "compile_error")
        line = broken.splitlines().index("  const glm::vec3& emission = materials_[material].emision;") + 1
        self.assertIn(f"{SCENE}:{line}:", result.failure["message"])
        self.assertIn("compiled", result.sources[0], "the error was built again with the whole source")

    def test_a_build_of_some_functions_that_fails_elsewhere_is_built_again_whole(self):
        import patch_builder  # noqa: PLC0415
        real = patch_builder.partial_source

        def leaving_out_too_much(*arguments):
            partial = real(*arguments)
            partial.text += "\nint broken_by_the_scan = not_declared_anywhere;\n"  # outside the changed function
            return partial
        patch_builder.partial_source = leaving_out_too_much
        try:
            result = self.save(SCENE, (ROOT / SCENE).read_text().replace(*EMITS))
        finally:
            patch_builder.partial_source = real
        self.assertEqual(result.sources, [{"source": SCENE, "whole": "the build of its changed functions alone failed"}])
        self.assertTrue([change for change in result.changed if "emits" in change["readable"]], result.changed)


class TheFunctionScanAgreesWithClang(BuilderTest):
    def test_every_source_of_the_program_has_the_function_definitions_clang_finds(self):
        from function_edits import scan  # noqa: PLC0415
        from header_edits import load_libclang, parse_arguments  # noqa: PLC0415
        cindex = load_libclang(Path(self.builder.toolchain.clang).parent)
        self.assertIsNotNone(cindex, "libclang is not installed (scripts/setup.sh)")
        kinds = {cindex.CursorKind.FUNCTION_DECL, cindex.CursorKind.CXX_METHOD, cindex.CursorKind.CONSTRUCTOR,
                 cindex.CursorKind.DESTRUCTOR, cindex.CursorKind.CONVERSION_FUNCTION, cindex.CursorKind.FUNCTION_TEMPLATE}
        scopes = {cindex.CursorKind.NAMESPACE, cindex.CursorKind.LINKAGE_SPEC}
        sources = sorted(self.builder.database.entries)
        self.assertGreaterEqual(len(sources), 20)
        for source in sources:
            with self.subTest(source=self.builder.relative(source)):
                flags = self.builder.database.entry(source).flags
                arguments = parse_arguments(self.builder.toolchain.compile_command(flags, source, Path("-")), source)
                unit = cindex.TranslationUnit.from_source(str(source), args=[*arguments, "-iquote", str(source.parent)])
                self.assertEqual([d.spelling for d in unit.diagnostics if d.severity >= cindex.Diagnostic.Error], [])
                ends = []

                def walk(cursor):
                    for child in cursor.get_children():
                        if child.location.file is None or Path(child.location.file.name).resolve() != source:
                            continue
                        if child.kind in scopes:
                            walk(child)
                        elif child.kind in kinds and child.is_definition():
                            ends.append(child.extent.end.offset)
                walk(unit.cursor)
                scanned = scan(source.read_text())
                self.assertNotIsInstance(scanned, str, scanned)
                self.assertEqual([function.end for function in scanned.functions], ends)


class AHeaderEditAsTheFirstSaveIsNarrowed(BuilderTest):
    def test_the_first_save_compiles_only_the_includers_that_use_the_changed_function(self):
        self.assertTrue(any("from the program's build" in line for line in self.said), self.said)
        text = (ROOT / TEXTURE).read_text()
        self.assertIn(CHECKER[0], text)
        result = self.save(TEXTURE, text.replace(CHECKER[0], CHECKER[1]))  # no wait: the session's first save
        note = result.headers[0]
        self.assertIsNone(note["reason"], note)
        self.assertIn("raytracer::Texture::value", note["functions"])
        self.assertGreaterEqual(len(note["compiled"]) + len(note["skipped"]), 10)
        self.assertIn("app/hot/scatter.cpp", note["compiled"])
        self.assertLessEqual(len(note["compiled"]), 3, note)
        self.assertEqual(sorted(result.files), sorted(note["compiled"]))

    def test_a_declared_function_compiles_only_the_includers_that_spell_its_name(self):
        # Texture gains a member function: no code can call it without spelling its name, and
        # of texture.h's includers only scatter.cpp spells "grazing" (a local variable there).
        text = (ROOT / TEXTURE).read_text()
        self.assertIn("struct Texture {", text)
        result = self.save(TEXTURE, text.replace("struct Texture {", "struct Texture {\n  bool grazing() const;", 1))
        note = result.headers[0]
        self.assertIsNone(note["reason"], note)
        self.assertEqual(note["declarations"], ["declared raytracer::Texture::grazing"])
        self.assertEqual(note["compiled"], ["app/hot/scatter.cpp"])
        self.assertGreaterEqual(len(note["skipped"]), 10, note)
        self.assertEqual(result.files, ["app/hot/scatter.cpp"])

    def test_a_template_body_edit_compiles_only_the_sources_that_instantiate_it(self):
        # Bvh::traverse is a member function template: the sources that emit any instantiation
        # of it compile (the scene's intersection code), not every source that includes bvh.h.
        text = (ROOT / "app/core/bvh.h").read_text()
        self.assertIn("  if (nodes_.empty()) return;\n", text)
        result = self.save("app/core/bvh.h", text.replace("  if (nodes_.empty()) return;\n", "  if (nodes_.empty()) {\n    return;\n  }\n"))
        note = result.headers[0]
        self.assertIsNone(note["reason"], note)
        self.assertEqual(note["functions"], ["raytracer::Bvh::traverse"])
        self.assertIn("app/core/scene.cpp", note["compiled"])
        self.assertGreaterEqual(len(note["skipped"]), 5, note)
        self.assertNotIn("app/hot/sky.cpp", note["compiled"])

    def test_a_constant_edit_compiles_only_the_sources_that_name_it(self):
        # Bvh::kMaximumDepth: bvh.cpp names it, and Bvh::traverse (which the scene's code
        # instantiates) names it in its body; no other source of the 14 that include bvh.h does.
        text = (ROOT / "app/core/bvh.h").read_text()
        self.assertIn("kMaximumDepth = 64;", text)
        result = self.save("app/core/bvh.h", text.replace("kMaximumDepth = 64;", "kMaximumDepth = 65;"))
        note = result.headers[0]
        self.assertIsNone(note["reason"], note)
        self.assertEqual(sorted(note["functions"]), ["raytracer::Bvh::kMaximumDepth", "raytracer::Bvh::traverse"])
        self.assertEqual(sorted(note["compiled"]), ["app/core/bvh.cpp", "app/core/scene.cpp"])
        self.assertGreaterEqual(len(note["skipped"]), 10, note)


if __name__ == "__main__":
    unittest.main()
