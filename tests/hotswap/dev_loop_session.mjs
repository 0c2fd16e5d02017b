// A session with the real development loop, as a user has it after `scripts/run.sh`: a
// temporary copy of the project, built, with scripts/dev.py serving the page and watching
// app/, and the page open in Chromium. Saves go to files of the copy the way an editor
// writes them; the helpers wait for the page to settle each patch and compare what it draws
// with what the native renderer draws from the same edited sources.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, openPage, waitUntil } from '../browser/harness.mjs';
import { compareImages, readPng, writePng } from '../browser/png.mjs';
import { copyProject, startDevLoop } from './project_copy.mjs';

// An edit that must find its text: a test whose anchor went away fails saying which.
export function replaceOnce(text, from, to) {
  assert.ok(text.includes(from), `the source no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

export async function openDevLoopSession({ scene, width, height, workers }) {
  const project = await copyProject();
  const devLoop = await startDevLoop(project);
  const browser = await launchBrowser();
  const { page, consoleLines } = await openPage(browser,
    `${devLoop.url}index.html?scene=${scene}&width=${width}&height=${height}&workers=${workers}`,
    { waitFor: () => globalThis.raytracerPage?.ready });

  const session = {
    project, devLoop, browser, page, consoleLines,
    version: 0,  // the newest patch version a save made

    stats: () => page.evaluate(() => raytracerPage.program.statistics()),

    // waitUntil, but a timeout says where the patches stood: the page's patch log and the
    // dev loop's last lines.
    async waitForPatches(predicate, argument, timeout) {
      try {
        return await waitUntil(page, predicate, argument, timeout);
      } catch (error) {
        const patches = await page.evaluate(() => HotswapMain.log.map((e) => `${e.version} ${e.state}${e.failure ? ` (${e.failure.kind}: ${e.failure.message.slice(0, 300)})` : ''}` +
          ` changed ${e.changed.map((c) => c.short + (c.name in e.ran ? ' (ran)' : '')).join(', ')}`));
        const { frames, frameVersion, patchVersion, idle, pausedForBuild, pausedByFailures, accumulatedSamples, workers } = await session.stats();
        const state = JSON.stringify({ frames, frameVersion, patchVersion, idle, pausedForBuild, pausedByFailures, accumulatedSamples,
          workers: workers.map((w) => `${w.id} ${w.status} v${w.version}`) });
        throw new Error(`${error.message}\nthe page: ${state}\npatches in the page:\n${patches.slice(-8).join('\n')}\n` +
          `dev loop:\n${devLoop.output().split('\n').slice(-15).join('\n')}`);
      }
    },

    // Saves an edit and waits for the page to settle the patch it made (applied or
    // rejected): the first version announced after the save (one save makes one patch).
    // Resolves with {version, state, failure, changed (short names), warnings}.
    async saveAndSettle(file, transform) {
      const newestBefore = await page.evaluate(() => Math.max(0, ...HotswapMain.log.map((e) => e.version)));
      project.edit(file, transform);
      const settled = await session.waitForPatches((from) => {
        const entry = HotswapMain.log.find((e) => e.version > from);
        return entry && ['applied', 'rejected'].includes(entry.state) &&
          { version: entry.version, state: entry.state, failure: entry.failure || null,
            changed: HotswapMain.changedFunctions(entry).map((c) => c.short), warnings: entry.warnings };
      }, newestBefore, 120000);
      session.version = settled.version;
      return settled;
    },

    // Waits until the dev loop's terminal output matches `pattern`. Lines about what the
    // page did (applied, ran, not run yet, reloaded) are printed when the page's report
    // reaches the dev server, which can be after the page itself shows the new version.
    async waitForOutput(pattern, timeout = 15000) {
      const deadline = Date.now() + timeout;
      while (!pattern.test(devLoop.output())) {
        if (Date.now() > deadline) {
          assert.fail(`the dev loop did not print ${pattern} within ${timeout} ms; its last lines:\n` +
            devLoop.output().split('\n').slice(-15).join('\n'));
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },

    async waitForVersionOnScreen(v = session.version) {
      await waitUntil(page, (wanted) => raytracerPage.program.statistics().frameVersion === wanted, v, 30000);
    },

    // Waits until each named changed function of patch `v` has run; resolves with the
    // page's patch log row text.
    async waitUntilRan(v, names) {
      return session.waitForPatches(([wanted, expected]) => {
        const entry = HotswapMain.entries[wanted];
        const ran = entry && entry.changed.filter((c) => c.name in entry.ran).map((c) => c.short);
        return ran && expected.every((name) => ran.includes(name)) && ran;
      }, [v, names], 30000);
    },

    // The page's picture of the scene's own camera after `samples` samples; then rendering resumes.
    async pagePicture(samples) {
      await page.evaluate((limit) => { raytracerPage.program.resetCamera(); raytracerPage.program.setSampleLimit(limit); }, samples);
      await waitUntil(page, (limit) => {
        const s = raytracerPage.program.statistics();
        return s.idle && s.accumulatedSamples === limit;
      }, samples, 60000);
      const image = await page.evaluate(() => {
        const { width: w, height: h, rgba } = raytracerPage.program.displayedPixels();
        const { accumulatedSamples, frameVersion, patchVersion, mixedVersionFrames, workerFailures, camera, workers: pool } = raytracerPage.program.statistics();
        return { width: w, height: h, rgba: Array.from(rgba),
          state: { accumulatedSamples, frameVersion, patchVersion, mixedVersionFrames, workerFailures, camera, workers: pool } };
      });
      await page.evaluate(() => raytracerPage.program.setSampleLimit(0));
      return { ...image, rgba: Buffer.from(image.rgba) };
    },

    // What the native renderer draws, built from the copy's (edited) sources, at the page's
    // resolution (or the one given).
    async nativePicture(samples, size = null) {
      const { width: w, height: h } = size || await session.stats();
      const out = path.join(project.root, `native-${session.version}-${Date.now()}.png`);
      await project.renderNative({ scene, width: w, height: h, samples, out });
      return readPng(out);
    },

    // Asserts the page drew exactly what the native renderer drew. When not, both pictures
    // are kept (next to the build, or in the system's temporary folder) and the message
    // says where, with the page's state as it drew.
    assertSamePicture(pageImage, nativeImage, what) {
      const { differingPixels, psnr } = compareImages(pageImage, nativeImage);
      if (differingPixels === 0) return;
      const folder = fs.mkdtempSync(path.join(process.env.BUILD_ROOT || os.tmpdir(), 'dev-loop-mismatch-'));
      writePng(path.join(folder, 'page.png'), pageImage);
      writePng(path.join(folder, 'native.png'), nativeImage);
      fs.writeFileSync(path.join(folder, 'page-state.json'), JSON.stringify({ version: session.version, state: pageImage.state,
        patches: devLoop.output().split('\n').slice(-40) }, null, 2));
      assert.fail(`${what}: ${differingPixels} pixels differ (PSNR ${psnr.toFixed(1)} dB) at patch version ${session.version}; ` +
        `the page's state ${JSON.stringify(pageImage.state)}; both pictures are in ${folder}`);
    },

    async close() {
      await browser.close();
      await devLoop.stop();
      if (process.env.KEEP_PROJECT_COPY) console.log('# project copy kept in ' + project.root);
      else project.remove();
    },
  };
  return session;
}
