// The soak: a thousand real patches applied while the page renders with every worker busy
// and the camera orbiting. Checks that nothing crashes, no frame mixes code versions, no task
// leaks, that the function table and the heap grow by no more than the patches' own table
// and memory sizes (the bound: docs/RELIABILITY.md, "Soak"), and measures the page's speed
// after the patches against before them, and in turns against a fresh page then.
//
//   node scripts/soak.mjs [--patches 1000] [--workers 2] [--out DIR]   (scripts/soak.sh builds first)
//   node scripts/soak.mjs --quick                                       (20 patches: the CI variant)
//
// Patches are built by hotswap/tools/patch_builder.py --serve from edited copies of
// app/hot/sky.cpp in a temporary overlay folder (the tree is not touched). Writes
// soak.json and soak.md into --out (default results/soak-<time>/); exits 1 on a failure.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { launchBrowser, openPage, projectRoot, siteRoot, startServer, waitUntil } from '../tests/browser/harness.mjs';
import { openRaytracerPage, sampleRate } from './benchmark/raytracer_page.mjs';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const quick = process.argv.includes('--quick');
const patchCount = Number(argument('--patches', quick ? 20 : 1000));
const SPEED_WINDOW_SECONDS = quick ? 2 : 6;
const ORBIT_STEP_RADIANS = 0.03;  // after every patch: the page renders and orbits throughout
const workers = Number(argument('--workers', 2));
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = path.resolve(argument('--out', path.join(projectRoot, 'results', `soak-${stamp}`)));
const buildRoot = process.env.BUILD_ROOT || path.join(projectRoot, 'build/wasm');
const SKY = 'app/hot/sky.cpp';

const fail = (message) => { throw new Error(message); };

// The dylink.0 memory and table sizes of a side module (its first section).
function dylinkSizes(bytes) {
  let position = 8;
  const unsigned = () => {
    let result = 0, shift = 0, byte;
    do { byte = bytes[position++]; result += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return result;
  };
  if (bytes[position++] !== 0) fail('a patch without dylink.0 first');
  const end = unsigned() + position;
  position += unsigned();  // the section's name
  while (position < end) {
    const subsection = bytes[position++], size = unsigned(), next = position + size;
    if (subsection === 1) {
      const memory = unsigned(), memoryAlign = unsigned(), table = unsigned();
      return { memory: Math.ceil(memory / Math.max(16, 2 ** memoryAlign)) * Math.max(16, 2 ** memoryAlign), table };
    }
    position = next;
  }
  return { memory: 0, table: 0 };
}

// Samples per second of a still picture: two windows from frame boundary to frame boundary
// (scripts/benchmark/raytracer_page.mjs), after the picture settled; the mean.
async function stillSpeed(page) {
  await page.evaluate(() => raytracerPage.program.resetCamera());
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const windows = [await sampleRate(page, SPEED_WINDOW_SECONDS), await sampleRate(page, SPEED_WINDOW_SECONDS)];
  return windows.reduce((sum, window) => sum + window.samples_per_second, 0) / windows.length;
}

// The main thread's JavaScript heap after a garbage collection (modules and instances of
// patches live there), through the DevTools protocol.
async function javascriptHeap(page) {
  const session = await page.context().newCDPSession(page);
  await session.send('HeapProfiler.collectGarbage');
  const { usedSize } = await session.send('Runtime.getHeapUsage');
  await session.detach();
  return usedSize;
}

// One long-lived builder: JSON request per line in, manifest per line out.
function startBuilder(patchDir, overlay) {
  const child = spawn('python3', [path.join(projectRoot, 'hotswap/tools/patch_builder.py'), '--serve', '--build-dir', buildRoot,
    '--program', path.join(siteRoot, 'raytracer.wasm'), '--patch-dir', patchDir, '--overlay', overlay], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => waiting.shift()(JSON.parse(line)));
  return {
    build: (version, files) => new Promise((resolve) => { waiting.push(resolve); child.stdin.write(JSON.stringify({ version, files }) + '\n'); }),
    stop: () => child.stdin.end(),
  };
}

async function main() {
  const patchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-patches-'));
  const overlay = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-overlay-'));
  fs.mkdirSync(path.join(overlay, 'app/hot'), { recursive: true });
  const original = fs.readFileSync(path.join(projectRoot, SKY), 'utf8');
  const server = await startServer({ patches: patchDir });
  const browser = await launchBrowser();
  const builder = startBuilder(patchDir, overlay);
  const { page, pageErrors } = await openPage(browser,
    `${server.url}index.html?scene=sphere_field.json&width=320&height=180&workers=${workers}`, { waitFor: () => globalThis.raytracerPage?.ready });
  const sample = () => page.evaluate(() => {
    const s = raytracerPage.program.statistics();
    return { frames: s.frames, frameVersion: s.frameVersion, mixed: s.mixedVersionFrames, heapInUse: s.heapInUseBytes, heapTop: s.heapTopBytes,
      table: wasmTable.length, memory: wasmMemory.buffer.byteLength, failures: s.workerFailures,
      workers: s.workers.map((w) => w.status) };
  });
  await waitUntil(page, () => raytracerPage.program.statistics().frames > 3);
  const speedBefore = await stillSpeed(page);
  const javascriptHeapBefore = await javascriptHeap(page);
  const started = performance.now();
  const baseline = await sample();
  let patchMemory = 0, patchTable = 0;  // what the patches declare: the bound of the growth
  const rows = [];
  console.log(`soak: ${patchCount} patches on the page with ${workers} workers rendering; results in ${outDir}`);
  for (let version = 1; version <= patchCount; ++version) {
    // A different sky tint each time, so every patch really changes the code.
    const tint = (0.5 + 0.5 * ((version * 37) % 100) / 100).toFixed(3);
    fs.writeFileSync(path.join(overlay, SKY), original.replace('  return radiance;\n}', `  return radiance * glm::vec3(1.0f, ${tint}f, 1.0f);\n}`));
    const manifest = await builder.build(version, [SKY]);
    if (manifest.failure) fail(`patch ${version} did not build: ${manifest.failure.message}`);
    const moduleData = fs.readFileSync(path.join(patchDir, manifest.module));
    const moduleBytes = moduleData.length;
    const declared = dylinkSizes(moduleData);
    const framesBefore = (await sample()).frames;
    await page.evaluate((m) => HotswapMain.announce({ ...m, module: '/patches/' + m.module }), manifest);
    const entry = await waitUntil(page, ([v, count]) => {
      const e = HotswapMain.entries[v];
      if (!e || e.state === 'rejected') return e ? { rejected: e.failure } : false;
      return e.state === 'applied' && Object.keys(e.workers || {}).length >= count &&
        { compileMs: e.compileMs, applyMainMs: e.applyMainMs, workers: e.workers };
    }, [version, workers], 30000);
    if (entry.rejected) fail(`patch ${version} was rejected: ${JSON.stringify(entry.rejected)}`);
    await waitUntil(page, (v) => raytracerPage.program.statistics().frameVersion === v, version, 30000);
    const slots = await page.evaluate((v) => HotswapMain.entries[v].plan.tableLength - HotswapMain.entries[v].plan.tableBase, version);
    patchMemory += declared.memory;
    patchTable += slots;  // its dylink.0 table size and a slot per function it adds
    await page.evaluate((step) => raytracerPage.program.orbit(step, 0), ORBIT_STEP_RADIANS);
    const now = await sample();
    if (now.mixed !== 0) fail(`after patch ${version}: ${now.mixed} frames mixed versions`);
    if (now.failures !== baseline.failures) fail(`after patch ${version}: a worker failed`);
    if (pageErrors.length) fail(`page errors: ${pageErrors.join('; ')}`);
    if (now.frames <= framesBefore) fail(`after patch ${version}: rendering stopped`);
    rows.push({ version, moduleBytes, buildMs: manifest.build_ms, applyMainMs: entry.applyMainMs,
      workersMs: Object.values(entry.workers), table: now.table, heapInUse: now.heapInUse, heapTop: now.heapTop });
    if (version % 25 === 0 || version === patchCount) {
      console.log(`soak: [${version}/${patchCount}] table ${now.table}, heap in use ${(now.heapInUse / 1048576).toFixed(2)} MiB, frames ${now.frames}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const javascriptHeapAfter = await javascriptHeap(page);
  // Pause rendering; every task must then drain.
  const pause = (which) => which.evaluate(() => raytracerPage.program.setSampleLimit(1));
  const resume = (which) => which.evaluate(() => raytracerPage.program.setSampleLimit(0));
  await pause(page);
  await waitUntil(page, () => raytracerPage.program.statistics().idle && Module._wwm_detail_tasks_in_flight() === 0, undefined, 30000);
  const end = await sample();
  // Speed after the patches, in turns with a page that never saw a patch (one renders while
  // the other is paused), so that both see the machine as it is now: its load may have
  // changed since the start.
  const fresh = await openRaytracerPage(browser, server.url, { scene: 'sphere_field.json', width: 320, height: 180, workers });
  const afterTurns = [], freshTurns = [];
  for (let turn = 0; turn < 2; ++turn) {
    await pause(fresh.page);
    await resume(page);
    afterTurns.push(await stillSpeed(page));
    await pause(page);
    await resume(fresh.page);
    freshTurns.push(await stillSpeed(fresh.page));
  }
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const speedAfter = mean(afterTurns), speedFresh = mean(freshTurns);
  await page.close();
  // The growth the patches' own sizes allow: the table exactly; the heap up to their memory
  // (and the frames in flight when the first sample was taken: one accumulation buffer).
  const tableGrowth = end.table - baseline.table;
  if (tableGrowth !== patchTable) fail(`the table grew by ${tableGrowth} entries, the patches declare ${patchTable}`);
  const heapSlack = 320 * 180 * 16 + 65536;
  const heapGrowth = end.heapInUse - baseline.heapInUse;
  if (heapGrowth > patchMemory + heapSlack) fail(`the heap in use grew by ${heapGrowth} bytes, the patches declare ${patchMemory}`);
  const meanModule = rows.reduce((sum, row) => sum + row.moduleBytes, 0) / rows.length;
  const result = {
    patches: patchCount, workers, seconds: +seconds.toFixed(1), frames: end.frames - baseline.frames, mixedVersionFrames: end.mixed,
    workerFailures: end.failures - baseline.failures, tasksInFlightAtEnd: 0,
    memoryBytes: end.memory,
    tableGrowthPerPatch: (end.table - baseline.table) / patchCount,
    heapInUseGrowthPerPatch: (end.heapInUse - baseline.heapInUse) / patchCount,
    heapTopGrowthPerPatch: (end.heapTop - baseline.heapTop) / patchCount,
    patchMemoryPerPatch: patchMemory / patchCount,
    patchTablePerPatch: patchTable / patchCount,
    javascriptHeapGrowthPerPatch: (javascriptHeapAfter - javascriptHeapBefore) / patchCount,
    speedBefore, speedAfter, speedFresh, speedAfterOverBefore: speedAfter / speedBefore, speedAfterOverFresh: speedAfter / speedFresh,
    meanPatchModuleBytes: meanModule,
    baseline, end, rows,
  };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'soak.json'), JSON.stringify(result, null, 1));
  const table = [
    `# Soak: ${patchCount} patches while rendering and orbiting`, '',
    `Command: \`node scripts/soak.mjs --patches ${patchCount} --workers ${workers}\` (${os.cpus()[0].model}, ${os.cpus().length} cores)`, '',
    '| measure | value |', '| --- | --- |',
    `| patches applied on every thread | ${patchCount} |`, `| frames rendered meanwhile | ${result.frames} |`,
    `| frames mixing versions | ${result.mixedVersionFrames} |`, `| worker failures | ${result.workerFailures} |`,
    `| tasks in flight at the end | 0 |`, `| wall time | ${result.seconds} s |`,
    `| function table: start → end | ${baseline.table} → ${end.table} (${result.tableGrowthPerPatch.toFixed(1)} entries per patch; the patches declare ${result.patchTablePerPatch.toFixed(1)}) |`,
    `| heap in use: start → end | ${(baseline.heapInUse / 1048576).toFixed(2)} → ${(end.heapInUse / 1048576).toFixed(2)} MiB (${(result.heapInUseGrowthPerPatch / 1024).toFixed(2)} KiB per patch; the patches declare ${(result.patchMemoryPerPatch / 1024).toFixed(2)} KiB) |`,
    `| heap top: start → end | ${(baseline.heapTop / 1048576).toFixed(2)} → ${(end.heapTop / 1048576).toFixed(2)} MiB |`,
    `| main thread's JS heap (after GC): start → end | ${(javascriptHeapBefore / 1048576).toFixed(1)} → ${(javascriptHeapAfter / 1048576).toFixed(1)} MiB (${(result.javascriptHeapGrowthPerPatch / 1024).toFixed(1)} KiB per patch) |`,
    `| samples per second, still picture: before → after the patches | ${(speedBefore / 1e6).toFixed(2)} → ${(speedAfter / 1e6).toFixed(2)} M (${result.speedAfterOverBefore.toFixed(2)}×) |`,
    `| samples per second of a fresh page then, in turns with the soaked page | ${(speedFresh / 1e6).toFixed(2)} M (after / fresh: ${result.speedAfterOverFresh.toFixed(2)}×) |`,
    `| mean patch module size | ${(meanModule / 1024).toFixed(2)} KiB |`,
    `| WebAssembly memory | ${end.memory / 1048576} MiB (fixed size: the build does not grow memory) |`,
  ].join('\n');
  fs.writeFileSync(path.join(outDir, 'soak.md'), table + '\n');
  console.log(table);
  builder.stop();
  await browser.close();
  server.stop();
  for (const folder of [patchDir, overlay]) fs.rmSync(folder, { recursive: true, force: true });
}

main().catch((error) => { console.error(`soak: FAILED: ${error.message}`); process.exit(1); });
