// The development loop end to end, in a temporary copy of the project: the real dev loop
// (scripts/dev.py) serves the page and watches app/; the test edits source files the way an
// editor saves them and checks what the user would see (dev_loop_session.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../browser/harness.mjs';
import { compareImages } from '../browser/png.mjs';
import { openDevLoopSession } from './dev_loop_session.mjs';

const SKY = 'app/hot/sky.cpp';
const SAMPLING = 'app/core/sampling.h';
let session, project, devLoop, page;

before(async () => {
  session = await openDevLoopSession({ scene: 'sphere_field.json', width: 160, height: 90, workers: 2 });
  ({ project, devLoop, page } = session);
}, { timeout: 900000 });

after(async () => { await session?.close(); });

const stats = () => session.stats();
const saveAndSettle = (file, transform) => session.saveAndSettle(file, transform);
const waitForVersionOnScreen = (v) => session.waitForVersionOnScreen(v);
const pagePicture = (samples) => session.pagePicture(samples);
const nativePicture = (samples) => session.nativePicture(samples);
const assertSamePicture = (...args) => session.assertSamePicture(...args);
const waitForPatches = (...args) => session.waitForPatches(...args);
const withSky = (expression) => (text) => text.replace('  return radiance;\n}', `  return ${expression};\n}`);

test('after moving the camera, a saved sky edit shows on the page with the camera and counters kept', async () => {
  const box = await page.locator('#canvas-slot').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 - 20, { steps: 4 });
  await page.mouse.up();
  await waitUntil(page, () => raytracerPage.program.statistics().accumulatedSamples >= 6);
  const before = await stats();

  const settled = await saveAndSettle(SKY, withSky('radiance * glm::vec3(0.25f, 1.0f, 0.35f)'));
  assert.equal(settled.state, 'applied', JSON.stringify(settled.failure));
  await waitForVersionOnScreen(session.version);
  const after = await stats();
  assert.deepEqual(after.camera, before.camera, 'the camera is unchanged');
  assert.ok(after.frames > before.frames, 'the frame counter kept counting');
  assert.equal(after.scene, before.scene);
  assert.equal(after.mixedVersionFrames, 0, 'no frame mixed versions');
});

test('every worker reports the new version', async () => {
  const workerIds = (await stats()).workers.map((w) => w.id).sort();
  const applied = await page.evaluate((v) => Object.keys(HotswapMain.entries[v].workers).map(Number).sort(), session.version);
  assert.deepEqual(applied, workerIds);
  await waitUntil(page, (v) => raytracerPage.program.statistics().workers.every((w) => w.version === v), session.version);
});

test('the new colour is exactly what the native renderer draws with the edited code', async () => {
  const [pageImage, nativeImage] = [await pagePicture(4), await nativePicture(4)];
  assertSamePicture(pageImage, nativeImage, 'the page draws what the edited code draws natively');
  const greenish = (image) => { let g = 0, r = 0; for (let i = 0; i < image.rgba.length; i += 4) { r += image.rgba[i]; g += image.rgba[i + 1]; } return g / r; };
  assert.ok(greenish(pageImage) > 1.3, 'the sky turned green');
});

test('a compile error is rejected: the overlay shows it and the page keeps the code it had', async () => {
  const good = project.read(SKY);
  const before = await stats();
  const settled = await saveAndSettle(SKY, (text) => text.replace('  return radiance * glm', '  return radiance * * glm'));
  assert.equal(settled.state, 'rejected');
  assert.equal(settled.failure.kind, 'compile_error');
  const overlay = await waitUntil(page, () => !document.getElementById('error-overlay').hidden && document.getElementById('error-overlay').textContent);
  assert.match(overlay, /sky\.cpp:\d+:\d+: error/);
  await waitUntil(page, (from) => raytracerPage.program.statistics().frames > from + 2, before.frames);
  assert.equal((await stats()).frameVersion, before.frameVersion, 'still the old code');
  await page.click('#error-dismiss');
  const fixed = await saveAndSettle(SKY, () => good);  // the fix: back to the last good text
  assert.equal(fixed.state, 'applied', JSON.stringify(fixed.failure));
  await waitForVersionOnScreen(session.version);
});

test('zero-worker mode: with no workers the main thread renders the next edit', async () => {
  await page.$eval('#workers', (input) => { input.value = 0; input.dispatchEvent(new Event('input')); });
  await waitUntil(page, () => raytracerPage.program.statistics().workers.length === 0);
  const settled = await saveAndSettle(SKY, (text) => text.replace('glm::vec3(0.25f, 1.0f, 0.35f)', 'glm::vec3(1.0f, 0.3f, 1.0f)'));
  assert.equal(settled.state, 'applied');
  await waitForVersionOnScreen(session.version);
});

test('workers added after patches render with the patched code', async () => {
  await page.$eval('#workers', (input) => { input.value = 2; input.dispatchEvent(new Event('input')); });
  await waitUntil(page, (v) => {
    const s = raytracerPage.program.statistics();
    return s.workers.length === 2 && s.workers.every((w) => w.tiles > 0 && w.version === v);
  }, session.version, 30000);
  const [pageImage, nativeImage] = [await pagePicture(3), await nativePicture(3)];
  assertSamePicture(pageImage, nativeImage, 'the new workers draw what the edited code draws natively');
});

test('an edit to an inline function in a header takes effect', async () => {
  const before = await pagePicture(2);
  const settled = await saveAndSettle(SAMPLING, (text) => text.replace('inline glm::vec3 random_cosine_direction(const glm::vec3& normal, Random& random) {',
    'inline glm::vec3 random_cosine_direction(const glm::vec3& normal, Random& random) {\n  if (normal.y > 0.5f) return normal;'));
  assert.equal(settled.state, 'applied', JSON.stringify(settled.failure));
  await waitForVersionOnScreen(session.version);
  const [after, nativeImage] = [await pagePicture(2), await nativePicture(2)];
  assertSamePicture(after, nativeImage, 'the page draws what the edited code draws natively');
  assert.ok(compareImages(after, before).differingPixels > 100, 'and that differs from before the edit');
});

test('saves faster than builds coalesce and versions apply in order', async () => {
  const first = session.version + 1;
  for (const tint of ['0.5f', '0.6f', '0.7f', '0.8f']) {
    project.edit(SKY, (text) => text.replace(/glm::vec3\(1\.0f, 0\.3f, [0-9.]+f\)/, `glm::vec3(1.0f, 0.3f, ${tint})`));
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  const last = await waitForPatches((from) => {
    const versions = HotswapMain.log.filter((e) => e.version >= from).map((e) => [e.version, e.state]);
    return versions.length && versions.every(([, s]) => s === 'applied') && versions;
  }, first, 60000);
  await page.waitForTimeout(1500);  // let any last build arrive
  const settledVersions = await page.evaluate((from) => HotswapMain.log.filter((e) => e.version >= from).map((e) => e.version), first);
  assert.ok(settledVersions.length < 4, `4 saves made ${settledVersions.length} patches`);
  assert.deepEqual(settledVersions, [...settledVersions].sort((a, b) => a - b));
  session.version = settledVersions.at(-1);
  await waitForVersionOnScreen(session.version);
  assert.match(project.read(SKY), /0\.8f\)/);
  assert.ok(last.length >= 1);
  assert.equal((await stats()).mixedVersionFrames, 0, 'no frame mixed versions');
  await session.waitForOutput(/patch \d+ applied in the page/);
});

test('a saved scene file reaches the screen keeping the camera; a broken one is reported and the page keeps its scene', async () => {
  const SCENE = 'app/scenes/sphere_field.json';
  const good = project.read(SCENE);
  const before = await pagePicture(2);
  await page.evaluate(() => raytracerPage.program.orbit(0.3, 0.1));
  await waitUntil(page, () => raytracerPage.program.statistics().accumulatedSamples >= 2);
  const orbited = (await stats()).camera;

  // The ground's odd checker cells turn red; the file's camera is untouched, so the user's stays.
  project.edit(SCENE, (text) => text.replace('"odd": [0.2, 0.3, 0.1]', '"odd": [0.6, 0.1, 0.1]'));
  await session.waitForOutput(/scene sphere_field\.json reloaded in the page \(your camera kept\); save to new pixels \d+ ms/);
  assert.deepEqual((await stats()).camera, orbited, 'the orbited camera is kept');
  const [reloaded, native] = [await pagePicture(2), await nativePicture(2)];
  assertSamePicture(reloaded, native, 'the page draws the saved scene as the native renderer does');
  assert.ok(compareImages(reloaded, before).differingPixels > 1000, 'and that differs from before the save');

  // A save that is not valid JSON: reported where it is wrong, and the scene on screen stays.
  project.edit(SCENE, (text) => text.replace('"objects": [', '"objects": [,'));
  await session.waitForOutput(/scene sphere_field\.json REJECTED by the page; it keeps the scene it had/);
  const overlay = await waitUntil(page, () => !document.getElementById('error-overlay').hidden && document.getElementById('error-overlay').textContent);
  assert.match(overlay, /Scene file sphere_field\.json not loaded/);
  assert.match(overlay, /line \d+/, 'the loader says where the file is wrong');
  const kept = await pagePicture(2);
  assertSamePicture(kept, native, 'the page still draws the scene it had');

  // Fixed: it loads, and the overlay closes by itself.
  project.edit(SCENE, () => good);
  await waitUntil(page, () => document.getElementById('error-overlay').hidden);
  const restored = await pagePicture(2);
  assertSamePicture(restored, before, 'the scene as it was');
});

// Last: the workers it stops stay in the worker table as Failed.
test('an endless loop saved into the sky is rolled back by itself, the terminal says which workers it hung, and the fix saved next applies as usual', async () => {
  const good = project.read(SKY);
  const before = await stats();
  const hung = await saveAndSettle(SKY, (text) => text.replace('  const float elevation = direction.y;',
    '  const float elevation = direction.y;\n  if (direction.y > 0.5f) { volatile int spin = 0; while (spin >= 0) spin = spin * 1; }'));
  assert.equal(hung.state, 'applied', JSON.stringify(hung.failure));
  await waitForPatches((v) => HotswapMain.entries[v].state === 'rolled back', hung.version, 60000);
  await session.waitForOutput(new RegExp(`patch ${hung.version} ROLLED BACK by the page \\(hung while running\\):\\n` +
    '    worker \\d+ made no progress for \\d+\\.\\d s \\(an endless loop\\?\\) rendering pixels .*' +
    `on patch ${hung.version}'s code.* Code this patch changed that ran: raytracer::sky_radiance\\. Every thread is back on version ${before.frameVersion}\\.`));
  // The picture comes back by itself: frames of the code in effect before the loop.
  await waitUntil(page, ([from, v]) => {
    const s = raytracerPage.program.statistics();
    return s.frames > from + 3 && s.frameVersion === v && s.accumulatedSamples > 0;
  }, [(await stats()).frames, before.frameVersion], 30000);
  assert.ok(await page.evaluate(() => !document.getElementById('error-overlay').hidden), 'the overlay says what happened');

  const fixed = await saveAndSettle(SKY, () => good);  // the loop deleted again
  assert.equal(fixed.state, 'applied', JSON.stringify(fixed.failure));
  await waitForVersionOnScreen(session.version);
  await waitUntil(page, () => document.getElementById('error-overlay').hidden);
  const [pageImage, nativeImage] = [await pagePicture(2), await nativePicture(2)];
  assertSamePicture(pageImage, nativeImage, 'after the fix the page draws what the code draws natively');
  const after = await stats();
  const live = after.workers.filter((w) => w.status === 'Normal');
  assert.equal(live.length, 2, JSON.stringify(after.workers));
  assert.ok(live.every((w) => w.version === session.version), JSON.stringify(after.workers));
  assert.equal(after.mixedVersionFrames, 0);
});
