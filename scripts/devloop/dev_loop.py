"""The loop itself: watch app/, build a patch for every save (saves made during a build
are coalesced into the next one), publish it to the page, log it. Versions only grow, and
the page applies them strictly in order. A saved scene file (app/scenes/: JSON, OBJ) needs
no build: it is copied to the site and the page reloads the scene it shows.

A save that compiles but that a patch cannot carry (patch_format.json's restart_kinds, found
by the builder or reported by the page's loader) makes a hot restart: the program is
rebuilt, the patch folder starts over for it, and the page, told by a program-rebuilt event,
reloads itself and restores its settings and camera.
"""
from __future__ import annotations

import base64
import json
import shutil
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from .patch_log import PatchLog
from .program_rebuild import ProgramRebuild
from .source_watcher import SourceWatcher

POLL_SECONDS = 0.02        # the longest wait between two looks (the watcher wakes the loop on a change)
QUIET_SECONDS = 0.01       # a save is over once no watched file changed for this long
MAX_SETTLE_SECONDS = 1.0   # and no changed file is empty (half-saved), or this long passed
SCENE_SUFFIXES = (".json", ".obj")
INLINE_MODULE_BYTES = 8 << 20  # a patch module up to this size travels inside its announcement
# After a hot restart the builder for the new program is made once the reloaded page shows its
# first frame (or after this long, or at the next save): making it reads the program and its
# build's records, processor time the page's reload would otherwise compete with.
NEW_BUILDER_AFTER_RESTART_SECONDS = 3.0
# The builder's background work (a whole compile for a later restart) stays stopped from a
# save until the page reports its patch applied (or rejected), or this long at most: the page's
# apply and first new frame share the two cores with nothing but the page.
HOLD_BACKGROUND_UNTIL_SHOWN_SECONDS = 2.0


@dataclass
class SceneFolders:
    source: Path  # where the user edits scenes (app/scenes)
    site: Path    # where the page loads them from (the served copy)


def reset_patch_folder(patches: Path) -> None:
    """An empty patch folder: patches belong to the program built last."""
    shutil.rmtree(patches, ignore_errors=True)
    patches.mkdir(parents=True)
    (patches / "index.json").write_text(json.dumps({"patches": []}))


class DevLoop:
    def __init__(self, project_root: Path, make_builder, rebuild: ProgramRebuild, patches: Path, server, log: PatchLog,
                 watched: list[Path], scenes: SceneFolders | None = None):
        self.project_root = project_root
        self.make_builder = make_builder  # a builder for the program as built now
        self.rebuild = rebuild
        self.patches = patches
        self.server = server
        self.log = log
        self.watched = watched
        self.watcher = SourceWatcher(watched)
        self.scenes = scenes
        self.scene_watcher = SourceWatcher([scenes.source], SCENE_SUFFIXES) if scenes else None
        self.version = 0
        self.retry: tuple[list[Path], list[float]] | None = None  # a failed build to redo: its paths and save time
        self.format = json.loads((project_root / "hotswap/patch_format.json").read_text())
        self.restart_kinds = set(self.format["restart_kinds"])
        self._restart_request: tuple[int, dict] | None = None  # from a page report (another thread)
        self._lock = threading.Lock()
        self._building: tuple[int, list[str]] | None = None  # the version (and files) whose build_started the page heard, until built
        self._builder = self._new_builder()
        self._builder_due: float | None = None  # after a restart: when to make the next builder at the latest
        self._restart_shown = threading.Event()   # the reloaded page showed its first frame
        self._held_until_shown: tuple[int, object] | None = None  # a patch's version and the release of its hold
        server.on_report(self._page_report)

    @property
    def builder(self):
        """The builder for the program as built now (made here if a restart left none yet)."""
        if self._builder is None:
            self._builder = self._new_builder()
            self._builder_due = None
        return self._builder

    def _new_builder(self):
        builder = self.make_builder()
        # Precompile the headers of the sources that need their own, while the page loads.
        builder.warm_up([path for root in self.watched for path in root.rglob("*.cpp")])
        return builder

    def close(self) -> None:
        if self._builder is not None:
            self._builder.close()  # its background compiles must not outlive the loop

    def run_forever(self) -> None:
        while True:
            self.step_safely()
            self._make_builder_when_due()
            self.watcher.wait(POLL_SECONDS)

    def _make_builder_when_due(self) -> None:
        if self._builder is None and (self._restart_shown.is_set() or time.perf_counter() >= (self._builder_due or 0)):
            self.builder  # noqa: B018 (made by the property)

    def step_safely(self) -> dict | None:
        """step(), but a bug in the builder does not end the session (_internal_error)."""
        try:
            return self.step()
        except Exception:  # noqa: BLE001
            self._internal_error(traceback.format_exc())
            return None

    def _internal_error(self, trace: str) -> None:
        """The builder failed (a bug, not the user's code): the terminal has the traceback, the
        page hears the patch failed (it keeps the code it has), and the next save builds anew."""
        self.retry = None
        building, self._building = self._building, None
        summary = trace.strip().splitlines()[-1]
        if building is None:  # no build announced: nothing for the page
            self.log.say(f"internal error (a bug in the dev loop, not in your code): {summary}\n{trace}")
            return
        version, files = building
        manifest = {"version": version, "files": files, "build_ms": 0, "failure": {
            "kind": "internal_error", "summary": summary,
            "message": "The patch builder failed (a bug in the dev loop, not in your code); save again to retry.\n" + trace}}
        self.log.built(manifest)
        self.server.events.publish(self.format["events"]["patch_failed"], manifest)

    def _page_report(self, report: dict) -> None:
        self.log.page_report(report)
        if report.get("kind") in (self.format["report_kinds"]["patch_applied"], self.format["report_kinds"]["patch_rejected"]):
            self._release_hold(report.get("version"))
        if report.get("kind") == self.format["report_kinds"]["restart_complete"]:
            self._restart_shown.set()
        failure = report.get("failure") or {}
        if report.get("kind") == self.format["report_kinds"]["patch_rejected"] and failure.get("kind") in self.restart_kinds:
            with self._lock:
                self._restart_request = (report.get("version", self.version), failure)

    def step(self) -> dict | None:
        """Builds one patch if anything changed (or restarts the program if the page's loader
        refused a patch for a restart reason); returns the patch's manifest."""
        with self._lock:
            requested, self._restart_request = self._restart_request, None
        if requested:
            version, failure = requested
            self.restart(version, failure)
            return None
        if self.scene_watcher is not None:
            self._publish_saved_scene_files(self.scene_watcher.settled_changes(QUIET_SECONDS, MAX_SETTLE_SECONDS))
        changes = self.watcher.settled_changes(QUIET_SECONDS, MAX_SETTLE_SECONDS)
        if not changes and not self.retry:
            return None
        retried_paths, retried_seen_at = self.retry or ([], [])
        paths = sorted({change.path for change in changes} | set(retried_paths))
        seen_at = min([change.seen_at for change in changes] + retried_seen_at)
        plan = self.builder.sources_to_compile(paths)
        affected = plan[0]
        if not self.builder.affected_sources(paths):
            names = ", ".join(self.builder.relative(path) for path in paths)
            self.log.say(f"{names}: not part of the page's program; nothing to patch")
            return None
        if not self.retry:
            self.version += 1
        files = [self.builder.relative(path) for path in affected]
        self.log.saved_at[self.version] = seen_at
        self.log.building(self.version, files)
        self.server.events.publish(self.format["events"]["build_started"], {"version": self.version, "files": files})
        self._building = (self.version, files)
        # Held before the page can hear of the patch: its report releases the hold.
        self._hold_until_shown(self.version, self.builder.hold_background())
        manifest = None
        try:
            manifest = self._build_and_publish(paths, seen_at, plan)
            return manifest
        finally:
            if manifest and manifest.get("module") and not manifest.get("failure"):
                self._release_hold_later(self.version)
            else:
                self._release_hold(self.version)

    def _build_and_publish(self, paths: list[Path], seen_at: float, plan) -> dict | None:
        result = self.builder.build(paths, self.version, plan)
        self._building = None
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
        failure = manifest.get("failure")
        if failure and failure["kind"] in self.restart_kinds:
            self.restart(self.version, failure, manifest["files"], manifest["build_ms"])
            return manifest
        self.log.built(manifest)
        event = self.format["events"]["patch_failed" if failure else "patch_built"]
        self.server.events.publish(event, self._with_module(manifest))
        return manifest

    def _hold_until_shown(self, version: int, release) -> None:
        """Keeps background work stopped (the builder's hold, `release`d here) until the page
        reports patch `version` (_page_report), or HOLD_BACKGROUND_UNTIL_SHOWN_SECONDS after its
        announcement (no page open: _release_hold_later)."""
        with self._lock:
            earlier, self._held_until_shown = self._held_until_shown, (version, release)
        if earlier is not None:
            earlier[1]()

    def _release_hold_later(self, version: int) -> None:
        timer = threading.Timer(HOLD_BACKGROUND_UNTIL_SHOWN_SECONDS, self._release_hold, args=(version,))
        timer.daemon = True
        timer.start()

    def _release_hold(self, version) -> None:
        """The page reported patch `version` (or a later one), or the build made no patch."""
        with self._lock:
            held = self._held_until_shown
            if held is None or not isinstance(version, int) or version < held[0]:
                return
            self._held_until_shown = None
        held[1]()

    def _with_module(self, manifest: dict) -> dict:
        """The announcement: the manifest, and the module itself (base64), so the page need not
        fetch it (a round trip to this server, tens of ms on a busy machine, for ~1 KB)."""
        module = self.patches / manifest["module"] if manifest.get("module") else None
        if module is None or not module.exists() or module.stat().st_size > INLINE_MODULE_BYTES:
            return manifest
        return dict(manifest, module_base64=base64.b64encode(module.read_bytes()).decode("ascii"))

    def _publish_saved_scene_files(self, changes) -> None:
        """A saved scene or mesh goes to the site the page loads scenes from (CMake copies them
        only when it configures), and the page is told: it reloads the scene it shows."""
        for change in changes:
            relative = change.path.relative_to(self.scenes.source)
            shown = self.builder.relative(change.path)
            if not change.path.exists():
                self.log.say(f"{shown}: deleted; the page keeps the scene it has")
                continue
            target = self.scenes.site / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(change.path, target)
            self.log.say(f"{shown}: saved; the page reloads the scene if it uses this file")
            self.server.events.publish(self.format["events"]["scene_saved"],
                                       {"file": relative.as_posix(), "saved_at_epoch_ms": round(change.seen_at * 1000, 1)})

    def restart(self, version: int, failure: dict, files: list[str] | None = None, patch_build_ms: float | None = None) -> bool:
        """Rebuilds the program for a save no patch can carry; the page reloads itself."""
        reason = failure.get("summary") or failure.get("message", failure.get("kind", "?"))
        saved_at = self.log.saved_at.get(version)
        self.log.restarting(version, failure)
        events = self.format["events"]
        self.server.events.publish(events["restart_started"], {"version": version, "files": files or [], "reason": reason,
                                                               "failure": failure, "patch_build_ms": patch_build_ms})
        # The patch build compiled the changed sources exactly as the program's build would:
        # those objects go in, so the program build links instead of compiling them again.
        reused = self.builder.install_for_restart()
        if reused:
            self.log.say(f"hot restart: the program build reuses what the patch build compiled ({', '.join(reused)})")
        rebuilt = self.rebuild.run()
        if not rebuilt.ok:
            self.log.restart_failed(rebuilt)
            self.server.events.publish(events["restart_failed"], {"version": version, "reason": reason,
                                                                  "message": rebuilt.output[-8000:]})
            return False
        self._builder.close()
        self._builder = None  # made again once the reloaded page is on screen (_make_builder_when_due)
        self._restart_shown.clear()
        self._builder_due = time.perf_counter() + NEW_BUILDER_AFTER_RESTART_SECONDS
        reset_patch_folder(self.patches)
        self.version = 0
        self.retry = None
        self.log.restarted(reason, rebuilt.milliseconds)
        self.log.restart_saved_at = saved_at
        # The page reloads now; the builder for the new program is made once it is on screen.
        self.server.events.publish(events["program_rebuilt"], {
            "reason": reason, "kind": failure.get("kind"), "build_ms": rebuilt.milliseconds, "patch_build_ms": patch_build_ms,
            "saved_at_epoch_ms": round(saved_at * 1000, 1) if saved_at else None})
        return True
