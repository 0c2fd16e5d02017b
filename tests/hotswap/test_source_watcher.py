# Why this exists: the dev loop makes one patch per save, and the end-to-end test counts on
# it. A save is not one atomic event: editors (and Node's writeFileSync) truncate a file and
# then write it, and a multi-file save touches files one after another. These tests save real
# files the way editors do, with pauses a busy machine can cause, and check the watcher
# reports each save once, with the content the editor meant, and nothing afterwards.
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from devloop.dev_loop import MAX_SETTLE_SECONDS, QUIET_SECONDS  # noqa: E402
from devloop.source_watcher import SourceWatcher  # noqa: E402


def save_later(path: Path, text: str, *, pause_after_truncate: float, delay: float = 0.0) -> threading.Thread:
    """Saves `text` to `path` from another thread: truncate, pause, write."""
    def save():
        time.sleep(delay)
        with open(path, "w") as file:  # truncates
            file.flush()
            time.sleep(pause_after_truncate)
            file.write(text)
    thread = threading.Thread(target=save)
    thread.start()
    return thread


class OneSaveIsOneChange(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.root = Path(self.folder.name)
        self.sky = self.root / "sky.cpp"
        self.sky.write_text("int sky() { return 1; }\n")
        self.scatter = self.root / "scatter.cpp"
        self.scatter.write_text("int scatter() { return 1; }\n")
        self.watcher = SourceWatcher([self.root])

    def tearDown(self):
        self.folder.cleanup()

    def wait_for_changes(self, timeout=5.0):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            changes = self.watcher.settled_changes(QUIET_SECONDS, MAX_SETTLE_SECONDS)
            if changes:
                return changes
            time.sleep(0.005)
        self.fail("no change was reported")

    def assert_nothing_more(self):
        time.sleep(0.2)
        self.assertEqual(self.watcher.settled_changes(QUIET_SECONDS, MAX_SETTLE_SECONDS), [])

    def test_a_save_that_pauses_between_truncating_and_writing_is_reported_once_with_its_content(self):
        for pause in (0.05, 0.3):
            with self.subTest(pause_after_truncate=pause):
                text = f"int sky() {{ return {int(pause * 100)}; }}\n"
                saving = save_later(self.sky, text, pause_after_truncate=pause)
                changes = self.wait_for_changes()
                self.assertEqual([change.path for change in changes].count(self.sky) >= 1, True)
                self.assertEqual(self.sky.read_text(), text, "reported only once the content is written")
                saving.join()
                self.assert_nothing_more()

    def test_files_saved_one_after_another_come_as_one_batch(self):
        first = save_later(self.sky, "int sky() { return 2; }\n", pause_after_truncate=0)
        second = save_later(self.scatter, "int scatter() { return 2; }\n", pause_after_truncate=0, delay=0.005)
        first.join()
        second.join()
        changes = self.wait_for_changes()
        self.assertEqual({change.path for change in changes}, {self.sky, self.scatter})
        self.assert_nothing_more()

    def test_a_file_really_emptied_is_reported(self):
        self.sky.write_text("")
        changes = self.wait_for_changes(timeout=MAX_SETTLE_SECONDS + 3)
        self.assertEqual([change.path for change in changes], [self.sky])
        self.assert_nothing_more()

    def test_rewriting_the_same_bytes_is_no_change(self):
        self.sky.write_text(self.sky.read_text())
        self.assert_nothing_more()


if __name__ == "__main__":
    unittest.main()
