# Why this exists: Chromium compiles WebAssembly by streaming only when it is served as
# application/wasm, and runs module scripts only with a JavaScript type; the other types are
# what the page and its scenes load.
import unittest

from server_harness import ServerTestCase

from devserver.mime_types import content_type_for


class FilesAreServedWithTheirContentType(ServerTestCase):
    EXPECTED = {
        "/program.wasm": "application/wasm",
        "/app.js": "text/javascript",
        "/worker.mjs": "text/javascript",
        "/scene.json": "application/json",
        "/index.html": "text/html",
        "/style.css": "text/css",
        "/image.png": "image/png",
        "/icon.svg": "image/svg+xml",
        "/teapot.obj": "text/plain",
        "/README.md": "text/markdown",
        "/patches/patch_1.wasm": "application/wasm",
    }

    def test_each_extension_gets_its_media_type(self):
        for path, media_type in self.EXPECTED.items():
            with self.subTest(path=path):
                response = self.request("GET", path)
                self.assertEqual(response.status, 200)
                self.assertEqual(response.media_type, media_type)

    def test_head_reports_the_same_type_and_length_as_get(self):
        get = self.request("GET", "/program.wasm")
        head = self.request("HEAD", "/program.wasm")
        self.assertEqual(head.header("Content-Type"), get.header("Content-Type"))
        self.assertEqual(head.header("Content-Length"), str(len(get.body)))
        self.assertEqual(head.body, b"")

    def test_extension_case_does_not_matter(self):
        self.assertEqual(self.request("GET", "/UPPER.WASM").media_type, "application/wasm")

    def test_unknown_extension_is_octet_stream(self):
        self.assertEqual(self.request("GET", "/data.bin").media_type, "application/octet-stream")

    def test_index_html_of_the_root_is_html(self):
        response = self.request("GET", "/")
        self.assertEqual(response.media_type, "text/html")
        self.assertIn(b"root index", response.body)

    def test_text_types_declare_utf8(self):
        for name in ("app.js", "index.html", "style.css", "scene.obj"):
            with self.subTest(name=name):
                self.assertIn("charset=utf-8", content_type_for(name))

    def test_body_is_the_file(self):
        response = self.request("GET", "/program.wasm")
        self.assertEqual(response.body, (self.tree["web"] / "program.wasm").read_bytes())
        self.assertEqual(response.header("Content-Length"), str(len(response.body)))


if __name__ == "__main__":
    unittest.main()
