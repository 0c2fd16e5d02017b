# Why this exists: the browser refuses to stream-compile WebAssembly or run module scripts
# served with the wrong type, and the system's mime.types differs between machines. This
# fixed table makes the Content-Type of every file the same everywhere.
from __future__ import annotations

import posixpath

FALLBACK_TYPE = "application/octet-stream"

CONTENT_TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".svg": "image/svg+xml",
    ".obj": "text/plain; charset=utf-8",
    ".mtl": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
}


def content_type_for(file_name: str) -> str:
    """The Content-Type for a file, chosen by its extension (case-insensitive)."""
    extension = posixpath.splitext(file_name)[1].lower()
    return CONTENT_TYPES.get(extension, FALLBACK_TYPE)
