// wwm protocol fuzzing: protocol_errors.test.mjs checks one hand-written message per rule;
// this file throws several hundred random and mutated messages at the glue, both ways, to
// find the shapes nobody wrote down. On the wwm test page with two workers it sends, to a
// worker, WwmMain.workers[id].worker.postMessage(...) from the main thread (as
// protocol_errors does), and to the main thread, the worker's own postMessage(...) (what
// protocol_errors' _test_worker_posts_garbage does from a task; here run through
// Playwright's handle on the worker, so any value can be sent): non-objects (numbers,
// strings, null, arrays, typed arrays), objects with random `__wwm_` field names,
// valid-looking tasks, inits and error reports with one field mutated (wrong types; huge,
// negative or NaN numbers; forged, stale, duplicated or misdirected task tickets; missing
// callbacks; odd payloads), duplicated inits, random extra fields, deep and odd values
// (long strings, nesting, sparse arrays of huge length, a view of the whole wasm memory),
// values the browser cannot clone, and a few unknown Emscripten commands.
//
// After each message the test sends a marker (an unknown `__wwm_fuzz_marker_<n>` field, so
// itself reported), which splits the error log into one slice per case. Each case then
// has a definite answer: a malformed message produced exactly one error naming the worker
// (`worker <id>: dropped [task] message ...: <the problem this mutation causes>`); a valid
// one (a non-fatal error report sent to the main thread, a held-back real task re-sent with
// harmless changes) was accepted; an Emscripten command went to Emscripten, not to wwm; a
// value the browser cannot clone made the sender's postMessage throw and nothing arrived.
// After each batch: no page error or uncaught exception, every worker is Normal and still
// runs a real task and a round trip to the main thread, every real task the cases posted
// ran exactly once, and no task is left in flight (every constructed task destroyed).
//
// The fuzzer found three holes in wwm/js/wwm_protocol.js, fixed there: a callback array with
// holes (`[, 5]`) passed the [address, serial] check; a typed array as big as the wasm
// memory made the classifier throw (Object.keys on 2^28 indices), killing the worker that
// received it (or raising an uncaught error on the page); and describing a malformed
// message stringified its arrays and views whole, so a few bytes (a sparse array of length
// 1e8) kept the receiving thread busy for seconds (seen here as a stream that never settles).
// The first two shapes are sent in the first batch whatever the seed.
// Deterministic: FUZZ_SEED=n repeats a run; the summary goes to ${BUILD_ROOT}/fuzz/protocol_fuzzing.json.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, startServer, waitUntil } from '../browser/harness.mjs';
import { FuzzTally, fuzzSeed, seededRandom } from '../browser/fuzzing.mjs';
import { STATUS } from './test_program.mjs';

const SEED = fuzzSeed(20240614);
const random = seededRandom(SEED);
const WORKER_COUNT = 2;
const BATCHES = 16;
const CASES_PER_BATCH = 40;
const SETTLE_TIMEOUT_MS = 15000;  // a batch normally settles in well under a second

// The protocol's field names, as wwm/js/wwm_protocol.js defines them (the test builds
// messages by hand, so it spells them, like protocol_errors.test.mjs).
const F = {
  MODULE: '__wwm_wasm_module', MEMORY: '__wwm_wasm_memory', CALLBACK: '__wwm_callback',
  PAYLOAD: '__wwm_js_payload', ID: '__wwm_web_worker_id', REPORT: '__wwm_error_report',
};
const KNOWN_FIELDS = Object.values(F);
const MARKER = '__wwm_fuzz_marker_';

let server, browser, page, pageErrors, consoleLines;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page, pageErrors, consoleLines } = await openPage(browser, server.url + 'tests/wwm/index.html', { waitFor: () => globalThis.wwmTestReady }));
});
after(async () => { await browser?.close(); server?.stop(); });

// ---- Values: described in Node (seeded), built in the browser (main thread or worker) ----

// A value as plain JSON, so the seeded generator can run in Node and the value (a
// WebAssembly.Module, a view of the wasm memory, a megabyte string) be made where it is sent.
const V = {
  number: (x) => ({ t: 'number', v: Number.isNaN(x) ? 'NaN' : Object.is(x, -0) ? '-0' : Number.isFinite(x) ? x : String(x) }),
  string: (text) => ({ t: 'string', v: text }),
  long: (unit, times) => ({ t: 'long string', unit, times }),
  boolean: (value) => ({ t: 'boolean', v: value }),
  null: { t: 'null' },
  undefined: { t: 'undefined' },
  bigint: (text) => ({ t: 'bigint', v: text }),
  array: (...items) => ({ t: 'array', items }),
  sparse: (length, items) => ({ t: 'sparse array', length, items }),  // items: [[index, value]]
  object: (fields) => ({ t: 'object', fields }),                      // fields: [[name, value]], in order
  typed: (type, length, values) => ({ t: 'typed array', type, length, values }),
  memoryView: (length) => ({ t: 'memory view', length }),              // no length: all of the wasm memory
  buffer: (length, shared) => ({ t: 'buffer', length, shared }),
  module: { t: 'module' },
  memory: { t: 'memory' },
  nested: (depth, leaf, arrays, key = 'a') => ({ t: 'nested', depth, leaf, arrays, key }),
  wide: (count) => ({ t: 'wide object', count }),
  special: (what) => ({ t: 'special', what }),
  staleTicket: (from, pick, addressOffset = 0) => ({ t: 'stale ticket', from, pick, addressOffset }),
  forgedTicket: (address, serial) => ({ t: 'forged ticket', address, serial }),
  liveTicket: (addressOffset = 0) => ({ t: 'live ticket', addressOffset }),
};

// Runs in the browser (its source is sent there): builds the value a spec describes. `env`
// holds what only the sender has: the program's module and memory, the tickets of tasks
// already run (stale), and the ticket of the real task the case posted (live).
function materialise(spec, env) {
  const NUMBERS = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };
  const positive = (n) => (n >>> 0) || 1;
  const SPECIAL = {
    'date': () => new Date(0), 'invalid date': () => new Date(NaN), 'regexp': () => /__wwm_callback/g,
    'map': () => new Map([['__wwm_callback', [8, 9]], ['__wwm_js_payload', 1]]), 'set': () => new Set(['__wwm_callback']),
    'error': () => new TypeError('__wwm_callback'), 'blob': () => new Blob(['__wwm_']), 'boxed string': () => new String('__wwm_'),
    'function': () => function notCloneable() {}, 'symbol': () => Symbol('not cloneable'), 'promise': () => Promise.resolve(1),
    'weak map': () => new WeakMap(),
  };
  const build = (s) => {
    switch (s.t) {
      case 'number': return s.v in NUMBERS ? NUMBERS[s.v] : s.v;
      case 'string': case 'boolean': return s.v;
      case 'long string': return s.unit.repeat(s.times);
      case 'null': return null;
      case 'undefined': return undefined;
      case 'bigint': return BigInt(s.v);
      case 'array': return s.items.map(build);
      case 'sparse array': {
        const array = new Array(s.length);
        for (const [index, item] of s.items) array[index] = build(item);
        return array;
      }
      case 'object': {
        const object = {};
        // defineProperty, so `__proto__` is an own field like any other name.
        for (const [name, value] of s.fields) Object.defineProperty(object, name, { value: build(value), enumerable: true, writable: true, configurable: true });
        return object;
      }
      case 'typed array':
        if (s.type === 'DataView') return new DataView(new ArrayBuffer(s.length));
        return s.values ? globalThis[s.type].from(s.values) : new globalThis[s.type](s.length);
      case 'memory view': return new Uint8Array(env.memory.buffer, 0, s.length ?? env.memory.buffer.byteLength);
      case 'buffer': return s.shared ? new SharedArrayBuffer(s.length) : new ArrayBuffer(s.length);
      case 'module': return env.module;
      case 'memory': return env.memory;
      case 'nested': {
        let value = build(s.leaf);
        for (let i = 0; i < s.depth; ++i) value = s.arrays ? [value] : { [s.key]: value };
        return value;
      }
      case 'wide object': {
        const object = {};
        for (let i = 0; i < s.count; ++i) object['field' + i] = i;
        return object;
      }
      case 'special': return SPECIAL[s.what]();
      case 'stale ticket': {
        const tickets = env.tickets[s.from];
        const [address, serial] = tickets.length ? tickets[Math.floor(s.pick * tickets.length)] : [8, 1];
        return [positive(address + s.addressOffset), serial];
      }
      case 'forged ticket': return [s.address, s.serial];
      case 'live ticket': return [positive(env.live[0] + s.addressOffset), env.live[1]];
      default: throw new Error('unknown value spec ' + s.t);
    }
  };
  return build(spec);
}

// ---- Expected problems: the end of the error text, after the worker and the message ----

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PROBLEM = {
  notObject: (type) => `not an object \\(got ${escape(type)}\\)`,
  noField: 'no __wwm_ field and not an Emscripten message',
  unknown: (names) => `unknown field ${escape(names.join(', '))}`,
  callback: (where) => `${where}: __wwm_callback must be \\[address, serial\\], two positive 32-bit integers \\(got .*\\)`,
  missing: (where, field) => `${where}: missing ${field}`,
  staleTicket: 'no task with serial \\d+ is in flight \\(already run, destroyed, or never sent\\)',
  wrongAddress: 'task \\d+ lives at address \\d+, not \\d+',
  anyTicket: '(no task with serial \\d+ is in flight \\(already run, destroyed, or never sent\\)|task \\d+ lives at address \\d+, not \\d+|' +
    'task \\d+ was sent to (worker \\d+|the main thread), not to (worker \\d+|the main thread))',
  initModule: 'init: __wwm_wasm_module is not a WebAssembly\\.Module',
  initMemory: 'init: __wwm_wasm_memory is not a WebAssembly\\.Memory',
  initId: 'init: __wwm_web_worker_id is not a positive integer',
  secondInit: 'a second init message \\(this worker is already initialised\\)',
  initFromWorker: 'a worker cannot send an init message',
  reportShape: '__wwm_error_report must be \\{text: string, fatal: boolean\\}',
  reportOnly: '__wwm_error_report must be the only field',
  reportToWorker: 'a worker does not accept error report messages',
  any: '.*',
};

// What a case must end in. `ticket`: the problem is found when claiming the ticket, which
// the main thread words as "dropped task message".
const reported = (problem, extra = {}) => ({ outcome: 'reported', problem, ...extra });
const reportedTicket = (problem = PROBLEM.anyTicket, extra = {}) => reported(problem, { ticket: true, ...extra });

// ---- The seeded generator ----------------------------------------------------------------

const TYPED_ARRAYS = ['Uint8Array', 'Int8Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array',
  'BigInt64Array', 'Uint8ClampedArray', 'DataView'];
// Nesting every side can clone: Chromium's worker deserialises objects about 1000 deep
// (deeper ones arrive as null), serialises about 1800 deep; the main thread twice that.
const MAX_DEPTH = 800;
const ODD_NUMBERS = [0, -1, 1.5, NaN, Infinity, -Infinity, -0, 2 ** 32, 2 ** 53, -(2 ** 31), 1e308, -1e308, 5e-324, 0xffffffff];
const ODD_FIELD_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'then', '', '0', '1e3', 'length',
  '__WWM_callback', '_wwm_callback', 'wwm_callback', ' __wwm_callback', '__wwm', '__ww_callback'];
const ODD_WWM_NAMES = ['__wwm_', '__wwm_callback ', '__wwm_Callback', '__wwm_callback_', '__wwm_\u00e9', '__wwm_\u0000',
  '__wwm_web_worker_id2', '__wwm___wwm_callback', '__wwm_js_payload\n', '__wwm_error'];

const randomNumber = () => random.chance(0.5) ? random.pick(ODD_NUMBERS) : random.between(-1e9, 1e9) / random.pick([1, 7, 1000]);

// A name that is not a wwm field (and not one Emscripten reads, unless `emscriptenNames`).
function randomFieldName(emscriptenNames = false) {
  if (emscriptenNames && random.chance(0.15)) return random.pick(['cmd', 'target', 'targetThread']);
  if (random.chance(0.3)) return random.pick(ODD_FIELD_NAMES);
  return 'f' + random.text(random.between(1, 10));
}

function randomWwmName() {
  if (random.chance(0.3)) return random.pick(ODD_WWM_NAMES);
  if (random.chance(0.03)) return '__wwm_' + 'x'.repeat(random.between(1000, 20000));
  for (;;) {
    const name = '__wwm_' + random.text(random.between(1, 16));
    if (!KNOWN_FIELDS.includes(name)) return name;
  }
}

// Any value, cloneable: what a payload or a field may hold.
function randomValue(depth = 0) {
  switch (random.integer(depth > 2 ? 8 : 12)) {
    case 0: return V.number(randomNumber());
    case 1: return V.string(random.text(random.between(0, 24)));
    case 2: return V.null;
    case 3: return V.undefined;
    case 4: return V.boolean(random.chance(0.5));
    case 5: return V.bigint(String(random.between(-1e9, 1e9)));
    case 6: return V.typed(random.pick(TYPED_ARRAYS), random.between(0, 64));
    case 7: return random.pick([V.module, V.memory, V.buffer(16), V.buffer(16, true), V.memoryView(64), V.special('date'),
      V.special('invalid date'), V.special('map'), V.special('set'), V.special('regexp'), V.special('error'), V.special('blob')]);
    case 8: return V.array(...Array.from({ length: random.between(0, 4) }, () => randomValue(depth + 1)));
    case 9: case 10: return V.object(Array.from({ length: random.between(0, 4) }, () => [randomFieldName(), randomValue(depth + 1)]));
    default: return V.long(random.pick(['x', '\u00e9', '\u{1F600}', '\u0000', '"']), random.between(1000, 100000));
  }
}

// A big or deep value that still clones.
function bigValue() {
  return random.pick([
    () => V.long(random.pick(['x', '\u{1F600}']), random.between(100000, 1 << 21)),
    () => V.nested(random.between(10, MAX_DEPTH), randomValue(2), random.chance(0.5)),
    () => V.wide(random.between(1000, 20000)),
    () => V.typed('Float64Array', 1 << random.between(10, 20)),
    () => V.buffer(1 << random.between(10, 24)),
    () => V.memoryView(),
    () => hugeSparseArray(),
  ])();
}

// A few bytes on the wire, a huge length to whoever walks it.
const hugeSparseArray = () => V.sparse(random.pick([1e6, 5e7, 1.1e8, 2 ** 31, 2 ** 32 - 1]), [[random.between(0, 999), V.number(1)]]);

const BAD_CALLBACKS = [
  () => V.string(random.text(random.between(0, 8))), () => V.number(randomNumber()), () => V.null, () => V.boolean(true),
  () => V.object([['0', V.number(8)], ['1', V.number(9)]]), () => V.array(), () => V.array(V.number(8)),
  () => V.array(V.number(8), V.number(9), V.number(10)), () => V.array(V.number(0), V.number(9)),
  () => V.array(V.number(8), V.number(-1)), () => V.array(V.number(8.5), V.number(9)), () => V.array(V.number(NaN), V.number(9)),
  () => V.array(V.number(8), V.number(Infinity)), () => V.array(V.number(8), V.number(2 ** 32)), () => V.array(V.number(-0), V.number(9)),
  () => V.array(V.string('8'), V.string('9')), () => V.array(V.bigint('8'), V.bigint('9')), () => V.array(V.array(V.number(8)), V.array(V.number(9))),
  () => V.array(V.null, V.null), () => V.typed('Uint32Array', 2, [8, 9]),
  () => V.sparse(2, [[1, V.number(random.between(1, 2000))]]), () => V.sparse(2, [[0, V.number(8)]]), () => V.sparse(2, []),
  () => V.long('1', random.between(1000, 100000)), () => V.nested(random.between(2, 500), V.number(8), true), () => hugeSparseArray(),
];
const badCallback = () => random.pick(BAD_CALLBACKS)();

// A ticket that names no task this receiver may run: one already run (stale, from the tasks
// the main thread sent or received), or made up (serials far above any this run reaches).
function deadTicket() {
  if (random.chance(0.6)) return V.staleTicket(random.pick(['sent', 'received']), random.next(), random.pick([0, 0, 0, 4, -4, 8]));
  return V.forgedTicket(random.between(1, 0xffffffff), random.between(1e6, 0xffffffff));
}

const field = (name, value) => [name, value];
const shuffled = (items) => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; --i) { const j = random.integer(i + 1); [copy[i], copy[j]] = [copy[j], copy[i]]; }
  return copy;
};
const without = (fields, name) => fields.filter(([fieldName]) => fieldName !== name);
const replacing = (fields, name, value) => fields.map(([fieldName, old]) => [fieldName, fieldName === name ? value : old]);

function initFields(id) {
  return [field(F.MODULE, V.module), field(F.MEMORY, V.memory), field(F.CALLBACK, deadTicket()),
    field(F.PAYLOAD, random.chance(0.5) ? V.undefined : randomValue()), field(F.ID, V.number(id))];
}

// Each generator returns {description, spec, expect} and, for cases that post a real task
// first, realTask: {worker, hold} (hold: the test keeps the task's message back, and sends
// it once the stream has settled if resendOriginal, or if the case's own copy was not sent).
// `to` is 'worker' or 'main'; `id` the worker sent to (or sending); `other` the other worker.
const GENERATORS = {
  'non-object': () => {
    const [description, spec, type] = random.pick([
      () => ['a number', V.number(randomNumber()), 'number'],
      () => ['a string', V.string(random.chance(0.3) ? random.pick(KNOWN_FIELDS) : random.text(random.between(0, 30))), 'string'],
      () => ['null', V.null, 'null'],
      () => ['undefined', V.undefined, 'undefined'],
      () => ['a boolean', V.boolean(random.chance(0.5)), 'boolean'],
      () => ['a bigint', V.bigint(String(random.between(-1e9, 1e9))), 'bigint'],
      () => ['an array', V.array(...Array.from({ length: random.between(0, 3) }, () => randomValue(1))), 'array'],
      () => ['an array holding a task', V.array(V.object([field(F.CALLBACK, deadTicket()), field(F.PAYLOAD, V.null)])), 'array'],
      () => { const type = random.pick(TYPED_ARRAYS); return [`a ${type}`, V.typed(type, random.between(0, 256)), type]; },
      () => ['a view of the wasm memory', V.memoryView(random.between(0, 1 << 20)), 'Uint8Array'],
      () => ['a sparse array with a huge length', hugeSparseArray(), 'array'],
    ])();
    return { description, spec, expect: reported(PROBLEM.notObject(type)) };
  },

  'odd object': () => {
    const [description, spec] = random.pick([
      () => ['an empty object', V.object([])],
      () => ['an object with random fields', V.object(Array.from({ length: random.between(1, 6) }, () => [randomFieldName(), randomValue()]))],
      () => ['a wide object', V.wide(random.between(100, 20000))],
      ...['date', 'invalid date', 'map', 'set', 'regexp', 'error', 'blob', 'boxed string'].map((what) => () => [`a ${what}`, V.special(what)]),
      () => ['an ArrayBuffer', V.buffer(random.between(0, 4096))],
      () => ['a SharedArrayBuffer', V.buffer(random.between(1, 4096), true)],
      () => ['a WebAssembly.Module', V.module],
      () => ['a WebAssembly.Memory', V.memory],
    ])();
    return { description, spec, expect: reported(PROBLEM.noField) };
  },

  'random __wwm_ fields': () => {
    const unknown = [...new Set(Array.from({ length: random.between(1, 4) }, randomWwmName))];
    let fields = unknown.map((name) => field(name, randomValue()));
    if (random.chance(0.5)) fields.push(field(F.CALLBACK, deadTicket()), field(F.PAYLOAD, randomValue()));
    if (random.chance(0.3)) fields.push(field(F.REPORT, V.object([field('text', V.string('x')), field('fatal', V.boolean(false))])));
    for (let i = random.between(0, 3); i > 0; --i) fields.push(field(randomFieldName(), randomValue()));
    fields = shuffled(fields);
    const order = fields.map(([name]) => name).filter((name) => unknown.includes(name));
    return { description: `unknown fields ${order.map((name) => name.length > 40 ? name.slice(0, 40) + '…' : name).join(', ')}`,
      spec: V.object(fields), expect: reported(PROBLEM.unknown(order)) };
  },

  'task, one field mutated': () => {
    const fields = [field(F.CALLBACK, deadTicket()), field(F.PAYLOAD, randomValue())];
    return random.pick([
      () => ({ description: 'a callback of the wrong shape', spec: V.object(replacing(fields, F.CALLBACK, badCallback())), expect: reported(PROBLEM.callback('task')) }),
      () => ({ description: 'no callback', spec: V.object(without(fields, F.CALLBACK)), expect: reported(PROBLEM.missing('task', F.CALLBACK)) }),
      () => ({ description: 'no payload', spec: V.object(without(fields, F.PAYLOAD)), expect: reported(PROBLEM.missing('task', F.PAYLOAD)) }),
      () => ({ description: 'an undefined payload', spec: V.object(replacing(fields, F.PAYLOAD, V.undefined)), expect: reportedTicket() }),
      () => ({ description: 'a big payload', spec: V.object(replacing(fields, F.PAYLOAD, bigValue())), expect: reportedTicket() }),
    ])();
  },

  'stale or forged ticket': () => {
    const ticket = deadTicket();
    const stale = ticket.t === 'stale ticket';
    return { description: stale ? `a stale ticket (${ticket.from}, address ${ticket.addressOffset >= 0 ? '+' : ''}${ticket.addressOffset})` : 'a forged ticket',
      spec: V.object(shuffled([field(F.CALLBACK, ticket), field(F.PAYLOAD, randomValue())])),
      expect: reportedTicket(stale ? PROBLEM.staleTicket : PROBLEM.anyTicket) };
  },

  // The main thread posts a real task, and the test sends a copy of its message: to the same
  // worker (it arrives after the original, so its ticket is stale), or, while the original is
  // held back, to a thread that is not its receiver (the other worker, or the main thread).
  'real task duplicated or misdirected': ({ to, id, other }) => {
    const message = (addressOffset) => V.object([field(F.CALLBACK, V.liveTicket(addressOffset)), field(F.PAYLOAD, randomValue())]);
    if (to === 'main') {
      const receiver = random.pick([id, other]);
      return { description: `a live ticket for worker ${receiver} sent to the main thread`, realTask: { worker: receiver, hold: true }, resendOriginal: true,
        spec: message(0), expect: reportedTicket(`task \\d+ was sent to worker ${receiver}, not to the main thread`) };
    }
    if (random.chance(0.5)) {
      return { description: 'a duplicate of a real task', realTask: { worker: id }, spec: message(random.pick([0, 0, 4])), expect: reportedTicket(PROBLEM.staleTicket) };
    }
    return { description: `a live ticket for worker ${other} sent to worker ${id}`, realTask: { worker: other, hold: true }, resendOriginal: true,
      spec: message(0), expect: reportedTicket(`task \\d+ was sent to worker ${other}, not to worker ${id}`) };
  },

  // The main thread posts a real task; the test holds its message back and sends a mutated
  // copy. Harmless changes keep it valid: it must run, once, with no error. Others break it:
  // reported, and the test then sends the original, which runs.
  'real task held back and re-sent mutated': () => {
    const fields = [field(F.CALLBACK, V.liveTicket()), field(F.PAYLOAD, V.undefined)];
    const extras = () => Array.from({ length: random.between(1, 5) }, () => field(randomFieldName(true), randomValue()));
    return { realTask: { hold: true }, ...random.pick([
      () => ({ description: 'with extra fields (valid)', spec: V.object(shuffled([...fields, ...extras()])), expect: { outcome: 'accepted' } }),
      () => ({ description: 'with another payload (valid)', spec: V.object(replacing(fields, F.PAYLOAD, random.chance(0.5) ? randomValue() : bigValue())), expect: { outcome: 'accepted' } }),
      () => ({ description: 'with a payload that cannot be cloned', spec: V.object(replacing(fields, F.PAYLOAD, V.special(random.pick(['function', 'symbol', 'promise', 'weak map'])))),
        expect: { outcome: 'not cloneable' } }),
      () => ({ description: 'with the address moved', spec: V.object(replacing(fields, F.CALLBACK, V.liveTicket(random.pick([4, 8, -8, 1024])))), expect: reportedTicket(PROBLEM.wrongAddress), resendOriginal: true }),
      () => ({ description: 'with a forged serial', spec: V.object(replacing(fields, F.CALLBACK, V.forgedTicket(random.between(1, 0xffffffff), random.between(1e6, 0xffffffff)))),
        expect: reportedTicket(), resendOriginal: true }),
      () => ({ description: 'with a bad callback', spec: V.object(replacing(fields, F.CALLBACK, badCallback())), expect: reported(PROBLEM.callback('task')), resendOriginal: true }),
      () => ({ description: 'without its payload', spec: V.object(without(fields, F.PAYLOAD)), expect: reported(PROBLEM.missing('task', F.PAYLOAD)), resendOriginal: true }),
      () => { const name = randomWwmName(); return { description: `with an unknown field ${name.slice(0, 40)}`, spec: V.object([...fields, field(name, randomValue())]), expect: reported(PROBLEM.unknown([name])), resendOriginal: true }; },
      () => ({ description: 'with a worker id', spec: V.object([...fields, field(F.ID, V.number(random.between(1, 9)))]), expect: reported(PROBLEM.initModule), resendOriginal: true }),
      () => ({ description: 'with an error report', spec: V.object([...fields, field(F.REPORT, V.object([field('text', V.string('x')), field('fatal', V.boolean(false))]))]),
        expect: reported(PROBLEM.reportOnly), resendOriginal: true }),
    ])() };
  },

  'init, one field mutated': ({ id }) => {
    const fields = initFields(id);
    const notModule = () => random.pick([V.memory, V.object([]), V.number(randomNumber()), V.string('module'), V.null, V.buffer(64), V.typed('Uint8Array', 8)]);
    const notMemory = () => random.pick([V.module, V.object([]), V.buffer(64, true), V.memoryView(64), V.number(randomNumber()), V.null, V.undefined]);
    const badId = () => random.pick([V.number(0), V.number(-1), V.number(1.5), V.number(NaN), V.number(Infinity), V.number(-Infinity),
      V.string(String(id)), V.null, V.boolean(true), V.bigint(String(id)), V.array(V.number(id)), V.undefined]);
    return random.pick([
      () => ({ description: 'a module that is not a WebAssembly.Module', spec: V.object(replacing(fields, F.MODULE, notModule())), expect: reported(PROBLEM.initModule) }),
      () => ({ description: 'no module', spec: V.object(without(fields, F.MODULE)), expect: reported(PROBLEM.initModule) }),
      () => ({ description: 'a memory that is not a WebAssembly.Memory', spec: V.object(replacing(fields, F.MEMORY, notMemory())), expect: reported(PROBLEM.initMemory) }),
      () => ({ description: 'no memory', spec: V.object(without(fields, F.MEMORY)), expect: reported(PROBLEM.initMemory) }),
      () => ({ description: 'a worker id that is not a positive integer', spec: V.object(replacing(fields, F.ID, badId())), expect: reported(PROBLEM.initId) }),
      () => ({ description: 'no worker id', spec: V.object(without(fields, F.ID)), expect: reported(PROBLEM.initId) }),
      () => ({ description: 'a callback of the wrong shape', spec: V.object(replacing(fields, F.CALLBACK, badCallback())), expect: reported(PROBLEM.callback('init')) }),
      () => ({ description: 'no callback', spec: V.object(without(fields, F.CALLBACK)), expect: reported(PROBLEM.missing('init', F.CALLBACK)) }),
      () => ({ description: 'no payload', spec: V.object(without(fields, F.PAYLOAD)), expect: reported(PROBLEM.missing('init', F.PAYLOAD)) }),
    ])();
  },

  'duplicated init': ({ to, id, other }) => {
    const workerId = random.pick([id, id, other, 2 ** 40, random.between(1, 1e6)]);
    return { description: `a well-formed init for worker id ${workerId}`, spec: V.object(shuffled(replacing(initFields(id), F.ID, V.number(workerId)))),
      expect: reported(to === 'worker' ? PROBLEM.secondInit : PROBLEM.initFromWorker) };
  },

  // To a worker any error report is refused; to the main thread a well-formed one is the
  // protocol at work (reported as the worker's own error), so it is accepted. A fatal one
  // would fail the worker on purpose: the generator sends the main thread non-fatal ones.
  'error report': ({ to }) => {
    const [textValue, text] = random.chance(0.2)
      ? (() => { const times = random.between(1000, 50000); return [V.long('r', times), 'r'.repeat(times)]; })()
      : (() => { const value = 'fuzz report ' + random.text(random.between(0, 30)); return [V.string(value), value]; })();
    const fatal = to === 'worker' ? random.chance(0.5) : false;
    const report = [field('text', textValue), field('fatal', V.boolean(fatal))];
    const wellFormed = to === 'worker' ? reported(PROBLEM.reportToWorker) : { outcome: 'accepted', reportText: text };
    return random.pick([
      () => ({ description: 'a well-formed report', spec: V.object([field(F.REPORT, V.object(report))]), expect: wellFormed }),
      () => ({ description: 'a well-formed report with extra fields', spec: V.object([field(F.REPORT, V.object([...report, field(randomFieldName(), randomValue())])),
        field(randomFieldName(), randomValue())]), expect: wellFormed }),
      () => ({ description: 'a text that is not a string', spec: V.object([field(F.REPORT, V.object(replacing(report, 'text', random.pick([V.number(1), V.null, V.array(V.string('x')), V.object([]), V.undefined]))))]),
        expect: reported(PROBLEM.reportShape) }),
      () => ({ description: 'no text', spec: V.object([field(F.REPORT, V.object(without(report, 'text')))]), expect: reported(PROBLEM.reportShape) }),
      () => ({ description: 'a fatal flag that is not a boolean', spec: V.object([field(F.REPORT, V.object(replacing(report, 'fatal', random.pick([V.string('false'), V.number(0), V.number(1), V.null]))))]),
        expect: reported(PROBLEM.reportShape) }),
      () => ({ description: 'no fatal flag', spec: V.object([field(F.REPORT, V.object(without(report, 'fatal')))]), expect: reported(PROBLEM.reportShape) }),
      () => ({ description: 'a report that is not an object', spec: V.object([field(F.REPORT, random.pick([V.null, V.string('text'), V.number(1), V.undefined, V.array(textValue, V.boolean(false))]))]),
        expect: reported(PROBLEM.reportShape) }),
      () => ({ description: 'a report beside another wwm field', spec: V.object(shuffled([field(F.REPORT, V.object(report)), field(random.pick([F.CALLBACK, F.PAYLOAD, F.ID, F.MODULE]), randomValue())])),
        expect: reported(PROBLEM.reportOnly) }),
    ])();
  },

  // Fields wwm does not know and must ignore, Emscripten's `cmd`/`target` included (with a
  // `__wwm_` field the message is wwm's, never passed to Emscripten).
  'random extra fields': ({ to, id }) => {
    const [description, fields, expect] = random.pick([
      () => ['a task with a dead ticket', [field(F.CALLBACK, deadTicket()), field(F.PAYLOAD, randomValue())], reportedTicket()],
      () => ['a task with a bad callback', [field(F.CALLBACK, badCallback()), field(F.PAYLOAD, randomValue())], reported(PROBLEM.callback('task'))],
      () => ['a well-formed init', initFields(id), reported(to === 'worker' ? PROBLEM.secondInit : PROBLEM.initFromWorker)],
      () => ['a well-formed error report', [field(F.REPORT, V.object([field('text', V.string('extra fields')), field('fatal', V.boolean(false))]))],
        to === 'worker' ? reported(PROBLEM.reportToWorker) : { outcome: 'accepted', reportText: 'extra fields' }],
    ])();
    const extras = Array.from({ length: random.between(1, 6) }, () => field(randomFieldName(true), randomValue()));
    return { description: `${description} and ${extras.length} extra fields`, spec: V.object(shuffled([...fields, ...extras])), expect };
  },

  'deep or odd value': () => random.pick([
    () => ({ description: 'a long string', spec: V.long(random.pick(['x', '\u{1F600}', '\u0000']), random.between(100000, 1 << 21)), expect: reported(PROBLEM.notObject('string')) }),
    () => ({ description: 'nested objects', spec: V.nested(random.between(10, MAX_DEPTH), randomValue(2), false, randomFieldName()), expect: reported(PROBLEM.noField) }),
    () => ({ description: 'nested arrays', spec: V.nested(random.between(10, MAX_DEPTH), randomValue(2), true), expect: reported(PROBLEM.notObject('array')) }),
    () => ({ description: 'a view of the whole wasm memory', spec: V.memoryView(), expect: reported(PROBLEM.notObject('Uint8Array')) }),
    () => ({ description: 'a dead ticket with a big payload', spec: V.object([field(F.CALLBACK, deadTicket()), field(F.PAYLOAD, bigValue())]), expect: reportedTicket() }),
    () => ({ description: 'a big callback', spec: V.object([field(F.CALLBACK, bigValue()), field(F.PAYLOAD, V.null)]), expect: reported(PROBLEM.callback('task')) }),
    () => ({ description: 'deeply nested unknown fields', spec: V.object([field('__wwm_deep', V.nested(random.between(10, MAX_DEPTH), V.null, false))]), expect: reported(PROBLEM.unknown(['__wwm_deep'])) }),
    // Past the browser's limits: postMessage throws (too deep to serialise), or the message
    // arrives in whatever form the receiver could rebuild (Chromium gives a worker `null` for
    // objects nested deeper than it can deserialise), which must still be reported.
    () => ({ description: 'nested past a worker\'s clone limit', spec: V.nested(random.between(1500, 3500), V.null, random.chance(0.5), 'deep'),
      expect: reported(PROBLEM.any, { mayNotClone: true }) }),
    () => ({ description: 'too deep to clone', spec: V.nested(random.between(4000, 20000), V.null, random.chance(0.5)),
      expect: reported(PROBLEM.any, { mayNotClone: true }) }),
    () => ({ description: 'a payload that cannot be cloned', spec: V.object([field(F.CALLBACK, deadTicket()),
      field(F.PAYLOAD, V.special(random.pick(['function', 'symbol', 'promise', 'weak map'])))]), expect: { outcome: 'not cloneable' } }),
  ])(),

  // Emscripten's own messages pass through wwm; an unknown command only makes Emscripten
  // print a line. (Its real commands, 'run' or 'cancel', would stop the thread: never sent.)
  'Emscripten command': () => ({
    description: 'an unknown Emscripten command',
    spec: V.object(shuffled([field('cmd', V.string('wwm_fuzz_' + random.text(6))), ...Array.from({ length: random.between(0, 3) }, () => field(randomFieldName(), randomValue()))])),
    expect: { outcome: 'passed to Emscripten' },
  }),
};

const KIND_WEIGHTS = [
  ['non-object', 3], ['odd object', 2], ['random __wwm_ fields', 3], ['task, one field mutated', 3], ['stale or forged ticket', 3],
  ['real task duplicated or misdirected', 2], ['real task held back and re-sent mutated', 4, 'worker'],
  ['init, one field mutated', 3], ['duplicated init', 1], ['error report', 3], ['random extra fields', 3], ['deep or odd value', 3],
  ['Emscripten command', 1],
];

function pickKind(to) {
  const kinds = KIND_WEIGHTS.filter(([, , only]) => !only || only === to);
  let roll = random.next() * kinds.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [kind, weight] of kinds) if ((roll -= weight) < 0) return kind;
  return kinds.at(-1)[0];
}

// The shapes the fuzzer found holes with, sent in the first batch whatever the seed.
function regressionCases(ids) {
  const cases = [];
  for (const to of ['worker', 'main']) {
    for (const id of ids) {
      cases.push({ kind: 'task, one field mutated', to, id, description: 'a callback with a hole ([, serial]) (found by the fuzzer)',
        spec: V.object([field(F.CALLBACK, V.sparse(2, [[1, V.number(5)]])), field(F.PAYLOAD, V.null)]), expect: reported(PROBLEM.callback('task')) });
      cases.push({ kind: 'deep or odd value', to, id, description: 'a view of the whole wasm memory (found by the fuzzer)',
        spec: V.memoryView(), expect: reported(PROBLEM.notObject('Uint8Array')) });
    }
  }
  return cases;
}

let nextSequence = 1;
let nextTag = 10000;

function makeBatch(batch, ids) {
  const cases = batch === 0 ? regressionCases(ids) : [];
  while (cases.length < CASES_PER_BATCH) {
    const id = random.pick(ids);
    const other = ids.find((worker) => worker !== id);
    const to = random.chance(0.5) ? 'worker' : 'main';
    const kind = pickKind(to);
    cases.push({ kind, to, id, ...GENERATORS[kind]({ to, id, other }) });
  }
  for (const fuzzCase of cases) {
    fuzzCase.sequence = nextSequence++;
    if (fuzzCase.realTask) {
      fuzzCase.realTask = { worker: fuzzCase.id, hold: false, ...fuzzCase.realTask, tag: nextTag++ };
    }
  }
  return cases;
}

// ---- Sending and judging ---------------------------------------------------------------------

const markerProblem = (sequence) => `unknown field ${MARKER}${sequence}`;

// Installs the test's instruments on the page: its own error listener (WwmMain.errorLog
// keeps only the newest 200), a record of the tickets the main thread sends and receives
// (for stale tickets), and a way to hold back the next task the main thread posts.
async function instrumentPage() {
  await page.evaluate((source) => {
    const post = WwmMain.post;
    globalThis.wwmFuzz = {
      errors: [], sent: [], received: [], stale: { sent: [], received: [] }, recordReceived: true, hold: false, held: null,
      heldBack: [],  // held messages to send once the stream has settled
      materialise: (0, eval)('(' + source + ')'),
      // Posts a real task, holding its message back if `hold`; returns its ticket.
      postRealTask: ({ worker, tag, hold }) => {
        wwmFuzz.hold = hold;
        Module._test_post(worker, tag);
        wwmFuzz.hold = false;
        return hold ? wwmFuzz.held.message.__wwm_callback : wwmFuzz.sent.at(-1);
      },
      releaseHeldBack: () => {
        for (const { id, message, transfer } of wwmFuzz.heldBack.splice(0)) WwmMain.workers[id].worker.postMessage(message, transfer);
      },
    };
    WwmMain.post = function(id, message, transfer) {
      wwmFuzz.sent.push(message.__wwm_callback.slice());
      if (wwmFuzz.hold) {
        wwmFuzz.held = { id, message, transfer };
        return;
      }
      post(id, message, transfer);
    };
    WwmMain.errorListeners.push((text) => wwmFuzz.errors.push(text));
  }, materialise.toString());
}

async function spawnWorkers() {
  const ids = [];
  for (let i = 0; i < WORKER_COUNT; ++i) {
    const id = await page.evaluate(() => Module._test_spawn());
    await waitUntil(page, (worker) => Module._test_status(worker) === 1, id);
    // Observes (does not replace) the worker's messages to the main thread, for stale tickets.
    await page.evaluate((worker) => WwmMain.workers[worker].worker.addEventListener('message', (event) => {
      const callback = event.data && event.data.__wwm_callback;
      if (wwmFuzz.recordReceived && Array.isArray(callback) && !event.data.__wwm_wasm_module) wwmFuzz.received.push(callback.slice());
    }), id);
    ids.push(id);
  }
  // Playwright's handle on each worker, to post from inside it.
  const handles = {};
  for (const handle of page.workers()) {
    const id = await handle.evaluate((source) => {
      self.wwmFuzzMaterialise = (0, eval)('(' + source + ')');
      return self.__wwm_web_worker_id;
    }, materialise.toString());
    if (ids.includes(id)) handles[id] = handle;
  }
  assert.deepEqual(Object.keys(handles).map(Number).sort(), [...ids].sort(), 'a Playwright handle on every worker');
  return { ids, handles };
}

// Sends one stream of cases (same worker, same direction), each followed by its marker.
// Resolves with [{sent, error}] per case. Held-back originals wait in wwmFuzz.heldBack.
async function sendStream(to, id, cases, handles) {
  const wire = cases.map(({ sequence, spec, realTask, resendOriginal }) => ({ sequence, spec, realTask, resendOriginal }));
  if (to === 'worker') {
    return page.evaluate(({ id, wire, marker }) => {
      const env = { module: wasmModule, memory: wasmMemory, tickets: wwmFuzz.stale, live: null };
      return wire.map((fuzzCase) => {
        if (fuzzCase.realTask) env.live = wwmFuzz.postRealTask(fuzzCase.realTask);
        const held = fuzzCase.realTask && fuzzCase.realTask.hold ? wwmFuzz.held : null;
        const result = { sent: true, error: null };
        try {
          WwmMain.workers[id].worker.postMessage(wwmFuzz.materialise(fuzzCase.spec, env));
        } catch (error) {
          Object.assign(result, { sent: false, error: `${error.name}: ${error.message}` });
        }
        WwmMain.workers[id].worker.postMessage({ [marker + fuzzCase.sequence]: 0 });
        if (held && (fuzzCase.resendOriginal || !result.sent)) wwmFuzz.heldBack.push(held);
        return result;
      });
    }, { id, wire, marker: MARKER });
  }
  // From a worker: the real tasks are posted (and held back) by the main thread first.
  const { tickets, live } = await page.evaluate((wire) => ({
    tickets: wwmFuzz.stale,
    live: wire.map((fuzzCase) => {
      if (!fuzzCase.realTask) return null;
      const ticket = wwmFuzz.postRealTask(fuzzCase.realTask);
      if (fuzzCase.realTask.hold) wwmFuzz.heldBack.push(wwmFuzz.held);
      return ticket;
    }),
  }), wire);
  return handles[id].evaluate(({ wire, tickets, live, marker }) => {
    const env = { module: WwmWorker.loadedModule, memory: wasmMemory, tickets, live: null };
    return wire.map((fuzzCase, index) => {
      env.live = live[index];
      const result = { sent: true, error: null };
      try {
        postMessage(self.wwmFuzzMaterialise(fuzzCase.spec, env));
      } catch (error) {
        Object.assign(result, { sent: false, error: `${error.name}: ${error.message}` });
      }
      postMessage({ [marker + fuzzCase.sequence]: 0 });
      return result;
    });
  }, { wire, tickets, live, marker: MARKER });
}

// Waits for the stream's last marker and returns the errors reported since `from`, and
// whether that marker came (if not, a worker died or the page is stuck).
async function collectErrors(from, lastSequence) {
  let settled = true;
  try {
    await waitUntil(page, ([first, ending]) => wwmFuzz.errors.slice(first).some((text) => text.endsWith(ending)),
      [from, markerProblem(lastSequence)], SETTLE_TIMEOUT_MS);
  } catch {
    settled = false;
  }
  return { settled, errors: await page.evaluate((first) => wwmFuzz.errors.slice(first), from) };
}

const short = (text) => text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;

// Judges one case from what its send did and the errors between its marker and the one before.
function judge(fuzzCase, result, errors) {
  const { expect, to, id } = fuzzCase;
  const problems = [];
  const named = new RegExp(`^worker ${id}: `);
  if (!result.sent) {
    if (expect.outcome !== 'not cloneable' && !expect.mayNotClone) problems.push(`the sender's postMessage threw ${result.error}`);
    else if (!/DataCloneError|RangeError/.test(result.error)) problems.push(`postMessage threw something other than a clone error: ${result.error}`);
    if (errors.length) problems.push(`errors for a message never sent: ${errors.map(short).join(' | ')}`);
    return ['not cloneable', problems];
  }
  switch (expect.outcome) {
    case 'reported': {
      if (errors.length !== 1) {
        problems.push(`expected exactly one error, got ${errors.length}: ${errors.map(short).join(' | ')}`);
        break;
      }
      const prefix = to === 'main' && expect.ticket ? 'dropped task message ' : 'dropped message ';
      const [error] = errors;
      if (!error.startsWith(`worker ${id}: ${prefix}`)) problems.push(`does not start with "worker ${id}: ${prefix}": ${short(error)}`);
      if (!new RegExp(`: ${expect.problem}$`, 's').test(error)) problems.push(`does not end with /${expect.problem.slice(0, 200)}/: ${short(error)}`);
      break;
    }
    case 'accepted':
      if (expect.reportText === undefined) {
        if (errors.length) problems.push(`a valid message produced errors: ${errors.map(short).join(' | ')}`);
      } else if (errors.length !== 1 || errors[0] !== `worker ${id}: ${expect.reportText}`) {
        problems.push(`expected the report "worker ${id}: ${short(expect.reportText)}", got ${errors.map(short).join(' | ') || 'nothing'}`);
      }
      break;
    case 'passed to Emscripten':
      if (errors.length) problems.push(`an Emscripten message reached wwm: ${errors.map(short).join(' | ')}`);
      break;
    case 'not cloneable':
      problems.push('expected postMessage to throw, it sent the message');
      break;
    default:
      problems.push(`unknown expectation ${expect.outcome}`);
  }
  if (errors.some((text) => !named.test(text))) problems.push(`an error does not name worker ${id}: ${errors.filter((text) => !named.test(text)).map(short).join(' | ')}`);
  return [problems.length ? 'failed' : expect.outcome, problems];
}

// Splits a stream's errors at its markers and judges each case. Returns the failures.
function judgeStream(to, id, cases, results, errors, tally) {
  const failures = [];
  let position = 0;
  cases.forEach((fuzzCase, index) => {
    const label = `case ${fuzzCase.sequence} (to ${to} ${id}, ${fuzzCase.kind}): ${fuzzCase.description}`;
    const ending = markerProblem(fuzzCase.sequence);
    const markerIndex = errors.findIndex((text, at) => at >= position && text.endsWith(ending));
    const segment = errors.slice(position, markerIndex < 0 ? errors.length : markerIndex);
    let [verdict, problems] = judge(fuzzCase, results[index], segment);
    if (markerIndex < 0) problems.push('its marker was never reported');
    else if (!errors[markerIndex].startsWith(`worker ${id}: dropped message `)) problems.push(`its marker's error does not name worker ${id}: ${short(errors[markerIndex])}`);
    if (problems.length) {
      verdict = 'failed';
      failures.push(`${label}: ${problems.join('; ')}`);
      tally.note(`FAILED ${label}: ${problems.join('; ')}`);
    } else if (fuzzCase.description.includes('found by the fuzzer')) {
      tally.note(`${verdict}: ${label}`);
    }
    tally.record(`to ${to}: ${fuzzCase.kind}`, verdict);
    position = markerIndex < 0 ? errors.length : markerIndex + 1;
  });
  if (position < errors.length) failures.push(`to ${to} ${id}: errors after the last marker: ${errors.slice(position).map(short).join(' | ')}`);
  return failures;
}

// The invariants after a batch. `realRuns`: the tags of real tasks the cases posted.
async function checkInvariants(ids, realRuns, errorCursor) {
  const problems = [];
  if (pageErrors.length) problems.push(`page errors: ${pageErrors.splice(0).join(' | ')}`);
  const crashes = consoleLines.splice(0).filter((line) => /Uncaught|captured an uncaught exception/.test(line) && !line.includes('[wwm]'));
  if (crashes.length) problems.push(`uncaught exceptions: ${crashes.map(short).join(' | ')}`);
  for (const id of ids) {
    const status = await page.evaluate((worker) => Module._test_status(worker), id);
    if (status !== STATUS.Normal) {
      problems.push(`worker ${id} has status ${status}, not Normal`);
      continue;
    }
    const tag = nextTag++, roundTrip = nextTag++;
    await page.evaluate(([worker, first, second]) => { Module._test_post(worker, first); Module._test_post_round_trip(worker, second); }, [id, tag, roundTrip]);
    try {
      await waitUntil(page, ([worker, first, second]) => {
        const log = JSON.parse(UTF8ToString(Module._test_state_json())).log;
        return log.includes(`task ${first} on worker ${worker}`) && log.includes(`task ${second} on main`);
      }, [id, tag, roundTrip], SETTLE_TIMEOUT_MS);
    } catch {
      problems.push(`worker ${id} did not complete a real task and a round trip`);
    }
  }
  let state;
  try {
    state = await waitUntil(page, () => {
      const s = JSON.parse(UTF8ToString(Module._test_state_json()));
      return s.constructions === s.destructions && s.tasksInFlight === 0 ? s : false;
    }, undefined, SETTLE_TIMEOUT_MS);
  } catch {
    state = await page.evaluate(() => JSON.parse(UTF8ToString(Module._test_state_json())));
    problems.push(`tasks leaked: ${state.tasksInFlight} in flight, ${state.constructions} constructed, ${state.destructions} destroyed`);
  }
  for (const { worker, tag } of realRuns) {
    const runs = state.log.filter((line) => line === `task ${tag} on worker ${worker}`).length;
    if (runs !== 1) problems.push(`the real task ${tag} ran ${runs} times on worker ${worker}`);
  }
  const stray = await page.evaluate((first) => wwmFuzz.errors.slice(first), errorCursor);
  if (stray.length) problems.push(`errors outside any case: ${stray.map(short).join(' | ')}`);
  return problems;
}

test('random and mutated messages, both ways, are reported naming the worker; workers keep serving', async () => {
  console.log(`protocol_fuzzing: seed ${SEED} (FUZZ_SEED=${SEED} repeats this run)`);
  const tally = new FuzzTally('protocol_fuzzing', SEED);
  await instrumentPage();
  const { ids, handles } = await spawnWorkers();
  const failures = [];
  // Stops after the first batch with a failure: the page may be wrecked.
  for (let batch = 0; batch < BATCHES && !failures.length; ++batch) {
    const cases = makeBatch(batch, ids);
    // Tickets of tasks that have all run by now (the last batch settled): stale for sure.
    await page.evaluate(() => { wwmFuzz.stale = { sent: wwmFuzz.sent.slice(-100), received: wwmFuzz.received.slice(-100) }; });
    // One stream per (direction, worker), each settled before the next, so errors split cleanly.
    let errorCursor = await page.evaluate(() => wwmFuzz.errors.length);
    for (const to of ['worker', 'main']) {
      for (const id of ids) {
        const stream = cases.filter((fuzzCase) => fuzzCase.to === to && fuzzCase.id === id);
        if (!stream.length) continue;
        await page.evaluate((recording) => { wwmFuzz.recordReceived = recording; }, to === 'worker');
        const results = await sendStream(to, id, stream, handles);
        for (const fuzzCase of stream) fuzzCase.sent = true;
        const { settled, errors } = await collectErrors(errorCursor, stream.at(-1).sequence);
        await page.evaluate(() => { wwmFuzz.recordReceived = true; wwmFuzz.releaseHeldBack(); });
        errorCursor += errors.length;
        failures.push(...judgeStream(to, id, stream, results, errors, tally));
        if (!settled) {
          failures.push(`batch ${batch}, to ${to} ${id}: the last marker was never reported (worker dead or page stuck)`);
          break;
        }
      }
      if (failures.length) break;
    }
    const realRuns = cases.filter((fuzzCase) => fuzzCase.realTask && fuzzCase.sent).map(({ realTask }) => realTask);
    const problems = await checkInvariants(ids, realRuns, errorCursor);
    failures.push(...problems.map((problem) => `after batch ${batch}: ${problem}`));
  }
  for (const failure of failures.slice(0, 20)) tally.note(`FAILED ${failure}`);
  const file = tally.report();
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failures (summary in ${file})`);
  assert.ok(tally.total >= 300, `${tally.total} cases tried`);
  assert.ok(tally.byResult.reported > 0 && tally.byResult.accepted > 0, 'both reported and accepted cases');
});
