# Why this exists: the server must never hand out a file outside its two roots, whatever a
# client puts in the path. A secret file sits next to the web root in every test; each
# attempt below must get 404 (or 400 when the path cannot be decoded) and never the secret.
import http.client
import os
import unittest

from server_harness import CLIENT_TIMEOUT_SECONDS, SECRET_TEXT, ServerTestCase

from devserver import DevServer, ServerSettings
from devserver.file_resolver import Outcome, resolve_file
from devserver.request_path import MalformedPath, parse_request_path


class TraversalIsRefused(ServerTestCase):
    def assertRefused(self, target, statuses=(404,)):
        response = self.raw_get(target)
        self.assertIn(response.status, statuses, f"{target!r} answered {response.status}")
        self.assertNoSecret(response)
        self.assertIsolationHeaders(response)
        return response

    def test_control_secret_is_really_outside_and_readable(self):
        # Guards the other tests: the secret exists, so a 404 means "refused", not "missing".
        self.assertEqual(self.tree["secret"].read_bytes(), SECRET_TEXT)
        self.assertEqual(self.tree["secret"].parent, self.tree["web"].parent)

    def test_dot_dot_segments_are_refused(self):
        for target in ("/../secret.txt", "/../../secret.txt", "/no_index/../../secret.txt",
                       "/./../secret.txt", "/patches/../../secret.txt", "/../web-private/secret.txt"):
            with self.subTest(target=target):
                self.assertRefused(target)

    def test_percent_encoded_dot_dot_is_refused(self):
        for target in ("/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/.%2e/secret.txt",
                       "/%2e./secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
                       "/no_index/..%2F..%2Fsecret.txt", "/patches/%2e%2e/secret.txt",
                       "/patches/..%2f..%2fsecret.txt"):
            with self.subTest(target=target):
                self.assertRefused(target)

    def test_double_encoded_dot_dot_is_a_plain_missing_name(self):
        for target in ("/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt"):
            with self.subTest(target=target):
                self.assertRefused(target)

    def test_backslashes_are_refused(self):
        for target in ("/..\\secret.txt", "/%5c..%5csecret.txt", "/..%5csecret.txt",
                       "/no_index\\..\\..\\secret.txt", "/patches/..%5C..%5Csecret.txt"):
            with self.subTest(target=target):
                self.assertRefused(target)

    def test_absolute_file_system_paths_stay_inside_the_root(self):
        secret = str(self.tree["secret"])
        for target in (secret, "/" + secret, "//" + secret.lstrip("/"), "/%2f" + secret.lstrip("/"),
                       "/patches" + secret, "/patches//" + secret.lstrip("/")):
            with self.subTest(target=target):
                self.assertRefused(target)

    def test_absolute_form_and_relative_targets_are_malformed(self):
        for target in (f"http://127.0.0.1:{self.port}/../secret.txt", "secret.txt", "../secret.txt", "*"):
            with self.subTest(target=target):
                self.assertRefused(target, statuses=(400,))

    def test_nul_bytes_are_malformed(self):
        for target in ("/secret.txt%00", "/index.html%00.txt", "/%00/../secret.txt", "/patches/x%00"):
            with self.subTest(target=target):
                self.assertRefused(target, statuses=(400,))

    def test_raw_control_characters_are_malformed(self):
        self.assertRefused("/index.html\x00", statuses=(400,))
        self.assertRefused("/index\x1b.html", statuses=(400,))

    def test_undecodable_paths_are_malformed(self):
        for target in ("/%zz", "/index.html%", "/%e2%28%a1", "/%ff"):
            with self.subTest(target=target):
                self.assertRefused(target, statuses=(400,))

    def test_symlink_to_a_file_outside_the_root_is_not_followed(self):
        self.assertTrue(os.path.islink(self.tree["web"] / "link_to_secret.txt"))
        self.assertRefused("/link_to_secret.txt")
        self.assertRefused("/patches/link_to_secret.txt")

    def test_symlink_to_a_directory_outside_the_root_is_not_followed(self):
        self.assertRefused("/link_to_outside/secret.txt")
        self.assertRefused("/link_to_parent/secret.txt")
        self.assertRefused("/link_to_parent/web-private/secret.txt")

    def test_symlink_to_a_sibling_whose_name_extends_the_root_name_is_not_followed(self):
        # "web-private" starts with "web": a prefix comparison of strings would let it through.
        self.assertRefused("/link_to_sibling/secret.txt")

    def test_symlink_inside_the_root_is_served(self):
        response = self.request("GET", "/link_inside.js")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body, (self.tree["web"] / "app.js").read_bytes())


class DirectoriesAreNeverListed(ServerTestCase):
    def test_directory_without_index_is_not_found(self):
        for path in ("/no_index/", "/no_index", "/patches/", "/patches"):
            with self.subTest(path=path):
                response = self.request("GET", path)
                self.assertEqual(response.status, 404)
                self.assertNotIn(b"listed-if-listing", response.body)
                self.assertNotIn(b"patch_1", response.body)

    def test_directory_with_index_serves_the_index(self):
        response = self.request("GET", "/with%20index/")
        self.assertEqual(response.status, 200)
        self.assertIn(b"inner index", response.body)

    def test_directory_without_slash_redirects_to_slash(self):
        response = self.request("GET", "/with%20index?x=1")
        self.assertEqual(response.status, 301)
        self.assertEqual(response.header("Location"), "/with%20index/?x=1")

    def test_redirect_location_cannot_leave_the_server(self):
        os.mkdir(self.tree["web"] / "evil.example")
        (self.tree["web"] / "evil.example" / "index.html").write_bytes(b"x")
        response = self.raw_get("//evil.example")
        self.assertEqual(response.status, 301)
        self.assertEqual(response.header("Location"), "/evil.example/")

    def test_file_with_trailing_slash_is_not_found(self):
        self.assertEqual(self.request("GET", "/app.js/").status, 404)


class PatchFolderIsOptional(ServerTestCase):
    def test_patches_are_served_from_the_patch_folder(self):
        response = self.request("GET", "/patches/patch_1.wasm")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body, (self.tree["patches"] / "patch_1.wasm").read_bytes())

    def test_without_a_patch_folder_patches_are_not_found(self):
        settings = ServerSettings(web_root=self.tree["web"], patch_root=None, port=0, log_stream=self.log)
        server = DevServer(settings).start()
        self.addCleanup(server.stop)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=CLIENT_TIMEOUT_SECONDS)
        self.addCleanup(connection.close)
        connection.request("GET", "/patches/patch_1.wasm")
        self.assertEqual(connection.getresponse().status, 404)

    def test_a_patches_directory_in_the_web_root_is_not_served_in_its_place(self):
        (self.tree["web"] / "patches").mkdir()
        (self.tree["web"] / "patches" / "only_in_web.wasm").write_bytes(b"x")
        self.assertEqual(self.request("GET", "/patches/only_in_web.wasm").status, 404)


class EachDefenceHoldsOnItsOwn(ServerTestCase):
    """The path parser and the file resolver each refuse traversal; tested apart so that
    removing either one fails a test even though the other would still protect the server."""

    def test_parser_marks_every_spelling_of_dot_dot_and_backslash_unsafe(self):
        for target in ("/../x", "/a/../../x", "/%2e%2e/x", "/.%2E/x", "/..%2fx", "/a%5c..%5cx",
                       "/a\\b", "/./x"):
            with self.subTest(target=target):
                self.assertTrue(parse_request_path(target).unsafe)

    def test_parser_keeps_ordinary_paths_safe(self):
        parsed = parse_request_path("//a/b%20c/..d/?q=1")
        self.assertFalse(parsed.unsafe)
        self.assertEqual(parsed.segments, ("a", "b c", "..d"))
        self.assertTrue(parsed.trailing_slash)
        self.assertEqual(parsed.query, "q=1")

    def test_parser_refuses_undecodable_paths(self):
        for target in ("x", "/%0", "/%00", "/%ff", "/a\x01"):
            with self.subTest(target=target), self.assertRaises(MalformedPath):
                parse_request_path(target)

    def test_resolver_refuses_dot_dot_segments_on_its_own(self):
        resolution = resolve_file(self.tree["web"], ["..", "secret.txt"], trailing_slash=False)
        self.assertIs(resolution.outcome, Outcome.NOT_FOUND)
        resolution = resolve_file(self.tree["web"], ["..", "web-private", "secret.txt"], trailing_slash=False)
        self.assertIs(resolution.outcome, Outcome.NOT_FOUND)

    def test_resolver_refuses_absolute_segments_on_its_own(self):
        resolution = resolve_file(self.tree["web"], [str(self.tree["secret"])], trailing_slash=False)
        self.assertIs(resolution.outcome, Outcome.NOT_FOUND)


if __name__ == "__main__":
    unittest.main()
