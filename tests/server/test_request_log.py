# Why this exists: the terminal shows one short line per request (method, path, status) so a
# developer sees what the page fetched; tests switch it off; a hostile path cannot forge
# extra log lines.
import io
import unittest

from server_harness import ServerTestCase

from devserver import DevServer, ServerSettings


class EachRequestLogsOneLine(ServerTestCase):
    def test_one_line_with_method_path_and_status(self):
        self.request("GET", "/app.js")
        self.request("GET", "/missing.js")
        self.request("PUT", "/app.js", body=b"x")
        self.assertEqual(self.log.getvalue().splitlines(),
                         ["GET /app.js 200", "GET /missing.js 404", "PUT /app.js 405"])

    def test_control_characters_in_the_path_are_escaped(self):
        self.raw_get("/x\x1b[2Jy")
        self.assertEqual(self.log.getvalue().splitlines(), ["GET /x\\x1b[2Jy 400"])


class QuietServerLogsNoRequests(ServerTestCase):
    settings_overrides = {"quiet": True}

    def test_quiet_server_writes_nothing_per_request(self):
        self.request("GET", "/app.js")
        self.request("GET", "/missing.js")
        self.assertEqual(self.log.getvalue(), "")

    def test_quiet_server_still_warns(self):
        log = io.StringIO()
        server = DevServer(ServerSettings(web_root=self.tree["web"], host="0.0.0.0", port=0,
                                          quiet=True, log_stream=log)).start()
        self.addCleanup(server.stop)
        self.assertIn("warning", log.getvalue())


if __name__ == "__main__":
    unittest.main()
