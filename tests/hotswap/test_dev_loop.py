# Why this exists: the dev loop is the user's session; nothing that goes wrong while it builds
# a patch may end it. This test gives the real DevLoop a builder with a bug (it raises while
# building) and saves a real file: the terminal must say so, the page must hear that the
# version it was told about failed (so it stops waiting for it), and the next save must build.
import io
import sys
import tempfile
import time
import unittest
import unittest.mock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "hotswap" / "tools"))
from devloop.dev_loop import DevLoop  # noqa: E402
from devloop.patch_log import PatchLog  # noqa: E402


class Events:
    def __init__(self):
        self.published = []

    def publish(self, kind, data):
        self.published.append((kind, data))


class Server:
    def __init__(self):
        self.events = Events()

    def on_report(self, callback):
        self.report = callback  # what the page's reports reach


class Built:
    def __init__(self, version):
        self.version = version

    def manifest(self):
        return {"version": self.version, "files": ["sky.cpp"], "build_ms": 1, "compile_ms": 1, "link_ms": 1,
                "changed": [], "warnings": [], "module": f"patch-{self.version}.wasm"}


class BuilderWithABug:
    """Raises on its first build, as a bug in the patch builder would; builds after that."""
    def __init__(self, root):
        self.root = root
        self.builds = 0
        self.holds_open = 0  # hold_background calls not released

    def hold_background(self):
        self.holds_open += 1
        released = []

        def release():
            if not released:
                released.append(True)
                self.holds_open -= 1
        return release

    def warm_up(self, sources):
        pass

    def close(self):
        pass

    def relative(self, path):
        return str(Path(path).relative_to(self.root))

    def sources_to_compile(self, paths):
        return (list(paths),)

    def affected_sources(self, paths):
        return list(paths)

    def build(self, paths, version, plan=None):
        self.builds += 1
        if self.builds == 1:
            raise ValueError("a bug in the builder")
        return Built(version)


class ABugInThePatchBuilderDoesNotEndTheSession(unittest.TestCase):
    def test_the_failure_is_reported_and_the_next_save_builds(self):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            sky = root / "sky.cpp"
            sky.write_text("int sky() { return 1; }\n")
            server, terminal = Server(), io.StringIO()
            builder = BuilderWithABug(root)
            loop = DevLoop(ROOT, lambda: builder, None, root / "patches", server, PatchLog(terminal), [root])
            try:
                sky.write_text("int sky() { return 2; }\n")
                self.assertIsNone(self.step_until_a_build(loop, builder, 1))
                self.assertIn("internal error", terminal.getvalue().lower())
                self.assertIn("ValueError: a bug in the builder", terminal.getvalue())
                kinds = [kind for kind, _ in server.events.published]
                self.assertEqual(kinds, [loop.format["events"]["build_started"], loop.format["events"]["patch_failed"]])
                failed = server.events.published[-1][1]
                self.assertEqual((failed["version"], failed["failure"]["kind"]), (1, "internal_error"))

                sky.write_text("int sky() { return 3; }\n")
                manifest = self.step_until_a_build(loop, builder, 2)
                self.assertEqual(manifest["version"], 2)
                self.assertEqual(server.events.published[-1][0], loop.format["events"]["patch_built"])
            finally:
                loop.close()

    @staticmethod
    def step_until_a_build(loop, builder, builds):
        deadline = time.monotonic() + 10
        while builder.builds < builds and time.monotonic() < deadline:
            loop.watcher.wait(0.05)
            result = loop.step_safely()
        return result


class BackgroundWorkWaitsUntilThePageShowsThePatch(unittest.TestCase):
    """The builder's background work (a whole compile for a later restart) must not share the
    cores with the page applying a patch: it stays held from the save to the page's report."""
    def test_the_hold_lasts_from_the_save_until_the_page_reports_the_patch_applied(self):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / "sky.cpp").write_text("int sky() { return 1; }\n")
            server, builder = Server(), BuilderWithABug(root)
            builder.builds = 1  # past its bug
            loop = DevLoop(ROOT, lambda: builder, None, root / "patches", server, PatchLog(io.StringIO()), [root])
            try:
                (root / "sky.cpp").write_text("int sky() { return 2; }\n")
                manifest = ABugInThePatchBuilderDoesNotEndTheSession.step_until_a_build(loop, builder, 2)
                self.assertEqual(manifest["version"], 1)
                self.assertEqual(builder.holds_open, 1, "released before the page showed the patch")
                server.report({"kind": loop.format["report_kinds"]["patch_applied"], "version": 1})
                self.assertEqual(builder.holds_open, 0, "still held after the page reported the patch applied")
            finally:
                loop.close()

    def test_with_no_page_to_report_the_hold_ends_by_itself(self):
        import devloop.dev_loop as dev_loop
        with tempfile.TemporaryDirectory() as folder, unittest.mock.patch.object(dev_loop, "HOLD_BACKGROUND_UNTIL_SHOWN_SECONDS", 0.2):
            root = Path(folder)
            (root / "sky.cpp").write_text("int sky() { return 1; }\n")
            server, builder = Server(), BuilderWithABug(root)
            builder.builds = 1
            loop = DevLoop(ROOT, lambda: builder, None, root / "patches", server, PatchLog(io.StringIO()), [root])
            try:
                (root / "sky.cpp").write_text("int sky() { return 2; }\n")
                ABugInThePatchBuilderDoesNotEndTheSession.step_until_a_build(loop, builder, 2)
                deadline = time.monotonic() + 5
                while builder.holds_open and time.monotonic() < deadline:
                    time.sleep(0.05)
                self.assertEqual(builder.holds_open, 0)
            finally:
                loop.close()


class TheLogSaysWhatASaveCompiled(unittest.TestCase):
    def test_the_functions_of_a_source_compiled_in_part_and_why_another_compiled_whole(self):
        stream = io.StringIO()
        PatchLog(stream).built({"version": 3, "files": ["app/web/frame_loop.cpp", "app/hot/sky.cpp"], "build_ms": 900,
                                "compile_ms": 800, "link_ms": 20, "changed": [], "sources": [
                                    {"source": "app/web/frame_loop.cpp", "changed": ["FrameLoop::start_frame"],
                                     "compiled": ["FrameLoop::start_frame", "FrameLoop::instance"], "left_out": 35},
                                    {"source": "app/hot/sky.cpp", "whole": "every function is needed"},
                                    {"source": "app/core/scene.cpp", "whole": "a change outside function definitions"},
                                    {"source": "app/core/camera.cpp", "changed": [], "restored": [], "compiled": [], "left_out": 9},
                                    {"source": "app/core/bvh.cpp", "programs_own_object": True, "restored": ["Bvh::subdivide"]}]})
        text = stream.getvalue()
        self.assertIn("app/web/frame_loop.cpp: compiled 2 of its 37 functions (FrameLoop::start_frame changed", text)
        self.assertIn("app/core/scene.cpp: compiled all its functions: a change outside function definitions", text)
        self.assertNotIn("every function is needed", text)
        self.assertIn("app/core/camera.cpp: no function's code changed: nothing compiled", text)
        self.assertIn("app/core/bvh.cpp: saved back to the program's text: linked the program's own object, no compile "
                      "(Bvh::subdivide back to the program's code)", text)
