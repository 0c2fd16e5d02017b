# Why this exists: the server exposes build output and takes reports, so by default only this
# machine may reach it (127.0.0.1), and binding anything else prints a warning. The command
# line prints the URL to open first, so scripts and people can find the server.
import os
import queue
import signal
import subprocess
import sys
import threading
import unittest
import urllib.request

from server_harness import CLIENT_TIMEOUT_SECONDS, REPOSITORY_ROOT, ServerTestCase

from devserver import DEFAULT_HOST, DevServer, ServerSettings
from devserver.bind_address import browse_url, is_loopback, non_loopback_warning
from devserver.cli import build_parser

SERVE_SCRIPT = REPOSITORY_ROOT / "scripts" / "serve.py"


class DefaultBindIsLoopback(ServerTestCase):
    def test_settings_default_to_127_0_0_1(self):
        self.assertEqual(DEFAULT_HOST, "127.0.0.1")
        self.assertEqual(ServerSettings(web_root=self.tree["web"]).host, "127.0.0.1")

    def test_command_line_defaults_to_127_0_0_1_and_port_8000(self):
        arguments = build_parser().parse_args(["--root", "x"])
        self.assertEqual(arguments.host, "127.0.0.1")
        self.assertEqual(arguments.port, 8000)

    def test_started_server_listens_on_127_0_0_1_only(self):
        self.assertEqual(self.server.address[0], "127.0.0.1")
        self.assertNotEqual(self.server.port, 0, "port 0 means: the system picks one")
        self.assertEqual(self.server.url, f"http://127.0.0.1:{self.server.port}/")

    def test_port_in_use_raises_instead_of_sharing_it(self):
        second = DevServer(ServerSettings(web_root=self.tree["web"], port=self.port, log_stream=self.log))
        with self.assertRaises(OSError):
            second.start()
        second.stop()

    def test_loopback_bind_prints_no_warning(self):
        self.assertNotIn("warning", self.log.getvalue())


class NonLoopbackBindWarns(ServerTestCase):
    settings_overrides = {"host": "0.0.0.0"}

    def test_wildcard_bind_warns_on_the_log(self):
        log = self.log.getvalue()
        self.assertIn("warning", log)
        self.assertIn(f"0.0.0.0:{self.port}", log)
        self.assertIn("not a loopback address", log)

    def test_wildcard_bind_still_prints_a_url_that_opens_locally(self):
        self.assertEqual(self.server.url, f"http://127.0.0.1:{self.port}/")
        self.assertEqual(self.request("GET", "/app.js").status, 200)


class LoopbackIsRecognised(unittest.TestCase):
    def test_loopback_addresses(self):
        for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"):
            with self.subTest(host=host):
                self.assertTrue(is_loopback(host))
                self.assertIsNone(non_loopback_warning(host, 8000))

    def test_other_addresses(self):
        for host in ("0.0.0.0", "::", "", "192.168.1.10", "10.0.0.1", "example.com"):
            with self.subTest(host=host):
                self.assertFalse(is_loopback(host))
                self.assertIn("not a loopback address", non_loopback_warning(host, 8000))

    def test_url_for_each_kind_of_address(self):
        self.assertEqual(browse_url("127.0.0.1", 8000), "http://127.0.0.1:8000/")
        self.assertEqual(browse_url("0.0.0.0", 8001), "http://127.0.0.1:8001/")
        self.assertEqual(browse_url("::1", 8002), "http://[::1]:8002/")
        self.assertEqual(browse_url("::", 8003), "http://[::1]:8003/")


class OutputLines:
    """Lines of a child's pipe, read on a thread so a missing line fails a test, not hangs it."""

    def __init__(self, pipe):
        self._lines = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._reader.start()

    def _read(self, pipe):
        for line in pipe:
            self._lines.put(line)
        self._lines.put("")  # end of output

    def next_line(self):
        try:
            return self._lines.get(timeout=CLIENT_TIMEOUT_SECONDS)
        except queue.Empty:
            return "<no line>"

    def rest(self):
        """Everything after the lines read so far, once the child has exited."""
        self._reader.join(CLIENT_TIMEOUT_SECONDS)
        return "".join(iter(self._lines.get_nowait, ""))


class ServeScriptPrintsTheUrl(ServerTestCase):
    def run_serve_script(self, *arguments):
        environment = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
        process = subprocess.Popen([sys.executable, str(SERVE_SCRIPT), *arguments],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=environment)
        self.addCleanup(self.stop_process, process)
        return process, OutputLines(process.stdout), OutputLines(process.stderr)

    def stop_process(self, process):
        if process.poll() is None:
            process.kill()
        process.wait(CLIENT_TIMEOUT_SECONDS)
        process.stdout.close()
        process.stderr.close()

    def test_serve_script_prints_the_url_and_serves_the_root(self):
        process, stdout, stderr = self.run_serve_script(
            "--root", str(self.tree["web"]), "--patches", str(self.tree["patches"]), "--port", "0")
        first_line = stdout.next_line()
        self.assertRegex(first_line, r"^Serving http://127\.0\.0\.1:\d+/\n$")
        url = first_line.split()[1]
        with urllib.request.urlopen(url + "patches/patch_1.wasm", timeout=CLIENT_TIMEOUT_SECONDS) as response:
            self.assertEqual(response.headers["Content-Type"], "application/wasm")
            self.assertEqual(response.headers["Cross-Origin-Embedder-Policy"], "require-corp")
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(CLIENT_TIMEOUT_SECONDS), 0)
        self.assertIn("GET /patches/patch_1.wasm 200", stderr.rest())

    def test_serve_script_warns_when_binding_all_interfaces(self):
        process, stdout, stderr = self.run_serve_script(
            "--root", str(self.tree["web"]), "--host", "0.0.0.0", "--port", "0")
        self.assertRegex(stdout.next_line(), r"^Serving http://127\.0\.0\.1:\d+/")
        self.assertRegex(stderr.next_line(), r"^warning: listening on 0\.0\.0\.0:\d+, which is not a loopback")

    def test_serve_script_exits_1_when_the_port_is_taken(self):
        process, _, stderr = self.run_serve_script("--root", str(self.tree["web"]), "--port", str(self.port))
        self.assertEqual(process.wait(CLIENT_TIMEOUT_SECONDS), 1)
        self.assertIn(f"cannot listen on 127.0.0.1:{self.port}", stderr.rest())

    def test_serve_script_refuses_a_missing_root(self):
        process, _, stderr = self.run_serve_script("--root", str(self.tree["base"] / "missing"), "--port", "0")
        self.assertEqual(process.wait(CLIENT_TIMEOUT_SECONDS), 2)
        self.assertIn("not a directory", stderr.rest())


if __name__ == "__main__":
    unittest.main()
