// A worker stuck in a task (an endless loop) takes no message, so only the main thread can
// stop it: wwm measures how long a worker's task has made no progress, and wwm::kill stops
// the worker without leaving a lock behind: asked to stop, it parks at its next lock rather
// than be stopped inside a critical section (the browser stops a worker that does not return
// to its event loop about 2 s after Worker.terminate(), wherever it is then). Others keep
// serving, the allocator and a mutex the loop keeps taking stay usable, a mutex the loop
// holds for good is released, and the task it was running is destroyed once it has surely
// stopped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../browser/harness.mjs';
import { openTestProgram, STATUS } from './test_program.mjs';

const ENDLESS = { SPIN: 0, LOCKING: 1, HOLDING_A_MUTEX: 2 };
let program, page;
before(async () => { program = await openTestProgram(); page = program.page; });
after(async () => { await program?.close(); });

const spawnNormal = async () => {
  const id = await program.spawn();
  await program.waitForStatus(id, STATUS.Normal);
  return id;
};
const stalledMs = (id) => page.evaluate((worker) => Module._test_stalled_ms(worker), id);
const postLoop = (id, kind) => page.evaluate(([worker, which]) => Module._test_post_endless_loop(worker, which), [id, kind]);
const kill = (id) => page.evaluate((worker) => Module._test_kill(worker), id);

test('a stuck worker shows a growing stall while an idle one shows none; killed, it is Failed, the others keep serving and its task is destroyed', async () => {
  const [stuck, idle] = [await spawnNormal(), await spawnNormal()];
  const before = await program.state();
  assert.equal(await postLoop(stuck, ENDLESS.SPIN), 1);
  await program.waitForLog(`endless loop 0 on worker ${stuck}`);
  await waitUntil(page, (worker) => Module._test_stalled_ms(worker) > 600, stuck);
  assert.equal(await stalledMs(idle), 0, 'a worker between tasks is not stalled');
  await kill(stuck);
  assert.equal(await program.status(stuck), STATUS.Failed);
  assert.equal(await program.post(stuck, 1), 0, 'a killed worker takes no task');
  await program.post(idle, 7001);
  await program.waitForLog(`task 7001 on worker ${idle}`);
  // The loop's task (and the counted task it captured) is destroyed once the worker has
  // surely stopped; then every task ever made was destroyed once.
  const after = await waitUntil(page, (constructedBefore) => {
    const s = JSON.parse(UTF8ToString(Module._test_state_json()));
    return s.constructions > constructedBefore && s.constructions === s.destructions && s.tasksInFlight === 0 && s;
  }, before.constructions, 20000);
  assert.equal(after.constructions, after.destructions);
});

test('workers killed in a loop that keeps taking a mutex and allocating under it leave both free: none is stopped holding a lock', async () => {
  const helper = await spawnNormal();
  const errorsBefore = (await program.errors()).length;
  for (let round = 1; round <= 3; ++round) {
    const stuck = await spawnNormal();
    await postLoop(stuck, ENDLESS.LOCKING);
    await program.waitForLog(`endless loop 1 on worker ${stuck}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await kill(stuck);
    // The browser lets the worker run on for about 2 s after it was told to stop: stopped
    // then at whatever point it reached, it would hold the mutex (or the allocator's lock,
    // which would hang the main thread here) for good.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.ok((await page.evaluate(() => Module._test_allocate_on_main(20000))) >= 0);
    assert.equal(await page.evaluate(() => Module._test_shared_mutex_free()), 1, `round ${round}: the mutex is free`);
    await page.evaluate(([worker, tag]) => Module._test_post_round_trip(worker, tag), [helper, 7100 + round]);
    await program.waitForLog(`task ${7100 + round} on main`);
  }
  await new Promise((resolve) => setTimeout(resolve, 3000));  // past the time a held lock would be released
  assert.deepEqual((await program.errors()).slice(errorsBefore).filter((text) => /was stopped while it held/.test(text)), [],
    'no worker was stopped holding a lock');
});

test('a worker that loops while holding a mutex is stopped anyway, and the mutex is released for the others', async () => {
  const stuck = await spawnNormal();
  const errorsBefore = (await program.errors()).length;
  await postLoop(stuck, ENDLESS.HOLDING_A_MUTEX);
  await program.waitForLog(`endless loop 2 on worker ${stuck}`);
  assert.equal(await page.evaluate(() => Module._test_shared_mutex_free()), 0, 'the loop holds the mutex');
  await kill(stuck);
  await waitUntil(page, () => Module._test_shared_mutex_free() === 1, undefined, 20000);
  const report = (await program.errors()).slice(errorsBefore).find((text) => text.startsWith(`worker ${stuck} was stopped while it held`));
  assert.match(report, /held 1 lock\(s\) for over a second .* they are released now/);
});
