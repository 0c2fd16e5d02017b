// Saves of code that compiles always reach the screen, through the real dev loop (a copy of
// the project, scripts/dev.py, the page in Chromium): a warning does not stop a patch and is
// shown with its file and line; the error overlay of a compile error closes by itself once
// the fix applies; and a save no patch can carry (a changed signature, a class that grows,
// the first use of a library function the program never linked) makes a hot restart: the
// program is rebuilt, the page reloads by itself and comes back with the scene, resolution,
// samples per frame, workers, sample limit and orbited camera it had, and its patch log says
// "restarted: why". Each restart also checks that the new code is what the page draws. A
// comparison of two versions in effect ends with the restart (its versions are gone), and the
// log says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../browser/harness.mjs';
import { openDevLoopSession, replaceOnce } from './dev_loop_session.mjs';

const SKY = 'app/hot/sky.cpp';
const CAMERA_VIEW_HEADER = 'app/core/camera_view.h';
const CAMERA_VIEW = 'app/core/camera_view.cpp';
const RESTART_TIMEOUT = 600000;
let session, page;
let userSetUp;  // what the user set up before the first restart: each restart must keep it

before(async () => {
  session = await openDevLoopSession({ scene: 'sphere_field.json', width: 160, height: 90, workers: 2 });
  page = session.page;
}, { timeout: 900000 });

after(async () => { await session?.close(); });

const patchLogRows = () => page.evaluate(() => [...document.querySelectorAll('#patch-log tbody tr')].map((row) => row.textContent));

// Sets controls the way a user does, and moves the camera: the state a restart must keep.
async function setUpLikeAUser() {
  await page.selectOption('#resolution', '320x180');
  await page.fill('#samples-per-frame', '2');
  await page.dispatchEvent('#samples-per-frame', 'change');
  await page.$eval('#workers', (input) => { input.value = 1; input.dispatchEvent(new Event('input')); });
  await page.fill('#sample-limit', '5000');
  await page.dispatchEvent('#sample-limit', 'change');
  await page.evaluate(() => { raytracerPage.program.orbit(0.4, 0.1); raytracerPage.program.zoom(0.85); });
  // (a timeout says where the page and the patches stood)
  await session.waitForPatches(() => {
    const s = raytracerPage.program.statistics();
    return s.width === 320 && s.samplesPerFrame === 2 && s.workers.length === 1 && s.accumulatedSamples >= 4;
  });
  const s = await session.stats();
  return { width: s.width, height: s.height, samplesPerFrame: s.samplesPerFrame, sampleLimit: s.sampleLimit,
    workers: s.workers.length, scene: s.scene, camera: s.camera };
}

// Saves edits that need a restart, one file after another as an editor's "save all" does;
// resolves once the reloaded page renders, with why it restarted.
async function saveAndRestart(...edits) {
  await page.evaluate(() => {
    globalThis.loadedBeforeTheRestart = true;  // gone with the reload
    // What the connection badge says before the page reloads (kept across the reload).
    sessionStorage.removeItem('testBadgeTexts');
    const badge = document.getElementById('connection');
    new MutationObserver(() => {
      const seen = JSON.parse(sessionStorage.getItem('testBadgeTexts') || '[]');
      sessionStorage.setItem('testBadgeTexts', JSON.stringify([...seen, badge.textContent]));
    }).observe(badge, { childList: true, characterData: true, subtree: true });
  });
  for (const [file, transform] of edits) session.project.edit(file, transform);
  const outcome = await (await page.waitForFunction(() => {
    if (globalThis.loadedBeforeTheRestart) {  // still the old page: did the restart fail?
      const title = document.getElementById('error-title').textContent;
      return !document.getElementById('error-overlay').hidden && title.startsWith('Restart failed') &&
        `${title}: ${document.getElementById('error-details').textContent}`;
    }
    return globalThis.raytracerPage?.ready && raytracerPage.program.statistics().presentedFrame > 0 && 'restarted';
  }, null, { timeout: RESTART_TIMEOUT, polling: 100 })).jsonValue();
  assert.equal(outcome, 'restarted');
  session.version = 0;  // the rebuilt program starts its patches over
  return page.evaluate(() => ({ ...raytracerPage.restarted, badges: JSON.parse(sessionStorage.getItem('testBadgeTexts') || '[]') }));
}

async function assertSetUpKept() {
  await waitUntil(page, () => raytracerPage.program.statistics().workers.length > 0);
  const s = await session.stats();
  assert.deepEqual({ width: s.width, height: s.height, samplesPerFrame: s.samplesPerFrame, sampleLimit: s.sampleLimit,
    workers: s.workers.length, scene: s.scene, camera: s.camera }, userSetUp, 'the page came back as the user had it');
  assert.equal(await page.$eval('#resolution', (select) => select.value), '320x180', 'and so did its controls');
}

async function assertDrawsTheEditedCode(what) {
  const [picture, native] = [await session.pagePicture(2), await session.nativePicture(2)];
  session.assertSamePicture(picture, native, what);
  await page.evaluate((camera) => raytracerPage.program.setCamera(camera), userSetUp.camera);  // pagePicture reset it
}

test('a warning does not stop a patch: it shows in the patch log and the terminal with its file and line', async () => {
  const settled = await session.saveAndSettle(SKY, (text) => replaceOnce(text, '  glm::vec3 radiance;\n', '  glm::vec3 radiance;\n  int unused_sample_counter = 3;\n'));
  assert.equal(settled.state, 'applied', JSON.stringify(settled.failure));
  assert.equal(settled.warnings.length, 1, JSON.stringify(settled.warnings));
  assert.equal(settled.warnings[0].file, SKY);
  assert.match(settled.warnings[0].message, /unused variable 'unused_sample_counter'/);
  await session.waitForVersionOnScreen();
  const notes = await page.evaluate(() => [...document.querySelectorAll('#patch-log .patch-notes')].filter((row) => !row.hidden).map((row) => row.textContent));
  assert.match(notes.join('\n'), /warning: app\/hot\/sky\.cpp:\d+:\d+: unused variable 'unused_sample_counter'/);
  await session.waitForOutput(/warning: app\/hot\/sky\.cpp:\d+:\d+: unused variable 'unused_sample_counter'/);
  // Tidy up like a user would: the native build, which later tests compare with, keeps -Werror.
  const tidied = await session.saveAndSettle(SKY, (text) => replaceOnce(text, '  int unused_sample_counter = 3;\n', ''));
  assert.equal(tidied.state, 'applied', JSON.stringify(tidied.failure));
  assert.deepEqual(tidied.warnings, []);
});

test('a compile error opens the overlay with the file named from the project root; the fix closes it by itself', async () => {
  const broken = await session.saveAndSettle(SKY, (text) => replaceOnce(text, '  return radiance;\n}', '  return radiance * * 2.0f;\n}'));
  assert.equal(broken.state, 'rejected');
  assert.equal(broken.failure.kind, 'compile_error');
  const overlay = await waitUntil(page, () => !document.getElementById('error-overlay').hidden && document.getElementById('error-details').textContent);
  assert.match(overlay, /^app\/hot\/sky\.cpp:\d+:\d+: error/m, 'named relative to the project root');
  assert.doesNotMatch(overlay, new RegExp(session.project.root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  const fixed = await session.saveAndSettle(SKY, (text) => replaceOnce(text, '  return radiance * * 2.0f;\n}', '  return radiance;\n}'));
  assert.equal(fixed.state, 'applied', JSON.stringify(fixed.failure));
  await waitUntil(page, () => document.getElementById('error-overlay').hidden);  // nobody clicked ×
});

test('a changed signature restarts the program: the page reloads, keeps what the user set up, and draws the new code', async () => {
  userSetUp = await setUpLikeAUser();
  const compared = session.version;
  await page.evaluate((newest) => raytracerPage.compare({ left: 0, right: newest }), compared);
  await waitUntil(page, () => raytracerPage.program.statistics().compare !== null);
  // A parameter with a default: callers compile unchanged, but the function is a new symbol.
  const restarted = await saveAndRestart(
    [CAMERA_VIEW_HEADER, (text) => replaceOnce(text, 'Ray ray(float s, float t, Random& random) const;',
      'Ray ray(float s, float t, Random& random, float zoom = 0.8f) const;')],
    [CAMERA_VIEW, (text) => replaceOnce(replaceOnce(text,
      'Ray CameraView::ray(float s, float t, Random& random) const {', 'Ray CameraView::ray(float s, float t, Random& random, float zoom) const {'),
    'const glm::vec3 image_point = top_left_ + s * horizontal_ + t * vertical_;',
    'const glm::vec3 image_point = top_left_ + (0.5f + (s - 0.5f) * zoom) * horizontal_ + (0.5f + (t - 0.5f) * zoom) * vertical_;')]);
  assert.match(restarted.reason, /raytracer::CameraView::ray changed its signature/);
  await assertSetUpKept();
  const rows = await patchLogRows();
  assert.match(rows[0], /^restarted: raytracer::CameraView::ray changed its signature/);
  assert.match(rows[0], new RegExp(`the comparison of versions 0 and ${compared} ended`), 'the comparison ended with the restart');
  assert.equal((await session.stats()).compare, null, 'the reloaded page shows the new program alone');
  assert.ok(rows.some((row) => /unused_sample_counter/.test(row)), 'the patch log from before the restart is still there');
  await assertDrawsTheEditedCode('after the restart the page draws the zoomed-in view of the new signature');
  await session.waitForOutput(/the page reloaded and restored its settings and camera: save to the first frame \d+ ms/);
});

test('a class that grows restarts the program with the type and both layouts named', async () => {
  const restarted = await saveAndRestart(
    [CAMERA_VIEW_HEADER, (text) => replaceOnce(text, '  float lens_radius_;\n', '  float lens_radius_;\n  float extra_zoom_ = 0.9f;\n')],
    [CAMERA_VIEW, (text) => replaceOnce(text, '(s - 0.5f) * zoom) * horizontal_', '(s - 0.5f) * zoom * extra_zoom_) * horizontal_')]);
  assert.match(restarted.reason, /raytracer::CameraView grew from 76 to 80 bytes/);
  assert.ok(restarted.badges.some((text) => /^restarting: raytracer::CameraView grew from 76 to 80 bytes/.test(text)),
    `while it rebuilt, the page said why it restarts: ${JSON.stringify(restarted.badges)}`);
  await session.waitForOutput(/raytracer::CameraView grew from 76 to 80 bytes \(in the running program: 76 bytes, aligned to 4, fields at \[0, 12, 24, 36, 48, 60, 72\]; now: 80 bytes, aligned to 4, fields at \[0, 12, 24, 36, 48, 60, 72, 76\]\)/);
  await assertSetUpKept();
  await assertDrawsTheEditedCode('after the restart the page draws the view squeezed by the new member');
});

test('the first use of a library function the program never linked restarts the program with it', async () => {
  // getenv: the program never calls it, and the compiler cannot work out its answer (it would
  // fold atoi("3") to 3). The variable is set nowhere, so the sky is twice as bright.
  const restarted = await saveAndRestart([SKY, (text) => replaceOnce(text.replace('#include <cmath>\n', '#include <cmath>\n#include <cstdlib>\n'),
    '  return radiance;\n}', '  return radiance * (std::getenv("HOTSWAP_TEST_NEVER_SET") ? 1.0f : 2.0f);\n}')]);
  assert.match(restarted.reason, /the edit uses getenv, which the running program does not have/);
  await assertSetUpKept();
  await assertDrawsTheEditedCode('after the restart the page draws the brighter sky');
});
