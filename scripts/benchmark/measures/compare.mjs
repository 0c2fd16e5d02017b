// Measure 8: two versions on one picture. What the split view costs against the normal view,
// and what one table switch costs.
//   - Two real patches, built by the real builder from edited copies of the sources into a
//     patch folder the benchmark's own server serves: 1 tints the sky (app/hot/sky.cpp), 2
//     adds a comment to four plain sources on top of it (cumulative: its table state redirects
//     every function of the five sources, a larger switch).
//   - Samples per second of a fresh page with both patches showing version 2 alone ("normal")
//     against a fresh page opened with compare=0,2 (version 0 left of the line, 2 right of it:
//     every worker switches its table to version 0 and back once a frame or so), 1 and 2
//     workers, in turns (the order swapped each round). Also per core its workers got
//     (browser_cpu.mjs), which a busy machine skews less than wall-clock rates.
//   - One table switch: on the page's main thread, HotswapVersions.switchTo between two
//     versions and back, many times (the list of slots to write is worked out once per pair;
//     the first switch, which works it out, is timed apart); against the time of one tile of
//     the normal view with one worker (32 x 32 pixels, one sample), the share a switch before
//     every tile would cost.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServer, waitUntil } from '../../../tests/browser/harness.mjs';
import { coresBetween, cpuSnapshot } from '../browser_cpu.mjs';
import { checkNoPageErrors, openRaytracerPage, sampleRate, statistics } from '../raytracer_page.mjs';
import { round, summarize } from '../statistics.mjs';

const run = promisify(execFile);
export const GOALS = { split_per_normal_at_least: 0.9 };
const TILE_PIXELS = 32 * 32;  // app/web/frame_loop.cpp's kTileSize, squared
const COMPARED = [0, 2];
// What each patch edits (cumulative: each edit stays in the overlay for the next patch).
const EDITS = [
  { files: ['app/hot/sky.cpp'], from: 'sky.zenith_color, std::sqrt(elevation)', to: 'sky.zenith_color * 0.9f, std::sqrt(elevation)' },
  { files: ['app/core/scene.cpp', 'app/core/lights.cpp', 'app/core/camera.cpp', 'app/core/tile_renderer.cpp'], comment: true },
];

async function buildPatches(context, patchDir, overlayDir) {
  const buildDir = context.wasmBuild || path.join(context.projectRoot, 'build/wasm');
  for (const [index, edit] of EDITS.entries()) {
    for (const file of edit.files) {
      const text = fs.readFileSync(path.join(context.projectRoot, file), 'utf8');
      const edited = edit.comment ? `${text}// a comment: the patch redefines this file's functions (scripts/benchmark/measures/compare.mjs)\n`
        : text.replace(edit.from, edit.to);
      if (edited === text) throw new Error(`the benchmark's edit of ${file} no longer applies: it does not contain ${JSON.stringify(edit.from)}`);
      fs.mkdirSync(path.dirname(path.join(overlayDir, file)), { recursive: true });
      fs.writeFileSync(path.join(overlayDir, file), edited);
    }
    try {
      await run('python3', [path.join(context.projectRoot, 'hotswap/tools/patch_builder.py'), '--build-dir', buildDir,
        '--program', path.join(context.siteRoot, 'raytracer.wasm'), '--patch-dir', patchDir, '--overlay', overlayDir,
        '--version', String(index + 1), ...edit.files], { cwd: context.projectRoot, maxBuffer: 64 << 20 });
    } catch (error) {
      throw new Error(`patch ${index + 1} (${edit.files.join(', ')}) did not build: ${error.stdout}\n${error.stderr}`);
    }
  }
}

// One window of a fresh page: the normal view on the newest patch, or the split view.
async function measureWindow(context, server, view, options, split) {
  const opened = await openRaytracerPage(context.browser, server.url, view);
  try {
    const newest = COMPARED[1];
    await waitUntil(opened.page, ([wanted, comparing]) => {
      const s = raytracerPage.program.statistics();
      return s.patchVersion === wanted && (comparing ? s.compare !== null && s.compare.right === wanted : s.frameVersion === wanted);
    }, [newest, split], 60000);
    await opened.page.waitForTimeout(options.warmup_seconds * 1000);
    const before = cpuSnapshot(), started = performance.now();
    const rate = await sampleRate(opened.page, options.window_seconds);
    const cores = coresBetween(before, cpuSnapshot(), (performance.now() - started) / 1000);
    const s = await statistics(opened.page);
    checkNoPageErrors(opened, `${split ? 'split' : 'normal'} view, ${view.workers} workers`);
    if (split && (s.compare === null || s.mixedVersionFrames !== 0)) throw new Error(`the split view ended or mixed versions: ${JSON.stringify(s.compare)}`);
    return { rate: rate.samples_per_second, perWorkerCore: cores && cores.workers > 0 ? rate.samples_per_second / cores.workers : null };
  } finally {
    await opened.context.close();
  }
}

// Times table switches on the page's main thread (between frames its table runs the newest
// version; one synchronous evaluation, so none of the page's own code runs meanwhile).
async function timeSwitches(context, server, options, from, to) {
  const opened = await openRaytracerPage(context.browser, server.url,
    { scene: options.scene, width: options.width, height: options.height, workers: 1 });
  try {
    await waitUntil(opened.page, (wanted) => raytracerPage.program.statistics().patchVersion === wanted, COMPARED[1], 60000);
    return await opened.page.evaluate(([a, b, count]) => {
      const versions = globalThis.HotswapVersions;
      const newest = versions.committed;
      const started = performance.now();
      versions.switchTo(a);
      versions.switchTo(b);  // the first switches work out the slots to write for each direction
      const firstPairMs = performance.now() - started;
      const slots = versions.transition(a, b).slots.length;
      const timed = performance.now();
      for (let i = 0; i < count; ++i) {
        versions.switchTo(a);
        versions.switchTo(b);
      }
      const microseconds = ((performance.now() - timed) * 1000) / (2 * count);
      versions.switchTo(newest);
      return { slots, microseconds, first_pair_microseconds: firstPairMs * 1000 };
    }, [from, to, options.switches]);
  } finally {
    await opened.context.close();
  }
}

export function plan(settings, context) {
  const options = settings.compare;
  const taken = new Map();  // workers -> {normal: [], split: []}
  const switches = new Map();  // "a b" -> {slots, microseconds: [], first_pair_microseconds: []}
  let server = null;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-compare-'));
  context.cleanups.push(() => { server?.stop(); fs.rmSync(scratch, { recursive: true, force: true }); });
  const patchDir = path.join(scratch, 'patches'), overlayDir = path.join(scratch, 'overlay');
  const steps = [{
    label: `compare: ${EDITS.length} patches built (${EDITS.map((edit) => edit.files.length).join(' and ')} sources)`,
    seconds: settings.mode === 'quick' ? 15 : 20,
    run: async () => {
      fs.mkdirSync(patchDir);
      fs.mkdirSync(overlayDir);
      await buildPatches(context, patchDir, overlayDir);
      server = await startServer({ root: context.siteRoot, patches: patchDir });
    },
  }];
  for (const workers of options.workers) {
    steps.push({
      label: `compare, ${workers} worker${workers > 1 ? 's' : ''}: normal and split view (versions ${COMPARED.join(' | ')}) in turns, ` +
        `${options.repetitions}x ${options.window_seconds} s`,
      seconds: options.repetitions * 2 * (4 + options.warmup_seconds + options.window_seconds),
      run: async () => {
        const rates = { normal: [], split: [] };
        for (let round = 0; round < options.repetitions; ++round) {
          for (const kind of round % 2 === 0 ? ['normal', 'split'] : ['split', 'normal']) {
            const view = { scene: options.scene, width: options.width, height: options.height, workers,
              compare: kind === 'split' ? COMPARED.join(',') : null };
            rates[kind].push(await measureWindow(context, server, view, options, kind === 'split'));
          }
        }
        taken.set(workers, rates);
      },
    });
  }
  const pairs = [[0, 1], [0, 2]];
  steps.push({
    label: `compare: table switches, versions ${pairs.map((p) => p.join(' <-> ')).join(' and ')}, ${options.repetitions}x ${options.switches} each way`,
    seconds: options.repetitions * pairs.length * 4,
    run: async () => {
      for (let round = 0; round < options.repetitions; ++round) {
        for (const [a, b] of pairs) {
          const timed = await timeSwitches(context, server, options, a, b);
          const key = `${a} ${b}`;
          if (!switches.has(key)) switches.set(key, { from: a, to: b, slots: timed.slots, microseconds: [], first_pair_microseconds: [] });
          switches.get(key).microseconds.push(timed.microseconds);
          switches.get(key).first_pair_microseconds.push(timed.first_pair_microseconds);
        }
      }
    },
  });

  const finish = () => {
    const rows = options.workers.map((workers) => {
      const normal = taken.get(workers).normal.map((t) => t.rate), split = taken.get(workers).split.map((t) => t.rate);
      const perCore = (kind) => taken.get(workers)[kind].map((t) => t.perWorkerCore);
      const measuredCores = [...perCore('normal'), ...perCore('split')].every((value) => value !== null);
      return { workers, normal: summarize(normal), split: summarize(split), split_per_normal: summarize(split.map((value, i) => value / normal[i])),
        // The same per core the page's workers got: less skewed by other processes on the machine.
        split_per_normal_per_worker_core: measuredCores ? summarize(perCore('split').map((value, i) => value / perCore('normal')[i])) : null };
    });
    // One tile of the normal view with one worker: 32 x 32 pixels, one sample each.
    const oneWorker = taken.get(Math.min(...options.workers)).normal.map((t) => t.rate);
    const tileMicroseconds = summarize(oneWorker.map((rate) => (TILE_PIXELS / rate) * 1e6));
    const tableSwitches = [...switches.values()].map((entry) => {
      const microseconds = summarize(entry.microseconds);
      return { from: entry.from, to: entry.to, slots: entry.slots, microseconds, first_pair_microseconds: summarize(entry.first_pair_microseconds),
        share_of_a_tile_percent: round((microseconds.median / tileMicroseconds.median) * 100) };
    });
    return { compare: { unit: 'samples/s', scene: options.scene, width: options.width, height: options.height, compared: COMPARED,
      goals: GOALS, rows, tile: { pixels: TILE_PIXELS, samples: 1, microseconds: tileMicroseconds }, table_switches: tableSwitches } };
  };
  return { steps, finish };
}
