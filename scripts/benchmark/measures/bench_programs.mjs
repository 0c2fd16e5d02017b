// Measures 4 and 5, from the same runs of the benchmark program (app/bench/) in headless
// Chromium, one thread:
//   4. hot-call overhead: the relocatable main module calling hot functions through the jump
//      table (empty, as before any patch; and filled, as after patches) against the same
//      module built with HOTSWAP_DIRECT_CALLS (plain calls), as a share of frame time;
//   5. relocatable main module against a plain non-relocatable -pthread executable.
// The three builds are loaded side by side (a page each), warmed up until the engine has
// compiled their hot code in its top tier, then timed in turns, the order rotated every
// repetition, so slow drifts of the machine hit them alike. Every build must draw the same
// picture (checksum), or the timings would not compare.
import fs from 'node:fs';
import path from 'node:path';
import { waitUntil } from '../../../tests/browser/harness.mjs';
import { round, summarize } from '../statistics.mjs';

export const GOALS = { hot_call_overhead_percent_at_most: 1 };

// Each run: the build, whether the jump table is filled first, the name of the result.
const RUNS = [
  { program: 'bench_main_module', filled: false, name: 'main_module' },
  { program: 'bench_main_module', filled: true, name: 'main_module_after_patch' },
  { program: 'bench_main_module_direct_calls', filled: false, name: 'direct_calls' },
  { program: 'bench_plain', filled: false, name: 'plain' },
];
const PROGRAMS = [...new Set(RUNS.map((run) => run.program))];

async function openProgram(context, program) {
  const browserContext = await context.browser.newContext();
  const page = await browserContext.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${context.server.url}bench/index.html?program=${program}`);
  const state = await waitUntil(page, () => globalThis.benchPage && (globalThis.benchPage.ready ? 'ready' : globalThis.benchPage.error), null, 60000);
  if (state !== 'ready') throw new Error(`${program}: ${state}`);
  return { page, errors, close: () => browserContext.close() };
}

const render = (opened, scene, options, samples, filled) =>
  opened.page.evaluate(([name, w, h, n, f]) => benchPage.render(name, w, h, n, f), [scene, options.width, options.height, samples, filled]);

export function plan(settings, context) {
  const options = settings.bench_programs;
  const runs = new Map();  // scene -> {name: [result per repetition]}
  const steps = options.scenes.map((scene) => ({
    label: `bench program, ${scene.replace('.json', '')}: main module, direct calls, plain, ${options.repetitions}x`,
    seconds: RUNS.length * (options.warmup_seconds + 1) + options.repetitions * RUNS.length * options.samples_per_pixel * options.width * options.height / 1.1e6,
    run: async () => {
      const opened = {};
      try {
        for (const program of PROGRAMS) opened[program] = await openProgram(context, program);
        for (const run of RUNS) {
          const until = Date.now() + options.warmup_seconds * 1000;
          do await render(opened[run.program], scene, options, options.warmup_samples_per_pixel, run.filled);
          while (Date.now() < until);
        }
        const byName = Object.fromEntries(RUNS.map((run) => [run.name, []]));
        for (let repetition = 0; repetition < options.repetitions; ++repetition) {
          for (let i = 0; i < RUNS.length; ++i) {
            const run = RUNS[(i + repetition) % RUNS.length];
            byName[run.name].push(await render(opened[run.program], scene, options, options.samples_per_pixel, run.filled));
          }
        }
        for (const [program, { errors }] of Object.entries(opened)) {
          if (errors.length) throw new Error(`${program}: the page reported errors: ${errors.join('; ')}`);
        }
        runs.set(scene, byName);
      } finally {
        for (const { close } of Object.values(opened)) await close();
      }
    },
  }));

  const finish = () => {
    const sizes = Object.fromEntries(PROGRAMS.map((program) => [program, fs.statSync(path.join(context.siteRoot, 'bench', `${program}.wasm`)).size]));
    const hotRows = [], moduleRows = [];
    let identical = true;
    for (const scene of options.scenes) {
      const byName = runs.get(scene);
      const rate = (name) => byName[name].map((result) => result.samples_per_second);
      const checksums = new Set(Object.values(byName).flat().map((result) => result.checksum));
      identical &&= checksums.size === 1;
      // Extra frame time of the jump table, in % of a frame with plain calls (frame time is
      // 1 / rate): direct / jump - 1, repetition by repetition.
      const overhead = (name) => summarize(rate(name).map((value, i) => (rate('direct_calls')[i] / value - 1) * 100));
      hotRows.push({
        scene,
        jump_table: summarize(rate('main_module')),
        jump_table_after_patch: summarize(rate('main_module_after_patch')),
        direct_calls: summarize(rate('direct_calls')),
        overhead_percent: overhead('main_module'),
        overhead_after_patch_percent: overhead('main_module_after_patch'),
      });
      moduleRows.push({
        scene,
        main_module: summarize(rate('main_module')),
        plain: summarize(rate('plain')),
        main_module_per_plain: summarize(rate('main_module').map((value, i) => value / rate('plain')[i])),
      });
    }
    const common = { unit: 'samples/s', width: options.width, height: options.height, samples_per_pixel: options.samples_per_pixel, threads: 1, images_identical: identical };
    return {
      hot_call_overhead: { ...common, goals: GOALS, rows: hotRows },
      main_module_vs_plain: {
        ...common, rows: moduleRows,
        wasm_bytes: { main_module: sizes.bench_main_module, plain: sizes.bench_plain, ratio: round(sizes.bench_main_module / sizes.bench_plain) },
      },
    };
  };
  return { steps, finish };
}
