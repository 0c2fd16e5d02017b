"""The loop itself: watch app/, build a patch for every save (saves made during a build
are coalesced into the next one), publish it to the page, log it. Versions only grow, and
the page applies them strictly in order.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from .patch_log import PatchLog
from .source_watcher import SourceWatcher

POLL_SECONDS = 0.02
QUIET_SECONDS = 0.01       # a save is over once no watched file changed for this long
MAX_SETTLE_SECONDS = 1.0   # and no changed file is empty (half-saved), or this long passed


class DevLoop:
    def __init__(self, project_root: Path, builder, server, log: PatchLog, watched: list[Path]):
        self.project_root = project_root
        self.builder = builder
        self.server = server
        self.log = log
        self.watcher = SourceWatcher(watched)
        self.version = 0
        self.retry: tuple[list[Path], list[float]] | None = None  # a failed build to redo: its paths and save time
        self.format = json.loads((project_root / "hotswap/patch_format.json").read_text())
        server.on_report(log.page_report)
        # Precompile every watched source's headers now, while the page loads.
        builder.warm_up([path for root in watched for path in root.rglob("*.cpp")])

    def run_forever(self) -> None:
        while True:
            self.step()
            time.sleep(POLL_SECONDS)

    def step(self) -> dict | None:
        """Builds one patch if anything changed; returns its manifest."""
        changes = self.watcher.settled_changes(QUIET_SECONDS, MAX_SETTLE_SECONDS)
        if not changes and not self.retry:
            return None
        retried_paths, retried_seen_at = self.retry or ([], [])
        paths = sorted({change.path for change in changes} | set(retried_paths))
        seen_at = min([change.seen_at for change in changes] + retried_seen_at)
        affected = self.builder.affected_sources(paths)
        if not affected:
            names = ", ".join(self.builder.relative(path) for path in paths)
            self.log.say(f"{names}: not part of the page's program; nothing to patch")
            return None
        if not self.retry:
            self.version += 1
        files = [self.builder.relative(path) for path in affected]
        self.log.saved_at[self.version] = seen_at
        self.log.building(self.version, files)
        self.server.events.publish(self.format["events"]["build_started"], {"version": self.version, "files": files})
        result = self.builder.build(paths, self.version)
        manifest = result.manifest()
        if manifest.get("failure") and self.watcher.dirty():
            # A save landed while this built: the compiler may have read a file half-written
            # (truncated, not yet written), so the failure may not be in what the user saved.
            # Nothing was announced: build this version again, with the newer save.
            self.retry = (paths, [seen_at])
            self.log.say(f"patch {self.version}: saved again while it was building; building it again")
            return None
        self.retry = None
        manifest["saved_at_epoch_ms"] = round(seen_at * 1000, 1)
        self.log.built(manifest)
        event = self.format["events"]["patch_failed" if manifest.get("failure") else "patch_built"]
        self.server.events.publish(event, manifest)
        return manifest
