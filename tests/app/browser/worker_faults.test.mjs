// Worker faults in the real page: a task that throws once, a patch that traps on some
// pixels, the same in zero-worker mode. The failed worker shows as Failed with its error,
// a replacement (a new id) gets every applied patch, the unfinished tiles are finished
// elsewhere and the frame completes bit-identical to a render without the fault; a patch
// that keeps failing is rolled back everywhere. No task leaks. And patches that hang: an
// endless loop on every worker, or on one pixel only (allocating as it spins), is noticed,
// its workers replaced and the patch rolled back, never given to the replacements; a very
// slow but finite patch is left to finish.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, openPage, projectRoot, siteRoot, startServer, waitUntil } from '../../browser/harness.mjs';
import { compareImages, readPng } from '../../browser/png.mjs';

const run = promisify(execFile);
const SHADE = 'app/hot/shade.cpp';
const SCENE = 'sphere_field.json', WIDTH = 160, HEIGHT = 90, SAMPLES = 5;
const buildRoot = process.env.BUILD_ROOT || path.join(projectRoot, 'build/wasm');
const nativeRender = path.join(process.env.NATIVE_BUILD_ROOT || path.join(projectRoot, 'build/native'), 'app/native/render');
let server, browser, page, overlay, patchDir, version = 0, nativeImage;

before(async () => {
  patchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-patches-'));
  overlay = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-overlay-'));
  server = await startServer({ patches: patchDir });
  browser = await launchBrowser();
  ({ page } = await openPage(browser, `${server.url}index.html?scene=${SCENE}&width=${WIDTH}&height=${HEIGHT}&workers=2&limit=${SAMPLES}`,
    { waitFor: () => globalThis.raytracerPage?.ready }));
  const out = path.join(patchDir, 'native.png');
  execFileSync(nativeRender, ['--scene', path.join(projectRoot, 'app/scenes', SCENE), '--width', String(WIDTH), '--height', String(HEIGHT),
    '--spp', String(SAMPLES), '--threads', '2', '--out', out]);
  nativeImage = readPng(out);
});
after(async () => {
  await browser?.close();
  server?.stop();
  for (const folder of [patchDir, overlay]) fs.rmSync(folder, { recursive: true, force: true });
});

const stats = () => page.evaluate(() => raytracerPage.program.statistics());

// Builds a patch of shade.cpp from an edited copy, announces it, waits until it settled.
async function patchShade(transform) {
  version += 1;
  const original = fs.readFileSync(path.join(projectRoot, SHADE), 'utf8');
  const edited = transform(original);
  assert.notEqual(edited, original);
  fs.mkdirSync(path.join(overlay, 'app/hot'), { recursive: true });
  fs.writeFileSync(path.join(overlay, SHADE), edited);
  try {
    await run('python3', [path.join(projectRoot, 'hotswap/tools/patch_builder.py'), '--build-dir', buildRoot, '--program',
      path.join(siteRoot, 'raytracer.wasm'), '--patch-dir', patchDir, '--overlay', overlay, '--version', String(version), SHADE]);
  } catch (error) {
    throw new Error(`the patch did not build: ${error.stdout}`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(patchDir, `patch-${String(version).padStart(6, '0')}.json`), 'utf8'));
  await page.evaluate((m) => HotswapMain.announce({ ...m, module: '/patches/' + m.module }), manifest);
  await waitUntil(page, (v) => ['applied', 'rejected', 'rolled back'].includes(HotswapMain.entries[v]?.state), version, 30000);
}

// The picture once the sample limit is reached again. Then every task ever posted must
// have run or been destroyed: a leaked task would keep the count above zero for good.
async function settledPicture() {
  await waitUntil(page, (limit) => {
    const s = raytracerPage.program.statistics();
    return s.idle && s.accumulatedSamples === limit && Module._wwm_detail_tasks_in_flight() === 0;
  }, SAMPLES, 60000);
  const image = await page.evaluate(() => {
    const { width, height, rgba } = raytracerPage.program.displayedPixels();
    return { width, height, rgba: Array.from(rgba), tasksInFlight: Module._wwm_detail_tasks_in_flight() };
  });
  return { ...image, rgba: Buffer.from(image.rgba) };
}

const throwOnce = (text) => text.replace('#include "hot/hot_functions.h"', '#include "hot/hot_functions.h"\n#include <atomic>\nstatic std::atomic<int> calls_so_far{0};')
  .replace(/(glm::vec3 shade_path\([^)]*\) \{)/, '$1\n  if (calls_so_far.fetch_add(1) == 3000) throw 42;  // one call, once, on one worker');

test('a task that throws once: the worker is Failed, replaced with every patch, its tiles finished; the frame is as if nothing happened', async () => {
  await settledPicture();
  const before = await stats();
  const errorsBefore = await page.evaluate(() => WwmMain.errorLog.length);
  await patchShade(throwOnce);
  const picture = await settledPicture();
  const after = await stats();
  assert.equal(after.workerFailures, before.workerFailures + 1, 'one worker failed');
  assert.equal(after.rollbacks, 0, 'a single failure does not blame the patch');
  const failed = after.workers.filter((w) => w.status === 'Failed');
  assert.equal(failed.length, 1, 'the failed worker shows in the table as Failed');
  const live = after.workers.filter((w) => w.status === 'Normal');
  assert.equal(live.length, 2, 'a replacement took its place');
  assert.ok(Math.max(...live.map((w) => w.id)) > Math.max(...before.workers.map((w) => w.id)), 'the replacement has a new id');
  const applied = await page.evaluate((v) => Object.keys(HotswapMain.entries[v].workers).map(Number), version);
  assert.ok(live.every((w) => applied.includes(w.id)), 'the replacement applied the patch like the others');
  const error = await page.evaluate((from) => WwmMain.errorLog.slice(from).map((e) => e.text).find((t) => / failed: a task failed/.test(t)), errorsBefore);
  assert.match(error, /^worker \d+ failed: a task failed: an uncaught C\+\+ exception/);
  assert.ok(await page.evaluate(() => !document.getElementById('error-overlay').hidden), 'the page shows the error');
  assert.equal(after.mixedVersionFrames, 0);
  assert.equal(compareImages(picture, nativeImage).differingPixels, 0, 'the frame with the failure is exact');
  assert.equal(picture.tasksInFlight, 0, 'no task leaked');
});

test('a patch that traps on some pixels is rolled back on every thread and the picture comes back exactly', async () => {
  const before = await stats();
  await patchShade((text) => text.replace(/(glm::vec3 shade_path\([^)]*\) \{)/, '$1\n  if (camera_ray.direction.y > 0.0f) __builtin_trap();'));
  await waitUntil(page, (v) => HotswapMain.entries[v].state === 'rolled back', version, 60000);
  const picture = await settledPicture();
  const after = await stats();
  assert.equal(after.rollbacks, before.rollbacks + 1);
  assert.ok(after.workerFailures >= before.workerFailures + 2);
  assert.equal(after.frameVersion, version - 1, 'the frames run the previous version');

  const entry = await page.evaluate((v) => HotswapMain.entries[v].failure, version);
  assert.equal(entry.kind, 'trapped_while_running');
  assert.match(await page.textContent('#error-overlay'), /rolled back/);
  assert.equal(compareImages(picture, nativeImage).differingPixels, 0);
  assert.equal(picture.tasksInFlight, 0, 'no task leaked');
  assert.equal(after.mixedVersionFrames, 0);
});

const atStartOfShadePath = (code) => (text) => text.replace(/(glm::vec3 shade_path\([^)]*\) \{)/, `$1\n${code}`);
const newestErrors = (from) => page.evaluate((start) => WwmMain.errorLog.slice(start).map((e) => e.text), from);

test('an endless loop on every worker: the workers are replaced and the patch rolled back on every thread, never given to the replacements; the picture comes back exactly', async () => {
  await settledPicture();
  const before = await stats();
  await patchShade(atStartOfShadePath('  { volatile int spin = 0; while (spin >= 0) spin = spin * 1; }  // every call'));
  await waitUntil(page, (v) => HotswapMain.entries[v].state === 'rolled back', version, 60000);
  const picture = await settledPicture();
  const after = await stats();
  assert.equal(after.rollbacks, before.rollbacks + 1);
  assert.equal(after.stuckWorkers, before.stuckWorkers + 2, 'both workers were stuck, and stopped');
  assert.equal(after.frameVersion, before.patchVersion, 'the frames run the version in effect before it');

  const failure = await page.evaluate((v) => HotswapMain.entries[v].failure, version);
  assert.equal(failure.kind, 'hung_while_running');
  const stall = new RegExp(`worker \\d+ made no progress for \\d+\\.\\d s \\(an endless loop\\?\\) rendering pixels x \\d+-\\d+, y \\d+-\\d+ of frame \\d+, on patch ${version}'s code`, 'g');
  assert.equal(failure.message.match(stall)?.length, 2, failure.message);
  assert.ok(failure.message.endsWith(`Code this patch changed that ran: raytracer::shade_path. Every thread is back on version ${before.patchVersion}.`),
    failure.message);
  assert.match(await page.textContent('#error-overlay'), /rolled back: hung while running/);
  assert.match(await page.textContent('#patch-log'), /rolled back: worker \d+ made no progress/);

  const live = after.workers.filter((w) => w.status === 'Normal');
  assert.equal(live.length, 2, 'replacements took their place');
  assert.ok(live.every((w) => w.id > Math.max(...before.workers.map((b) => b.id))), 'with new ids');
  const stuck = after.workers.filter((w) => /^stuck: /.test(w.failure || ''));
  assert.equal(stuck.length, 2, 'the worker table shows the stuck workers as Failed, with why');
  const loaded = await page.evaluate((v) => Object.keys(HotswapMain.entries[v].workers).map(Number), version);
  assert.ok(live.every((w) => !loaded.includes(w.id)), 'the replacements never loaded the rolled-back patch');
  assert.equal(compareImages(picture, nativeImage).differingPixels, 0);
  assert.equal(picture.tasksInFlight, 0, 'no task leaked');
  assert.equal(after.mixedVersionFrames, 0);
});

test('an endless loop on one pixel, allocating as it spins: its worker is replaced while the other renders on, and the patch is rolled back', async () => {
  const before = await stats();
  const errorsBefore = await page.evaluate(() => WwmMain.errorLog.length);
  const survivor = (id) => before.workers.some((w) => w.id === id && w.status === 'Normal');
  await patchShade((text) => atStartOfShadePath('  if (calls_so_far.fetch_add(1) == 2000) {  // one call, on one worker\n' +
    '    for (;;) { void* volatile bytes = std::malloc(64); std::free(bytes); }\n  }')(
    text.replace('#include "hot/hot_functions.h"', '#include "hot/hot_functions.h"\n#include <atomic>\n#include <cstdlib>\nstatic std::atomic<int> calls_so_far{0};')));
  await waitUntil(page, (v) => HotswapMain.entries[v].state === 'rolled back', version, 60000);
  const picture = await settledPicture();
  const after = await stats();
  assert.equal(after.stuckWorkers, before.stuckWorkers + 1, 'one worker was stuck');
  assert.equal(after.rollbacks, before.rollbacks + 1);
  const failure = await page.evaluate((v) => HotswapMain.entries[v].failure, version);
  assert.equal(failure.kind, 'hung_while_running');
  assert.equal(failure.message.match(/made no progress/g).length, 1, failure.message);
  assert.equal(after.workers.filter((w) => w.status === 'Normal' && survivor(w.id)).length, 1, 'the other worker was not stopped');
  assert.deepEqual((await newestErrors(errorsBefore)).filter((text) => /stopped while it held/.test(text)), [], 'no lock was left held');
  assert.equal(compareImages(picture, nativeImage).differingPixels, 0);
  assert.equal(picture.tasksInFlight, 0);
});

test('a very slow but finite patch (a tile takes seconds, a row of it well under the stall limit) is not stopped: it renders its frame to the end', async () => {
  await settledPicture();
  const before = await stats();
  await page.evaluate(() => raytracerPage.program.setSampleLimit(1));
  // The top rows: 12 ms a sample, so a 32-pixel row of a tile takes about 0.4 s and a tile of them seconds.
  await patchShade((text) => atStartOfShadePath('  if (glm::normalize(camera_ray.direction).y > 0.045f) {\n' +
    '    const double until = emscripten_get_now() + 12.0;\n    while (emscripten_get_now() < until) {}\n  }')(
    text.replace('#include "hot/hot_functions.h"', '#include "hot/hot_functions.h"\n#include <emscripten/emscripten.h>')));
  await waitUntil(page, (v) => {
    const s = raytracerPage.program.statistics();
    return s.idle && s.accumulatedSamples === 1 && s.frameVersion === v;
  }, version, 120000);
  const after = await stats();
  assert.ok(after.lastFrameMs > 4000, `the patch made its frame take ${after.lastFrameMs} ms, well over the stall limit (else this shows nothing)`);
  assert.equal(after.stuckWorkers, before.stuckWorkers, 'no worker was stopped');
  assert.equal(after.workerFailures, before.workerFailures);
  assert.equal(after.rollbacks, before.rollbacks);
  assert.equal(await page.evaluate((v) => HotswapMain.entries[v].state, version), 'applied');
  // Undo it: the next patch compiles the file without the wait.
  await page.evaluate((limit) => raytracerPage.program.setSampleLimit(limit), SAMPLES);
  await patchShade((text) => text.replace('// Hot functions shade_path', '// Hot functions shade_path (edited)'));
});

test('when the presenting worker fails, its replacement presents on a fresh canvas', async () => {
  await settledPicture();  // rendering paused: every worker is between tasks, as a failing worker is once it reported
  const presenter = (await stats()).workers.find((w) => w.presenter && w.status === 'Normal').id;
  await page.evaluate(() => { document.getElementById('picture').dataset.old = 'yes'; });
  // What a worker's fatal error report leads to (WwmMain.failWorker), then rendering resumes.
  await page.evaluate((id) => { WwmMain.failWorker(id, 'failure simulated by the test'); raytracerPage.program.setSampleLimit(0); }, presenter);
  const replacement = await waitUntil(page, (old) => {
    const next = raytracerPage.program.statistics().workers.find((w) => w.presenter);
    return next && next.id !== old && next.status === 'Normal' && next.id;
  }, presenter);
  assert.ok(replacement > presenter);
  const shown = (await stats()).presentedFrame;
  await waitUntil(page, (from) => raytracerPage.program.statistics().presentedFrame > from + 3, shown);
  assert.equal(await page.evaluate(() => document.getElementById('picture').dataset.old), undefined, 'a fresh canvas element');
  const pixels = await page.locator('#picture').screenshot();
  assert.ok(pixels.length > 3000, 'and it shows the picture');
  await page.evaluate((limit) => raytracerPage.program.setSampleLimit(limit), SAMPLES);
});

test('zero-worker mode: a trapping patch on the main thread is rolled back too', async () => {
  await page.$eval('#workers', (input) => { input.value = 0; input.dispatchEvent(new Event('input')); });
  await waitUntil(page, () => raytracerPage.program.statistics().workers.every((w) => w.status === 'Failed'));
  const before = await stats();
  await patchShade((text) => text.replace(/(glm::vec3 shade_path\([^)]*\) \{)/, '$1\n  if (camera_ray.direction.y > 0.02f) __builtin_trap();'));
  await waitUntil(page, (v) => HotswapMain.entries[v].state === 'rolled back', version, 60000);
  const picture = await settledPicture();
  assert.equal((await stats()).rollbacks, before.rollbacks + 1);
  assert.equal(compareImages(picture, nativeImage).differingPixels, 0);
});
