// Where the page's time goes against the native renderer, one thread, step by step from the
// native renderer to the page (docs/BENCHMARKS.md, "Per thread: where the page's time goes"):
//   1. native, each pixel's samples at once (render --threads 1), the renderer's own order;
//   2. native in the page's order: frames of one sample of every pixel, each frame resolved
//      (render --frame-samples 1), with the resolve (tone map) timed apart;
//   3. the same code as WebAssembly, alone in Chromium: the benchmark program (app/bench/,
//      the page's build: main module, jump table), page order, every frame resolved;
//   4. the page with 1 worker at S samples per frame (S = 1, 2, 4, 8): each frame's fixed
//      costs (starting it, resolving, presenting, the round trips between the main thread and
//      the worker) shared by S samples, and S samples of a pixel taken at once.
// Every figure is taken once per round, the rounds repeated (median). It prints a table per
// scene and writes the figures, every round's too, as JSON. Not part of bench.sh: it is an
// analysis, run by hand on a quiet machine after scripts/bench.sh (or its builds):
//   node scripts/benchmark/per_thread_breakdown.mjs [--out FILE.json] [--scenes a.json,b.json]
//        [--width W] [--height H] [--repetitions N] [--native-build DIR] [--wasm-build DIR]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, projectRoot, startServer, waitUntil } from '../../tests/browser/harness.mjs';
import { renderNative } from './native_renderer.mjs';
import { checkNoPageErrors, openRaytracerPage, sampleRate } from './raytracer_page.mjs';
import { SCENES } from './settings.mjs';
import { percentile } from './statistics.mjs';

const { values: options } = parseArgs({
  options: {
    out: { type: 'string' },
    scenes: { type: 'string', default: SCENES.join(',') },
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '360' },
    repetitions: { type: 'string', default: '5' },
    'native-build': { type: 'string', default: path.join(projectRoot, 'build/native') },
    'wasm-build': { type: 'string', default: path.join(projectRoot, 'build/wasm') },
  },
});
const width = Number(options.width), height = Number(options.height), repetitions = Number(options.repetitions);
const SAMPLES_PER_FRAME = [1, 2, 4, 8];
const median = (values) => percentile(values, 0.5);
const million = (value) => `${(value / 1e6).toFixed(2)} M`;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'breakdown-'));
const native = { renderer: path.join(options['native-build'], 'app/native/render'), scenesDir: path.join(projectRoot, 'app/scenes'), scratch };
const server = await startServer({ root: path.join(options['wasm-build'], 'site') });
const browser = await launchBrowser();
const results = { width, height, repetitions, started_at: new Date().toISOString(), load_average_at_start: os.loadavg(), scenes: [] };

// Each figure is taken once per round and the rounds repeat, so a drift of the machine's load
// hits every figure alike; the page is paused (sample limit) while the others run.
async function nativeRate(scene, frameSamples) {
  const stats = await renderNative({ ...native, scene, width, height, threads: 1, samplesPerPixel: 8, frameSamples });
  return { samples_per_second: stats.samples_per_second, resolve_share: stats.resolve_seconds / stats.seconds };
}

async function openBenchProgram() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}bench/index.html?program=bench_main_module`);
  await waitUntil(page, () => globalThis.benchPage?.ready, null, 60000);
  return { page, close: () => context.close() };
}
const renderAlone = (bench, scene, samples) =>
  bench.page.evaluate(([name, w, h, n]) => benchPage.render(name, w, h, n, false), [scene, width, height, samples]);

const pause = (page) => page.evaluate(async () => {
  const program = raytracerPage.program;
  program.setSampleLimit(program.statistics().accumulatedSamples + 1);
  while (!program.statistics().idle) await new Promise((resolve) => setTimeout(resolve, 5));
});
const resume = (page) => page.evaluate(() => raytracerPage.program.setSampleLimit(0));

async function pageRate(page, samplesPerFrame) {
  await page.evaluate((n) => raytracerPage.program.setSamplesPerFrame(n), samplesPerFrame);
  await resume(page);
  await page.waitForTimeout(300);  // a frame of the new size under way
  const measured = await sampleRate(page, 3);
  await pause(page);
  return { samples_per_second: measured.samples_per_second, frame_ms: measured.seconds * 1000 / measured.frames };
}

const SUMMARY_KEYS = ['samples_per_second', 'resolve_share', 'frame_ms'];
const medians = (list) => Object.fromEntries(SUMMARY_KEYS.filter((key) => key in list[0]).map((key) => [key, median(list.map((item) => item[key]))]));

try {
  for (const scene of options.scenes.split(',')) {
    console.log(`${scene}: warming up...`);
    await renderNative({ ...native, scene, width, height, threads: 1, samplesPerPixel: 1 });
    const bench = await openBenchProgram();
    const opened = await openRaytracerPage(browser, server.url, { scene, width, height, workers: 1 });
    try {
      const until = Date.now() + 3000;
      do await renderAlone(bench, scene, 1); while (Date.now() < until);  // the engine's top tier
      await opened.page.waitForTimeout(3000);
      await pause(opened.page);
      const rounds = { pixelOrder: [], pageOrder: [], alone: [], page: Object.fromEntries(SAMPLES_PER_FRAME.map((n) => [n, []])) };
      for (let round = 0; round < repetitions; ++round) {
        console.log(`${scene}: round ${round + 1} of ${repetitions}`);
        rounds.pixelOrder.push(await nativeRate(scene, 0));
        rounds.pageOrder.push(await nativeRate(scene, 1));
        rounds.alone.push({ samples_per_second: (await renderAlone(bench, scene, 2)).samples_per_second });
        for (const samplesPerFrame of SAMPLES_PER_FRAME) rounds.page[samplesPerFrame].push(await pageRate(opened.page, samplesPerFrame));
      }
      checkNoPageErrors(opened, scene);
      const pixelOrder = medians(rounds.pixelOrder), pageOrder = medians(rounds.pageOrder), alone = medians(rounds.alone);
      const page = SAMPLES_PER_FRAME.map((n) => ({ samples_per_frame: n, ...medians(rounds.page[n]) }));
      // Frame time = fixed + per-pass * S: a least-squares line through the page's frame times.
      const xs = page.map((p) => p.samples_per_frame), ys = page.map((p) => p.frame_ms);
      const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
      const slope = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0) / xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
      const fixedMs = my - slope * mx;
      results.scenes.push({ scene, native_pixel_order: pixelOrder, native_page_order: pageOrder, webassembly_alone: alone, page,
        page_frame_fit: { fixed_ms: fixedMs, per_sample_pass_ms: slope }, rounds });

      const base = pixelOrder.samples_per_second;
      const ratio = (value) => `${(value / base).toFixed(2)}x`;
      console.log(`\n${scene}, ${width}x${height}, one thread (median of ${repetitions} rounds; ratio to native in its own order):`);
      console.log(`  native, each pixel's samples at once      ${million(base)}  1.00x`);
      console.log(`  native, page order (1 sample a frame)     ${million(pageOrder.samples_per_second)}  ${ratio(pageOrder.samples_per_second)}` +
        `  (resolve ${(pageOrder.resolve_share * 100).toFixed(1)} % of its time)`);
      console.log(`  WebAssembly alone, page order             ${million(alone.samples_per_second)}  ${ratio(alone.samples_per_second)}`);
      for (const p of page) {
        console.log(`  page, 1 worker, ${p.samples_per_frame} sample(s) per frame        ${million(p.samples_per_second)}  ` +
          `${ratio(p.samples_per_second)}  (frame ${p.frame_ms.toFixed(1)} ms)`);
      }
      console.log(`  page frame time ≈ ${fixedMs.toFixed(1)} ms + ${slope.toFixed(1)} ms per sample of every pixel\n`);
    } finally {
      await opened.context.close();
      await bench.close();
    }
  }
} finally {
  await browser.close();
  server.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
}
results.load_average_at_end = os.loadavg();
if (options.out) fs.writeFileSync(options.out, JSON.stringify(results, null, 1) + '\n');
