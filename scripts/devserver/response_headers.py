# Why this exists: SharedArrayBuffer (and so the threaded WebAssembly build) works only in a
# cross-origin isolated page, and a dev server must never let the browser reuse a stale
# patch or rebuilt file. These headers go on every response, errors and the event stream
# included, so no code path can forget them.
from __future__ import annotations

EVERY_RESPONSE_HEADERS = (
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Embedder-Policy", "require-corp"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
)
