// A patch built from an edited source reaches the main thread and every worker, between
// tasks, with the program's state kept; workers spawned later catch up; thread-locals, the
// program's and a patch's own, one copy per thread; zero-worker mode.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HOT_CHECKED, HOT_HELPERS, HOT_SCALE, HOT_THREAD_LOCAL, HOT_VALUE, openPatchSession, originalValue } from './patch_session.mjs';

let session;
before(async () => { session = await openPatchSession({ workers: 2 }); });
after(async () => { await session?.close(); });

// Every thread's result matches `expected` in the fields it names.
const everyoneAgrees = (results, expected) => {
  for (const result of results) {
    const picked = Object.fromEntries(Object.keys(expected).map((key) => [key, result[key]]));
    assert.deepEqual(picked, expected, `${result.where}`);
  }
};

test('before any patch every thread runs the program as built', async () => {
  const results = await session.callEverywhere(5);
  assert.equal(results.length, 3);
  everyoneAgrees(results, { version: 0, value: originalValue(5), c: 6, scale: 15 });
});

test('a patch changes the hot function on the main thread and on every worker, keeping program globals', async () => {
  const callsBefore = await session.hotCalls();
  session.edit(HOT_VALUE, (text) => text.replace('return 1000; }  // EDIT: offset', 'return 7000; }  // EDIT: offset'));
  const { manifest, settled, committed } = await session.buildAnnounceCommit(1, [HOT_VALUE]);
  assert.equal(manifest.failure, undefined, JSON.stringify(manifest.failure));
  assert.equal(settled.state, 'ready');
  assert.equal(committed, 1);
  const results = await session.callEverywhere(5);
  everyoneAgrees(results, { version: 1, value: 2 * 5 + 7000, c: 6, scale: 15 });
  // hot_calls is a global defined in the patched file: the patch uses the program's copy.
  assert.equal(await session.hotCalls(), callsBefore + 3);
  // calls_since_load is file-static: the patch binds it to the program's copy too, so it
  // counts on from the three calls before the patch.
  assert.deepEqual(results.map((r) => r.sinceLoad).sort(), [4, 5, 6]);
});

test('every worker reports the new version back to the main thread', async () => {
  const workers = await session.page.evaluate(() => HotswapMain.entries[1].workers);
  assert.deepEqual(Object.keys(workers).map(Number).sort(), [...session.workerIds].sort());
});

test('an edit to an inline function in a header takes effect', async () => {
  session.edit(HOT_HELPERS, (text) => text.replace('return x * 2;', 'return x * 5;'));
  session.revert(HOT_VALUE);  // compiled from the overlay, next to the edited header (offset back to 1000)
  const { manifest } = await session.buildAnnounceCommit(2, [HOT_HELPERS]);
  assert.deepEqual(manifest.files, [HOT_VALUE], 'the header edit rebuilds the source that includes it');
  everyoneAgrees(await session.callEverywhere(5), { version: 2, value: 5 * 5 + 1000, c: 6, scale: 15 });
});

test('a worker spawned after patches gets all of them, in order, before its first task', async () => {
  const id = await session.spawnWorker();
  const results = await session.callEverywhere(5);
  const newcomer = results.find((r) => r.where === `worker ${id}`);
  assert.deepEqual({ version: newcomer.version, value: newcomer.value }, { version: 2, value: 5 * 5 + 1000 });
});

test('patches wait for the program to commit them: nothing changes before', async () => {
  session.edit(HOT_VALUE, (text) => text.replace('return 1000; }  // EDIT: offset', 'return 3000; }  // EDIT: offset'));
  const manifest = await session.build(3, [HOT_VALUE]);
  assert.equal((await session.announce(manifest)).state, 'ready');
  everyoneAgrees(await session.callEverywhere(1), { version: 2, value: 5 * 1 + 1000, c: 2, scale: 3 });
  assert.equal(await session.commit(), 1);
  everyoneAgrees(await session.callEverywhere(1), { version: 3, value: 5 * 1 + 3000, c: 2, scale: 3 });
});

test('a worker shows DynamicLinking from the commit until it has applied the patch, then Normal', async () => {
  session.edit(HOT_SCALE, (text) => text.replace('return x * 3; }  // EDIT: scale', 'return x * 4; }  // EDIT: scale'));
  const manifest = await session.build(4, [HOT_SCALE]);
  assert.equal((await session.announce(manifest)).state, 'ready');
  const statuses = await session.page.evaluate((ids) => {
    Module._test_commit();
    return ids.map((id) => Module._test_status(id));  // right after the commit, before any worker ran it
  }, session.workerIds);
  assert.deepEqual(statuses, session.workerIds.map(() => 2), 'DynamicLinking (2) on every worker');
  for (const id of session.workerIds) await session.waitForStatus(id, 1);
  const scales = (await session.callEverywhere(5)).map((result) => result.scale);
  assert.deepEqual(scales, scales.map(() => 20));
});

test('calls through a function pointer and a virtual call, made by code no patch touched, run the new code', async () => {
  everyoneAgrees(await session.callEverywhere(5), { pointer: 20, virtual: 50 });  // hot_scale is x * 4 since the last test
  // (an edit starts from the project's file: hot_scale goes from x * 3 to x * 6)
  session.edit(HOT_SCALE, (text) => text.replace('return x * 10; }  // EDIT: area', 'return x * 11; }  // EDIT: area')
    .replace('return x * 3; }  // EDIT: scale', 'return x * 6; }  // EDIT: scale'));
  const { manifest, committed } = await session.buildAnnounceCommit(5, [HOT_SCALE]);
  assert.equal(manifest.failure, undefined, JSON.stringify(manifest.failure));
  assert.equal(committed, 1);
  everyoneAgrees(await session.callEverywhere(5), { version: 5, scale: 30, pointer: 30, virtual: 55 });
});

test('a patched function compiled with exceptions still catches what it throws, on every thread', async () => {
  everyoneAgrees(await session.callEverywhere(5), { checked: -1 });  // 5 is odd: thrown and caught
  session.edit(HOT_CHECKED, (text) => text.replace('return -1;  // EDIT: caught', 'return -7;  // EDIT: caught'));
  const { manifest, settled, committed } = await session.buildAnnounceCommit(6, [HOT_CHECKED]);
  assert.equal(manifest.failure, undefined, JSON.stringify(manifest.failure));
  assert.equal(settled.state, 'ready', JSON.stringify(settled.failure));
  assert.equal(committed, 1);
  everyoneAgrees(await session.callEverywhere(5), { version: 6, checked: -7 });
  everyoneAgrees(await session.callEverywhere(8), { version: 6, checked: 4 });
});

test('a patched file keeps using the program\'s thread-locals, each thread its own copy, as unpatched code does', async () => {
  const before = await session.countEverywhere(3);  // the main thread counts 3, each worker 1
  for (const [where, count] of Object.entries(before)) {
    const calls = where === 'main' ? 3 : 1;
    assert.deepEqual(count, { version: 6, counted: calls, calls, here: calls, seed: 5 + calls }, where);
  }
  session.edit(HOT_THREAD_LOCAL, (text) => text.replace('thread_calls += 1;  // EDIT: step', 'thread_calls += 10;  // EDIT: step'));
  const { manifest, committed } = await session.buildAnnounceCommit(7, [HOT_THREAD_LOCAL]);
  assert.equal(manifest.failure, undefined, JSON.stringify(manifest.failure));
  assert.equal(committed, 1);
  const newcomer = await session.spawnWorker();  // its own copies start at zero
  const after = await session.countEverywhere(1);
  for (const [where, count] of Object.entries(after)) {
    const old = before[where] || { counted: 0, here: 0, seed: 5 };
    // The patched code counts on in each thread's copy, which unpatched code reads too; the
    // file-local one (bound to the program's) counts on as well; and the one initialised by a
    // call is initialised once per thread, whichever code uses it first.
    assert.deepEqual(count, { version: 7, counted: old.counted + 10, calls: old.counted + 10, here: old.here + 1, seed: old.seed + 1 },
      where);
  }
  assert.ok(`worker ${newcomer}` in after);
});

test('a patch\'s own new thread-locals: one copy per thread, initialised as C++ says, also on workers spawned later', async () => {
  session.edit(HOT_THREAD_LOCAL, (text) => text
    .replace('static thread_local int thread_calls_here = 0;  // file-local', 'static thread_local int thread_calls_here = 0;  // file-local\n' +
      'thread_local int patch_counter = 100;  // new: initialised from a constant')
    .replace('return thread_calls;  // EDIT: result', 'static thread_local int patch_seed = hot_c_function(1);  // new: initialised by a call, on each thread\'s first pass\n' +
      '  return 1000 * patch_seed + ++patch_counter;  // EDIT: result'));
  const { manifest, committed } = await session.buildAnnounceCommit(8, [HOT_THREAD_LOCAL]);
  assert.equal(manifest.failure, undefined, JSON.stringify(manifest.failure));
  assert.equal(committed, 1);
  const first = await session.countEverywhere(1);
  const second = await session.countEverywhere(1);
  for (const where of Object.keys(first)) {
    assert.equal(first[where].counted, 2101, `${where}: its own counter, from 100, seeded 2`);
    assert.equal(second[where].counted, 2102, `${where}: counts on in its own copy`);
  }
  const newcomer = await session.spawnWorker();
  const third = await session.countEverywhere(1);
  assert.equal(third[`worker ${newcomer}`].counted, 2101, 'a worker spawned later starts from its own fresh copy');
  assert.equal(third.main.counted, 2103);
});

test('zero-worker mode: with no workers the main thread alone is patched', async () => {
  const solo = await openPatchSession({ workers: 0 });
  try {
    solo.edit(HOT_VALUE, (text) => text.replace('return 1000; }  // EDIT: offset', 'return 4000; }  // EDIT: offset'));
    const { committed } = await solo.buildAnnounceCommit(1, [HOT_VALUE]);
    assert.equal(committed, 1);
    const results = await solo.callEverywhere(2);
    assert.deepEqual(results.map((r) => [r.where, r.version, r.value]), [['main', 1, 4004]]);
  } finally {
    await solo.close();
  }
});
