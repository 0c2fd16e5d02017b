// The soak: hundreds of real patches applied while the page renders with every worker busy.
// Checks that nothing crashes, no frame mixes code versions, no task leaks, and measures how
// memory and the function table grow per patch against the patch's own size.
//
//   node scripts/soak.mjs [--patches 500] [--workers 2] [--out DIR]    (scripts/soak.sh builds first)
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

const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const quick = process.argv.includes('--quick');
const patchCount = Number(argument('--patches', quick ? 20 : 500));
const workers = Number(argument('--workers', 2));
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = path.resolve(argument('--out', path.join(projectRoot, 'results', `soak-${stamp}`)));
const buildRoot = process.env.BUILD_ROOT || path.join(projectRoot, 'build/wasm');
const SKY = 'app/hot/sky.cpp';

const fail = (message) => { throw new Error(message); };

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
  const started = performance.now();
  const baseline = await sample();
  const rows = [];
  console.log(`soak: ${patchCount} patches on the page with ${workers} workers rendering; results in ${outDir}`);
  for (let version = 1; version <= patchCount; ++version) {
    // A different sky tint each time, so every patch really changes the code.
    const tint = (0.5 + 0.5 * ((version * 37) % 100) / 100).toFixed(3);
    fs.writeFileSync(path.join(overlay, SKY), original.replace('  return radiance;\n}', `  return radiance * glm::vec3(1.0f, ${tint}f, 1.0f);\n}`));
    const manifest = await builder.build(version, [SKY]);
    if (manifest.failure) fail(`patch ${version} did not build: ${manifest.failure.message}`);
    const moduleBytes = fs.statSync(path.join(patchDir, manifest.module)).size;
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
  // Pause rendering; every task must then drain.
  await page.evaluate(() => raytracerPage.program.setSampleLimit(1));
  await waitUntil(page, () => raytracerPage.program.statistics().idle && Module._wwm_detail_tasks_in_flight() === 0, undefined, 30000);
  const end = await sample();
  const seconds = (performance.now() - started) / 1000;
  const meanModule = rows.reduce((sum, row) => sum + row.moduleBytes, 0) / rows.length;
  const result = {
    patches: patchCount, workers, seconds: +seconds.toFixed(1), frames: end.frames - baseline.frames, mixedVersionFrames: end.mixed,
    workerFailures: end.failures - baseline.failures, tasksInFlightAtEnd: 0,
    memoryBytes: end.memory,
    tableGrowthPerPatch: (end.table - baseline.table) / patchCount,
    heapInUseGrowthPerPatch: (end.heapInUse - baseline.heapInUse) / patchCount,
    heapTopGrowthPerPatch: (end.heapTop - baseline.heapTop) / patchCount,
    meanPatchModuleBytes: meanModule,
    baseline, end, rows,
  };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'soak.json'), JSON.stringify(result, null, 1));
  const table = [
    `# Soak: ${patchCount} patches while rendering`, '',
    `Command: \`node scripts/soak.mjs --patches ${patchCount} --workers ${workers}\` (${os.cpus()[0].model}, ${os.cpus().length} cores)`, '',
    '| measure | value |', '| --- | --- |',
    `| patches applied on every thread | ${patchCount} |`, `| frames rendered meanwhile | ${result.frames} |`,
    `| frames mixing versions | ${result.mixedVersionFrames} |`, `| worker failures | ${result.workerFailures} |`,
    `| tasks in flight at the end | 0 |`, `| wall time | ${result.seconds} s |`,
    `| function table: start → end | ${baseline.table} → ${end.table} (${result.tableGrowthPerPatch.toFixed(1)} entries per patch) |`,
    `| heap in use: start → end | ${(baseline.heapInUse / 1048576).toFixed(2)} → ${(end.heapInUse / 1048576).toFixed(2)} MiB (${(result.heapInUseGrowthPerPatch / 1024).toFixed(2)} KiB per patch) |`,
    `| heap top: start → end | ${(baseline.heapTop / 1048576).toFixed(2)} → ${(end.heapTop / 1048576).toFixed(2)} MiB |`,
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
