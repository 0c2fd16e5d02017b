// Patches stack: a second patch on the first (same file, then another file), a revert to
// the original text, any of those versions run again on every thread and left again (what
// two versions on one picture need), and 50 patches in a row, each reaching every thread in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HOT_SCALE, HOT_VALUE, openPatchSession, originalValue } from './patch_session.mjs';

let session;
let version = 0;
before(async () => { session = await openPatchSession({ workers: 2 }); });
after(async () => { await session?.close(); });

const setOffset = (offset) => (text) => text.replace('return 1000; }  // EDIT: offset', `return ${offset}; }  // EDIT: offset`);

async function patch(file, edit) {
  version += 1;
  session.edit(file, edit);
  const { manifest, settled, committed } = await session.buildAnnounceCommit(version, [file]);
  assert.equal(settled.state, 'ready', JSON.stringify(manifest.failure || settled.failure));
  assert.equal(committed, 1);
}

async function expectEverywhere(expected) {
  for (const result of await session.callEverywhere(5)) {
    assert.deepEqual({ version: result.version, value: result.value, scale: result.scale }, expected, result.where);
  }
}

test('a second patch of the same file replaces the first', async () => {
  await patch(HOT_VALUE, setOffset(1100));
  await expectEverywhere({ version: 1, value: 1110, scale: 15 });
  await patch(HOT_VALUE, setOffset(1200));
  await expectEverywhere({ version: 2, value: 1210, scale: 15 });
});

test('a patch of another file stacks on top, keeping the first file\'s patch', async () => {
  await patch(HOT_SCALE, (text) => text.replace('return x * 3; }  // EDIT: scale', 'return x * 30; }  // EDIT: scale'));
  await expectEverywhere({ version: 3, value: 1210, scale: 150 });
});

test('reverting a file to its original text brings the original behaviour back', async () => {
  version += 1;
  session.revert(HOT_VALUE);
  const { settled } = await session.buildAnnounceCommit(version, [HOT_VALUE]);
  assert.equal(settled.state, 'ready');
  await expectEverywhere({ version: 4, value: originalValue(5), scale: 150 });
});

test('every thread can run any version still loaded for a while, and comes back to the newest', async () => {
  const expected = [[0, originalValue(5), 15], [1, 1110, 15], [2, 1210, 15], [3, 1210, 150], [0, originalValue(5), 15], [3, 1210, 150]];
  for (const [v, value, scale] of expected) {
    for (const result of await session.callEverywhere(5, { version: v })) {
      assert.deepEqual({ version: result.version, value: result.value, scale: result.scale, pointer: result.pointer },
        { version: v, value, scale, pointer: scale }, `${result.where} on version ${v}`);
    }
  }
  await expectEverywhere({ version: 4, value: originalValue(5), scale: 150 });
  assert.equal(await session.page.evaluate(() => Module._test_call_everywhere_on(99, 5)), 0, 'a version never committed cannot be run');
});

test('50 patches in a row all apply, in order, on every thread', async () => {
  const first = version + 1;
  for (let i = 1; i <= 50; ++i) {
    await patch(HOT_VALUE, setOffset(10000 + i));
  }
  await expectEverywhere({ version: first + 49, value: 10 + 10050, scale: 150 });
  const states = await session.page.evaluate(() => HotswapMain.log.map((entry) => [entry.version, entry.state]));
  assert.deepEqual(states.map(([v]) => v), Array.from({ length: states.length }, (_, i) => i + 1), 'versions in order');
  assert.ok(states.every(([, state]) => state === 'applied'));
});
