# Why this exists: the page reports to the terminal through POST /api/report. The JSON object
# must reach the callback the dev loop registered (printed when none is); bodies over the
# limit get 413 and invalid ones 400, and neither reaches the callback.
import contextlib
import io
import json
import unittest

from server_harness import ServerTestCase

LIMIT = 64 * 1024


class ReportsReachTheCallback(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.reports = []
        self.server.on_report(self.reports.append)

    def post(self, body, headers=None):
        return self.request("POST", "/api/report", {"Content-Type": "application/json", **(headers or {})}, body)

    def test_callback_receives_the_json_object(self):
        report = {"kind": "patch-applied", "version": 3, "workers": [1, 2, 3], "text": "é"}
        response = self.post(json.dumps(report).encode())
        self.assertEqual(response.status, 204)
        self.assertEqual(response.body, b"")
        self.assertEqual(self.reports, [report])

    def test_reports_arrive_one_per_request_in_order(self):
        for index in range(5):
            self.assertEqual(self.post(json.dumps({"index": index}).encode()).status, 204)
        self.assertEqual(self.reports, [{"index": index} for index in range(5)])

    def test_body_at_the_limit_is_accepted(self):
        body = b'{"padding": "' + b"x" * (LIMIT - len(b'{"padding": ""}')) + b'"}'
        self.assertEqual(len(body), LIMIT)
        self.assertEqual(self.post(body).status, 204)
        self.assertEqual(len(self.reports), 1)

    def test_body_over_the_limit_is_413(self):
        body = b'{"padding": "' + b"x" * (LIMIT + 1 - len(b'{"padding": ""}')) + b'"}'
        response = self.post(body)
        self.assertEqual(response.status, 413)
        self.assertIn(b"limit", response.body)
        self.assertEqual(self.reports, [])

    def test_body_far_over_the_limit_still_gets_its_413(self):
        # Larger than the socket buffers: the server must keep reading while it closes, or the
        # client's send fails on a reset and it never sees the answer.
        response = self.post(b" " * (16 * 1024 * 1024))
        self.assertEqual(response.status, 413)
        self.assertEqual(self.reports, [])

    def test_huge_declared_body_is_refused_before_it_is_read(self):
        response = self.raw_request(
            f"POST /api/report HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Content-Length: {1 << 40}\r\n\r\n{{}}".encode(), method="POST")
        self.assertEqual(response.status, 413)
        self.assertEqual(self.reports, [])

    def test_invalid_json_is_400(self):
        for body in (b"{", b"not json", b"", b'{"a": NaN}', b"\xff\xfe{}"):
            with self.subTest(body=body):
                response = self.post(body)
                self.assertEqual(response.status, 400)
                self.assertEqual(len(response.body.decode().splitlines()), 1)
        self.assertEqual(self.reports, [])

    def test_json_that_is_not_an_object_is_400(self):
        for body in (b"[1, 2]", b'"text"', b"42", b"null"):
            with self.subTest(body=body):
                self.assertEqual(self.post(body).status, 400)
        self.assertEqual(self.reports, [])

    def test_body_without_content_length_is_411(self):
        response = self.raw_request(
            f"POST /api/report HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n2\r\n{{}}\r\n0\r\n\r\n".encode(), method="POST")
        self.assertEqual(response.status, 411)
        self.assertEqual(self.reports, [])

    def test_failing_callback_is_500_and_logged(self):
        def failing(report):
            raise RuntimeError("callback broke")
        self.server.on_report(failing)
        response = self.post(b"{}")
        self.assertEqual(response.status, 500)
        self.assertIn("callback broke", self.log.getvalue())


class DefaultCallbackPrints(ServerTestCase):
    def test_report_is_printed_when_no_callback_is_registered(self):
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            response = self.request("POST", "/api/report", body=b'{"message": "hello from the page"}')
        self.assertEqual(response.status, 204)
        self.assertEqual(output.getvalue(), 'page report: {"message": "hello from the page"}\n')


if __name__ == "__main__":
    unittest.main()
