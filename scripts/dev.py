#!/usr/bin/env python3
"""Serves the raytracer page and, unless --no-watch, runs the development loop: every save
of a source file under app/ becomes a patch the running page applies without reloading.

Run it through scripts/run.sh, which builds the program first. Options:
  --host H       address to listen on (default 127.0.0.1)
  --port P       port (default 8000; 0 picks a free one)
  --no-watch     serve only
  --quiet        no line per HTTP request
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "hotswap/tools"))

from devloop.dev_loop import DevLoop, SceneFolders, reset_patch_folder  # noqa: E402
from devloop.patch_log import PatchLog  # noqa: E402
from devloop.program_rebuild import ProgramRebuild  # noqa: E402
from devserver import DevServer, ServerSettings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build/wasm")
    parser.add_argument("--no-watch", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="no line per HTTP request")
    arguments = parser.parse_args()

    site = arguments.build_dir / "site"
    program = site / "raytracer.wasm"
    if not program.exists():
        print(f"dev: {program} is missing: build first (scripts/run.sh does)", file=sys.stderr)
        return 2
    # Patches belong to the program built just now: start an empty patch folder.
    patches = arguments.build_dir / "patches"
    reset_patch_folder(patches)

    log = PatchLog()
    server = DevServer(ServerSettings(web_root=site, patch_root=patches, host=arguments.host, port=arguments.port,
                                      quiet=arguments.quiet)).start()
    print(f"Serving {server.url}", flush=True)
    print(f"Open {server.url} in Chromium (or another browser with SharedArrayBuffer and OffscreenCanvas).", flush=True)
    loop = None
    try:
        if arguments.no_watch:
            server.on_report(log.page_report)
            server.wait()
            return 0
        from patch_builder import PatchBuilder  # noqa: E402
        def make_builder():
            return PatchBuilder(ROOT, arguments.build_dir, program, patches, say=log.say, narrow_header_edits=True)
        loop = DevLoop(ROOT, make_builder,
                       ProgramRebuild(arguments.build_dir, program.stem), patches, server, log, [ROOT / "app"],
                       SceneFolders(ROOT / "app" / "scenes", site / "scenes"))
        log.say("watching app/: save a source file and the page picks up the change (Ctrl-C stops)")
        loop.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if loop is not None:
            loop.close()
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
