// Payloads travel with tasks in both directions, transferred: an ArrayBuffer and an
// OffscreenCanvas (which cannot go through shared memory at all).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestProgram } from './test_program.mjs';
import { waitUntil } from '../browser/harness.mjs';

let program;
before(async () => { program = await openTestProgram(); });
after(async () => { await program?.close(); });

test('an ArrayBuffer is transferred to a worker and a new one comes back to the main thread', async () => {
  const id = await program.spawn();
  const detachedLength = await program.page.evaluate((worker) => {
    const buffer = new Uint8Array([1, 2, 3, 4, 5, 250]).buffer;
    Module._test_post_buffer(worker, Emval.toHandle(buffer));
    return buffer.byteLength;  // 0 once transferred
  }, id);
  assert.equal(detachedLength, 0, 'the sender no longer owns a transferred buffer');
  assert.equal(await waitUntil(program.page, () => globalThis.wwmTestResults.bufferSum), 265);
});

test('an OffscreenCanvas is transferred to a worker, drawn on there, and its pixels come back', async () => {
  const id = await program.spawn();
  await program.page.evaluate((worker) => {
    const canvas = document.createElement('canvas');
    canvas.width = 8; canvas.height = 4;
    document.body.appendChild(canvas);
    globalThis.testCanvas = canvas;
    Module._test_post_canvas(worker, Emval.toHandle(canvas.transferControlToOffscreen()));
  }, id);
  await program.waitForLog(`canvas on worker ${id} is an OffscreenCanvas`);
  await waitUntil(program.page, () => globalThis.wwmTestResults.bitmap instanceof ImageBitmap);
  const pixel = await program.page.evaluate(() => {
    const bitmap = globalThis.wwmTestResults.bitmap;
    const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
    context.drawImage(bitmap, 0, 0);
    return Array.from(context.getImageData(1, 1, 1, 1).data);
  });
  assert.deepEqual(pixel, [10, 200, 30, 255]);
});
