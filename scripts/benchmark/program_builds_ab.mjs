// Builds of the benchmark program side by side, for a change to how the program is compiled
// or linked (the link's optimisation level, the routing): each build on its own benchmark
// page (site/bench/, one thread, no workers, no presenting), warmed up, then rendered in
// turns, the order rotated every round, so a drift of the machine's load hits them alike.
// Prints the median samples per second of each and its ratio to the first. An analysis run
// by hand (docs/BENCHMARKS.md, "Link optimisation level"):
//   node scripts/benchmark/program_builds_ab.mjs --programs bench_main_module,bench_O3[,...]
//        [--scenes a.json,b.json] [--width W] [--height H] [--samples N] [--rounds N] [--warmup S]
// A build other than app/bench's is made by hand beside them, e.g. its link command
// (`ninja -C build/wasm -t commands site/bench/bench_main_module.js | tail -1`) with another
// -O flag and `-o site/bench/bench_O3.js`, then hotswap/tools/fix_start_order.py on its .wasm.
import { parseArgs } from 'node:util';
import { launchBrowser, startServer, waitUntil } from '../../tests/browser/harness.mjs';
import { SCENES } from './settings.mjs';
import { percentile } from './statistics.mjs';

const { values: options } = parseArgs({
  options: {
    programs: { type: 'string' }, scenes: { type: 'string', default: SCENES.join(',') },
    width: { type: 'string', default: '320' }, height: { type: 'string', default: '180' }, samples: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '7' }, warmup: { type: 'string', default: '2' },
  },
});
if (!options.programs) {
  console.error('usage: program_builds_ab.mjs --programs NAME,NAME[,...] [...]');
  process.exit(2);
}
const programs = options.programs.split(',');
const server = await startServer({});
const browser = await launchBrowser();
try {
  const pages = {};
  for (const program of programs) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}bench/index.html?program=${program}`);
    const state = await waitUntil(page, () => globalThis.benchPage && (globalThis.benchPage.ready ? 'ready' : globalThis.benchPage.error), null, 60000);
    if (state !== 'ready') throw new Error(`${program}: ${state}`);
    pages[program] = page;
  }
  const render = (program, scene, samples) => pages[program].evaluate(([s, w, h, n]) => benchPage.render(s, w, h, n),
    [scene, Number(options.width), Number(options.height), samples]);
  for (const scene of options.scenes.split(',')) {
    for (const program of programs) {
      const until = Date.now() + Number(options.warmup) * 1000;
      do await render(program, scene, 1); while (Date.now() < until);
    }
    const rates = Object.fromEntries(programs.map((program) => [program, []]));
    for (let round = 0; round < Number(options.rounds); ++round) {
      for (let k = 0; k < programs.length; ++k) {
        const program = programs[(k + round) % programs.length];
        rates[program].push((await render(program, scene, Number(options.samples))).samples_per_second);
      }
    }
    const median = (program) => percentile(rates[program], 0.5);
    console.log(`${scene}: ` + programs.map((program, i) => `${program} ${(median(program) / 1e6).toFixed(3)} M/s` +
      (i ? ` (${(median(program) / median(programs[0])).toFixed(3)}x)` : '')).join(', '));
  }
} finally {
  await browser.close();
  server.stop();
}
