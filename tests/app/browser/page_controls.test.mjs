// The page's controls and environment check: the worker count changes without a reload
// (down to zero and back), dragging orbits and the wheel zooms, a build holds the frame in
// flight (FrameLoop::pause_for_build, what the dev loop's build-started asks for), a bad scene is reported
// with its file and field while the old scene keeps rendering, and a browser without
// cross-origin isolation is told what is missing and how to fix it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { launchBrowser, openPage, siteRoot, startServer, waitUntil } from '../../browser/harness.mjs';

let server, browser, page;
const stats = () => page.evaluate(() => raytracerPage.program.statistics());
const framesAdvance = async () => {
  const start = (await stats()).frames;
  await waitUntil(page, (from) => raytracerPage.program.statistics().frames > from + 2, start);
};

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await openPage(browser, `${server.url}index.html?scene=sphere_field.json&width=320&height=180&workers=1`,
    { waitFor: () => globalThis.raytracerPage?.ready }));
  await framesAdvance();
});
after(async () => { await browser?.close(); server?.stop(); });

const workerRows = () => page.$$eval('#worker-table tbody tr', (rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)));

test('the worker count changes without a reload, up to hardwareConcurrency, down to zero and back', async () => {
  const url = page.url();
  const most = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(await page.$eval('#workers', (input) => +input.max), most);
  for (const count of [most, 0, 1]) {
    await page.$eval('#workers', (input, value) => { input.value = value; input.dispatchEvent(new Event('input')); }, count);
    await waitUntil(page, (n) => {
      const s = raytracerPage.program.statistics();
      return s.workers.length === n && s.workers.every((w) => w.status === 'Normal');
    }, count);
    await framesAdvance();
    const current = await stats();
    if (count > 0) {
      await waitUntil(page, () => raytracerPage.program.statistics().workers.every((w) => w.tiles > 0));
      assert.equal(current.workers.filter((w) => w.presenter).length, 1, 'one worker presents');
    }
    await waitUntil(page, (n) => document.querySelectorAll('#worker-table tbody tr').length === Math.max(n, 1), count);
    const rows = await workerRows();
    assert.equal(rows.length, Math.max(count, 1));
    if (count === 0) assert.match(rows[0][0], /none: the main thread renders/);
  }
  assert.equal(page.url(), url, 'no reload');
});

test('the picture on screen comes from the presenting worker and is not blank', async () => {
  const pixels = await page.evaluate(() => {
    const { rgba } = raytracerPage.program.displayedPixels();
    let bright = 0;
    for (let i = 0; i < rgba.length; i += 4) bright += rgba[i] + rgba[i + 1] + rgba[i + 2] > 60 ? 1 : 0;
    return bright / (rgba.length / 4);
  });
  assert.ok(pixels > 0.5, `only ${(pixels * 100).toFixed(0)}% of the pixels are lit`);
  const shot = await page.locator('#picture').screenshot();
  assert.ok(shot.length > 5000, 'the canvas shows a picture');
});

test('dragging orbits the camera and restarts accumulation; the wheel zooms; reset restores', async () => {
  const before = await stats();
  await waitUntil(page, () => raytracerPage.program.statistics().accumulatedSamples > 3);
  const box = await page.locator('#canvas-slot').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const orbited = await waitUntil(page, (old) => {
    const s = raytracerPage.program.statistics();
    return JSON.stringify(s.camera.position) !== JSON.stringify(old) && s;
  }, before.camera.position);
  assert.deepEqual(orbited.camera.target, before.camera.target, 'orbit keeps the target');
  const distance = (s) => Math.hypot(...s.camera.position.map((p, i) => p - s.camera.target[i]));
  assert.ok(Math.abs(distance(orbited) - distance(before)) < 1e-3 * distance(before), 'orbit keeps the distance');
  assert.ok(orbited.accumulatedSamples < 3, 'accumulation restarted');

  await page.mouse.wheel(0, 300);
  const zoomed = await waitUntil(page, (d) => {
    const s = raytracerPage.program.statistics();
    const now = Math.hypot(...s.camera.position.map((p, i) => p - s.camera.target[i]));
    return Math.abs(now - d) > 1e-3 && s;
  }, distance(orbited));
  assert.ok(distance(zoomed) > distance(orbited), 'wheel down moves away');

  await page.click('#reset');
  await waitUntil(page, (old) => JSON.stringify(raytracerPage.program.statistics().camera.position) === JSON.stringify(old), before.camera.position);
});

// A reloaded scene keeps the user's view by setting the camera, which waits for the next frame's
// start: a reset that comes first must not be overridden by it (the newest request wins).
test('a reset right after a camera was set, while a frame is in flight, ends on the scene\'s camera', async () => {
  const sceneCamera = (await stats()).camera;
  await page.evaluate(() => { raytracerPage.program.setSamplesPerFrame(32); raytracerPage.program.zoom(1); });
  await waitUntil(page, () => raytracerPage.program.statistics().frameInFlight?.tilesDone > 0);
  const inFlight = await page.evaluate(({ position, target, focusDistance }) => {
    const { program } = raytracerPage;
    const busy = Boolean(program.statistics().frameInFlight);
    program.setCamera({ position: position.map((p) => p + 1), target, focusDistance });  // waits for the next frame
    program.resetCamera();
    return busy;
  }, sceneCamera);
  assert.ok(inFlight, 'a frame was in flight');
  await page.evaluate(() => raytracerPage.program.setSamplesPerFrame(1));
  await framesAdvance();
  assert.deepEqual((await stats()).camera, sceneCamera);
});

test('a build holds the frame in flight: no tile finishes until it ends, no held worker is taken for stuck, and the frame then goes on with its samples', async () => {
  const samplesPerFrame = 32;  // about a second a frame with one worker at this size
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // A zoom of 1 starts a new picture: frames of exactly samplesPerFrame (a still picture's grow).
  await page.evaluate((samples) => { raytracerPage.program.setSamplesPerFrame(samples); raytracerPage.program.zoom(1); }, samplesPerFrame);
  await waitUntil(page, (samples) => {
    const s = raytracerPage.program.statistics();
    return s.accumulatedSamples >= samples && s.frameGrowth === 1 && s.frameInFlight && s.frameInFlight.tilesDone > 0 &&
      s.frameInFlight.tilesDone < s.frameInFlight.tiles / 2;
  }, samplesPerFrame);
  const before = await page.evaluate(() => { raytracerPage.program.pauseForBuild(true); return raytracerPage.program.statistics(); });
  try {
    await sleep(200);  // the row in hand ends
    const held = await stats();
    assert.ok(held.frameInFlight && held.frameInFlight.held, 'the frame in flight is held');
    await sleep(2500);  // longer than the watchdog's 2 s without progress
    const later = await stats();
    assert.equal(later.frameInFlight?.tilesDone, held.frameInFlight.tilesDone, 'no tile finished while the build held the frame');
    assert.equal(later.frames, before.frames, 'no frame finished or started while held');
    assert.equal(later.stuckWorkers, before.stuckWorkers, 'a held worker is waiting, not stuck');
    assert.ok(later.workers.every((worker) => worker.status === 'Normal'));
  } finally {
    await page.evaluate(() => raytracerPage.program.pauseForBuild(false));  // the build failed: nothing replaces the code
  }
  await waitUntil(page, (frames) => raytracerPage.program.statistics().frames > frames, before.frames);
  const after = await stats();
  assert.equal(after.accumulatedSamples, before.accumulatedSamples + samplesPerFrame, 'the held frame went on and added its samples');
  await page.evaluate(() => raytracerPage.program.setSamplesPerFrame(1));
});

test('a camera set just before or while a build holds the frame applies at once: the page reports the camera it was given', async () => {
  const samplesPerFrame = 32;
  await page.evaluate((samples) => { raytracerPage.program.setSamplesPerFrame(samples); raytracerPage.program.zoom(1); }, samplesPerFrame);
  const cameras = [{ position: [3, 2, 9], target: [0, 0.5, 0], focusDistance: 7 }, { position: [-4, 3, 8], target: [0, 0.25, 0], focusDistance: 6 }];
  for (const [order, wanted] of [['set, then held', cameras[0]], ['held, then set', cameras[1]]]) {
    await waitUntil(page, () => raytracerPage.program.statistics().frameInFlight?.tilesDone > 0);
    try {
      const reported = await page.evaluate(([camera, setFirst]) => {
        const { program } = raytracerPage;
        const inFlight = Boolean(program.statistics().frameInFlight);
        if (setFirst) program.setCamera(camera);  // waits for the next frame's start
        program.pauseForBuild(true);
        if (!setFirst) program.setCamera(camera);
        return { inFlight, camera: program.statistics().camera };  // what a hot restart would save
      }, [wanted, order === 'set, then held']);
      assert.ok(reported.inFlight, `${order}: a frame was in flight`);
      assert.deepEqual(reported.camera.position, wanted.position, order);
      assert.deepEqual(reported.camera.target, wanted.target, order);
      assert.equal(reported.camera.focusDistance, wanted.focusDistance, order);
    } finally {
      await page.evaluate(() => raytracerPage.program.pauseForBuild(false));
    }
  }
  await page.evaluate(() => { raytracerPage.program.setSamplesPerFrame(1); raytracerPage.program.resetCamera(); });
});

test('a bad scene is reported with its file and field, and the current scene keeps rendering', async () => {
  const outcome = await page.evaluate(() => raytracerPage.program.loadScene('broken.json',
    JSON.stringify({ camera: { position: [0, 1, 2], target: [0, 0, 0] }, objects: [{ type: 'sphere', center: [0, 0, 0], radius: 'big', material: { type: 'diffuse', albedo: [1, 1, 1] } }] })));
  assert.match(outcome, /^error:.*broken\.json.*objects\[0\]\.radius/s);
  await framesAdvance();
  assert.equal((await stats()).scene, 'sphere_field.json');
});

test('switching scenes from the menu loads the new scene', async () => {
  await page.selectOption('#scene', 'cornell_box.json');
  await waitUntil(page, () => raytracerPage.program.statistics().scene === 'cornell_box.json');
  await framesAdvance();
});

test('without cross-origin isolation the page says what is missing and how to fix it', async () => {
  // Python's plain http.server: no COOP/COEP headers.
  const plain = spawn('python3', ['-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', siteRoot], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let text = '';
      const read = (chunk) => { text += chunk; const m = text.match(/port (\d+)/); if (m) resolve(`http://127.0.0.1:${m[1]}/`); };
      plain.stdout.on('data', read); plain.stderr.on('data', read);
      setTimeout(() => reject(new Error('http.server did not start: ' + text)), 10000);
    });
    const { page: bare, context } = await openPage(browser, url + 'index.html');
    await bare.waitForSelector('#unsupported:not([hidden])');
    const text = await bare.textContent('#unsupported');
    assert.match(text, /not cross-origin isolated/);
    assert.match(text, /Cross-Origin-Opener-Policy: same-origin/);
    assert.match(text, /scripts\/run\.sh/);
    await context.close();
  } finally {
    plain.kill();
  }
});
