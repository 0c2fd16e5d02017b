// Every function of the program is hot: saves to files the engine was never told about reach
// the screen through the real dev loop (a copy of the project, scripts/dev.py, the page in
// Chromium). A plain .cpp function called directly from code no patch touched, a function
// that runs on the main thread only (its file holds the frame loop's singleton), an inline
// function in a header included by ten or more sources (only those that use it compile),
// scene-loading code that ran once
// (the scene is rebuilt, the camera kept), and the patch log's report of which functions
// changed and which of them ran. Each one checks what the page draws or says. Last, a loop
// in code the main thread runs: the page freezes, the terminal says why, and the page loaded
// again after the fix shows the fixed code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, waitUntil } from '../browser/harness.mjs';
import { compareImages } from '../browser/png.mjs';
import { openDevLoopSession, replaceOnce } from './dev_loop_session.mjs';

const TILE_RENDERER = 'app/core/tile_renderer.cpp';
const FRAME_LOOP = 'app/web/frame_loop.cpp';
const TEXTURE = 'app/core/texture.h';
const SCENE_READER = 'app/core/scene_reader.cpp';
const SKY = 'app/hot/sky.cpp';
const LIGHTS = 'app/core/lights.cpp';
let session, page;

before(async () => {
  session = await openDevLoopSession({ scene: 'sphere_field.json', width: 160, height: 90, workers: 2 });
  page = session.page;
}, { timeout: 900000 });

after(async () => { await session?.close(); });

async function orbit() {
  await page.evaluate(() => raytracerPage.program.orbit(0.5, 0.15));
  await waitUntil(page, () => raytracerPage.program.statistics().accumulatedSamples >= 2);
  return (await session.stats()).camera;
}

test('a plain .cpp function called directly from unpatched code runs its new code on every worker', async () => {
  const before = await session.pagePicture(2);
  // add_samples (file-local) is called by render_tile, which frame_job.cpp calls directly.
  const settled = await session.saveAndSettle(TILE_RENDERER, (text) => replaceOnce(text,
    'sum += glm::vec4(finite_or_black(color), 1.0f);', 'sum += glm::vec4(finite_or_black(color) * glm::vec3(1.0f, 0.4f, 0.4f), 1.0f);'));
  assert.equal(settled.state, 'applied', JSON.stringify(settled.failure));
  assert.deepEqual(settled.changed, ['raytracer::(anonymous namespace)::add_samples']);
  await session.waitForVersionOnScreen();
  const [after, native] = [await session.pagePicture(2), await session.nativePicture(2)];
  session.assertSamePicture(after, native, 'the page draws what the edited code draws natively');
  assert.ok(compareImages(after, before).differingPixels > 1000, 'and that differs from before the edit');
  const stats = await session.stats();
  assert.ok(stats.workers.every((worker) => worker.version === session.version), JSON.stringify(stats.workers));
  assert.equal(stats.mixedVersionFrames, 0);
});

test('a function that runs on the main thread takes effect, and its file\'s singleton keeps the page\'s state', async () => {
  const camera = await orbit();
  const before = await session.stats();
  const settled = await session.saveAndSettle(FRAME_LOOP, (text) => replaceOnce(text,
    '{"sceneRebuilds", scene_rebuilds_},', '{"sceneRebuilds", scene_rebuilds_},\n      {"editedOnTheMainThread", 42},'));
  assert.equal(settled.state, 'applied', JSON.stringify(settled.failure));
  assert.deepEqual(settled.changed, ['raytracer::web::FrameLoop::statistics_json']);
  await session.waitForVersionOnScreen();
  const after = await session.stats();
  assert.equal(after.editedOnTheMainThread, 42, 'the edited statistics function runs');
  // FrameLoop::instance()'s static is the program's own: same scene, camera, workers, frames counting on.
  assert.deepEqual(after.camera, camera);
  assert.equal(after.scene, before.scene);
  assert.equal(after.workers.length, before.workers.length);
  assert.ok(after.frames > before.frames);
  await waitUntil(page, (from) => raytracerPage.program.statistics().frames > from + 3, after.frames);
});

test('an inline function in a header included by ten or more of the program\'s sources reaches the screen, compiling only the sources that use it', async () => {
  // The dev loop works out which functions each source uses in the background when it starts.
  await session.waitForOutput(/header edits: know which functions each of \d+ sources uses/, 300000);
  const before = await session.pagePicture(2);
  const settled = await session.saveAndSettle(TEXTURE, (text) => replaceOnce(text,
    'return ((cell_x + cell_y + cell_z) & 1) == 0 ? color : other_color;', 'return ((cell_x + cell_y + cell_z) & 1) != 0 ? color : other_color;'));
  assert.equal(settled.state, 'applied', JSON.stringify(settled.failure));
  const files = await page.evaluate((v) => HotswapMain.entries[v].files, settled.version);
  await session.waitForOutput(/app\/core\/texture\.h: changed raytracer::Texture::value; compiled the \d+ of its \d+ includers/);
  const [, compiledCount, includers] = session.devLoop.output().match(/app\/core\/texture\.h: changed raytracer::Texture::value; compiled the (\d+) of its (\d+) includers/);
  assert.ok(Number(includers) >= 10, `texture.h has ${includers} includers`);
  assert.equal(files.length, Number(compiledCount));
  assert.ok(files.includes('app/hot/scatter.cpp') && files.length <= 3, `the header edit compiled ${files.length} sources: ${files}; ` +
    session.devLoop.output().split('\n').filter((line) => /header edits|texture\.h/.test(line)).join('\n'));
  await session.waitForVersionOnScreen();
  const [after, native] = [await session.pagePicture(2), await session.nativePicture(2)];
  session.assertSamePicture(after, native, 'the page draws the flipped checker the edited header draws natively');
  assert.ok(compareImages(after, before).differingPixels > 1000, 'and that differs from before the edit');
});

test('an edit to scene-loading code rebuilds the scene with the new code, keeping the orbited camera', async () => {
  const camera = await orbit();
  const rebuildsBefore = (await session.stats()).sceneRebuilds;
  const settled = await session.saveAndSettle(SCENE_READER, (text) => replaceOnce(text,
    'const float radius = field.member("radius").positive_number();', 'const float radius = 0.6f * field.member("radius").positive_number();'));
  assert.equal(settled.state, 'applied', JSON.stringify(settled.failure));
  await session.waitForVersionOnScreen();
  const after = await session.stats();
  assert.equal(after.sceneRebuilds, rebuildsBefore + 1, 'the scene was loaded again');
  assert.deepEqual(after.camera, camera, 'with the camera the user had');
  await session.waitUntilRan(settled.version, ['raytracer::SceneReader::read_object']);
  const [picture, native] = [await session.pagePicture(2), await session.nativePicture(2)];
  session.assertSamePicture(picture, native, 'the page draws the smaller spheres the edited reader makes natively');

  const sky = await session.saveAndSettle(SKY, (text) => replaceOnce(text, '  return radiance;\n}', '  return radiance * 0.9f;\n}'));
  assert.equal(sky.state, 'applied', JSON.stringify(sky.failure));
  await session.waitForVersionOnScreen();
  assert.equal((await session.stats()).sceneRebuilds, rebuildsBefore + 1, 'a sky edit does not reload the scene');
});

test('the patch log names the functions a save changed and marks those that ran; a comment changes no code', async () => {
  const sky = await session.saveAndSettle(SKY, (text) => text.replace(/  return radiance[^;]*;\n}/, '  return radiance * 0.8f;\n}'));
  assert.deepEqual(sky.changed, ['raytracer::sky_radiance']);
  // The second sky edit in a row: the frame loop's own code came from a patch too (test 2),
  // and must call this patch's sky, not the one of the patch it came from.
  await session.waitUntilRan(sky.version, ['raytracer::sky_radiance']);
  const [picture, native] = [await session.pagePicture(2), await session.nativePicture(2)];
  session.assertSamePicture(picture, native, 'the page draws the sky of the newest edit, as the native renderer does');
  const row = await page.evaluate((v) => [...document.querySelectorAll('#patch-log tbody tr')]
    .find((r) => r.children[0].textContent === String(v)).children[3].textContent, sky.version);
  assert.match(row, /✓ raytracer::sky_radiance/);

  // A comment edit on its own line: no function's code changes.
  const comment = await session.saveAndSettle(SKY, (text) => replaceOnce(text,
    '// A quick fade to the ground colour just below the horizon.', '// A quick fade to the ground colour below the horizon.'));
  assert.equal(comment.state, 'applied', JSON.stringify(comment.failure));
  assert.deepEqual(comment.changed, []);
  const noChange = await session.waitForPatches((v) => {
    const row = [...document.querySelectorAll('#patch-log tbody tr')].find((r) => r.children[0].textContent === String(v));
    return row && row.children[3].textContent;
  }, comment.version, 10000);
  assert.equal(noChange, 'no code changed');
  await session.waitForOutput(new RegExp(`patch ${comment.version}: built .*: no code changed`));

  // A function the picture does not use (this scene has no mesh): live, but not run.
  const mesh = await session.saveAndSettle(SCENE_READER, (text) => replaceOnce(text,
    'TriangleMesh mesh = parse_obj(*contents, path);', 'TriangleMesh mesh = parse_obj(*contents, path + "");'));
  assert.equal(mesh.state, 'applied', JSON.stringify(mesh.failure));
  assert.deepEqual(mesh.changed, ['raytracer::SceneReader::read_mesh']);
  await session.waitForVersionOnScreen();
  const meshRow = await page.evaluate((v) => [...document.querySelectorAll('#patch-log tbody tr')]
    .find((r) => r.children[0].textContent === String(v)).children[3].textContent, mesh.version);
  assert.match(meshRow, /○ raytracer::SceneReader::read_mesh/);
  await waitUntil(page, (v) => raytracerPage.program.statistics().frameVersion === v, mesh.version);
  await session.waitForOutput(new RegExp(`patch ${mesh.version}: not run yet \\(live, waiting for a call\\): raytracer::SceneReader::read_mesh`));
});

test('a constructor, two functions of one name (its complete- and base-object variants), is listed once and counts as run once either ran: the log never contradicts itself', async () => {
  const settled = await session.saveAndSettle(LIGHTS, (text) => replaceOnce(text,
    'if (brightest_sun_channel > 0.0f && sun_one_minus_cos > 0.0f) {', 'if (brightest_sun_channel > 1e-9f && sun_one_minus_cos > 0.0f) {'));
  assert.equal(settled.state, 'applied', JSON.stringify(settled.failure));
  const variants = await page.evaluate((v) => HotswapMain.entries[v].changed.map((c) => c.name), settled.version);
  assert.ok(variants.length >= 2, `the save changed the constructor's variants as separate functions: ${variants}`);
  assert.deepEqual(settled.changed, ['raytracer::Lights::Lights']);
  const v = settled.version;
  await session.waitForOutput(new RegExp(`patch ${v}: built app/core/lights\\.cpp in \\d+ ms \\(compile \\d+( \\(\\d+ of processor time\\))?, link \\d+\\): changed raytracer::Lights::Lights\\n`));
  // The scene is rebuilt with the new code, so the constructor runs (one of its variants).
  await session.waitForOutput(new RegExp(`patch ${v}: ran raytracer::Lights::Lights \\(\\d+ ms after it applied\\)\\n`));
  const row = await session.waitForPatches((version) => {
    const found = [...document.querySelectorAll('#patch-log tbody tr')].find((r) => r.children[0].textContent === String(version));
    return found && /✓/.test(found.children[3].textContent) && found.children[3].textContent;
  }, v, 10000);
  assert.equal(row.trim(), '✓ raytracer::Lights::Lights');
  await session.waitForVersionOnScreen(v);
  assert.doesNotMatch(session.devLoop.output(), new RegExp(`patch ${v}: (ran .*; )?not run yet.*Lights::Lights`));
});

// Last: it freezes the page of the session for good.
test('a loop in scene loading freezes the main thread, which nothing can recover: the workers tell the terminal why; with the fix saved, the page loaded again shows the fixed code', async () => {
  const builtSceneReader = () => [...session.devLoop.output().matchAll(/patch (\d+): built app\/core\/scene_reader\.cpp[^\n]*/g)];
  const saveAndWaitForBuild = async (transform) => {
    const before = builtSceneReader().length;
    session.project.edit(SCENE_READER, transform);
    await session.waitForOutput({ test: () => builtSceneReader().length > before }, 300000);
    return builtSceneReader().at(-1);
  };
  const good = session.project.read(SCENE_READER);
  const loop = await saveAndWaitForBuild((text) => text.replace(/(const float radius = [^;]*;)/,
    '$1\n  { volatile int spin = 0; while (spin >= 0) spin = spin * 1; }'));
  assert.match(loop[0], /changed raytracer::SceneReader::read_object/);
  await session.waitForOutput(new RegExp('the page: The page froze: the main thread has not run for 3 s: code it runs loops \\(scene loading, ' +
    'which a patch that changed it runs again; everything, with zero workers\\), on patch \\d+\'s code\\. The page cannot recover by ' +
    'itself: save a fix, then reload the page'), 60000);

  const fix = Number((await saveAndWaitForBuild(() => good))[1]);
  // What a user does: load the page again (in a context of its own: the frozen one keeps its process).
  const { page: reloaded } = await openPage(session.browser, `${session.devLoop.url}index.html?scene=sphere_field.json&width=160&height=90&workers=2`,
    { waitFor: () => globalThis.raytracerPage?.ready });
  await waitUntil(reloaded, (v) => {
    raytracerPage.program.setSampleLimit(2);
    const s = raytracerPage.program.statistics();
    return s.frameVersion === v && s.idle && s.accumulatedSamples === 2;
  }, fix, 120000);
  const image = await reloaded.evaluate(() => {
    const { width, height, rgba } = raytracerPage.program.displayedPixels();
    return { width, height, rgba: Array.from(rgba) };
  });
  const native = await session.nativePicture(2, { width: 160, height: 90 });
  session.assertSamePicture({ ...image, rgba: Buffer.from(image.rgba), state: {} }, native, 'the page loaded again draws the fixed code\'s scene');
});
