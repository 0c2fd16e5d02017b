// Every task runs once and is destroyed once, counted by construction and destruction:
// normal tasks, tasks to a worker that is then terminated, tasks queued behind a task that
// traps or throws (never run, destroyed by the manager), and tasks refused by post().
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestProgram, STATUS } from './test_program.mjs';

let program;
before(async () => { program = await openTestProgram(); });
after(async () => { await program?.close(); });

test('each posted task runs exactly once and every copy is destroyed', async () => {
  const id = await program.spawn();
  const before = await program.state();
  await program.page.evaluate((worker) => { for (let tag = 1; tag <= 200; ++tag) Module._test_post(worker, tag); }, id);
  await program.waitForLog(`task 200 on worker ${id}`);
  const after = await program.waitForNoTasksLeft();
  assert.equal(after.runs - before.runs, 200);
  for (let tag = 1; tag <= 200; ++tag) {
    assert.equal(after.log.filter((line) => line === `task ${tag} on worker ${id}`).length, 1, `task ${tag} ran once`);
  }
});

test('tasks posted to a worker that is then terminated run or are destroyed, none leak', async () => {
  const id = await program.spawn();
  await program.page.evaluate((worker) => {
    for (let tag = 1; tag <= 50; ++tag) Module._test_post(worker, 500 + tag);
    Module._test_terminate(worker);
    for (let tag = 51; tag <= 60; ++tag) Module._test_post(worker, 500 + tag);  // refused
  }, id);
  await program.waitForStatus(id, STATUS.Gone);
  const after = await program.waitForNoTasksLeft();
  assert.equal(after.constructions, after.destructions);
});

for (const [kind, call, reason] of [
  ['traps', '_test_post_trap', /a task failed: trap: /],
  ['throws a C++ exception', '_test_post_throw', /a task failed: an uncaught C\+\+ exception/],
]) {
  test(`a task that ${kind} marks its worker Failed; the tasks queued behind it never run and are destroyed`, async () => {
    const id = await program.spawn();
    await program.waitForStatus(id, STATUS.Normal);
    const before = await program.state();
    const errorsBefore = (await program.errors()).length;
    await program.page.evaluate(([worker, name]) => {
      Module[name](worker);
      for (let tag = 1; tag <= 10; ++tag) Module._test_post(worker, 900 + tag);
    }, [id, call]);
    await program.waitForStatus(id, STATUS.Failed);
    const after = await program.waitForNoTasksLeft();
    assert.equal(after.runs, before.runs, 'no queued task ran after the failure');
    const failure = (await program.errors()).slice(errorsBefore).find((text) => text.startsWith(`worker ${id} failed:`));
    assert.match(failure, reason);
    assert.equal(await program.post(id, 999), 0, 'a Failed worker takes no task');
    await program.page.evaluate((worker) => Module._test_terminate(worker), id);
    assert.equal(await program.status(id), STATUS.Gone);
  });
}

test('other workers keep serving after one failed', async () => {
  const id = await program.spawn();
  await program.post(id, 4242);
  await program.waitForLog(`task 4242 on worker ${id}`);
});
