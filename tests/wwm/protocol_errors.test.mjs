// wwm's protocol: every malformed or unexpected message is reported with the worker it
// concerns and dropped, and the worker then completes a normal task.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, startServer, waitUntil } from '../browser/harness.mjs';

let server, browser, page;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await openPage(browser, server.url + 'tests/wwm/index.html', { waitFor: () => globalThis.wwmTestReady }));
});
after(async () => { await browser?.close(); server?.stop(); });

const state = () => page.evaluate(() => JSON.parse(UTF8ToString(Module._test_state_json())));
const errors = () => page.evaluate(() => WwmMain.errorLog.map((entry) => entry.text));

async function spawnReadyWorker() {
  const id = await page.evaluate(() => Module._test_spawn());
  await waitUntil(page, (worker) => Module._test_status(worker) === 1, id);
  return id;
}

// Posts a normal counted task and waits until the worker has run it.
async function assertWorkerStillServes(id, tag) {
  assert.equal(await page.evaluate(([w, t]) => Module._test_post(w, t), [id, tag]), 1);
  await waitUntil(page, ([w, t]) => JSON.parse(UTF8ToString(Module._test_state_json())).log.includes(`task ${t} on worker ${w}`), [id, tag]);
}

// Waits for an error containing `fragment` among those reported after `since` errors.
async function waitForError(fragment, since) {
  return waitUntil(page, ([text, first]) => WwmMain.errorLog.slice(first).map((entry) => entry.text).find((line) => line.includes(text)),
    [fragment, since]);
}

const MALFORMED_TO_WORKER = [
  ['a number', '42', 'not an object (got number)'],
  ['a string', '"hello"', 'not an object (got string)'],
  ['null', 'null', 'not an object (got null)'],
  ['an array', '[1, 2]', 'not an object (got array)'],
  ['an unknown __wwm_ field', '({__wwm_callback: [8, 9], __wwm_js_payload: 1, __wwm_surprise: 1})', 'unknown field __wwm_surprise'],
  ['a task without a callback', '({__wwm_js_payload: 1})', 'missing __wwm_callback'],
  ['a callback of the wrong shape', '({__wwm_callback: "x", __wwm_js_payload: 1})', '__wwm_callback must be [address, serial]'],
  ['a task with a forged ticket', '({__wwm_callback: [1024, 999999], __wwm_js_payload: 1})', 'no task with serial 999999'],
  ['a second init message', '({__wwm_wasm_module: wasmModule, __wwm_wasm_memory: wasmMemory, __wwm_callback: [8, 9], __wwm_js_payload: 0, __wwm_web_worker_id: 7})', 'a second init message'],
  ['neither wwm nor Emscripten', '({hello: "world"})', 'no __wwm_ field and not an Emscripten message'],
];

for (const [name, expression, expected] of MALFORMED_TO_WORKER) {
  test(`a worker reports ${name}, names itself, and keeps serving`, async () => {
    const id = await spawnReadyWorker();
    const before = (await errors()).length;
    await page.evaluate(([w, source]) => WwmMain.workers[w].worker.postMessage(eval(source)), [id, expression]);
    const error = await waitForError(expected, before);
    assert.match(error, new RegExp(`^worker ${id}: dropped message `));
    assert.equal((await errors()).length, before + 1, 'exactly one error per bad message');
    await assertWorkerStillServes(id, 100 + id);
  });
}

test('a task sent before any init message is rejected by a worker that has no init pending', async () => {
  const before = (await errors()).length;
  await page.evaluate(() => Module._test_adopt_uninitialised_worker(900));
  // The adopted pthread starts asynchronously; post once its Worker exists.
  await waitUntil(page, () => !!WwmMain.workers[900]);
  await page.evaluate(() => WwmMain.workers[900].worker.postMessage({ __wwm_callback: [8, 9], __wwm_js_payload: null }));
  const error = await waitForError('a task before the init message', before);
  assert.match(error, /^worker 900: dropped message /);
});

test('the main thread reports malformed messages from a worker, naming the worker', async () => {
  const id = await spawnReadyWorker();
  const before = (await errors()).length;
  await page.evaluate((w) => Module._test_worker_posts_garbage(w), id);
  assert.match(await waitForError('__wwm_callback must be [address, serial]', before), new RegExp(`^worker ${id}: dropped message`));
  assert.match(await waitForError('not an object (got string)', before), new RegExp(`^worker ${id}: dropped message`));
  assert.match(await waitForError('no __wwm_ field and not an Emscripten message', before), new RegExp(`^worker ${id}: dropped message`));
  await assertWorkerStillServes(id, 300);
});

test('an error a task reports on a worker reaches the main sink with the worker id', async () => {
  const id = await spawnReadyWorker();
  const before = (await errors()).length;
  await page.evaluate((w) => Module._test_report_error_from_worker(w), id);
  assert.equal(await waitForError('reported on purpose by the test', before), `worker ${id}: reported on purpose by the test`);
  await assertWorkerStillServes(id, 400);
});

test('no task leaks: everything posted in these tests was run or destroyed', async () => {
  await waitUntil(page, () => {
    const s = JSON.parse(UTF8ToString(Module._test_state_json()));
    return s.constructions === s.destructions && s.tasksInFlight === 0;
  });
  const s = await state();
  assert.equal(s.constructions, s.destructions);
});
