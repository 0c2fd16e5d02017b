# Why this exists: the page is cross-origin isolated and never sees a stale file only if
# every answer carries the isolation and no-store headers, errors and the event stream too.
import unittest

from server_harness import EventStreamClient, ServerTestCase


class EveryResponseCarriesIsolationHeaders(ServerTestCase):
    def test_ok_file_has_isolation_and_no_store_headers(self):
        response = self.request("GET", "/app.js")
        self.assertEqual(response.status, 200)
        self.assertIsolationHeaders(response)

    def test_head_has_isolation_and_no_store_headers(self):
        response = self.request("HEAD", "/program.wasm")
        self.assertEqual(response.status, 200)
        self.assertIsolationHeaders(response)

    def test_not_found_has_isolation_and_no_store_headers(self):
        response = self.request("GET", "/missing.js")
        self.assertEqual(response.status, 404)
        self.assertIsolationHeaders(response)

    def test_method_not_allowed_has_isolation_and_no_store_headers(self):
        response = self.request("DELETE", "/app.js")
        self.assertEqual(response.status, 405)
        self.assertIsolationHeaders(response)

    def test_bad_request_has_isolation_and_no_store_headers(self):
        response = self.raw_get("/%zz")
        self.assertEqual(response.status, 400)
        self.assertIsolationHeaders(response)

    def test_broken_request_line_has_isolation_and_no_store_headers(self):
        response = self.raw_request(b"GET /index.html HTTP/one\r\n\r\n")
        self.assertEqual(response.status, 400)
        self.assertIsolationHeaders(response)

    def test_forbidden_has_isolation_and_no_store_headers(self):
        response = self.request("GET", "/patches/patch_1.wasm", {"Origin": "http://evil.example"})
        self.assertEqual(response.status, 403)
        self.assertIsolationHeaders(response)

    def test_redirect_has_isolation_and_no_store_headers(self):
        response = self.request("GET", "/with%20index")
        self.assertEqual(response.status, 301)
        self.assertIsolationHeaders(response)

    def test_report_accepted_has_isolation_and_no_store_headers(self):
        self.server.on_report(lambda report: None)
        response = self.request("POST", "/api/report", body=b"{}")
        self.assertEqual(response.status, 204)
        self.assertIsolationHeaders(response)

    def test_report_too_large_has_isolation_and_no_store_headers(self):
        response = self.request("POST", "/api/report", body=b" " * (64 * 1024 + 1))
        self.assertEqual(response.status, 413)
        self.assertIsolationHeaders(response)

    def test_event_stream_has_isolation_and_no_store_headers(self):
        client = EventStreamClient(self)
        self.assertEqual(client.response.status, 200)
        self.assertIsolationHeaders(client.response)

    def test_patch_file_has_isolation_and_no_store_headers(self):
        response = self.request("GET", "/patches/patch_1.wasm")
        self.assertEqual(response.status, 200)
        self.assertIsolationHeaders(response)


if __name__ == "__main__":
    unittest.main()
