// Measures 6, 7 and 6b, in one temporary copy of the project with the real dev loop:
//   6. patch latency: after a throwaway first edit (the dev loop's precompiled headers
//      warm), N timed edits of app/hot/sky.cpp, with the page on 2 workers and again (a
//      fresh dev loop and page) on 8: every stage of each edit, p50 and p95; then, on the
//      2-worker page, edits of an inline function in app/core/texture.h (a header ten or
//      more of the program's sources include), timed the same way;
//   7. WebAssembly memory and table as patches pile up: snapshots after 0, 50 and 200
//      patches on the 2-worker page (its timed edits count), and growth per patch beside
//      the patch modules' own size; and the page's samples per second at each snapshot, so
//      the cost of running patched code (calls into patch modules) shows next to none;
//   6b. hot restart: last on the 2-worker page, saves that change a class's layout (no patch
//      can carry them): save to the reloaded page's first frame, and its stages.
import fs from 'node:fs';
import path from 'node:path';
import { copyProject } from '../../../tests/hotswap/project_copy.mjs';
import { DevLoopSession } from '../dev_loop_session.mjs';
import { sampleRate } from '../raytracer_page.mjs';
import { round, summarize } from '../statistics.mjs';

export const GOALS = { save_to_pixels_p50_ms_at_most: 200, header_save_to_pixels_p50_ms_at_most: 1500, apply_all_workers_ms_at_most: 25,
  apply_all_workers_goal_workers: 8 };
export const RESTART_GOALS = { save_to_first_frame_p50_ms_at_most: 5000 };
export const RESTART_COMPONENTS = ['save_to_first_frame_ms', 'patch_build_ms', 'program_build_ms', 'reload_to_first_frame_ms'];

// The stages of one edit, in the order they happen (names of DevLoopSession.edit's fields).
export const LATENCY_COMPONENTS = ['save_seen_ms', 'build_ms', 'compile_ms', 'link_ms', 'announced_ms', 'fetch_ms',
  'compile_in_page_ms', 'wait_for_frame_end_ms', 'apply_main_ms', 'apply_per_worker_ms', 'apply_slowest_worker_ms',
  'apply_all_workers_ms', 'save_to_pixels_ms', 'frame_ms'];

export function plan(settings, context) {
  const options = settings.patching;
  const patchFormat = JSON.parse(fs.readFileSync(path.join(context.projectRoot, 'hotswap/patch_format.json'), 'utf8'));
  let project = null;
  let edits = 0;  // every save gets a tint of its own, so the watcher always sees a change
  const nextTint = () => 0.5 + (edits++ % 500) / 1000;
  const latencyRuns = [];
  const headerRecords = [];
  const restartRecords = [];
  const snapshots = [];
  let modules = [];
  let session = null;
  const checkpoints = [...options.memory_checkpoints].sort((a, b) => a - b);
  const memoryWorkers = options.worker_runs[0];

  const snapshotIfCheckpoint = async () => {
    if (session.view.workers !== memoryWorkers) return;
    const taken = new Set(snapshots.map((snapshot) => snapshot.patches));
    const current = await session.memorySnapshot();
    if (!checkpoints.includes(current.patches) || taken.has(current.patches)) return;
    await context.sleep(options.rate_warmup_seconds * 1000);  // the patch's code tiers up
    current.samples_per_second = (await sampleRate(session.page, options.rate_window_seconds)).samples_per_second;
    snapshots.push(current);
  };

  // Quick mode builds the copy in the background while the other measures run (their
  // timings do not matter there); a full run builds it when its turn comes, on a quiet machine.
  let copying = null;
  const startCopy = () => {
    copying = copyProject();
    copying.catch(() => {});  // awaited (and reported) by the step below
    context.cleanups.push(async () => (await copying.catch(() => null))?.remove());
    return copying;
  };
  if (settings.mode === 'quick') startCopy();
  const steps = [{
    label: 'patches: a copy of the project, built for its own dev loop',
    seconds: settings.mode === 'quick' ? 20 : 75,
    run: async () => {
      project = await (copying || startCopy());
    },
  }];
  for (const workers of options.worker_runs) {
    const view = { scene: options.scene, width: options.width, height: options.height, workers };
    steps.push({
      label: `patches, ${workers} workers: dev loop started, page open, headers precompiled, throwaway first edit`,
      seconds: options.wait_for_precompiled_headers ? 45 : 8,
      run: async () => {
        const started = session = new DevLoopSession({ project, browser: context.browser, view, patchFormat });
        context.cleanups.push(() => started.stop());
        await session.start();
        if (options.wait_for_precompiled_headers) await session.waitForPrecompiledHeaders();
        await snapshotIfCheckpoint();
        await session.edit(nextTint());  // builds the first patch while the precompiled headers finish
        await context.sleep(options.settle_ms);
        await snapshotIfCheckpoint();
      },
    });
    steps.push({
      label: `patches, ${workers} workers: ${options.latency_edits} timed edits of app/hot/sky.cpp`,
      seconds: options.latency_edits * (1 + options.settle_ms / 1000),
      run: async () => {
        const records = [];
        for (let i = 0; i < options.latency_edits; ++i) {
          records.push(await session.edit(nextTint()));
          await snapshotIfCheckpoint();
          await context.sleep(options.settle_ms);
        }
        latencyRuns.push({ workers, records });
      },
    });
    if (workers === memoryWorkers) {
      let previous = options.latency_edits + 1;  // patches after the throwaway and timed edits
      for (const checkpoint of checkpoints.filter((count) => count > previous)) {
        steps.push({
          label: `patches, ${workers} workers: edits up to ${checkpoint} patches (memory and table)`,
          seconds: (checkpoint - previous) * 0.9,
          run: async () => {
            while (session.version < checkpoint) {
              await session.edit(nextTint());
              await snapshotIfCheckpoint();
            }
          },
        });
        previous = checkpoint;
      }
      steps.push({
        label: `patches, ${workers} workers: ${options.header_edits} timed edits of app/core/texture.h (a header many sources include)`,
        seconds: options.header_edits * (settings.mode === 'quick' ? 40 : 15),
        run: async () => {
          modules = session.patchModules();  // the sky edits' modules (a restart starts the patch folder over)
          for (let i = 0; i < options.header_edits; ++i) {
            headerRecords.push(await session.editHeader());
            await context.sleep(options.settle_ms);
          }
        },
      });
      steps.push({
        label: `patches, ${workers} workers: ${options.restarts} hot restarts (a class's layout changed)`,
        seconds: options.restarts * 15,
        run: async () => {
          for (let i = 0; i < options.restarts; ++i) {
            restartRecords.push(await session.restart());
            await context.sleep(options.settle_ms);
          }
        },
      });
    }
    steps.push({
      label: `patches, ${workers} workers: dev loop and page closed`,
      seconds: 1,
      run: async () => {
        if (workers === memoryWorkers && !modules.length) modules = session.patchModules();
        await session.stop();
        session = null;
      },
    });
  }

  const finish = () => ({
    patch_latency: {
      unit: 'ms', scene: options.scene, width: options.width, height: options.height, file: 'app/hot/sky.cpp', goals: GOALS,
      runs: latencyRuns.map(({ workers, records }) => ({
        workers,
        edits: records.length,
        components: Object.fromEntries(LATENCY_COMPONENTS.map((name) => [name,
          summarize(records.flatMap((record) => record[name]), { latency: true })])),
        raw: records,
      })),
      header: {
        file: 'app/core/texture.h', workers: memoryWorkers, edits: headerRecords.length,
        includers: headerRecords.length ? Math.max(...headerRecords.map((record) => record.includers)) : 0,
        sources_compiled: headerRecords.length ? headerRecords.map((record) => record.files).sort((a, b) => a - b)[(headerRecords.length - 1) >> 1] : 0,
        components: Object.fromEntries(LATENCY_COMPONENTS.map((name) => [name,
          summarize(headerRecords.flatMap((record) => record[name]), { latency: true })])),
        raw: headerRecords,
      },
    },
    restart_latency: {
      unit: 'ms', scene: options.scene, width: options.width, height: options.height, workers: memoryWorkers,
      file: 'app/core/camera_view.h', goals: RESTART_GOALS, edits: restartRecords.length,
      components: Object.fromEntries(RESTART_COMPONENTS.map((name) => [name,
        summarize(restartRecords.map((record) => record[name]), { latency: true })])),
      raw: restartRecords,
    },
    patch_memory: memoryResult(snapshots, modules, checkpoints, memoryWorkers),
  });
  return { steps, finish };
}

function memoryResult(snapshots, modules, checkpoints, workers) {
  snapshots.sort((a, b) => a.patches - b.patches);
  const growth = [];
  for (let i = 1; i < snapshots.length; ++i) {
    const [from, to] = [snapshots[i - 1], snapshots[i]];
    const count = to.patches - from.patches;
    growth.push({
      from_patches: from.patches, to_patches: to.patches,
      heap_in_use_bytes_per_patch: round((to.heap_in_use_bytes - from.heap_in_use_bytes) / count),
      heap_top_bytes_per_patch: round((to.heap_top_bytes - from.heap_top_bytes) / count),
      table_slots_per_patch: round((to.table_length - from.table_length) / count),
      memory_bytes_per_patch: round((to.memory_bytes - from.memory_bytes) / count),
      js_heap_bytes_per_patch: to.js_heap_used_bytes && from.js_heap_used_bytes ? round((to.js_heap_used_bytes - from.js_heap_used_bytes) / count) : null,
    });
  }
  return {
    workers, checkpoints, snapshots, growth,
    memory_is_fixed: snapshots.every((snapshot) => snapshot.memory_bytes === snapshots[0]?.memory_bytes),
    patch_module: modules.length ? {
      count: modules.length,
      bytes: summarize(modules.map((m) => m.bytes)),
      memory_size: summarize(modules.map((m) => m.memory_size)),
      table_slots: summarize(modules.map((m) => m.table_size + m.function_exports)),
    } : null,
  };
}
