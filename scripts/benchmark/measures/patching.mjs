// Measures 6, 7 and 6b, in one temporary copy of the project with the real dev loop:
//   6. patch latency, every kind of save a user makes, from the first save after the dev
//      loop printed its URL (no warm-up; the copy had one earlier session, as a checkout has
//      yesterday's, which left the preambles in its build folder), each from the save to the
//      first new frame (a preview) and to the first full-resolution frame, stage by stage:
//      - a .cpp edit (a colour of app/hot/sky.cpp), with the page on 2 workers rendering,
//        again with the page idle (quiet: it reached its sample limit), and on 8 workers;
//      - an undo: sky.cpp saved back to a text built before, in turns the newest edit's and
//        the program's own (every edit undone: the program's build compiled that text);
//      - an inline function's body in app/core/texture.h (a header ten or more sources
//        include; the session's first header edit is reported on its own too);
//      - a member function template's body in app/core/bvh.h, and a constant it names;
//      - a member function declared in texture.h: only the sources that name it compile;
//      - a member initialiser in texture.h: it compiles every source that includes the header;
//      and, from the earlier session, the first save of a fresh clone (no preambles yet);
//   7. WebAssembly memory and table as patches pile up: snapshots after 1 patch (a statement:
//      no code changed, after which the page's code has warmed up), 50 and 200 on the
//      2-worker page, the growth per patch beside the patch modules' own size, and the page's
//      samples per second at each snapshot;
//   6b. hot restart: last on the 2-worker page, saves that change a class's layout (no patch
//      can carry them): save to the reloaded page's first frame and full-resolution frame.
//      An even number of them puts the layout back, so the program after them is built from
//      the very sources the page ran as patches before them: their speed and picture against
//      the patched page's (patched_against_fresh), one after the other with the dev loop
//      quiet, and then in turns as fresh pages served as files (in_turns: the verdict).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../../tests/browser/harness.mjs';
import { copyProject, startDevLoop } from '../../../tests/hotswap/project_copy.mjs';
import { DevLoopSession, SKY } from '../dev_loop_session.mjs';
import { measureFreshPage, sampleRate } from '../raytracer_page.mjs';
import { percentile, round, summarize } from '../statistics.mjs';

export const GOALS = { save_to_pixels_p50_ms_at_most: 200, undo_save_to_pixels_p50_ms_at_most: 100,
  header_save_to_pixels_p50_ms_at_most: 1500, every_includer_save_to_pixels_p50_ms_at_most: 5000,
  apply_all_workers_ms_at_most: 25, apply_all_workers_goal_workers: 8 };
export const RESTART_GOALS = { save_to_first_frame_p50_ms_at_most: 3000, patched_per_fresh_at_least: 0.97 };
export const RESTART_COMPONENTS = ['save_to_first_frame_ms', 'save_to_full_frame_ms', 'patch_build_ms', 'program_build_ms',
  'reload_to_first_frame_ms'];

// The stages of one edit, in the order they happen (names of DevLoopSession.saveAndTime's fields).
export const LATENCY_COMPONENTS = ['save_seen_ms', 'build_ms', 'compile_ms', 'compile_cpu_ms', 'link_ms', 'announced_ms', 'fetch_ms',
  'compile_in_page_ms', 'wait_for_frame_end_ms', 'apply_main_ms', 'apply_per_worker_ms', 'apply_slowest_worker_ms',
  'apply_all_workers_ms', 'save_to_pixels_ms', 'save_to_full_frame_ms', 'frame_ms'];

// The kinds of save, in the order a session makes them; `file` is what the save edits.
export const SAVE_KINDS = {
  cpp: { file: 'app/hot/sky.cpp', what: 'a .cpp edit (a colour of the sky)' },
  undo: { file: 'app/hot/sky.cpp', what: "an undo (sky.cpp saved back to a text built before: in turns the program's own and the newest edit's)" },
  header: { file: 'app/core/texture.h', what: "an inline function's body in a header many sources include (the checker's parity)" },
  template: { file: 'app/core/bvh.h', what: "a member function template's body (Bvh::traverse)" },
  constant: { file: 'app/core/bvh.h', what: 'a constexpr constant a template and one source name (Bvh::kMaximumDepth)' },
  declaration: { file: 'app/core/texture.h', what: 'a member function declared in texture.h: only the sources that name it compile' },
  other_cpp: { file: 'app/hot/scatter.cpp and others', what: 'a statement added to the largest function of each of the other sources in turn (OTHER_EDITS)' },
  every_includer: { file: 'app/core/texture.h', what: "Texture's default cell size rewritten (a member initialiser): every source that includes texture.h compiles" },
};

// Sources other than sky.cpp, small to large, each with the function whose body a save edits
// (its largest, or in frame_loop.cpp the frame's start): a save compiles that function, those
// that may have inlined it and what they may inline (hotswap/tools/function_edits.py).
export const OTHER_EDITS = [['app/hot/scatter.cpp', 'scatter'], ['app/core/tile_renderer.cpp', 'add_samples'],
  ['app/core/camera.cpp', 'Camera::orbit'], ['app/core/bvh.cpp', 'Bvh::subdivide'], ['app/web/page_api.cpp', 'raytracer_load_scene'],
  ['app/core/material_reader.cpp', 'read_material'], ['app/web/comparison.cpp', 'FrameLoop::update_comparison'],
  ['app/core/scene.cpp', 'Scene::gather_lights'], ['app/core/scene_loader.cpp', 'parse_scene'],
  ['app/web/frame_loop.cpp', 'FrameLoop::start_frame']].map(([file, fn]) => ({ file, fn }));

const PREAMBLES_READY = /preambles: \d+ precompiled/;

export function plan(settings, context) {
  const options = settings.patching;
  const patchFormat = JSON.parse(fs.readFileSync(path.join(context.projectRoot, 'hotswap/patch_format.json'), 'utf8'));
  let project = null;
  let edits = 0;  // every new save gets a tint of its own, so the watcher always sees a change
  const nextTint = () => 0.5 + (edits++ % 500) / 1000;
  const saves = [];           // {kind, workers, page, records, first}
  const restartRecords = [];
  const snapshots = [];
  let freshClone = null;      // the first save of a fresh clone, before its preambles were built
  const patchedAgainstFresh = {};  // the same sources as patches (before the restarts) and built fresh (after)
  let modules = [];
  let session = null;
  const checkpoints = [...options.memory_checkpoints].sort((a, b) => a - b);
  // The page as the patches left it and the program built fresh from the same sources, each
  // kept as the files a server hands a page ({root, patches}), for the comparison in turns.
  const sites = {};
  let inTurns = null;
  const keepSite = (name) => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-site-`));
    context.cleanups.push(() => fs.rmSync(folder, { recursive: true, force: true }));
    const site = project.path('build/wasm/site');
    const skipped = ['tests', 'bench', 'plain-calls'].map((name) => path.join(site, name));
    fs.cpSync(site, path.join(folder, 'site'), { recursive: true, filter: (from) => !skipped.includes(from) });
    fs.cpSync(project.path('build/wasm/patches'), path.join(folder, 'patches'), { recursive: true });
    sites[name] = { root: path.join(folder, 'site'), patches: path.join(folder, 'patches') };
  };
  const memoryRun = options.runs[0];

  // The page's samples per second once the dev loop is quiet: the median of a few windows.
  const pageSpeed = async () => {
    await session.waitUntilDevLoopIsQuiet(options.quiet_timeout_seconds);
    const rates = [];
    for (let i = 0; i < options.rate_windows; ++i) rates.push((await sampleRate(session.page, options.rate_window_seconds)).samples_per_second);
    return rates.sort((a, b) => a - b)[(rates.length - 1) >> 1];
  };

  const snapshotIfCheckpoint = async () => {
    if (session.view.workers !== memoryRun.workers || session.quiet) return;
    const taken = new Set(snapshots.map((snapshot) => snapshot.patches));
    const current = await session.memorySnapshot();
    if (!checkpoints.includes(current.patches) || taken.has(current.patches)) return;
    await context.sleep(options.rate_warmup_seconds * 1000);  // the patch's code tiers up
    current.samples_per_second = await pageSpeed();
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
  }, {
    label: "patches: an earlier session (a fresh clone's first save, then its preambles are built)",
    seconds: settings.mode === 'quick' ? 40 : 60,
    run: async () => {
      const view = { scene: options.scene, width: options.width, height: options.height, workers: memoryRun.workers };
      const earlier = session = new DevLoopSession({ project, browser: context.browser, view, patchFormat });
      context.cleanups.push(() => earlier.stop());
      await session.start();
      freshClone = await session.edit(nextTint());
      const started = Date.now();
      while (!PREAMBLES_READY.test(session.devLoop.output())) {
        if (Date.now() - started > options.preamble_wait_seconds * 1000) {
          throw new Error(`the dev loop did not say its preambles were built within ${options.preamble_wait_seconds} s:\n` +
            session.devLoop.output().split('\n').slice(-15).join('\n'));
        }
        await context.sleep(250);
      }
      await session.stop();
      session = null;
      // Yesterday's edit put back, and the program built as scripts/run.sh builds it: each
      // session starts from a program built from the files as they are.
      project.write(SKY, project.original(SKY));
      await project.buildProgram();
    },
  }];

  const timed = (run, kind, count, save) => ({
    label: `patches, ${run.workers} workers${run.quiet ? ' (page idle)' : ''}: ${count} × ${SAVE_KINDS[kind].what}`,
    seconds: count * ({ every_includer: 15, header: 2, template: 2, other_cpp: 2 }[kind] || 1) * (1 + options.settle_ms / 1000),
    run: async () => {
      const records = [];
      for (let i = 0; i < count; ++i) {
        records.push(await save());
        await snapshotIfCheckpoint();
        await context.sleep(options.settle_ms);
      }
      saves.push({ kind, workers: run.workers, page: run.quiet ? 'idle' : 'rendering', records });
    },
  });

  for (const run of options.runs) {
    const view = { scene: options.scene, width: options.width, height: options.height, workers: run.workers,
      ...(run.quiet ? { limit: 1 } : {}) };
    let newestEdit = null;  // sky.cpp as the newest .cpp edit saved it
    let programsText = null;  // sky.cpp as the session found it: the running program was built from it
    steps.push({
      label: `patches, ${run.workers} workers${run.quiet ? ' (page idle)' : ''}: dev loop started, page open`,
      seconds: 8,
      run: async () => {
        const started = session = new DevLoopSession({ project, browser: context.browser, view, patchFormat });
        session.quiet = Boolean(run.quiet);
        context.cleanups.push(() => started.stop());
        programsText = project.read(SKY);
        await session.start();
      },
    });
    const isMemoryRun = run === memoryRun;
    if (isMemoryRun) {
      steps.push({
        label: `patches, ${run.workers} workers: the session's first save (a statement in sky.cpp: no code changed), then the page's speed`,
        seconds: 2 + options.rate_warmup_seconds + options.rate_window_seconds,
        run: async () => {
          saves.push({ kind: 'first', workers: run.workers, page: 'rendering', records: [await session.statementIn({ file: SKY, fn: 'sky_radiance' })] });
          await snapshotIfCheckpoint();
        },
      });
    }
    steps.push(timed(run, 'cpp', run.cpp, async () => {
      const record = await session.edit(nextTint());
      newestEdit = project.read(SKY);
      return record;
    }));
    if (run.undo) {
      // In turns, every edit undone (the program's own text: its build compiled it; an earlier
      // session's restarts may have built it from an edit) and the newest edit's text again
      // (built before in this session).
      if (run.cpp < 1) throw new Error(`patching settings: a run with undo saves needs a .cpp edit before them, not ${run.cpp}`);
      let turn = 0;
      steps.push(timed(run, 'undo', run.undo, () => session.undo(SKY, turn++ % 2 === 0 ? programsText : newestEdit)));
    }
    if (run.other_cpp) {
      let next = 0;
      steps.push(timed(run, 'other_cpp', run.other_cpp, () => session.statementIn(OTHER_EDITS[next++ % OTHER_EDITS.length])));
    }
    if (run.header) steps.push(timed(run, 'header', run.header, () => session.editHeader()));
    if (run.template) steps.push(timed(run, 'template', run.template, () => session.editTemplate()));
    if (run.constant) steps.push(timed(run, 'constant', run.constant, () => session.editConstant()));
    if (run.declaration) steps.push(timed(run, 'declaration', run.declaration, () => session.editHeaderDeclaration()));
    if (run.every_includer) steps.push(timed(run, 'every_includer', run.every_includer, () => session.editMemberInitialiser()));
    if (isMemoryRun) {
      let previous = 0;
      for (const checkpoint of checkpoints.filter((count) => count > 1)) {
        steps.push({
          label: `patches, ${run.workers} workers: edits up to ${checkpoint} patches (memory, table, speed)`,
          seconds: Math.max(0, checkpoint - previous) * 0.9,
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
        label: `patches, ${run.workers} workers: ${options.restarts} hot restarts (a class's layout changed)`,
        seconds: options.restarts * 8,
        run: async () => {
          modules = session.patchModules();  // before a restart starts the patch folder over
          const measure = async () => ({
            samples_per_second: await pageSpeed(),
            picture: await session.pictureDigest(options.picture_samples),
          });
          // Both sides measured after the same warm-up: the newest patch's module (every source
          // patched so far) has just been compiled, and the engine tiers its code up as it runs.
          await context.sleep(options.rate_warmup_seconds * 1000);
          patchedAgainstFresh.patched = { patches: session.version, ...await measure() };
          keepSite('patched');
          for (let i = 0; i < options.restarts; ++i) {
            restartRecords.push(await session.restart());
            await context.sleep(options.settle_ms);
          }
          await context.sleep(options.rate_warmup_seconds * 1000);
          patchedAgainstFresh.fresh = await measure();
          keepSite('fresh');
        },
      });
    }
    steps.push({
      label: `patches, ${run.workers} workers: dev loop and page closed`,
      seconds: 1,
      run: async () => {
        if (isMemoryRun && !modules.length) modules = session.patchModules();
        await session.stop();
        session = null;
      },
    });
    if (isMemoryRun) {
      // Measured one after the other above, the two pages minutes apart differ by the
      // machine's drift as much as by their code. Here each is a fresh page served as files
      // (the patched one applies the patches as it loads), in turns, the order swapped each
      // round, with no dev loop running.
      steps.push({
        label: `patches, ${run.workers} workers: the patched page and the program built fresh, ${options.ab_rounds} rounds in turns`,
        seconds: options.ab_rounds * 2 * (options.rate_warmup_seconds + options.rate_window_seconds + 3),
        run: async () => {
          const view = { scene: options.scene, width: options.width, height: options.height, workers: run.workers };
          const servers = {};
          try {
            for (const name of ['patched', 'fresh']) servers[name] = await startServer(sites[name]);
            const taken = { patched: [], fresh: [] };
            for (let round = 0; round < options.ab_rounds; ++round) {
              for (const name of round % 2 === 0 ? ['patched', 'fresh'] : ['fresh', 'patched']) {
                const measured = await measureFreshPage(context.browser, servers[name].url, view,
                  { warmupSeconds: options.rate_warmup_seconds, windowSeconds: options.rate_window_seconds });
                if (name === 'patched' && measured.statistics.patchVersion !== patchedAgainstFresh.patched.patches) {
                  throw new Error(`the patched page runs version ${measured.statistics.patchVersion}, not ${patchedAgainstFresh.patched.patches}`);
                }
                taken[name].push(measured.samples_per_second);
              }
            }
            const ratios = taken.patched.map((rate, i) => rate / taken.fresh[i]);
            inTurns = { rounds: options.ab_rounds, patched_samples_per_second: taken.patched, fresh_samples_per_second: taken.fresh,
              patched_per_fresh: percentile(ratios, 0.5), patched_per_fresh_min: Math.min(...ratios), patched_per_fresh_max: Math.max(...ratios) };
          } finally {
            for (const server of Object.values(servers)) server.stop();
          }
        },
      });
    }
  }

  const describe = ({ kind, workers, page, records }) => ({
    kind, file: SAVE_KINDS[kind]?.file || SAVE_KINDS.cpp.file, workers, page, edits: records.length,
    includers: Math.max(0, ...records.map((record) => record.includers)),
    sources_compiled: records.length ? records.map((record) => record.files).sort((a, b) => a - b)[(records.length - 1) >> 1] : 0,
    components: Object.fromEntries(LATENCY_COMPONENTS.map((name) => [name,
      summarize(records.flatMap((record) => record[name] ?? []), { latency: true })])),
    raw: records,
  });
  const finish = () => ({
    patch_latency: {
      unit: 'ms', scene: options.scene, width: options.width, height: options.height, goals: GOALS,
      saves: saves.map(describe),
      fresh_clone_first_save: freshClone ? describe({ kind: 'cpp', workers: memoryRun.workers, page: 'rendering', records: [freshClone] }) : null,
    },
    restart_latency: {
      unit: 'ms', scene: options.scene, width: options.width, height: options.height, workers: memoryRun.workers,
      file: 'app/core/camera_view.h', goals: RESTART_GOALS, edits: restartRecords.length,
      patched_against_fresh: patchedAgainstFresh.fresh ? {
        patches: patchedAgainstFresh.patched.patches, picture_samples: options.picture_samples,
        patched_samples_per_second: patchedAgainstFresh.patched.samples_per_second,
        fresh_samples_per_second: patchedAgainstFresh.fresh.samples_per_second,
        patched_per_fresh: patchedAgainstFresh.patched.samples_per_second / patchedAgainstFresh.fresh.samples_per_second,
        pictures_identical: patchedAgainstFresh.patched.picture === patchedAgainstFresh.fresh.picture,
        in_turns: inTurns,
      } : null,
      components: Object.fromEntries(RESTART_COMPONENTS.map((name) => [name,
        summarize(restartRecords.map((record) => record[name]), { latency: true })])),
      raw: restartRecords,
    },
    patch_memory: memoryResult(snapshots, modules, checkpoints, memoryRun.workers),
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
