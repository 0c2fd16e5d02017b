// Two builds of the page side by side, for a change to the page's own code (the frame loop):
// the samples per second of each, from pages served from two site folders, measured in turns
// (the order swapped every round) so a drift of the machine's load hits both alike. An
// analysis run by hand (docs/BENCHMARKS.md, "Per thread: where the page's time goes"):
//   node scripts/benchmark/page_builds_ab.mjs --a DIR/site --b DIR/site [--scenes a.json,b.json]
//        [--workers 1,2] [--width W] [--height H] [--rounds N] [--out FILE.json]
//        [--a-patches DIR] [--b-patches DIR]   (a patch folder the page applies as it loads)
//        [--js-flags FLAGS]   (V8's flags for both, e.g. --no-wasm-inlining)
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { launchBrowser, startServer } from '../../tests/browser/harness.mjs';
import { measureFreshPage } from './raytracer_page.mjs';
import { SCENES } from './settings.mjs';
import { percentile } from './statistics.mjs';

const { values: options } = parseArgs({
  options: {
    a: { type: 'string' }, b: { type: 'string' }, out: { type: 'string' },
    'a-patches': { type: 'string' }, 'b-patches': { type: 'string' }, 'js-flags': { type: 'string' },
    scenes: { type: 'string', default: SCENES.join(',') }, workers: { type: 'string', default: '1,2' },
    width: { type: 'string', default: '640' }, height: { type: 'string', default: '360' }, rounds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' }, window: { type: 'string', default: '4' },
  },
});
if (!options.a || !options.b) {
  console.error('usage: page_builds_ab.mjs --a SITE_DIR --b SITE_DIR [...]');
  process.exit(2);
}
const width = Number(options.width), height = Number(options.height), rounds = Number(options.rounds);
const servers = { a: await startServer({ root: options.a, patches: options['a-patches'] }),
  b: await startServer({ root: options.b, patches: options['b-patches'] }) };
const browser = await launchBrowser({ extraArguments: options['js-flags'] ? [`--js-flags=${options['js-flags']}`] : [] });
const results = { a: options.a, b: options.b, width, height, rounds, load_average_at_start: os.loadavg(), rows: [] };

async function measure(build, scene, workers) {
  const measured = await measureFreshPage(browser, servers[build].url, { scene, width, height, workers },
    { warmupSeconds: Number(options.warmup), windowSeconds: Number(options.window) });
  return { samples_per_second: measured.samples_per_second, frame_ms: measured.seconds * 1000 / measured.frames,
    frame_growth: measured.statistics.frameGrowth ?? 1, version: measured.statistics.patchVersion };
}

try {
  for (const scene of options.scenes.split(',')) {
    for (const workers of options.workers.split(',').map(Number)) {
      const taken = { a: [], b: [] };
      for (let round = 0; round < rounds; ++round) {
        for (const build of round % 2 === 0 ? ['a', 'b'] : ['b', 'a']) taken[build].push(await measure(build, scene, workers));
      }
      const median = (build, key) => percentile(taken[build].map((t) => t[key]), 0.5);
      const ratios = taken.b.map((t, i) => t.samples_per_second / taken.a[i].samples_per_second);
      const row = { scene, workers, a: taken.a, b: taken.b, b_over_a_median: percentile(ratios, 0.5), b_over_a_min: Math.min(...ratios), b_over_a_max: Math.max(...ratios) };
      results.rows.push(row);
      console.log(`${scene}, ${workers} worker(s): a ${(median('a', 'samples_per_second') / 1e6).toFixed(2)} M/s (frame ${median('a', 'frame_ms').toFixed(0)} ms), ` +
        `b ${(median('b', 'samples_per_second') / 1e6).toFixed(2)} M/s (frame ${median('b', 'frame_ms').toFixed(0)} ms, growth ${median('b', 'frame_growth')}); ` +
        `b / a ${row.b_over_a_median.toFixed(2)}x (${row.b_over_a_min.toFixed(2)}–${row.b_over_a_max.toFixed(2)})`);
    }
  }
} finally {
  await browser.close();
  servers.a.stop();
  servers.b.stop();
}
results.load_average_at_end = os.loadavg();
if (options.out) fs.writeFileSync(options.out, JSON.stringify(results, null, 1) + '\n');
