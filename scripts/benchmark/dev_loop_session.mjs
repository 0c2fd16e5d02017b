// The real dev loop (scripts/dev.py) running in a temporary copy of the project, with the
// page open on it: what a developer has after `scripts/run.sh`. The benchmark saves edits
// the way an editor does (app/hot/sky.cpp; an inline function of app/core/texture.h, which
// ten or more sources include; a class layout, which needs a hot restart) and times each
// one from the save to the first frame drawn by the new code, reading every stage's own
// figures:
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
import { checkNoPageErrors, openRaytracerPage, statistics } from './raytracer_page.mjs';
import { summarizeWasmModule } from './wasm_module_summary.mjs';

export const SKY = 'app/hot/sky.cpp';
const TINTED = /return radiance \* glm::vec3\(1\.0f, 1\.0f, [0-9.]+f\);/;
// The checker texture's parity, flipped by each header edit: a visible change every time.
export const TEXTURE_HEADER = 'app/core/texture.h';
const CHECKER = ['& 1) == 0 ? color : other_color;', '& 1) != 0 ? color : other_color;'];
// A public member (no unused-field warning in the program's -Werror build) added and taken
// out in turn: CameraView's layout changes every time, so each save needs a hot restart.
export const CAMERA_VIEW_HEADER = 'app/core/camera_view.h';
const PADDING = '  float benchmark_layout_padding = 0.0f;  // a layout change (scripts/benchmark)\n';

// Installed in the page once it is ready (see the file comment).
function instrumentPage() {
  const notes = globalThis.__benchmarkPatches = { states: {}, shown: {}, events: {} };
  HotswapMain.listeners.push((entry) => {
    const times = notes.states[entry.version] ||= { acks: {} };
    if (times[entry.state] === undefined) times[entry.state] = performance.now();
    for (const id of Object.keys(entry.workers || {})) if (times.acks[id] === undefined) times.acks[id] = performance.now();
  });
  const shown = RaytracerPage.onNewVersionShown;
  RaytracerPage.onNewVersionShown = (version) => {
    if (!notes.shown[version]) notes.shown[version] = { epoch_ms: Date.now(), page_ms: performance.now() };
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

  // The dev loop precompiles the include block of every source it watches when it starts,
  // one at a time in the background (hotswap/tools/precompiled_prefix.py), and works out
  // which functions each source uses (hotswap/tools/header_edits.py); until that is over,
  // builds compete with it for the cores, and a header edit compiles every includer. Waits
  // until every started header has its PCH, nothing new started for a while, and the dev
  // loop said it knows the functions. Returns how many PCHs there are.
  async waitForPrecompiledHeaders({ quietMs = 3000, timeoutMs = 300000 } = {}) {
    const folder = this.project.path('build/wasm/hotswap-work/pch');
    const started = Date.now();
    let signature = null, since = Date.now();
    while (Date.now() - started < timeoutMs) {
      const names = fs.existsSync(folder) ? fs.readdirSync(folder).sort() : [];
      const now = names.join('\n');
      if (now !== signature) [signature, since] = [now, Date.now()];
      const headers = names.filter((name) => name.endsWith('.h'));
      const complete = headers.every((name) => names.includes(name.replace(/\.h$/, '.pch')));
      const quiet = Date.now() - since;
      // A header whose PCH failed stays without one: after a long quiet spell that is final.
      const usesKnown = /header edits: know which functions/.test(this.devLoop.output());
      if (usesKnown && headers.length && ((complete && quiet >= quietMs) || quiet >= 5 * quietMs)) return names.filter((name) => name.endsWith('.pch')).length;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the dev loop's precompiled headers (or which functions each source uses) were still being worked out after ${timeoutMs / 1000} s`);
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

  // Flips the checker texture's parity in app/core/texture.h: a patch of every source that
  // includes the header. Returns the raw figures of that edit, as edit() does.
  async editHeader() {
    const text = this.project.read(TEXTURE_HEADER);
    const [from, to] = text.includes(CHECKER[0]) ? CHECKER : [CHECKER[1], CHECKER[0]];
    if (!text.includes(from)) throw new Error(`${TEXTURE_HEADER} no longer has the checker's "${from}": cannot edit it`);
    return this.saveAndTime(TEXTURE_HEADER, text.replace(from, to));
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
      return globalThis.raytracerPage?.ready && raytracerPage.patches.restartShownAtEpochMs && 'restarted';
    }, null, { timeout: 600000, polling: 20 })).jsonValue();
    if (outcome !== 'restarted') throw new Error(`the hot restart failed: ${outcome}`);
    const seen = await this.page.evaluate(() => ({ restarted: raytracerPage.restarted, shownAt: raytracerPage.patches.restartShownAtEpochMs }));
    await this.page.evaluate(instrumentPage);
    this.version = 0;
    checkNoPageErrors(this.opened, 'the hot restart');
    const { restarted, shownAt } = seen;
    return {
      reason: restarted.reason,
      save_to_first_frame_ms: shownAt - writtenAt,
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
      return entry.state === 'applied' && acknowledged && notes.shown[v] && notes.events[v] && { ok: true };
    }, [version, workers], 120000);
    if (outcome.rejected) throw new Error(`patch ${version} was rejected (${outcome.rejected.kind}): ${outcome.rejected.message}`);
    const seen = await this.page.evaluate((v) => {
      const entry = HotswapMain.entries[v];
      const notes = globalThis.__benchmarkPatches;
      const s = raytracerPage.program.statistics();
      return {
        entry: { fetchMs: entry.fetchMs, compileMs: entry.compileMs, applyMainMs: entry.applyMainMs, workers: entry.workers, committedAt: entry.committedAt },
        times: notes.states[v], shown: notes.shown[v], event: notes.events[v],
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
      files: manifest.files.length,  // the sources the patch compiled
      // A header edit: how many sources include the header (the dev loop compiles only those
      // that use a function it changed, hotswap/tools/header_edits.py); 0 for a .cpp edit.
      includers: (manifest.headers || []).reduce((sum, note) => sum + note.compiled.length + note.skipped.length, 0),
      written_at_epoch_ms: writtenAt,
      save_seen_ms: manifest.saved_at_epoch_ms - writtenAt,
      build_ms: manifest.build_ms,
      compile_ms: manifest.compile_ms,
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
      announce_to_pixels_ms: seen.announceToPixelsMs,
      frame_ms: seen.lastFrameMs,
    };
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
