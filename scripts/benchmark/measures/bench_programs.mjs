// Measures 4 and 5, from the same runs of the benchmark program (app/bench/) in headless
// Chromium, one thread:
//   4. hot-call overhead: the relocatable main module as the hot linker routes it (every
//      call to one of the program's own functions through that function's table slot)
//      against the same module linked without the routing (plain calls), as a share of
//      frame time;
//   5. relocatable main module against a plain non-relocatable -pthread executable.
// The three builds are loaded side by side (a page each), warmed up until the engine has
// compiled their hot code in its top tier, then timed in turns, the order rotated every
// repetition, so slow drifts of the machine hit them alike. Every build must draw the same
// picture (checksum), or the timings would not compare.
import fs from 'node:fs';
import path from 'node:path';
import { waitUntil } from '../../../tests/browser/harness.mjs';
import { round, summarize } from '../statistics.mjs';

// Issue 9: the routed program at 0.95x the plain-call one or better (frame time +5.3 %).
export const GOALS = { hot_call_overhead_percent_at_most: 5.3 };

// Each run: the build and the name of the result.
const RUNS = [
  { program: 'bench_main_module', name: 'routed' },
  { program: 'bench_main_module_plain_calls', name: 'plain_calls' },
  { program: 'bench_plain', name: 'plain' },
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

const render = (opened, scene, options, samples) =>
  opened.page.evaluate(([name, w, h, n]) => benchPage.render(name, w, h, n), [scene, options.width, options.height, samples]);

export function plan(settings, context) {
  const options = settings.bench_programs;
  const runs = new Map();  // scene -> {name: [result per repetition]}
  const steps = options.scenes.map((scene) => ({
    label: `bench program, ${scene.replace('.json', '')}: routed, plain calls, plain executable, ${options.repetitions}x`,
    seconds: RUNS.length * (options.warmup_seconds + 1) + options.repetitions * RUNS.length * options.samples_per_pixel * options.width * options.height / 1.1e6,
    run: async () => {
      const opened = {};
      try {
        for (const program of PROGRAMS) opened[program] = await openProgram(context, program);
        for (const run of RUNS) {
          const until = Date.now() + options.warmup_seconds * 1000;
          do await render(opened[run.program], scene, options, options.warmup_samples_per_pixel);
          while (Date.now() < until);
        }
        const byName = Object.fromEntries(RUNS.map((run) => [run.name, []]));
        for (let repetition = 0; repetition < options.repetitions; ++repetition) {
          for (let i = 0; i < RUNS.length; ++i) {
            const run = RUNS[(i + repetition) % RUNS.length];
            byName[run.name].push(await render(opened[run.program], scene, options, options.samples_per_pixel));
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
      // Extra frame time of the routing, in % of a frame with plain calls (frame time is
      // 1 / rate): plain calls / routed - 1, repetition by repetition.
      hotRows.push({
        scene,
        routed: summarize(rate('routed')),
        plain_calls: summarize(rate('plain_calls')),
        routed_per_plain_calls: summarize(rate('routed').map((value, i) => value / rate('plain_calls')[i])),
        overhead_percent: summarize(rate('routed').map((value, i) => (rate('plain_calls')[i] / value - 1) * 100)),
      });
      moduleRows.push({
        scene,
        main_module: summarize(rate('routed')),
        plain: summarize(rate('plain')),
        main_module_per_plain: summarize(rate('routed').map((value, i) => value / rate('plain')[i])),
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
