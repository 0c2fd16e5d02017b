// A hot-swap test session: the hotswap test program in Chromium with some workers, a
// patch folder served at /patches/, and real patches built by hotswap/tools/patch_builder.py
// from edited copies of the program's sources (an overlay folder: the tree is not touched).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, openPage, projectRoot, siteRoot, startServer, waitUntil } from '../browser/harness.mjs';

const run = promisify(execFile);
const buildRoot = process.env.BUILD_ROOT || path.join(projectRoot, 'build/wasm');
const programWasm = path.join(siteRoot, 'tests/hotswap/hotswap_test_program.wasm');
export const HOT_VALUE = 'tests/hotswap/program/hot_value.cpp';
export const HOT_SCALE = 'tests/hotswap/program/hot_scale.cpp';
export const HOT_HELPERS = 'tests/hotswap/program/hot_helpers.h';
export const HOT_CHECKED = 'tests/hotswap/program/hot_checked.cpp';
export const HOT_THREAD_LOCAL = 'tests/hotswap/program/hot_thread_local.cpp';

// "main v1 value 7010 c 6 scale 15 since-load 1 pointer 15 virtual 50" ->
// {where, version, value, c, scale, sinceLoad, pointer, virtual}
function parseResult(line) {
  const match = line.match(/^(main|worker \d+) v(\d+) value (-?\d+) c (-?\d+) scale (-?\d+) since-load (\d+) pointer (-?\d+) virtual (-?\d+) checked (-?\d+)$/);
  return { where: match[1], version: +match[2], value: +match[3], c: +match[4], scale: +match[5], sinceLoad: +match[6],
    pointer: +match[7], virtual: +match[8], checked: +match[9] };
}

// Writes `transform(the project file's text)` as that file's copy in an overlay folder (the
// patch builder's --overlay: the copy replaces the file, the tree is not touched).
export function editIntoOverlay(overlayDir, relativePath, transform) {
  const original = fs.readFileSync(path.join(projectRoot, relativePath), 'utf8');
  const edited = transform(original);
  if (edited === original) throw new Error(`the edit of ${relativePath} changed nothing`);
  const target = path.join(overlayDir, relativePath);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, edited);
}

export async function openPatchSession({ workers = 2 } = {}) {
  const patchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotswap-patches-'));
  const overlayDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotswap-overlay-'));
  const server = await startServer({ patches: patchDir });
  const browser = await launchBrowser();
  const { page, consoleLines } = await openPage(browser, server.url + 'tests/hotswap/index.html', { waitFor: () => globalThis.hotswapTestReady });

  const session = {
    page, patchDir, consoleLines,
    workerIds: [],

    // Waits until wwm reports `status` for the worker (0 Initializing, 1 Normal, 2 DynamicLinking).
    waitForStatus: (id, status) => waitUntil(page, ([worker, wanted]) => Module._test_status(worker) === wanted, [id, status]),

    async spawnWorker() {
      const id = await page.evaluate(() => Module._test_spawn());
      await waitUntil(page, (worker) => Module._test_status(worker) === 1, id);
      session.workerIds.push(id);
      return id;
    },

    // Writes an edited copy of a project file into the overlay: `transform(original text)`.
    edit: (relativePath, transform) => editIntoOverlay(overlayDir, relativePath, transform),
    // Puts the original text back (as an edit would: the copy equals the original).
    revert(relativePath) {
      const target = path.join(overlayDir, relativePath);
      fs.copyFileSync(path.join(projectRoot, relativePath), target);
    },

    // Runs the real patch builder; resolves with the manifest (also for a failed build).
    async build(version, files, { check = true } = {}) {
      const builder = path.join(projectRoot, 'hotswap/tools/patch_builder.py');
      const args = [builder, '--build-dir', buildRoot, '--program', programWasm, '--patch-dir', patchDir,
        '--overlay', overlayDir, '--version', String(version), ...(check ? [] : ['--no-check']), ...files];
      try {
        await run('python3', args, { cwd: projectRoot });
      } catch (error) {
        if (error.code !== 1) throw error;  // 1: the build failed and said why in the manifest
      }
      return JSON.parse(fs.readFileSync(path.join(patchDir, `patch-${String(version).padStart(6, '0')}.json`), 'utf8'));
    },

    // Announces a manifest to the page as the dev loop would, and waits until the loader settled it.
    async announce(manifest) {
      await page.evaluate((m) => HotswapMain.announce({ ...m, module: m.module ? '/patches/' + m.module : undefined }), manifest);
      return waitUntil(page, (version) => {
        const entry = HotswapMain.entries[version];
        return entry && ['ready', 'applied', 'rejected'].includes(entry.state) &&
          { state: entry.state, failure: entry.failure || null };
      }, manifest.version);
    },

    async commit() { return page.evaluate(() => Module._test_commit()); },

    async buildAnnounceCommit(version, files, options) {
      const manifest = await session.build(version, files, options);
      const settled = await session.announce(manifest);
      const committed = await session.commit();
      return { manifest, settled, committed };
    },

    // Calls the hot functions on the main thread and on every live worker (each on `version`
    // if given: an older version still loaded, hotswap::run_this_thread_on); resolves with
    // one parsed result per thread, in no particular order.
    async callEverywhere(argument, { version = null } = {}) {
      const expected = 1 + session.workerIds.length;
      const before = await page.evaluate(() => JSON.parse(UTF8ToString(Module._test_results_json())).results.length);
      if (version === null) {
        await page.evaluate((value) => Module._test_call_everywhere(value), argument);
      } else if (!await page.evaluate(([v, value]) => Module._test_call_everywhere_on(v, value), [version, argument])) {
        throw new Error(`the main thread cannot run version ${version}`);
      }
      const lines = await waitUntil(page, ([start, count]) => {
        const results = JSON.parse(UTF8ToString(Module._test_results_json())).results;
        return results.length >= start + count && results.slice(start, start + count);
      }, [before, expected]);
      return lines.map(parseResult);
    },

    async hotCalls() { return page.evaluate(() => Module._test_hot_calls()); },

    // The main thread counts `mainTimes` times on its thread-local counter, every live worker
    // once; resolves with each thread's last count: {where, version, counted, calls, here, seed}.
    async countEverywhere(mainTimes = 1) {
      const expected = 1 + session.workerIds.length;
      const before = await page.evaluate(() => JSON.parse(UTF8ToString(Module._test_thread_results_json())).length);
      await page.evaluate((times) => Module._test_count_everywhere(times), mainTimes);
      const lines = await waitUntil(page, ([start, count]) => {
        const results = JSON.parse(UTF8ToString(Module._test_thread_results_json()));
        return results.length >= start + count && results.slice(start, start + count);
      }, [before, expected]);
      return Object.fromEntries(lines.map((line) => {
        const [, where, version, counted, calls, here, seed] =
          line.match(/^(main|worker \d+) v(\d+) counted (-?\d+) calls (-?\d+) here (-?\d+) seed (-?\d+)$/);
        return [where, { version: +version, counted: +counted, calls: +calls, here: +here, seed: +seed }];
      }));
    },

    async close() {
      await browser.close();
      server.stop();
      fs.rmSync(patchDir, { recursive: true, force: true });
      fs.rmSync(overlayDir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < workers; ++i) await session.spawnWorker();
  return session;
}

// Hot value of the original program: scale x*2, offset 1000.
export const originalValue = (x) => 2 * x + 1000;
