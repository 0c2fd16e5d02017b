// The development loop end to end, in a temporary copy of the project: the real dev loop
// (scripts/dev.py) serves the page and watches app/; the test edits hot source files the way
// an editor saves them and checks what the user would see.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, openPage, waitUntil } from '../browser/harness.mjs';
import { compareImages, readPng, writePng } from '../browser/png.mjs';
import { copyProject, startDevLoop } from './project_copy.mjs';

const SKY = 'app/hot/sky.cpp';
const SAMPLING = 'app/core/sampling.h';
const SCENE = 'sphere_field.json', WIDTH = 160, HEIGHT = 90;
let project, devLoop, browser, page, originalSky;
let version = 0;  // the newest patch version the tests saved

before(async () => {
  project = await copyProject();
  originalSky = project.read(SKY);
  devLoop = await startDevLoop(project);
  browser = await launchBrowser();
  ({ page } = await openPage(browser, `${devLoop.url}index.html?scene=${SCENE}&width=${WIDTH}&height=${HEIGHT}&workers=2`,
    { waitFor: () => globalThis.raytracerPage?.ready }));
}, { timeout: 900000 });

after(async () => {
  await browser?.close();
  await devLoop?.stop();
  if (process.env.KEEP_PROJECT_COPY) console.log('# project copy kept in ' + project?.root);
  else project?.remove();
});

const stats = () => page.evaluate(() => raytracerPage.program.statistics());

// waitUntil, but a timeout says where the patches stood: the page's patch log and the dev
// loop's last lines.
async function waitForPatches(predicate, argument, timeout) {
  try {
    return await waitUntil(page, predicate, argument, timeout);
  } catch (error) {
    const patches = await page.evaluate(() => HotswapMain.log.map((e) => `${e.version} ${e.state}${e.failure ? ` (${e.failure.kind}: ${e.failure.message.slice(0, 300)})` : ''}`));
    throw new Error(`${error.message}\npatches in the page:\n${patches.slice(-8).join('\n')}\ndev loop:\n${devLoop.output().split('\n').slice(-15).join('\n')}`);
  }
}
const withSky = (expression) => (text) => text.replace('  return radiance;\n}', `  return ${expression};\n}`);

// Saves an edit and waits for the page to settle the patch it made (applied or rejected):
// the first version announced after the save (one save makes one patch).
async function saveAndSettle(file, transform) {
  const newestBefore = await page.evaluate(() => Math.max(0, ...HotswapMain.log.map((e) => e.version)));
  project.edit(file, transform);
  const settled = await waitForPatches((from) => {
    const entry = HotswapMain.log.find((e) => e.version > from);
    return entry && ['applied', 'rejected'].includes(entry.state) && { version: entry.version, state: entry.state, failure: entry.failure || null };
  }, newestBefore, 60000);
  version = settled.version;
  return settled;
}

async function waitForVersionOnScreen(v) {
  await waitUntil(page, (wanted) => raytracerPage.program.statistics().frameVersion === wanted, v, 30000);
}

// The page's picture of the scene's own camera after `samples` samples, then rendering resumes.
async function pagePicture(samples) {
  await page.evaluate((limit) => { raytracerPage.program.resetCamera(); raytracerPage.program.setSampleLimit(limit); }, samples);
  await waitUntil(page, (limit) => {
    const s = raytracerPage.program.statistics();
    return s.idle && s.accumulatedSamples === limit;
  }, samples, 60000);
  const image = await page.evaluate(() => {
    const { width, height, rgba } = raytracerPage.program.displayedPixels();
    const { accumulatedSamples, frameVersion, patchVersion, mixedVersionFrames, workerFailures, camera, workers } = raytracerPage.program.statistics();
    return { width, height, rgba: Array.from(rgba),
      state: { accumulatedSamples, frameVersion, patchVersion, mixedVersionFrames, workerFailures, camera, workers } };
  });
  await page.evaluate(() => raytracerPage.program.setSampleLimit(0));
  return { ...image, rgba: Buffer.from(image.rgba) };
}

// Asserts the page drew exactly what the native renderer drew. When not, both pictures are
// kept (next to the build, or in the system's temporary folder) and the message says where,
// with the page's state as it drew.
function assertSamePicture(pageImage, nativeImage, what) {
  const { differingPixels, psnr } = compareImages(pageImage, nativeImage);
  if (differingPixels === 0) return;
  const folder = fs.mkdtempSync(path.join(process.env.BUILD_ROOT || os.tmpdir(), 'dev-loop-mismatch-'));
  writePng(path.join(folder, 'page.png'), pageImage);
  writePng(path.join(folder, 'native.png'), nativeImage);
  fs.writeFileSync(path.join(folder, 'page-state.json'), JSON.stringify({ version, state: pageImage.state,
    patches: devLoop.output().split('\n').slice(-40) }, null, 2));
  assert.fail(`${what}: ${differingPixels} pixels differ (PSNR ${psnr.toFixed(1)} dB) at patch version ${version}; ` +
    `the page's state ${JSON.stringify(pageImage.state)}; both pictures are in ${folder}`);
}

async function nativePicture(samples) {
  const out = path.join(project.root, `native-${version}.png`);
  await project.renderNative({ scene: SCENE, width: WIDTH, height: HEIGHT, samples, out });
  return readPng(out);
}

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
  await waitForVersionOnScreen(version);
  const after = await stats();
  assert.deepEqual(after.camera, before.camera, 'the camera is unchanged');
  assert.ok(after.frames > before.frames, 'the frame counter kept counting');
  assert.equal(after.scene, before.scene);
  assert.equal(after.mixedVersionFrames, 0, 'no frame mixed versions');
});

test('every worker reports the new version', async () => {
  const workerIds = (await stats()).workers.map((w) => w.id).sort();
  const applied = await page.evaluate((v) => Object.keys(HotswapMain.entries[v].workers).map(Number).sort(), version);
  assert.deepEqual(applied, workerIds);
  await waitUntil(page, (v) => raytracerPage.program.statistics().workers.every((w) => w.version === v), version);
});

test('the new colour is exactly what the native renderer draws with the edited code', async () => {
  const [pageImage, nativeImage] = [await pagePicture(4), await nativePicture(4)];
  assertSamePicture(pageImage, nativeImage, 'the page draws what the edited code draws natively');
  const greenish = (image) => { let g = 0, r = 0; for (let i = 0; i < image.rgba.length; i += 4) { r += image.rgba[i]; g += image.rgba[i + 1]; } return g / r; };
  assert.ok(greenish(pageImage) > 1.3, 'the sky turned green');
});

for (const [name, transform, kind, fragment] of [
  ['a compile error', (text) => text.replace('  return radiance * glm', '  return radiance * * glm'), 'compile_error', /sky\.cpp:\d+:\d+: error/],
  ['a changed hot function signature', (text) => text.replace('glm::vec3 sky_radiance(const Sky& sky, const Ray& ray) {', 'glm::vec3 sky_radiance(const Sky& sky, const Ray& ray, float boost) {\n  (void)boost;'),
    'signature_changed', /sky_radiance.*changed to/],
  ['a symbol nothing defines', (text) => text.replace('glm::vec3 sky_radiance(', 'float sky_boost_that_does_not_exist();\nglm::vec3 sky_radiance(').replace('  return radiance * glm', '  radiance *= sky_boost_that_does_not_exist();\n  return radiance * glm'),
    'unresolved_import', /sky_boost_that_does_not_exist/],
]) {
  test(`${name} is rejected: the overlay shows it and the page keeps the code it had`, async () => {
    const good = project.read(SKY);
    const before = await stats();
    const settled = await saveAndSettle(SKY, transform);
    assert.equal(settled.state, 'rejected');
    assert.equal(settled.failure.kind, kind);
    const overlay = await waitUntil(page, () => !document.getElementById('error-overlay').hidden && document.getElementById('error-overlay').textContent);
    assert.match(overlay, fragment);
    await waitUntil(page, (from) => raytracerPage.program.statistics().frames > from + 2, before.frames);
    assert.equal((await stats()).frameVersion, before.frameVersion, 'still the old code');
    await page.click('#error-dismiss');
    const fixed = await saveAndSettle(SKY, () => good);  // the fix: back to the last good text
    assert.equal(fixed.state, 'applied', JSON.stringify(fixed.failure));
    await waitForVersionOnScreen(version);
  });
}

test('zero-worker mode: with no workers the main thread renders the next edit', async () => {
  await page.$eval('#workers', (input) => { input.value = 0; input.dispatchEvent(new Event('input')); });
  await waitUntil(page, () => raytracerPage.program.statistics().workers.length === 0);
  const settled = await saveAndSettle(SKY, (text) => text.replace('glm::vec3(0.25f, 1.0f, 0.35f)', 'glm::vec3(1.0f, 0.3f, 1.0f)'));
  assert.equal(settled.state, 'applied');
  await waitForVersionOnScreen(version);
});

test('workers added after patches render with the patched code', async () => {
  await page.$eval('#workers', (input) => { input.value = 2; input.dispatchEvent(new Event('input')); });
  await waitUntil(page, (v) => {
    const s = raytracerPage.program.statistics();
    return s.workers.length === 2 && s.workers.every((w) => w.tiles > 0 && w.version === v);
  }, version, 30000);
  const [pageImage, nativeImage] = [await pagePicture(3), await nativePicture(3)];
  assertSamePicture(pageImage, nativeImage, 'the new workers draw what the edited code draws natively');
});

test('an edit to an inline function in a header takes effect', async () => {
  const before = await pagePicture(2);
  const settled = await saveAndSettle(SAMPLING, (text) => text.replace('inline glm::vec3 random_cosine_direction(const glm::vec3& normal, Random& random) {',
    'inline glm::vec3 random_cosine_direction(const glm::vec3& normal, Random& random) {\n  if (normal.y > 0.5f) return normal;'));
  assert.equal(settled.state, 'applied', JSON.stringify(settled.failure));
  await waitForVersionOnScreen(version);
  const [after, nativeImage] = [await pagePicture(2), await nativePicture(2)];
  assertSamePicture(after, nativeImage, 'the page draws what the edited code draws natively');
  assert.ok(compareImages(after, before).differingPixels > 100, 'and that differs from before the edit');
});

test('saves faster than builds coalesce and versions apply in order', async () => {
  const first = version + 1;
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
  version = settledVersions.at(-1);
  await waitForVersionOnScreen(version);
  assert.match(project.read(SKY), /0\.8f\)/);
  assert.ok(last.length >= 1);
  assert.equal((await stats()).mixedVersionFrames, 0, 'no frame mixed versions');
  assert.match(devLoop.output(), /patch \d+ applied in the page/);
});
