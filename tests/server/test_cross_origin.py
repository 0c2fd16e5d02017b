# Why this exists: any site open in the same browser can send requests to 127.0.0.1. The
# event stream, the report endpoint and the patches must answer only the page this server
# serves: a foreign Origin, a cross-site or same-site Sec-Fetch-Site, or a Host that is a
# DNS name (a rebinding attack) get 403; same-origin requests and requests without these
# headers (tools, same-origin EventSource) are served. Static files stay open to all.
import unittest

from server_harness import EventStreamClient, Response, ServerTestCase


class ProtectedEndpointsRefuseOtherOrigins(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.reports = []
        self.server.on_report(self.reports.append)

    def send(self, endpoint, headers):
        """One request to a protected endpoint, as the page would make it."""
        if endpoint == "report":
            return self.request("POST", "/api/report", headers, body=b'{"from": "test"}')
        if endpoint == "patches":
            return self.request("GET", "/patches/patch_1.wasm", headers)
        client = EventStreamClient(self, headers=headers)
        body = client.response.read() if client.response.status != 200 else b""
        client.close()
        return Response(client.response.status, client.response.headers, body)

    def assertRefused(self, headers, reason_part):
        for endpoint in ("events", "report", "patches"):
            with self.subTest(endpoint=endpoint, headers=headers):
                response = self.send(endpoint, headers)
                self.assertEqual(response.status, 403)
                self.assertIsolationHeaders(response)
                lines = response.body.decode().splitlines()
                self.assertEqual(len(lines), 1, "the reason is one line")
                self.assertIn(reason_part, lines[0])
                self.assertNotIn(b"\0asm", response.body)
        self.assertEqual(self.reports, [], "a refused report must not reach the callback")
        self.assertEqual(self.server.events.subscriber_count, 0)

    def assertAccepted(self, headers):
        expected = {"events": 200, "report": 204, "patches": 200}
        for endpoint, status in expected.items():
            with self.subTest(endpoint=endpoint, headers=headers):
                self.assertEqual(self.send(endpoint, headers).status, status)

    def test_foreign_origin_is_refused(self):
        self.assertRefused({"Origin": "http://evil.example"}, "http://evil.example")

    def test_foreign_https_origin_is_refused(self):
        self.assertRefused({"Origin": "https://evil.example"}, "Origin")

    def test_same_host_on_another_port_is_refused(self):
        self.assertRefused({"Origin": f"http://127.0.0.1:{self.port + 1}"}, "Origin")

    def test_same_host_with_https_scheme_is_refused(self):
        self.assertRefused({"Origin": f"https://127.0.0.1:{self.port}"}, "Origin")

    def test_null_origin_is_refused(self):
        self.assertRefused({"Origin": "null"}, "null")

    def test_cross_site_fetch_is_refused(self):
        self.assertRefused({"Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site: cross-site")

    def test_same_site_fetch_is_refused(self):
        self.assertRefused({"Sec-Fetch-Site": "same-site"}, "Sec-Fetch-Site: same-site")

    def test_cross_site_fetch_is_refused_even_with_matching_origin(self):
        self.assertRefused({"Origin": self.origin, "Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site")

    def test_rebound_dns_name_is_refused_even_from_its_own_origin(self):
        host = f"attacker.example:{self.port}"
        self.assertRefused({"Host": host, "Origin": f"http://{host}"}, "attacker.example")
        self.assertRefused({"Host": host}, "attacker.example")

    def test_same_origin_is_accepted(self):
        self.assertAccepted({"Origin": self.origin, "Sec-Fetch-Site": "same-origin"})

    def test_request_without_origin_is_accepted(self):
        self.assertAccepted({})

    def test_user_typed_navigation_is_accepted(self):
        self.assertAccepted({"Sec-Fetch-Site": "none"})

    def test_localhost_origin_matching_its_host_is_accepted(self):
        host = f"localhost:{self.port}"
        self.assertAccepted({"Host": host, "Origin": f"http://{host}"})

    def test_accepted_report_reaches_the_callback(self):
        self.send("report", {"Origin": self.origin})
        self.assertEqual(self.reports, [{"from": "test"}])


class StaticFilesIgnoreOrigin(ServerTestCase):
    def test_static_file_is_served_to_a_foreign_origin(self):
        response = self.request("GET", "/app.js", {"Origin": "http://evil.example",
                                                   "Sec-Fetch-Site": "cross-site"})
        self.assertEqual(response.status, 200)
        # Embedding is still stopped by the browser: Cross-Origin-Resource-Policy: same-origin.
        self.assertEqual(response.header("Cross-Origin-Resource-Policy"), "same-origin")


if __name__ == "__main__":
    unittest.main()
