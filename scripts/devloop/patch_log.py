"""The terminal's patch log: one line per build (with the functions the save changed, or "no
code changed", and the compiler's warnings), one per page report (applied or rejected, with
timings; which changed functions have run since; a saved scene reloaded or rejected), the
compiler's own message for a failed build. The page keeps the same log."""
from __future__ import annotations

import sys
import threading
from typing import TextIO


# Failure kinds of a patch the page applied and then undid (hotswap/patch_format.json).
ROLLBACK_KINDS = ("trapped_while_running", "hung_while_running")
# Why a save compiled all of a source's functions, when saying so would only be noise.
QUIET_WHOLE_REASONS = ("every function is needed",)


def _what_changed(note: dict) -> str:
    """A narrowed header edit, as the user would say it: "changed raytracer::Texture::value;
    declared raytracer::Texture::f"."""
    parts = [f"changed {', '.join(note['functions'])}"] if note["functions"] else []
    parts += note.get("declarations") or []
    return "; ".join(parts) or "no function changed"


class PatchLog:
    def __init__(self, stream: TextIO = sys.stdout):
        self.stream = stream
        self._lock = threading.Lock()
        self.saved_at: dict[int, float] = {}   # version -> epoch seconds the save was seen
        self.restart_saved_at: float | None = None  # when the save that caused the last restart was seen

    def say(self, text: str) -> None:
        with self._lock:
            print(f"[dev] {text}", file=self.stream, flush=True)

    def building(self, version: int, files: list[str]) -> None:
        self.say(f"patch {version}: building {', '.join(files)}")

    def built(self, manifest: dict) -> None:
        version, files = manifest["version"], ", ".join(manifest["files"])
        if manifest.get("failure"):
            failure = manifest["failure"]
            self.say(f"patch {version} REJECTED ({failure['kind'].replace('_', ' ')}) after {manifest['build_ms']:.0f} ms: {files}")
            with self._lock:
                for line in failure["message"].splitlines():
                    print(f"    {line}", file=self.stream)
                self.stream.flush()
        else:
            # One entry per name: the builder gives a constructor's variants one short name.
            shown: dict[str, bool] = {}
            for change in manifest.get("changed") or []:
                shown[change["short"]] = shown.get(change["short"], True) and bool(change.get("new"))
            what = ("changed " + ", ".join(name + (" (new)" if new else "") for name, new in shown.items())
                    if shown else "no code changed")
            cpu = manifest.get("compile_cpu_ms")
            reused = manifest.get("reused") or []
            compile_note = ("no compile: built before (an undo)" if reused and len(reused) == len(manifest["files"]) else
                            f"compile {manifest['compile_ms']:.0f}" + (f" ({cpu:.0f} of processor time)" if cpu else ""))
            self.say(f"patch {version}: built {files} in {manifest['build_ms']:.0f} ms "
                     f"({compile_note}, link {manifest['link_ms']:.0f}): {what}")
            left_out = manifest.get("left_out") or []
            if left_out:
                with self._lock:
                    print(f"    {len(left_out)} of them came out as the program's own code, left out of the patch: "
                          + ", ".join(left_out), file=self.stream)
                    self.stream.flush()
        self.headers(manifest.get("headers") or [])
        self.sources(manifest.get("sources") or [])
        warnings = manifest.get("warnings") or []
        if warnings:
            with self._lock:
                for warning in warnings:
                    print(f"    warning: {warning['file']}:{warning['line']}:{warning['column']}: {warning['message']}", file=self.stream)
                    for line in (warning.get("context") or "").splitlines():
                        print(f"      {line}", file=self.stream)
                self.stream.flush()

    def headers(self, notes: list[dict]) -> None:
        """Per saved header: which of its includers compiled, and why the others did not (or why all did)."""
        with self._lock:
            for note in notes:
                count = len(note["compiled"]) + len(note["skipped"])
                if note.get("reason"):
                    print(f"    {note['header']}: all {count} sources that include it compiled: {note['reason']} "
                          f"(checked in {note['check_ms']:.0f} ms)", file=self.stream)
                elif note.get("none_use_it"):
                    print(f"    {note['header']}: {_what_changed(note)}; none of its {count} includers uses it "
                          f"(compiled {', '.join(note['compiled'])} alone, to make the patch; checked in {note['check_ms']:.0f} ms)",
                          file=self.stream)
                else:
                    print(f"    {note['header']}: {_what_changed(note)}; compiled the {len(note['compiled'])} of its "
                          f"{count} includers that use it (or are not yet known not to; checked in {note['check_ms']:.0f} ms)",
                          file=self.stream)
            self.stream.flush()

    def sources(self, notes: list[dict]) -> None:
        """Per compiled source: the functions it compiled when not all (hotswap/tools/function_edits.py),
        or why all of them, when that is worth saying (not for a file of one function, or a comment)."""
        with self._lock:
            for note in notes:
                if note.get("programs_own_object"):
                    restored = f" ({', '.join(note['restored'])} back to the program's code)" if note.get("restored") else ""
                    print(f"    {note['source']}: saved back to the program's text: linked the program's own object, "
                          f"no compile{restored}", file=self.stream)
                elif "compiled" in note and not note["compiled"]:
                    print(f"    {note['source']}: no function's code changed: nothing compiled, the program runs its own code",
                          file=self.stream)
                elif "compiled" in note:
                    total = len(note["compiled"]) + note["left_out"]
                    what = [f"{', '.join(note['changed'])} changed"] if note["changed"] else []
                    what += [f"{', '.join(note['removed'])} removed"] if note.get("removed") else []
                    what += [f"{', '.join(note['restored'])} back to the program's code"] if note.get("restored") else []
                    print(f"    {note['source']}: compiled {len(note['compiled'])} of its {total} functions "
                          f"({'; '.join(what)}; the program runs its own code for the others)", file=self.stream)
                elif note.get("whole") and note["whole"] not in QUIET_WHOLE_REASONS:
                    print(f"    {note['source']}: compiled all its functions: {note['whole']}", file=self.stream)
            self.stream.flush()

    def restarting(self, version: int, failure: dict) -> None:
        self.say(f"patch {version} cannot be applied to the running program ({failure['kind'].replace('_', ' ')}): "
                 f"{failure.get('summary') or failure['message']}")
        if failure.get("summary") and failure.get("message") and failure["message"] != failure["summary"]:
            with self._lock:
                for line in failure["message"].splitlines():
                    print(f"    {line}", file=self.stream)
                self.stream.flush()
        self.say("hot restart: rebuilding the program; the page will reload and keep its settings and camera")

    def restart_failed(self, rebuilt) -> None:
        self.say(f"hot restart FAILED: the program did not build ({rebuilt.milliseconds:.0f} ms); the page keeps running:")
        with self._lock:
            for line in rebuilt.output.splitlines()[-40:]:
                print(f"    {line}", file=self.stream)
            self.stream.flush()

    def restarted(self, reason: str, milliseconds: float) -> None:
        self.say(f"program rebuilt in {milliseconds:.0f} ms (restarted: {reason}); the page reloads")

    def page_report(self, report: dict) -> None:
        kind, version = report.get("kind"), report.get("version")
        if kind == "patch-applied":
            workers = report.get("workers_ms") or {}
            per_worker = ", ".join(f"worker {worker} {ms:.1f}" for worker, ms in sorted(workers.items(), key=lambda item: int(item[0])))
            total = ""
            shown_at = report.get("shown_at_epoch_ms")
            if shown_at and version in self.saved_at:
                total = f"; save to new pixels {shown_at - self.saved_at[version] * 1000:.0f} ms"
            self.say(f"patch {version} applied in the page: fetch {report.get('fetch_ms', 0):.1f} ms, compile "
                     f"{report.get('compile_ms', 0):.1f} ms, main thread {report.get('apply_main_ms', 0):.1f} ms"
                     + (f", {per_worker} ms" if per_worker else ", no workers")
                     + f"; first new frame {report.get('announce_to_pixels_ms', 0):.0f} ms after the page heard of it{total}")
            not_run = [name for name in report.get("changed") or [] if name not in (report.get("ran") or [])]
            if not_run:
                self.say(f"patch {version}: not run yet (live, waiting for a call): {', '.join(not_run)}")
        elif kind == "restart-complete":
            total = ""
            shown_at, full_at = report.get("shown_at_epoch_ms"), report.get("full_frame_at_epoch_ms")
            if shown_at and self.restart_saved_at:
                total = f": save to the first frame {shown_at - self.restart_saved_at * 1000:.0f} ms"
                if full_at:
                    total += f" (full resolution {full_at - self.restart_saved_at * 1000:.0f} ms)"
            self.say(f"the page reloaded and restored its settings and camera{total}")
        elif kind == "patch-ran":
            ran = ", ".join(f"{function['name']} ({function['ms']:.0f} ms after it applied)" for function in report.get("functions") or [])
            still = report.get("not_run") or []
            self.say(f"patch {version}: ran {ran}" + (f"; not run yet: {', '.join(still)}" if still else ""))
        elif kind == "scene-reloaded":
            if report.get("shown") is False:
                self.say(f"scene {report.get('file')}: the page shows {report.get('scene')}; it loads the saved file when you pick it")
                return
            total = ""
            if report.get("shown_at_epoch_ms") and report.get("saved_at_epoch_ms"):
                total = f"; save to new pixels {report['shown_at_epoch_ms'] - report['saved_at_epoch_ms']:.0f} ms"
            camera = "your camera kept" if report.get("camera_kept") else "the scene's own camera (its camera changed)"
            self.say(f"scene {report.get('scene')} reloaded in the page ({camera}){total}")
        elif kind == "scene-rejected":
            self.say(f"scene {report.get('file')} REJECTED by the page; it keeps the scene it had:")
            with self._lock:
                for line in str(report.get("message", "")).splitlines():
                    print(f"    {line}", file=self.stream)
                self.stream.flush()
        elif kind == "patch-rejected":
            failure = report.get("failure") or {}
            failure_kind = failure.get("kind", "?")
            if failure_kind in ROLLBACK_KINDS:
                self.say(f"patch {version} ROLLED BACK by the page ({failure_kind.replace('_', ' ')}):")
            else:
                self.say(f"patch {version} REJECTED by the page ({failure_kind.replace('_', ' ')}); it keeps the code it had:")
            with self._lock:
                for line in str(failure.get("message", "")).splitlines():
                    print(f"    {line}", file=self.stream)
                self.stream.flush()
        elif kind == "problem":
            self.say(f"the page: {report.get('title')}: {report.get('text')}")
        else:
            self.say(f"page report: {report}")
