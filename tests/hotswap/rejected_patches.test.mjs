// A patch that fails anywhere is rejected as a whole: the loader reports its failure kind,
// no thread changes version or behaviour, and later good patches still apply everywhere
// (so every instance's function table stayed the same length).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HOT_VALUE, openPatchSession, originalValue } from './patch_session.mjs';
import { sideModule } from './wasm_assembler.mjs';

let session;
let version = 0;
before(async () => { session = await openPatchSession({ workers: 2 }); });
after(async () => { await session?.close(); });

async function assertNothingChanged() {
  assert.equal(await session.commit(), 0, 'nothing to commit');
  for (const result of await session.callEverywhere(5)) {
    assert.deepEqual([result.where, result.version, result.value, result.c], [result.where, 0, originalValue(5), 6]);
  }
}

// Writes hand-made module bytes as the next patch and announces it.
async function announceBytes(bytes) {
  version += 1;
  const module = `patch-${String(version).padStart(6, '0')}.wasm`;
  fs.writeFileSync(path.join(session.patchDir, module), bytes);
  return session.announce({ version, files: ['(hand-made)'], module });
}

async function buildAndAnnounce(edit, options) {
  version += 1;
  session.edit(HOT_VALUE, edit);
  const manifest = await session.build(version, [HOT_VALUE], options);
  return { manifest, settled: await session.announce(manifest) };
}

test('a compile error is rejected with the compiler\'s own message, file and line', async () => {
  const { manifest, settled } = await buildAndAnnounce((text) => text.replace('++hot_calls;', '++hot_calls  // missing semicolon'));
  assert.equal(manifest.failure.kind, 'compile_error');
  assert.match(manifest.failure.message, /hot_value\.cpp:\d+:\d+: error: expected ';'/);
  assert.deepEqual(settled, { state: 'rejected', failure: manifest.failure });
  await assertNothingChanged();
});

test('bytes that are not a wasm module are rejected as an invalid module', async () => {
  const settled = await announceBytes(Buffer.from('this is not WebAssembly'));
  assert.equal(settled.failure.kind, 'invalid_module');
  assert.match(settled.failure.message, /not a WebAssembly module/);
  await assertNothingChanged();
});

test('a truncated patch is rejected as an invalid module', async () => {
  session.edit(HOT_VALUE, (text) => text.replace('return 1000; }  // EDIT: offset', 'return 1234; }  // EDIT: offset'));
  const manifest = await session.build(99, [HOT_VALUE]);
  const bytes = fs.readFileSync(path.join(session.patchDir, manifest.module));
  const settled = await announceBytes(bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  assert.equal(settled.failure.kind, 'invalid_module');
  await assertNothingChanged();
});

test('a module without dylink.0 sizes that make sense is rejected', async () => {
  const settled = await announceBytes(sideModule({ dylink: { memorySize: 1 << 30, memoryAlign: 40, tableSize: 0, tableAlign: 0 } }));
  assert.equal(settled.failure.kind, 'invalid_module');
  assert.match(settled.failure.message, /implausible dylink.0 sizes/);
  await assertNothingChanged();
});

test('a patch that uses a symbol nobody defines is rejected by the builder', async () => {
  const edit = (text) => text.replace('int hot_value(int x) {', 'int not_defined_anywhere(int);\nint hot_value(int x) {\n  if (x < 0) return not_defined_anywhere(x);');
  const { manifest, settled } = await buildAndAnnounce(edit);
  assert.equal(manifest.failure.kind, 'unresolved_import');
  assert.match(manifest.failure.message, /not_defined_anywhere\(int\)/);
  assert.equal(settled.state, 'rejected');
  await assertNothingChanged();
});

test('...and by the loader on its own', async () => {
  const edit = (text) => text.replace('int hot_value(int x) {', 'int not_defined_anywhere(int);\nint hot_value(int x) {\n  if (x < 0) return not_defined_anywhere(x);');
  const { manifest, settled } = await buildAndAnnounce(edit, { check: false });
  assert.equal(manifest.failure, undefined);
  assert.equal(settled.failure.kind, 'unresolved_import');
  assert.match(settled.failure.message, /env\._Z20not_defined_anywherei/);
  await assertNothingChanged();
});

test('a changed signature of a function the program has is rejected by the builder, naming it', async () => {
  const edit = (text) => text.replace('int hot_value(int x) {', 'int hot_value(int x, int y) {\n  x += y;');
  const { manifest, settled } = await buildAndAnnounce(edit);
  assert.equal(manifest.failure.kind, 'signature_changed');
  assert.match(manifest.failure.message, /hot_value\(int\) changed to hot_value\(int, int\)/);
  assert.equal(settled.state, 'rejected');
  await assertNothingChanged();
});

test('...and a changed signature under the same name is rejected by the loader on its own', async () => {
  const edit = (text) => text.replace('extern "C" int hot_c_function(int x) { return x + 1; }', 'extern "C" float hot_c_function(float x) { return x + 2; }')
    .replace('#include "hot_functions.h"', '#define hot_c_function hot_c_function_declared\n#include "hot_functions.h"\n#undef hot_c_function');
  const { manifest, settled } = await buildAndAnnounce(edit, { check: false });
  assert.equal(manifest.failure, undefined, JSON.stringify(manifest.failure));
  assert.equal(settled.failure.kind, 'signature_changed');
  assert.match(settled.failure.message, /hot_c_function has signature \(f32\) -> \(f32\) but the program has \(i32\) -> \(i32\)/);
  await assertNothingChanged();
});

test('a patch that traps while loading is rejected and leaves the tables consistent', async () => {
  const settled = await announceBytes(sideModule({ exports: ['trap_patch_one', 'trap_patch_two'], startTraps: true }));
  assert.equal(settled.failure.kind, 'trap_while_loading');
  await assertNothingChanged();
});

test('a rejection while an earlier good patch waits for its commit keeps the order on every worker', async () => {
  const { manifest, settled } = await buildAndAnnounce((text) => text.replace('return 1000; }  // EDIT: offset', 'return 5000; }  // EDIT: offset'));
  assert.equal(settled.state, 'ready');
  const trapped = await announceBytes(sideModule({ exports: ['trap_patch_three'], startTraps: true }));
  assert.equal(trapped.failure.kind, 'trap_while_loading');
  assert.equal(await session.commit(), 1);
  for (const result of await session.callEverywhere(5)) {
    assert.deepEqual([result.version, result.value], [manifest.version, 2 * 5 + 5000], result.where);
  }
});

test('after all those rejections a good patch still applies on every thread', async () => {
  const { manifest, settled } = await buildAndAnnounce((text) => text.replace('return 1000; }  // EDIT: offset', 'return 2000; }  // EDIT: offset'));
  assert.equal(settled.state, 'ready', JSON.stringify(settled.failure));
  assert.equal(await session.commit(), 1);
  for (const result of await session.callEverywhere(5)) {
    assert.deepEqual([result.version, result.value], [manifest.version, 2 * 5 + 2000], result.where);
  }
  const workers = await session.page.evaluate((v) => HotswapMain.entries[v].workers, manifest.version);
  assert.equal(Object.keys(workers).length, 2, 'both workers applied it (no table mismatch)');
});
