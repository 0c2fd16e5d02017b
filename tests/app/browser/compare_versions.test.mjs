// Before and after on one picture: the page shows two versions of the code at once. Real
// patches built by the real builder from edited sources: a hot file (app/hot/sky.cpp), a
// plain .cpp on the render path (app/core/camera_view.cpp) and scene-loading code
// (app/core/scene.cpp, so the two versions build different scenes). Each half of the split
// picture equals, bit for bit, its version's picture rendered alone (version 0's equals the
// native renderer's), with 0, 1, 2 and 8 workers; the difference view is |A - B| and flips
// between A and B in place; the script API, the URL parameter, a save and a rollback during
// a comparison.
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
const SCENE = 'sphere_field.json', WIDTH = 96, HEIGHT = 54, SAMPLES = 4;
const SPLIT = 0.45;  // column 43: inside a tile, so tiles are cut at the line
const buildRoot = process.env.BUILD_ROOT || path.join(projectRoot, 'build/wasm');
const nativeRender = path.join(process.env.NATIVE_BUILD_ROOT || path.join(projectRoot, 'build/native'), 'app/native/render');
let server, browser, page, pageErrors, patchDir, overlayDir, version = 0;
const alone = new Map();  // version -> its picture rendered alone (no comparison)

const query = `scene=${SCENE}&width=${WIDTH}&height=${HEIGHT}&spf=2&limit=${SAMPLES}`;
before(async () => {
  patchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'compare-patches-'));
  overlayDir = fs.mkdtempSync(path.join(os.tmpdir(), 'compare-overlay-'));
  server = await startServer({ patches: patchDir });
  browser = await launchBrowser();
  ({ page, pageErrors } = await openPage(browser, `${server.url}index.html?${query}&workers=2`, { waitFor: () => globalThis.raytracerPage?.ready }));
});
after(async () => {
  await browser?.close();
  server?.stop();
  for (const folder of [patchDir, overlayDir]) if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

const stats = () => page.evaluate(() => raytracerPage.program.statistics());

// Builds a patch from an edited copy of `file` (edits accumulate in the overlay, as saves
// do), announces it as the dev loop would and waits until the page settled it.
async function patch(file, from, to, { expect = 'applied' } = {}) {
  version += 1;
  const overlaid = path.join(overlayDir, file);
  const original = fs.existsSync(overlaid) ? fs.readFileSync(overlaid, 'utf8') : fs.readFileSync(path.join(projectRoot, file), 'utf8');
  assert.ok(original.includes(from), `${file} no longer contains ${JSON.stringify(from)}`);
  fs.mkdirSync(path.dirname(overlaid), { recursive: true });
  fs.writeFileSync(overlaid, original.replace(from, to));
  try {
    await run('python3', [path.join(projectRoot, 'hotswap/tools/patch_builder.py'), '--build-dir', buildRoot, '--program',
      path.join(siteRoot, 'raytracer.wasm'), '--patch-dir', patchDir, '--overlay', overlayDir, '--version', String(version), file]);
  } catch (error) {
    throw new Error(`patch ${version} did not build: ${error.stdout}\n${error.stderr}`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(patchDir, `patch-${String(version).padStart(6, '0')}.json`), 'utf8'));
  await page.evaluate((m) => HotswapMain.announce({ version: m.version, files: m.files, module: '/patches/' + m.module,
    changed: m.changed, calls: m.calls }), manifest);
  const state = await waitUntil(page, (v) => ['applied', 'rejected', 'rolled back'].includes(HotswapMain.entries[v]?.state) &&
    HotswapMain.entries[v].state, version, 60000);
  if (expect === 'applied') assert.equal(state, 'applied');
  return version;
}

// The picture once `SAMPLES` samples are in and `ready(statistics)` holds.
async function settledPicture(targetPage, ready) {
  await waitUntil(targetPage, ([limit, readySource]) => {
    const s = raytracerPage.program.statistics();
    // eslint-disable-next-line no-new-func
    return s.idle && s.accumulatedSamples === limit && new Function('s', `return (${readySource})(s)`)(s);
  }, [SAMPLES, ready.toString()], 60000);
  const image = await targetPage.evaluate(() => {
    const { width, height, rgba } = raytracerPage.program.displayedPixels();
    return { width, height, rgba: Array.from(rgba), statistics: raytracerPage.program.statistics() };
  });
  return { ...image, rgba: Buffer.from(image.rgba) };
}

const pictureAlone = (v) => settledPicture(page, new Function('s', `return s.compare === null && s.frameVersion === ${v} && s.patchVersion === ${v}`));

// Starts a comparison through the script API; resolves with the settled picture.
async function comparedPicture(targetPage, request) {
  await targetPage.evaluate((r) => raytracerPage.compare(r), request);
  const { left, right, split = 0.5, view = 'split' } = request;
  return settledPicture(targetPage, new Function('s', `return s.compare !== null && s.compare.left === ${left} && ` +
    `s.compare.right === ${right} && Math.abs(s.compare.split - ${split}) < 1e-6 && s.compare.view === '${view}'`));
}

// Columns [from, to) of an RGBA picture, row by row.
function columns(picture, from, to) {
  const out = [];
  for (let y = 0; y < picture.height; ++y) out.push(picture.rgba.subarray((y * picture.width + from) * 4, (y * picture.width + to) * 4));
  return Buffer.concat(out);
}

// The split picture's columns left of the line are `left`'s picture alone, the rest `right`'s;
// and the two versions really differ on each side (else the check proves nothing).
function assertHalves(split, left, right, what) {
  const column = Math.round(split.statistics.compare.split * WIDTH);
  assert.equal(split.statistics.compare.splitColumn, column, `${what}: the split column`);
  const [a, b] = [alone.get(left), alone.get(right)];
  assert.ok(!columns(a, 0, column).equals(columns(b, 0, column)), `${what}: versions ${left} and ${right} differ left of the line`);
  assert.ok(!columns(a, column, WIDTH).equals(columns(b, column, WIDTH)), `${what}: versions ${left} and ${right} differ right of it`);
  assert.ok(columns(split, 0, column).equals(columns(a, 0, column)), `${what}: left of the line is version ${left} alone, bit for bit`);
  assert.ok(columns(split, column, WIDTH).equals(columns(b, column, WIDTH)), `${what}: right of the line is version ${right} alone, bit for bit`);
  assert.equal(split.statistics.mixedVersionFrames, 0, `${what}: no tile rendered by the wrong version`);
}

test('version 0 alone equals the native renderer, and three patches (hot file, plain .cpp, scene loading) each change the picture', async () => {
  alone.set(0, await pictureAlone(0));
  const out = path.join(patchDir, 'native.png');
  execFileSync(nativeRender, ['--scene', path.join(projectRoot, 'app/scenes', SCENE), '--width', String(WIDTH), '--height', String(HEIGHT),
    '--spp', String(SAMPLES), '--threads', '2', '--out', out]);
  assert.equal(compareImages(alone.get(0), readPng(out)).differingPixels, 0, 'version 0 in the page equals the native render');

  await patch('app/hot/sky.cpp', 'sky.zenith_color, std::sqrt(elevation)', 'sky.zenith_color * glm::vec3(1.6f, 0.6f, 0.3f), std::sqrt(elevation)');
  alone.set(1, await pictureAlone(1));
  await patch('app/core/camera_view.cpp', 'top_left_ + s * horizontal_ + t * vertical_', 'top_left_ + (0.9f * s + 0.05f) * horizontal_ + t * vertical_');
  alone.set(2, await pictureAlone(2));
  const rebuildsBefore = (await stats()).sceneRebuilds;
  await patch('app/core/scene.cpp', 'spheres_.push_back(sphere);', 'spheres_.push_back({sphere.center, sphere.radius * 1.3f, sphere.material});');
  alone.set(3, await pictureAlone(3));
  assert.equal((await stats()).sceneRebuilds, rebuildsBefore + 1, 'the scene-loading edit rebuilt the scene');
  for (let v = 1; v <= 3; ++v) assert.ok(!alone.get(v).rgba.equals(alone.get(v - 1).rgba), `patch ${v} changed the picture`);
});

test('split view, 2 workers: each half is bit-identical to its version alone (hot file, plain .cpp, scene loading, either order)', async () => {
  assertHalves(await comparedPicture(page, { left: 0, right: 1, split: SPLIT }), 0, 1, 'versions 0 | 1 (sky.cpp)');
  assertHalves(await comparedPicture(page, { left: 1, right: 2, split: SPLIT }), 1, 2, 'versions 1 | 2 (camera_view.cpp)');
  assertHalves(await comparedPicture(page, { left: 3, right: 2, split: SPLIT }), 3, 2, 'versions 3 | 2 (scene.cpp: different scenes)');
  const s = await stats();
  assert.deepEqual({ left: s.compare.left, right: s.compare.right, split: s.compare.split }, { left: 3, right: 2, split: SPLIT });
  assert.equal(s.patchVersion, 3, 'the main thread is back on the newest version between frames');
  assert.ok(s.workers.every((w) => w.version === 3), 'so is every worker between tasks');
  // The overlay follows the program a few times a second.
  const labels = await waitUntil(page, () => !document.getElementById('compare-overlay').hidden &&
    !document.getElementById('compare-line').hidden && document.getElementById('compare-overlay').textContent, undefined, 5000);
  assert.match(labels, /A v3[\s\S]*B v2/, 'the split line shows as an overlay, labelled with the two versions');
});

test('dragging the line moves the split (exact halves there too); orbiting the picture keeps the comparison', async () => {
  await comparedPicture(page, { left: 0, right: 3, split: SPLIT });
  const handle = await page.locator('#compare-handle').boundingBox();
  const picture = await page.locator('#picture').boundingBox();
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(picture.x + picture.width * 0.7, handle.y + handle.height / 2, { steps: 5 });
  await page.mouse.up();
  const dragged = await settledPicture(page, (s) => s.compare !== null && Math.abs(s.compare.split - 0.7) < 0.05);
  assert.ok(dragged.statistics.compare.splitColumn > Math.round(SPLIT * WIDTH), 'the line moved right');
  assertHalves(dragged, 0, 3, 'versions 0 | 3 at the dragged line');

  const cameraBefore = dragged.statistics.camera.position;
  await page.mouse.move(picture.x + picture.width * 0.2, picture.y + picture.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(picture.x + picture.width * 0.2 + 30, picture.y + picture.height * 0.5 + 5, { steps: 3 });
  await page.mouse.up();
  const orbited = await stats();
  assert.notDeepEqual(orbited.camera.position, cameraBefore, 'the drag on the picture orbited the camera');
  assert.deepEqual([orbited.compare.left, orbited.compare.right], [0, 3], 'and the comparison stays');
  await page.evaluate(() => raytracerPage.program.resetCamera());  // the pictures alone were taken from the scene's camera
});

for (const workers of [0, 1, 8]) {
  test(`split view with ${workers} worker(s): each half is bit-identical to its version alone`, async () => {
    await page.evaluate((n) => raytracerPage.program.setWorkerCount(n), workers);
    await waitUntil(page, (n) => {
      const live = raytracerPage.program.statistics().workers.filter((w) => w.status !== 'Failed');
      return live.length === n && live.every((w) => w.status === 'Normal');
    }, workers, 60000);
    // A fresh start, so the comparison's frames are all rendered with this many workers.
    await page.evaluate(() => raytracerPage.compare(null));
    assertHalves(await comparedPicture(page, { left: 0, right: 3, split: SPLIT }), 0, 3, `${workers} workers, versions 0 | 3`);
  });
}

test('difference view: a heat map of |A - B| with its scale; flipping between A and B shows each version alone, in place', async () => {
  await page.evaluate(() => raytracerPage.program.setWorkerCount(2));
  const heat = await comparedPicture(page, { left: 0, right: 1, split: SPLIT, view: 'difference' });
  const [a, b] = [alone.get(0), alone.get(1)];
  let largest = 0, differing = 0, wrong = 0;
  for (let i = 0; i < a.rgba.length; i += 4) {
    const d = Math.max(...[0, 1, 2].map((c) => Math.abs(a.rgba[i + c] - b.rgba[i + c])));
    largest = Math.max(largest, d);
    differing += d > 0 ? 1 : 0;
    const black = heat.rgba[i] === 0 && heat.rgba[i + 1] === 0 && heat.rgba[i + 2] === 0;
    if (black !== (d === 0)) ++wrong;
  }
  assert.ok(differing > 0 && differing < a.rgba.length / 4, 'the sky edit changes some pixels and not others');
  assert.equal(wrong, 0, 'a pixel is black in the heat map exactly where A and B agree');
  assert.equal(heat.statistics.compare.largestDifference, largest, 'the scale is the largest difference');
  assert.equal(heat.statistics.compare.differingPixels, differing);
  // The panel follows the program a few times a second.
  await waitUntil(page, (n) => !document.getElementById('compare-scale').hidden &&
    document.getElementById('compare-scale-largest').textContent === String(n), largest, 5000);
  const legend = await page.textContent('#compare-scale');
  assert.match(legend, new RegExp(`\\b${largest}\\b`), 'the page shows the scale');

  const framesBefore = heat.statistics.frames;
  const shown = async (view) => {
    await page.evaluate((v) => raytracerPage.compare({ left: 0, right: 1, split: 0.45, view: v }), view);
    return page.evaluate(() => Array.from(raytracerPage.program.displayedPixels().rgba));
  };
  assert.ok(Buffer.from(await shown('left')).equals(a.rgba), 'flipped to A: version 0 alone');
  assert.ok(Buffer.from(await shown('right')).equals(b.rgba), 'flipped to B: version 1 alone');
  await page.click('#compare-flip');
  const flipped = await page.evaluate(() => ({ view: raytracerPage.program.statistics().compare.view,
    rgba: Array.from(raytracerPage.program.displayedPixels().rgba) }));
  assert.equal(flipped.view, 'left', 'the flip button goes from B to A');
  assert.ok(Buffer.from(flipped.rgba).equals(a.rgba));
  const after = await stats();
  assert.equal(after.frames, framesBefore, 'flipping renders nothing again: both pictures were there');
  assert.equal(after.accumulatedSamples, SAMPLES);
});

test('the script API refuses a version that is not loaded, says why, and keeps the comparison; compare(null) ends it', async () => {
  const before = (await stats()).compare;
  const error = await page.evaluate(() => raytracerPage.compare({ left: 0, right: 99 }).then(() => null, (e) => e.message));
  assert.match(error, /version 99/);
  assert.match(error, /0, 1, 2, 3/, 'it lists the versions that can be compared');
  assert.deepEqual((await stats()).compare, before);
  await page.evaluate(() => raytracerPage.compare(null));
  const ended = await settledPicture(page, (s) => s.compare === null);
  assert.ok(ended.rgba.equals(alone.get(3).rgba), 'back to the newest version alone');
  await waitUntil(page, () => document.getElementById('compare-overlay').hidden, undefined, 5000);  // the split line is gone
});

test('the URL parameter compare=A,B opens the page comparing them (patches from the start-up list)', async () => {
  const opened = await openPage(browser, `${server.url}index.html?${query}&workers=1&compare=0,3`, { waitFor: () => globalThis.raytracerPage?.ready });
  try {
    const picture = await settledPicture(opened.page, (s) => s.compare !== null && s.compare.left === 0 && s.compare.right === 3);
    const column = picture.statistics.compare.splitColumn;
    assert.equal(column, WIDTH / 2, 'split in the middle by default');
    assert.ok(columns(picture, 0, column).equals(columns(alone.get(0), 0, column)));
    assert.ok(columns(picture, column, WIDTH).equals(columns(alone.get(3), column, WIDTH)));
    assert.deepEqual(opened.pageErrors, []);
  } finally {
    await opened.context.close();
  }
});

test('a save during a comparison: the side showing the newest version moves to the new one, the other stays', async () => {
  await comparedPicture(page, { left: 2, right: 3, split: SPLIT });
  const v = await patch('app/hot/sky.cpp', 'glm::vec3(1.6f, 0.6f, 0.3f)', 'glm::vec3(0.4f, 1.5f, 0.6f)');
  const split = await settledPicture(page, new Function('s', `return s.compare !== null && s.compare.right === ${v} && s.frameVersion === ${v}`));
  assert.equal(split.statistics.compare.left, 2);
  await page.evaluate(() => raytracerPage.compare(null));
  alone.set(v, await pictureAlone(v));
  assertHalves(split, 2, v, `versions 2 | ${v} after the save`);
});

test('a compared version that keeps failing: the comparison ends, then the patch is rolled back as without one', async () => {
  const good = version;
  await comparedPicture(page, { left: 0, right: good, split: SPLIT });
  const bad = await patch('app/hot/sky.cpp', 'const float elevation = direction.y;',
    'const float elevation = direction.y;\n  if (elevation > 0.5f) __builtin_trap();', { expect: 'settled' });
  await waitUntil(page, (v) => HotswapMain.entries[v].state === 'rolled back', bad, 60000);
  const picture = await pictureAlone(good);
  assert.equal(picture.statistics.compare, null, 'the comparison ended');
  assert.ok(picture.rgba.equals(alone.get(good).rgba), 'the page is back on the version before the failing patch');
  const shownErrors = await page.evaluate(() => raytracerPage.overlay.shown.map((e) => `${e.title}: ${e.summary}`).join('\n'));
  assert.match(shownErrors, /[Cc]omparison ended/);
  const refused = await page.evaluate((v) => raytracerPage.compare({ left: 0, right: v }).then(() => null, (e) => e.message), bad);
  assert.match(refused, /rolled back/, 'a rolled-back version cannot be compared');
  assert.deepEqual(pageErrors, []);
});
