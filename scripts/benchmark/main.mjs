// The benchmark driver behind scripts/bench.sh (which builds first): runs every measure
// against the native renderer and the page in headless Chromium, shows a line per step,
// writes results/<UTC time>/{results.json, results.md, plot.svg} (and results/latest),
// checks the results are complete and well formed (exit 1 if not), and after a full run
// refreshes docs/BENCHMARKS.md, docs/benchmarks.svg and the README's summary.
//
//   node scripts/benchmark/main.mjs [--quick] [--results-dir DIR] [--no-docs] [--only m1,m2]
//                                  [--native-build DIR] [--wasm-build DIR] [--wait-for-load L]
// --wait-for-load L: before measuring, wait (up to an hour) until the 1-minute load average
// is below L: other processes' work skews every timing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, projectRoot, startServer } from '../../tests/browser/harness.mjs';
import { updateDocs } from './docs_update.mjs';
import { describeMachine, loadAverage } from './machine.mjs';
import * as benchPrograms from './measures/bench_programs.mjs';
import * as compare from './measures/compare.mjs';
import * as convergence from './measures/convergence.mjs';
import * as pageLoad from './measures/page_load.mjs';
import * as patching from './measures/patching.mjs';
import * as routing from './measures/routing.mjs';
import * as scaling from './measures/scaling.mjs';
import * as throughput from './measures/throughput.mjs';
import { Progress } from './progress.mjs';
import { markdownReport } from './report_markdown.mjs';
import { svgPlot } from './report_svg.mjs';
import { MEASURES, SCHEMA_VERSION, validateResults } from './schema.mjs';
import { benchmarkSettings } from './settings.mjs';

// Each module and the measures (results.json keys) it produces, in the order they run.
const MODULES = [
  { module: throughput, produces: ['throughput'] },
  { module: scaling, produces: ['scaling'] },
  { module: pageLoad, produces: ['page_load'] },
  { module: routing, produces: ['routing'] },
  { module: benchPrograms, produces: ['hot_call_overhead', 'main_module_vs_plain'] },
  { module: patching, produces: ['patch_latency', 'patch_memory', 'restart_latency'] },
  { module: convergence, produces: ['convergence'] },
  { module: compare, produces: ['compare'] },
];

function parseCommandLine() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      'results-dir': { type: 'string', default: path.join(projectRoot, 'results') },
      'no-docs': { type: 'boolean', default: false },
      only: { type: 'string' },
      'native-build': { type: 'string', default: path.join(projectRoot, 'build/native') },
      'wasm-build': { type: 'string', default: path.join(projectRoot, 'build/wasm') },
      'wait-for-load': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    const lines = fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n');
    console.log(lines.slice(0, lines.findIndex((line) => !line.startsWith('//'))).map((line) => line.slice(3)).join('\n'));
    process.exit(0);
  }
  const only = values.only ? values.only.split(',') : MEASURES;
  const unknown = only.filter((name) => !MEASURES.includes(name));
  if (unknown.length) {
    console.error(`bench: unknown measure(s) ${unknown.join(', ')}; known: ${MEASURES.join(', ')}`);
    process.exit(2);
  }
  return { ...values, only };
}

function requireFile(file, hint) {
  if (!fs.existsSync(file)) {
    console.error(`bench: ${file} is missing: ${hint}`);
    process.exit(2);
  }
}

async function waitForLoadBelow(limit) {
  const deadline = Date.now() + 3600 * 1000;
  let said = 0;
  while (loadAverage()[0] >= limit && Date.now() < deadline) {
    if (Date.now() - said > 60000) {
      console.log(`bench: waiting for the 1-minute load average (${loadAverage().join(' ')}) to fall below ${limit}`);
      said = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}

const utcStamp = (date) => date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');

async function main() {
  const options = parseCommandLine();
  if (options['wait-for-load'] !== undefined) await waitForLoadBelow(Number(options['wait-for-load']));
  const started = new Date();
  const command = process.env.BENCH_COMMAND || `node scripts/benchmark/main.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const siteRoot = path.join(options['wasm-build'], 'site');
  const renderer = path.join(options['native-build'], 'app/native/render');
  requireFile(renderer, 'build the native preset (scripts/build.sh native)');
  requireFile(path.join(siteRoot, 'raytracer.wasm'), 'build the wasm preset (scripts/build.sh wasm)');
  requireFile(path.join(siteRoot, 'bench/bench_plain.wasm'), 'build the benchmark programs (cmake --build --preset wasm --target bench_programs)');

  // The run measures what was built when it started: a rebuild by someone else while it runs
  // (the renderer relinked, the page's program replaced) must not change or break it.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const siteCopy = path.join(scratch, 'site');
  fs.cpSync(siteRoot, siteCopy, { recursive: true, filter: (source) => path.relative(siteRoot, source) !== 'tests' });
  const rendererCopy = path.join(scratch, 'render');
  fs.copyFileSync(renderer, rendererCopy);
  fs.chmodSync(rendererCopy, 0o755);
  const server = await startServer({ root: siteCopy });
  const browser = await launchBrowser();
  const cleanups = [];
  const context = {
    projectRoot, siteRoot: siteCopy, server, browser, cleanups, wasmBuild: options['wasm-build'],
    native: { renderer: rendererCopy, scenesDir: path.join(projectRoot, 'app/scenes'), scratch },
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
  };
  const probe = await browser.newPage();
  context.hardwareConcurrency = await probe.evaluate(() => navigator.hardwareConcurrency);
  await probe.close();
  const settings = benchmarkSettings({ quick: options.quick, hardwareConcurrency: context.hardwareConcurrency });
  const machine = describeMachine({ projectRoot, chromiumVersion: browser.version(), hardwareConcurrency: context.hardwareConcurrency });
  console.log(`bench: ${settings.mode} run; ${machine.cpu_model}, ${machine.logical_cores} cores; Chromium ${machine.chromium_version}; ` +
    `load average ${machine.load_average_at_start.join(' ')}`);
  if (!options.quick && machine.load_average_at_start[0] > 1) {
    console.log(`bench: warning: the 1-minute load average is ${machine.load_average_at_start[0]}: other processes will skew the timings`);
  }

  const chosen = MODULES.filter(({ produces }) => produces.some((name) => options.only.includes(name)));
  const plans = chosen.map(({ module }) => module.plan(settings, context));
  const steps = plans.flatMap((plan, index) => plan.steps.map((step) => ({ ...step, plan: index })));
  const progress = new Progress(steps);
  const measures = {};
  const errors = [];
  const stepRecords = [];  // how long each step took and how busy the machine was as it began
  let stepIndex = 0;
  try {
    for (const [index, plan] of plans.entries()) {
      let failed = false;
      for (const step of plan.steps) {
        progress.begin(stepIndex);
        const stepStarted = Date.now();
        const loadAtStart = loadAverage()[0];
        if (!failed) {
          try {
            await step.run();
          } catch (error) {
            failed = true;
            errors.push({ step: step.label, message: error.message.split('\n').slice(0, 6).join(' | ') });
            console.error(`bench: step failed: ${step.label}: ${error.stack || error.message}`);
          }
        } else {
          progress.note('skipped: an earlier step of this measure failed');
        }
        stepRecords.push({ label: step.label, seconds: Math.round((Date.now() - stepStarted) / 100) / 10, load_average_at_start: loadAtStart });
        progress.end(stepIndex++);
      }
      if (!failed) {
        try {
          Object.assign(measures, plan.finish());
        } catch (error) {
          errors.push({ step: `results of ${chosen[index].produces.join(', ')}`, message: error.message });
        }
      }
    }
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try { await cleanup(); } catch (error) { console.error(`bench: cleaning up: ${error.message}`); }
    }
    await browser.close();
    server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  machine.load_average_at_end = loadAverage();

  const finished = new Date();
  const results = {
    schema_version: SCHEMA_VERSION, mode: settings.mode, command,
    started_at: started.toISOString(), finished_at: finished.toISOString(),
    duration_seconds: Math.round((finished - started) / 100) / 10,
    machine, settings, measures, errors, steps: stepRecords,
  };
  const folder = path.join(options['results-dir'], utcStamp(started));
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'results.json'), JSON.stringify(results, null, 1) + '\n');
  const problems = validateResults(results, { only: options.only });
  let svg = null;
  try {
    fs.writeFileSync(path.join(folder, 'results.md'), markdownReport(results));
    svg = svgPlot(results);
    fs.writeFileSync(path.join(folder, 'plot.svg'), svg);
  } catch (error) {
    problems.push(`writing results.md and plot.svg failed: ${error.message}`);
  }
  const latest = path.join(options['results-dir'], 'latest');
  fs.rmSync(latest, { recursive: true, force: true });
  try {
    fs.symlinkSync(path.basename(folder), latest);
  } catch {
    fs.cpSync(folder, latest, { recursive: true });
  }

  console.log(`bench: results in ${folder} (also ${latest}), ${Math.round(results.duration_seconds)} s`);
  if (problems.length) {
    console.error(`bench: the results are incomplete or malformed (${problems.length} problem(s)):`);
    for (const problem of problems) console.error(`  - ${problem}`);
    process.exitCode = 1;
    return;
  }
  console.log('bench: every measure produced a complete, well-formed result');
  const everything = options.only.length === MEASURES.length;
  if (!options.quick && !options['no-docs'] && everything) {
    updateDocs({ projectRoot, results, svg, resultsFolder: folder });
    console.log('bench: refreshed docs/BENCHMARKS.md, docs/benchmarks.svg and the README\'s Benchmarks section');
  }
}

main().catch((error) => {
  console.error(`bench: ${error.stack || error.message}`);
  process.exitCode = 1;
});
