// Worker ids and statuses: unique increasing ids, Initializing -> Normal, tasks posted
// during Initializing run after the init task, termination finishes queued work first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestProgram, STATUS } from './test_program.mjs';

let program;
before(async () => { program = await openTestProgram(); });
after(async () => { await program?.close(); });

test('worker ids are unique and increasing', async () => {
  const ids = [];
  for (let i = 0; i < 4; ++i) ids.push(await program.spawn());
  for (let i = 1; i < ids.length; ++i) assert.ok(ids[i] > ids[i - 1], `ids ${ids} are not increasing`);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) await program.waitForStatus(id, STATUS.Normal);
});

test('a new worker is Initializing, then Normal once its init task has run', async () => {
  const id = await program.page.evaluate(() => {
    const worker = Module._test_spawn();
    globalThis.statusRightAfterSpawn = Module._test_status(worker);
    return worker;
  });
  assert.equal(await program.page.evaluate(() => globalThis.statusRightAfterSpawn), STATUS.Initializing);
  await program.waitForStatus(id, STATUS.Normal);
  assert.ok((await program.state()).log.includes(`init on worker ${id} payload hello`), 'the init task ran on the worker with its payload');
});

test('tasks posted while a worker is Initializing run after its init, in order', async () => {
  const id = await program.page.evaluate(() => {
    const worker = Module._test_spawn();
    for (let tag = 1; tag <= 5; ++tag) Module._test_post(worker, 1000 + tag);
    return worker;
  });
  await program.waitForLog(`task 1005 on worker ${id}`);
  const mine = (await program.state()).log.filter((line) => line.endsWith(`worker ${id}`) || line.includes(`on worker ${id} payload`));
  assert.deepEqual(mine, [`init on worker ${id} payload hello`, ...[1, 2, 3, 4, 5].map((t) => `task ${1000 + t} on worker ${id}`)]);
});

test('a round trip: a worker posts a task back to the main thread', async () => {
  const id = await program.spawn();
  await program.page.evaluate((worker) => Module._test_post_round_trip(worker, 77), id);
  await program.waitForLog('task 77 on main');
  assert.ok((await program.state()).log.includes(`round trip 77 out on worker ${id}`));
});

test('terminate finishes the queued tasks, then the worker is gone and refuses new tasks', async () => {
  const id = await program.spawn();
  await program.page.evaluate((worker) => {
    for (let tag = 1; tag <= 20; ++tag) Module._test_post(worker, 2000 + tag);
    Module._test_terminate(worker);
    globalThis.statusAfterTerminate = Module._test_status(worker);
    globalThis.postAfterTerminate = Module._test_post(worker, 2999);
  }, id);
  assert.equal(await program.page.evaluate(() => globalThis.statusAfterTerminate), STATUS.Finalizing);
  assert.equal(await program.page.evaluate(() => globalThis.postAfterTerminate), 0, 'post to a Finalizing worker is refused');
  await program.waitForStatus(id, STATUS.Gone);
  const log = (await program.state()).log;
  for (let tag = 1; tag <= 20; ++tag) assert.ok(log.includes(`task ${2000 + tag} on worker ${id}`), `task ${2000 + tag} ran`);
  assert.ok(!log.includes(`task 2999 on worker ${id}`));
  assert.equal(await program.post(id, 3000), 0, 'post to a terminated worker is refused');
});

test('the worker table lists live workers with their status', async () => {
  const listed = await program.page.evaluate(() => Object.keys(WwmMain.workers).map(Number));
  for (const id of listed) assert.notEqual(await program.status(id), STATUS.Gone);
});
