// The real dev loop (scripts/dev.py) running in a temporary copy of the project, with the
// page open on it: what a developer has after `scripts/run.sh`. The benchmark saves edits
// the way an editor does (app/hot/sky.cpp, and saving it back to a text built before: an
// undo; an inline function of app/core/texture.h, which ten or more sources include; a
// member function template and a constant of app/core/bvh.h; a declaration in texture.h,
// which compiles every includer; a class layout, which needs a hot restart) and times each one
// from the save to the first frame drawn by the new code (a preview, app/web/preview_frame.h)
// and to its first full-resolution frame, reading every stage's own figures:
//   - the dev loop: when it saw the save and how long the build took (the manifest it
//     pushes over server-sent events: saved_at_epoch_ms, build_ms, compile_ms, link_ms);
//   - the page's patch loader (HotswapMain.entries[v]: fetchMs, compileMs, applyMainMs,
//     workers {id: ms}, committedAt), plus a listener that notes when each worker's
//     acknowledgement arrived;
//   - RaytracerPage.onNewVersionShown(v), which the program calls when the first frame of
//     version v is on screen (wrapped here to note the wall-clock time).
import fs from 'node:fs';
import path from 'node:path';
import { waitUntil } from '../../tests/browser/harness.mjs';
import { startDevLoop } from '../../tests/hotswap/project_copy.mjs';
import { waitUntilQuiet } from './process_cpu.mjs';
import { checkNoPageErrors, openRaytracerPage, statistics } from './raytracer_page.mjs';
import { summarizeWasmModule } from './wasm_module_summary.mjs';

export const SKY = 'app/hot/sky.cpp';
// A save that compiles every source including a header takes tens of seconds of processor
// time; on a busy machine, minutes.
const SAVE_TIMEOUT_MS = 900000;
const TINTED = /return radiance \* glm::vec3\(1\.0f, 1\.0f, [0-9.]+f\);/;
// The checker texture's parity, flipped by each header edit: a visible change every time.
export const TEXTURE_HEADER = 'app/core/texture.h';
const CHECKER = '((cell_x + cell_y + cell_z) & 1)';
const CHECKER_SHIFTED = /\(\(cell_x \+ cell_y \+ cell_z \+ \d+\) & 1\)/;
// A member function declared in Texture (never defined or called; a new name each time,
// replacing the last): only the sources that spell its name compile, none here.
const DECLARATION = /  float benchmark_declaration_\d+\(\) const;\n/;
// Texture's default cell size, written anew each time with the same value (N.0f / N.0f): a
// member initialiser, so every source that includes texture.h compiles (and the picture stays).
const CELL_SIZE = /float cell_size = [0-9.f /]+;/;
// A constant a template and one source name: Bvh::kMaximumDepth (64, 65, 66, ...: a new value
// each time, never smaller than it was).
const MAXIMUM_DEPTH = /kMaximumDepth = \d+;/;
// A member function template of app/core/bvh.h: the sources that instantiate it compile.
export const BVH_HEADER = 'app/core/bvh.h';
const TRAVERSE_FIRST_LINE = /  if \(nodes_\.empty\(\)\) return;(?: \(void\)\d+;)?\n/;
// A public member (no unused-field warning in the program's -Werror build) added and taken
// out in turn: CameraView's layout changes every time, so each save needs a hot restart.
export const CAMERA_VIEW_HEADER = 'app/core/camera_view.h';
const PADDING = '  float benchmark_layout_padding = 0.0f;  // a layout change (scripts/benchmark)\n';

// One more than the number `pattern` finds in `text` (its first group), or 1: every edit a new
// text, whichever session made the one before.
function nextNumber(text, pattern) {
  const found = text.match(pattern);
  return found ? Number(found[1]) + 1 : 1;
}

// Installed in the page once it is ready (see the file comment).
function instrumentPage() {
  const notes = globalThis.__benchmarkPatches = { states: {}, shown: {}, events: {} };
  HotswapMain.listeners.push((entry) => {
    const times = notes.states[entry.version] ||= { acks: {} };
    if (times[entry.state] === undefined) times[entry.state] = performance.now();
    // A patch that commits as it becomes ready (the page paused for the build starts the frame
    // that commits it at once) is seen by this listener only as applied.
    if (entry.state === 'applied' && times.ready === undefined) times.ready = entry.committedAt;
    for (const id of Object.keys(entry.workers || {})) if (times.acks[id] === undefined) times.acks[id] = performance.now();
  });
  const shown = RaytracerPage.onNewVersionShown;
  notes.full = {};
  // The first frame of a version is a preview (app/web/preview_frame.h); its first full-
  // resolution frame follows: watched from the preview on, every millisecond or so.
  const watchFullFrame = (version) => {
    const s = raytracerPage.program.statistics();
    if (s.frameVersion === version && s.accumulatedSamples > 0 && s.presentedFrame >= s.completedFrame) {
      notes.full[version] = { epoch_ms: Date.now(), page_ms: performance.now() };
    } else if (s.frameVersion <= version) {
      setTimeout(() => watchFullFrame(version), 1);
    }
  };
  RaytracerPage.onNewVersionShown = (version) => {
    if (!notes.shown[version]) {
      notes.shown[version] = { epoch_ms: Date.now(), page_ms: performance.now() };
      watchFullFrame(version);
    }
    return shown(version);
  };
  const source = new EventSource('/events');
  const heard = (event) => {
    const manifest = JSON.parse(event.data);
    notes.events[manifest.version] = { manifest, received_epoch_ms: Date.now() };
  };
  source.addEventListener(HotswapPatchFormat.events.patch_built, heard);
  source.addEventListener(HotswapPatchFormat.events.patch_failed, heard);
  return new Promise((resolve) => { source.onopen = () => resolve(true); });
}

export class DevLoopSession {
  constructor({ project, browser, view, patchFormat }) {
    this.project = project;
    this.browser = browser;
    this.view = view;            // {scene, width, height, workers}
    this.patchFormat = patchFormat;
    this.version = 0;            // the dev loop numbers patches from 1 each time it starts
  }

  async start() {
    this.devLoop = await startDevLoop(this.project);
    this.opened = await openRaytracerPage(this.browser, this.devLoop.url, this.view);
    this.page = this.opened.page;
    await this.page.evaluate(instrumentPage);
  }

  // Waits until the dev loop's background work (preambles, use sets, a restart's new builder)
  // is done, so that the page's speed is measured with the cores its own: {waitedMs, quiet}.
  async waitUntilDevLoopIsQuiet(timeoutSeconds) {
    return waitUntilQuiet(this.devLoop.pid, { timeoutMs: timeoutSeconds * 1000 });
  }

  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    await this.opened?.context.close();
    await this.devLoop?.stop();  // resolves once dev.py exited: it no longer holds its port or files
  }

  // Saves an edit of the sky's colour (each one different) and waits until the page shows
  // it on every worker. Returns the raw figures of that edit.
  async edit(tint) {
    const text = this.project.read(SKY);
    const line = `return radiance * glm::vec3(1.0f, 1.0f, ${tint.toFixed(3)}f);`;
    const edited = TINTED.test(text) ? text.replace(TINTED, line) : text.replace('  return radiance;\n}', `  ${line}\n}`);
    if (edited === text) throw new Error(`${SKY} has neither "return radiance;" nor a tint this benchmark wrote: cannot edit it`);
    return this.saveAndTime(SKY, edited);
  }

  // Adds a statement that does nothing (`static_cast<void>(N);`, a new N each time) at the top
  // of the body of `fn` in `file`: the save compiles as an edit of that function would.
  async statementIn({ file, fn }) {
    const text = this.project.read(file);
    const definition = new RegExp(`^\\S.*\\b${fn.replace(/[:]/g, '\\$&')}\\(`, 'm').exec(text);
    if (!definition) throw new Error(`no definition of ${fn} at the start of a line in ${file}`);
    const bodyOpens = text.indexOf('{\n', definition.index);
    const statement = `  static_cast<void>(${nextNumber(text, /static_cast<void>\((\d+)\);/)});\n`;
    return this.saveAndTime(file, text.slice(0, bodyOpens + 2) + statement + text.slice(bodyOpens + 2));
  }

  // Saves `file` back to `text`, one built before (an earlier save's, or the program's own): an undo.
  async undo(file, text) {
    return this.saveAndTime(file, text);
  }

  // Flips the checker texture's parity in app/core/texture.h (an inline function's body; a new
  // text every time: the cell sum gains 1, 2, 3, ...). Returns the raw figures of that edit.
  async editHeader() {
    const text = this.project.read(TEXTURE_HEADER);
    const edited = `((cell_x + cell_y + cell_z + ${nextNumber(text, /cell_z \+ (\d+)\) & 1/)}) & 1)`;
    const next = CHECKER_SHIFTED.test(text) ? text.replace(CHECKER_SHIFTED, edited) : text.replace(CHECKER, edited);
    if (next === text) throw new Error(`${TEXTURE_HEADER} no longer has the checker's "${CHECKER}": cannot edit it`);
    return this.saveAndTime(TEXTURE_HEADER, next);
  }

  // Declares a member function in Texture (app/core/texture.h; replaced by the next such
  // edit): the sources that name it compile (none does, so one compiles to make the patch).
  async editHeaderDeclaration() {
    const text = this.project.read(TEXTURE_HEADER);
    const line = `  float benchmark_declaration_${nextNumber(text, /benchmark_declaration_(\d+)/)}() const;\n`;
    const next = DECLARATION.test(text) ? text.replace(DECLARATION, line) : text.replace('struct Texture {\n', `struct Texture {\n${line}`);
    if (next === text) throw new Error(`${TEXTURE_HEADER} has no "struct Texture {": cannot edit it`);
    return this.saveAndTime(TEXTURE_HEADER, next);
  }

  // Rewrites Texture's default cell size in app/core/texture.h (a member initialiser; the
  // same value, a new text each time): every source that includes the header compiles.
  async editMemberInitialiser() {
    const text = this.project.read(TEXTURE_HEADER);
    const divisor = nextNumber(text, /cell_size = \d+\.0f \/ (\d+)\.0f;/);
    const next = text.replace(CELL_SIZE, `float cell_size = ${divisor}.0f / ${divisor}.0f;`);
    if (next === text) throw new Error(`${TEXTURE_HEADER} has no "float cell_size = ...;": cannot edit it`);
    return this.saveAndTime(TEXTURE_HEADER, next);
  }

  // Changes Bvh::kMaximumDepth (app/core/bvh.h): the sources that name it compile.
  async editConstant() {
    const text = this.project.read(BVH_HEADER);
    const next = text.replace(MAXIMUM_DEPTH, `kMaximumDepth = ${nextNumber(text, /kMaximumDepth = (\d+);/)};`);
    if (next === text) throw new Error(`${BVH_HEADER} no longer has "kMaximumDepth = N;": cannot edit it`);
    return this.saveAndTime(BVH_HEADER, next);
  }

  // Edits the body of Bvh::traverse, a member function template (a `(void)N;` statement:
  // new tokens, the same code): the sources that instantiate it compile.
  async editTemplate() {
    const text = this.project.read(BVH_HEADER);
    const next = text.replace(TRAVERSE_FIRST_LINE, `  if (nodes_.empty()) return; (void)${nextNumber(text, /return; \(void\)(\d+);/)};\n`);
    if (next === text) throw new Error(`${BVH_HEADER} no longer has "if (nodes_.empty()) return;": cannot edit it`);
    return this.saveAndTime(BVH_HEADER, next);
  }

  // Adds a member to CameraView (or takes it out again), which no patch can carry: the dev
  // loop rebuilds the program and the page reloads itself, keeping its settings. Times the
  // save to the reloaded page's first frame, with the stages the page kept
  // (raytracerPage.restarted). The rebuilt program starts its patches over.
  async restart() {
    const text = this.project.read(CAMERA_VIEW_HEADER);
    const edited = text.includes(PADDING) ? text.replace(PADDING, '') : text.replace('class CameraView {\n public:\n', `class CameraView {\n public:\n${PADDING}`);
    if (edited === text) throw new Error(`${CAMERA_VIEW_HEADER} has no "class CameraView { public:": cannot edit it`);
    await this.page.evaluate(() => { globalThis.__beforeTheRestart = true; });  // gone with the reload
    const writtenAt = Date.now();
    fs.writeFileSync(this.project.path(CAMERA_VIEW_HEADER), edited);
    const outcome = await (await this.page.waitForFunction(() => {
      if (globalThis.__beforeTheRestart) {  // still the old page: did the restart fail?
        const title = document.getElementById('error-title').textContent;
        return !document.getElementById('error-overlay').hidden && title.startsWith('Restart failed') &&
          `${title}: ${document.getElementById('error-details').textContent}`;
      }
      return globalThis.raytracerPage?.ready && raytracerPage.patches.restartFullFrameAtEpochMs && 'restarted';
    }, null, { timeout: 600000, polling: 20 })).jsonValue();
    if (outcome !== 'restarted') throw new Error(`the hot restart failed: ${outcome}`);
    const seen = await this.page.evaluate(() => ({ restarted: raytracerPage.restarted, shownAt: raytracerPage.patches.restartShownAtEpochMs,
      fullAt: raytracerPage.patches.restartFullFrameAtEpochMs }));
    await this.page.evaluate(instrumentPage);
    this.version = 0;
    checkNoPageErrors(this.opened, 'the hot restart');
    const { restarted, shownAt, fullAt } = seen;
    return {
      reason: restarted.reason,
      save_to_first_frame_ms: shownAt - writtenAt,
      save_to_full_frame_ms: fullAt - writtenAt,
      patch_build_ms: restarted.patchBuildMs,        // the patch build that found the layout change
      program_build_ms: restarted.buildMs,           // cmake --build of the program
      reload_to_first_frame_ms: shownAt - restarted.reloadAtEpochMs,
    };
  }

  async saveAndTime(file, edited) {
    const writtenAt = Date.now();  // taken before the write: the dev loop cannot see the save earlier
    fs.writeFileSync(this.project.path(file), edited);
    const version = ++this.version;
    const workers = this.view.workers;
    const outcome = await waitUntil(this.page, ([v, count]) => {
      const entry = HotswapMain.entries[v];
      const notes = globalThis.__benchmarkPatches;
      if (!entry) return false;
      if (entry.state === 'rejected') return { rejected: entry.failure };
      const acknowledged = Object.keys(entry.workers || {}).length >= count;
      return entry.state === 'applied' && acknowledged && notes.shown[v] && notes.full[v] && notes.events[v] && { ok: true };
    }, [version, workers], SAVE_TIMEOUT_MS);
    if (outcome.rejected) throw new Error(`patch ${version} was rejected (${outcome.rejected.kind}): ${outcome.rejected.message}`);
    const seen = await this.page.evaluate((v) => {
      const entry = HotswapMain.entries[v];
      const notes = globalThis.__benchmarkPatches;
      const s = raytracerPage.program.statistics();
      return {
        entry: { fetchMs: entry.fetchMs, compileMs: entry.compileMs, applyMainMs: entry.applyMainMs, workers: entry.workers, committedAt: entry.committedAt },
        times: notes.states[v], shown: notes.shown[v], full: notes.full[v], event: notes.events[v],
        announceToPixelsMs: raytracerPage.patches.shown.get(v), lastFrameMs: s.lastFrameMs,
      };
    }, version);
    checkNoPageErrors(this.opened, `patch ${version}`);
    const manifest = seen.event.manifest;
    const acks = Object.values(seen.times.acks);
    const workerMs = Object.values(seen.entry.workers || {});
    return {
      version,
      workers,
      file,                          // the file saved
      files: manifest.files.length,  // the sources the patch compiled
      // A .cpp save: the functions of the saved source compiled (hotswap/tools/function_edits.py), of how many.
      functions_compiled: (manifest.sources || []).find((note) => note.source === file)?.compiled?.length ?? null,
      functions_left_out: (manifest.sources || []).find((note) => note.source === file)?.left_out ?? null,
      // A header edit: how many sources include the header (the dev loop compiles only those
      // that use a function it changed, hotswap/tools/header_edits.py); 0 for a .cpp edit.
      includers: (manifest.headers || []).reduce((sum, note) => sum + note.compiled.length + note.skipped.length, 0),
      written_at_epoch_ms: writtenAt,
      save_seen_ms: manifest.saved_at_epoch_ms - writtenAt,
      build_ms: manifest.build_ms,
      compile_ms: manifest.compile_ms,
      // The compiles' own processor time (the compile server's count): what compiling cost
      // whatever else the machine did; 0 for a save served by an earlier compile (an undo).
      compile_cpu_ms: manifest.compile_cpu_ms ?? null,
      reused: (manifest.reused || []).length,
      link_ms: manifest.link_ms,
      announced_ms: seen.event.received_epoch_ms - writtenAt,
      fetch_ms: seen.entry.fetchMs,
      compile_in_page_ms: seen.entry.compileMs,
      wait_for_frame_end_ms: seen.entry.committedAt - seen.times.ready,
      apply_main_ms: seen.entry.applyMainMs,
      apply_per_worker_ms: workerMs,
      apply_slowest_worker_ms: workerMs.length ? Math.max(...workerMs) : 0,
      apply_all_workers_ms: acks.length ? Math.max(...acks) - seen.entry.committedAt : 0,
      save_to_pixels_ms: seen.shown.epoch_ms - writtenAt,
      save_to_full_frame_ms: seen.full.epoch_ms - writtenAt,
      announce_to_pixels_ms: seen.announceToPixelsMs,
      frame_ms: seen.lastFrameMs,
    };
  }

  // A digest of the picture at `samples` samples a pixel, from the scene's camera (the
  // accumulation starts over; the page stops at the limit, then goes on).
  async pictureDigest(samples) {
    await this.page.evaluate((limit) => { raytracerPage.program.resetCamera(); raytracerPage.program.setSampleLimit(limit); }, samples);
    await waitUntil(this.page, (limit) => {
      const s = raytracerPage.program.statistics();
      return s.idle && s.accumulatedSamples === limit;
    }, samples, 120000);
    const digest = await this.page.evaluate(async () => {
      const hash = await crypto.subtle.digest('SHA-256', raytracerPage.program.displayedPixels().rgba);
      return [...new Uint8Array(hash)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    });
    await this.page.evaluate(() => raytracerPage.program.setSampleLimit(0));
    return digest;
  }

  // WebAssembly memory and table and the heap, with the number of patches applied so far.
  async memorySnapshot() {
    const snapshot = await this.page.evaluate(() => {
      const s = raytracerPage.program.statistics();
      return {
        patches: HotswapMain.log.filter((entry) => entry.state === 'applied').length,
        memory_bytes: wasmMemory.buffer.byteLength,
        heap_in_use_bytes: s.heapInUseBytes,
        heap_top_bytes: s.heapTopBytes,
        table_length: wasmTable.length,
        js_heap_used_bytes: performance.memory ? performance.memory.usedJSHeapSize : null,
      };
    });
    return snapshot;
  }

  // Size, memory and table needs of every patch module the dev loop built so far (before it
  // restarts: dev.py starts from an empty patch folder).
  patchModules() {
    const folder = this.project.path('build/wasm/patches');
    const ignored = new Set(this.patchFormat.ignored_exports);
    const modules = [];
    for (let version = 1; version <= this.version; ++version) {
      const file = path.join(folder, this.patchFormat.module_file.replace('{version:06d}', String(version).padStart(6, '0')));
      if (fs.existsSync(file)) modules.push({ version, ...summarizeWasmModule(file, ignored) });
    }
    return modules;
  }

  async frameMs() {
    return (await statistics(this.page)).lastFrameMs;
  }
}
