# Why this exists: static files answer GET and HEAD only, /events GET only and /api/report
# POST only; anything else is a 405 that names the allowed methods in an Allow header, and a
# request line that is not HTTP is a 400.
import unittest

from server_harness import ServerTestCase

OTHER_METHODS = ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "BREW")


class StaticFilesAllowOnlyGetAndHead(ServerTestCase):
    def test_other_methods_on_a_file_are_405_with_allow(self):
        for method in OTHER_METHODS:
            with self.subTest(method=method):
                response = self.request(method, "/app.js")
                self.assertEqual(response.status, 405)
                self.assertEqual(response.header("Allow"), "GET, HEAD")
                self.assertNotIn(b"answer = 42", response.body)

    def test_other_methods_on_a_missing_file_are_405(self):
        self.assertEqual(self.request("PUT", "/new_file.js", body=b"x").status, 405)
        self.assertFalse((self.tree["web"] / "new_file.js").exists())

    def test_other_methods_on_a_patch_are_405_with_allow(self):
        response = self.request("PUT", "/patches/patch_1.wasm", body=b"overwrite")
        self.assertEqual(response.status, 405)
        self.assertEqual(response.header("Allow"), "GET, HEAD")
        self.assertEqual((self.tree["patches"] / "patch_1.wasm").read_bytes(), b"\0asm\1\0\0\0patch")

    def test_head_sends_headers_without_body(self):
        response = self.request("HEAD", "/app.js")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body, b"")
        self.assertEqual(response.header("Content-Length"), str(len(b"export const answer = 42;\n")))

    def test_get_serves_the_file(self):
        response = self.request("GET", "/app.js")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body, b"export const answer = 42;\n")

    def test_one_connection_serves_several_requests(self):
        connection = self.connect()
        sockets = set()
        for path in ("/app.js", "/program.wasm", "/index.html"):
            connection.request("GET", path)
            sockets.add(id(connection.sock))
            response = connection.getresponse()
            self.assertEqual(response.status, 200)
            self.assertFalse(response.will_close)
            response.read()
        self.assertEqual(len(sockets), 1, "http.client reconnected: the server closed the connection")


class EndpointsAllowTheirOwnMethod(ServerTestCase):
    def test_events_allows_only_get(self):
        for method in ("POST", "PUT", "HEAD", "DELETE"):
            with self.subTest(method=method):
                response = self.request(method, "/events")
                self.assertEqual(response.status, 405)
                self.assertEqual(response.header("Allow"), "GET")

    def test_report_allows_only_post(self):
        for method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS"):
            with self.subTest(method=method):
                response = self.request(method, "/api/report")
                self.assertEqual(response.status, 405)
                self.assertEqual(response.header("Allow"), "POST")

    def test_unknown_api_endpoint_is_not_found(self):
        self.assertEqual(self.request("POST", "/api/unknown", body=b"{}").status, 404)
        self.assertEqual(self.request("GET", "/api/").status, 404)

    def test_paths_below_events_are_not_found_even_as_files(self):
        (self.tree["web"] / "events").mkdir()
        (self.tree["web"] / "events" / "file.txt").write_bytes(b"shadowed")
        self.assertEqual(self.request("GET", "/events/file.txt").status, 404)


class MalformedRequestsAreBadRequests(ServerTestCase):
    def test_method_that_is_not_a_token_is_400(self):
        self.assertEqual(self.raw_request(b"G(E)T /app.js HTTP/1.1\r\nHost: x\r\n\r\n").status, 400)

    def test_request_line_without_version_is_400(self):
        self.assertEqual(self.raw_request(b"GET /app.js\r\n\r\n").status, 400)

    def test_unparseable_version_is_400(self):
        self.assertEqual(self.raw_request(b"GET /app.js HTTP/x.y\r\n\r\n").status, 400)

    def test_too_many_words_is_400(self):
        self.assertEqual(self.raw_request(b"GET /app.js extra HTTP/1.1\r\n\r\n").status, 400)

    def test_invalid_content_length_on_report_is_400(self):
        response = self.raw_request(
            f"POST /api/report HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Content-Length: twelve\r\n\r\n".encode(), method="POST")
        self.assertEqual(response.status, 400)


if __name__ == "__main__":
    unittest.main()
