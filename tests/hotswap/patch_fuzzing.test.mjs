// Patch fuzzing: mutated patch modules (truncated, flipped bytes, bogus dylink.0 sizes,
// missing or extra imports, wrong signatures, duplicate sections, start functions that trap)
// always end in a clear rejection, never in a half-applied patch, and the page keeps
// rendering. The real raytracer page renders with 2 workers the whole time; the mutations
// start from real patches of app/hot/sky.cpp and app/hot/scatter.cpp built by
// hotswap/tools/patch_builder.py (--overlay), on top of one good patch applied first.
//
// Each case is the next patch version, announced as the dev loop would. It passes when it is
// rejected with a failure kind of hotswap/patch_format.json and a message, and nothing
// changed (main thread and workers on the version in effect, the loader's symbols as they
// were, no mixed-version frame, frames still coming, no page error). A mutation may also
// still be a valid module: then it must apply on every thread (all workers ack it, frames
// run on it, none mixes) or, if it traps while rendering, be rolled back by the page. Some
// mutations have a definite answer (an import nobody defines is an unresolved_import, ...):
// those are checked too.
//
// The fuzzer found three holes in the loader, now fixed; each keeps its own test below, on a
// fresh page (they wrecked the page they ran on): a patch whose data does not fit the memory
// its dylink.0 declares, patch memory the fixed heap cannot hold, and imports named like
// Object.prototype members. The broad run tries the first and the last shape too; one it
// still leaves out: a memory size too small for a patch's zero-initialised data (bss is
// cleared by the patch's own code, which the loader cannot check before running it).
// Deterministic: FUZZ_SEED=n repeats a run; the summary goes to ${BUILD_ROOT}/fuzz/patch_fuzzing.json.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { launchBrowser, openPage, projectRoot, siteRoot, startServer } from '../browser/harness.mjs';
import { FuzzTally, fuzzSeed, seededRandom } from '../browser/fuzzing.mjs';
import { editIntoOverlay } from './patch_session.mjs';
import { sideModule } from './wasm_assembler.mjs';
import * as wasm from './wasm_mutations.mjs';

const SEED = fuzzSeed(20240611);
const random = seededRandom(SEED);
const FORMAT = JSON.parse(fs.readFileSync(path.join(projectRoot, 'hotswap/patch_format.json'), 'utf8'));
const FAILURE_KINDS = Object.keys(FORMAT.failure_kinds);
const buildRoot = process.env.BUILD_ROOT || path.join(projectRoot, 'build/wasm');
const SKY = 'app/hot/sky.cpp', SCATTER = 'app/hot/scatter.cpp';
const SKY_RADIANCE = '_ZN9raytracer12sky_radianceERKNS_3SkyERKNS_3RayE';
const CASE_TIMEOUT_MS = 10000;  // a case normally settles in well under a second

let server, browser, patchDir, overlayDir, sourcesDir, built;

// ---- Real patches: the builder in --serve mode (one process, warm), from edited copies ----


// Builds each {name, file, transform} in turn; resolves with name -> module bytes.
async function buildPatches(patches) {
  const builder = spawn('python3', [path.join(projectRoot, 'hotswap/tools/patch_builder.py'), '--build-dir', buildRoot,
    '--program', path.join(siteRoot, 'raytracer.wasm'), '--patch-dir', sourcesDir, '--overlay', overlayDir, '--no-check', '--serve'],
  { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let errors = '';
  builder.stderr.on('data', (chunk) => { errors += chunk; });
  const lines = readline.createInterface({ input: builder.stdout })[Symbol.asyncIterator]();
  const built = {};
  try {
    for (const [index, patch] of patches.entries()) {
      editIntoOverlay(overlayDir, patch.file, patch.transform);
      builder.stdin.write(JSON.stringify({ version: index + 1, files: [patch.file] }) + '\n');
      const { value: line, done } = await lines.next();
      if (done) throw new Error(`the patch builder stopped: ${errors}`);
      const manifest = JSON.parse(line);
      if (manifest.failure) throw new Error(`${patch.name} did not build: ${manifest.failure.message}`);
      built[patch.name] = fs.readFileSync(path.join(sourcesDir, manifest.module));
    }
  } finally {
    builder.stdin.end();
  }
  return built;
}

// sky.cpp with a lookup table (a data segment, so __wasm_init_memory) and a global reached
// through GOT.mem: the richest base for dylink.0 and import mutations.
function skyWithData(text) {
  const table = Array.from({ length: 640 }, (_, i) => `${(1 - i / 4096).toFixed(6)}f`).join(', ');
  return text.replace('namespace raytracer {\n', `namespace raytracer {\n\nnamespace {\nconst float kElevationBands[640] = {${table}};\n}  // namespace\nfloat sky_fuzz_gain = 1.0f;\n`)
    .replace('  return radiance;', '  const int band = static_cast<int>(std::min(0.999f, std::max(0.0f, elevation)) * 639.0f);\n' +
             '  return radiance * (kElevationBands[band] * sky_fuzz_gain);');
}

const PATCHES = [
  { name: 'good', file: SKY, transform: (text) => text.replace('-8.0f * elevation', '-7.0f * elevation') },
  { name: 'sky_data', file: SKY, transform: skyWithData },
  { name: 'scatter', file: SCATTER, transform: (text) => text.replace('const float grazing = 1.0f - cosine;', 'const float grazing = 1.0f - 0.999f * cosine;') },
  // The program's sky_radiance symbol defined with another signature (the builder's own
  // check is off, so the loader must catch it).
  { name: 'sky_signature', file: SKY, transform: (text) => text.replace('glm::vec3 sky_radiance(const Sky& sky, const Ray& ray) {',
    `float sky_radiance_changed(float x) __asm__("${SKY_RADIANCE}");\nfloat sky_radiance_changed(float x) { return x * 2.0f; }\n` +
    'glm::vec3 sky_radiance_renamed(const Sky& sky, const Ray& ray) {') },
];

// ---- Mutations ------------------------------------------------------------------------------

const hex = (n) => '0x' + n.toString(16);

function truncation(base) {
  const module = wasm.describe(base.bytes);
  let at;
  if (random.chance(0.5)) {
    at = random.between(0, base.bytes.length - 1);
  } else {
    const section = random.pick(module.sections);
    at = Math.max(0, Math.min(base.bytes.length - 1, random.pick([section.offset, section.sizeOffset, section.payloadOffset, section.end]) + random.between(-1, 1)));
  }
  return { description: `${base.name} truncated to ${at} of ${base.bytes.length} bytes`, bytes: base.bytes.subarray(0, at) };
}

// Section ids, size LEBs and the first bytes of every payload (counts, names), dylink.0 and import bytes.
function structuralPositions(bytes) {
  const positions = [];
  for (const section of wasm.sections(bytes)) {
    positions.push(section.offset);
    for (let p = section.sizeOffset; p < section.payloadOffset; ++p) positions.push(p);
    for (let p = section.payloadOffset; p < Math.min(section.end, section.payloadOffset + 4); ++p) positions.push(p);
    if (section.name === 'dylink.0' || section.id === wasm.SECTION.import || section.id === wasm.SECTION.export ||
        section.id === wasm.SECTION.type || section.id === wasm.SECTION.start) {
      for (let p = section.payloadOffset; p < section.end; ++p) positions.push(p);
    }
  }
  return positions;
}

function byteFlips(base) {
  const bytes = Buffer.from(base.bytes);
  const structural = random.chance(0.5);
  const positions = structural ? structuralPositions(bytes) : null;
  const flips = [];
  for (let i = random.between(1, 3); i > 0; --i) {
    const at = structural ? random.pick(positions) : random.integer(bytes.length);
    const mask = random.chance(0.5) ? 1 << random.integer(8) : random.between(1, 255);
    bytes[at] ^= mask;
    flips.push(`${at}^${hex(mask)}`);
  }
  return { description: `${base.name} with ${structural ? 'structural ' : ''}bytes flipped (${flips.join(', ')})`, bytes };
}

const LEB_0XFFFFFFFF = [0xff, 0xff, 0xff, 0xff, 0x0f];
const LEB_5_BYTE_MAX = [0xff, 0xff, 0xff, 0xff, 0x7f];  // 2^35 - 1: longer than a u32
const nonMinimal = (value) => [(value & 0x7f) | 0x80, ((value >>> 7) & 0x7f) | 0x80, ((value >>> 14) & 0x7f) | 0x80, ((value >>> 21) & 0x7f) | 0x80, (value >>> 28) & 0x0f];

function dylinkSizes(base) {
  const module = wasm.describe(base.bytes);
  const dylink = { ...module.dylink };
  const encodings = {};
  const variants = [
    ['huge memory size', 'invalid_module', () => { dylink.memorySize = random.pick([64 * 1024 * 1024 + 1, 1 << 30, 2 ** 31]); }],
    ['memory size 0xffffffff', 'invalid_module', () => { dylink.memorySize = 0xffffffff; encodings.memorySize = LEB_0XFFFFFFFF; }],
    ['memory size LEB past 32 bits', 'invalid_module', () => { dylink.memorySize = 2 ** 35 - 1; encodings.memorySize = LEB_5_BYTE_MAX; }],
    ['huge table size', 'invalid_module', () => { dylink.tableSize = random.pick([65537, 1 << 20, 0xffffffff]); }],
    ['huge memory alignment', 'invalid_module', () => { dylink.memoryAlign = random.pick([17, 31, 40, 0xffffffff]); }],
    ['table alignment', 'invalid_module', () => { dylink.tableAlign = random.pick([1, 4, 31]); }],
    ['misaligned memory size', null, () => { dylink.memorySize = module.dylink.memorySize + random.pick([1, 3, 7, 4093]); }],
    // With data, a zero size must be refused; a small one is left out (see the header).
    ['zero memory size', module.hasData ? 'invalid_module' : null, () => { dylink.memorySize = 0; dylink.memoryAlign = 0; }],
    ...(module.hasData ? [] : [
      ['memory size smaller than the data', null, () => { dylink.memorySize = random.pick([1, 16, 100]); }],
    ]),
    // Small enough that a whole run stays far from the heap's end (see the test of that hole below).
    ['large plausible memory size', null, () => { dylink.memorySize = random.pick([1, 2, 4]) * 1024 * 1024; }],
    ['non-zero table size', null, () => { dylink.tableSize = random.pick([1, 7, 1000]); }],
    ['sizes in non-minimal LEBs', null, () => { for (const key of ['memorySize', 'memoryAlign', 'tableSize', 'tableAlign']) encodings[key] = nonMinimal(dylink[key]); }],
  ];
  const [what, expected, apply] = random.pick(variants);
  apply();
  return withDylink(base, dylink, what, expected && [expected], encodings);
}

function withDylink(base, dylink, what, expected, encodings = {}) {
  const bytes = wasm.replaceSection(base.bytes, wasm.isSection(0, 'dylink.0'), wasm.writeDylink(dylink, encodings));
  const sizes = `memory ${dylink.memorySize} align 2^${dylink.memoryAlign}, table ${dylink.tableSize} align 2^${dylink.tableAlign}`;
  return { description: `${base.name} with dylink.0 ${what} (${sizes})`, bytes, expected };
}

function missingImport(base) {
  const module = wasm.describe(base.bytes);
  const imports = module.imports.map((entry) => ({ ...entry }));
  const entry = random.pick(imports);
  const before = `${entry.module}.${entry.name}`;
  const field = random.chance(0.8) ? 'name' : 'module';
  const characters = [...entry[field]];
  for (let i = random.between(1, 3); i > 0; --i) {
    const at = random.integer(characters.length);
    characters[at] = random.text(1, characters[at] === 'q' ? 'xz' : 'qxz');
  }
  entry[field] = characters.join('');
  const bytes = wasm.replaceSection(base.bytes, wasm.isSection(wasm.SECTION.import), wasm.writeImports(imports));
  return { description: `${base.name} with import ${before} renamed to ${entry.module}.${entry.name}`, bytes, expected: ['unresolved_import'] };
}

const PROTOTYPE_NAMES = ['toString', 'valueOf', 'constructor', 'hasOwnProperty', 'isPrototypeOf', '__proto__'];

function extraImport(base) {
  const module = wasm.describe(base.bytes);
  // Sometimes a name every JS object answers to: symbol tables must not see Object.prototype.
  const unknown = random.chance(0.3) ? random.pick(PROTOTYPE_NAMES) : `fuzz_${random.text(8)}`;
  const existingFunction = module.imports.find((entry) => entry.kind === wasm.KIND.function);
  const existingData = module.imports.find((entry) => entry.module === 'GOT.mem');
  const variants = [
    ['an unknown GOT.mem global', ['unresolved_import'], { module: 'GOT.mem', name: unknown, kind: wasm.KIND.global, description: [wasm.VALUE_TYPES.i32, 1] }],
    ['an unknown GOT.func global', ['unresolved_import'], { module: 'GOT.func', name: unknown, kind: wasm.KIND.global, description: [wasm.VALUE_TYPES.i32, 1] }],
    ['an unknown env function', ['unresolved_import'], { module: 'env', name: unknown, kind: wasm.KIND.function, type: random.integer(module.types.length) }],
    ['an unknown env global', ['unresolved_import'], { module: 'env', name: unknown, kind: wasm.KIND.global, description: [wasm.VALUE_TYPES.i32, 0] }],
    ['a second copy of a program function', null, existingFunction && { ...existingFunction }],
    ['a program function with another type', ['signature_changed', 'unresolved_import'], existingFunction &&
      { ...existingFunction, type: (existingFunction.type + 1 + random.integer(module.types.length - 1)) % module.types.length }],
    ['a second copy of a GOT.mem global', null, existingData && { ...existingData }],
  ].filter(([, , entry]) => entry);
  const [what, expected, entry] = random.pick(variants);
  return { description: `${base.name} with an extra import: ${what} (${entry.module}.${entry.name})`, bytes: wasm.addImport(base.bytes, entry), expected };
}

function wrongSignature(base, built) {
  const module = wasm.describe(base.bytes);
  const hotExports = module.exports.filter((entry) => entry.kind === wasm.KIND.function && entry.name.startsWith('_ZN9raytracer'));
  const variant = random.pick(['value type', 'value type', 'value type', 'export retargeted', 'export retargeted', 'hand-made', 'built']);
  if (variant === 'value type') {
    const target = random.pick(hotExports);
    const typeIndex = module.functionTypes[target.index];
    const types = module.types.map((type) => ({ parameters: [...type.parameters], results: [...type.results] }));
    const type = types[typeIndex];
    const list = type.results.length && random.chance(0.3) ? type.results : type.parameters;
    const at = random.integer(list.length);
    const replacement = random.pick(Object.values(wasm.VALUE_TYPES).slice(0, 4).filter((code) => code !== list[at]));
    list[at] = replacement;
    return { description: `${base.name}: type ${typeIndex} of ${target.name} edited (value ${at} is now ${hex(replacement)})`,
      bytes: wasm.replaceSection(base.bytes, wasm.isSection(wasm.SECTION.type), wasm.writeTypes(types)) };
  }
  if (variant === 'export retargeted') {
    const target = random.pick(hotExports);
    const others = module.functionTypes.map((type, index) => ({ type, index }))
      .filter(({ type, index }) => index >= module.importedFunctionCount &&
        JSON.stringify(module.types[type]) !== JSON.stringify(module.types[module.functionTypes[target.index]]));
    const other = random.pick(others);
    const exports = module.exports.map((entry) => (entry === target ? { ...entry, index: other.index } : entry));
    return { description: `${base.name}: export ${target.name} now names function ${other.index} of another signature`,
      bytes: wasm.replaceSection(base.bytes, wasm.isSection(wasm.SECTION.export), wasm.writeExports(exports)), expected: ['signature_changed'] };
  }
  if (variant === 'hand-made') {
    return { description: 'a hand-made side module exporting sky_radiance as () -> ()', bytes: sideModule({ exports: [SKY_RADIANCE] }),
      expected: ['signature_changed'] };
  }
  return { description: 'a real patch of sky.cpp defining sky_radiance with the signature (f32) -> (f32)', bytes: built.sky_signature,
    expected: ['signature_changed'] };
}

function duplicateSection(base) {
  const list = wasm.sections(base.bytes);
  const index = random.integer(list.length);
  const copy = list[index];
  const at = random.chance(0.5) ? index + 1 : list.length;
  const duplicated = [...list.slice(0, at), copy, ...list.slice(at)];
  const what = copy.id === 0 ? `custom section ${copy.name}` : `section ${copy.id}`;
  const definite = copy.id !== 0 || copy.name === 'dylink.0';
  return { description: `${base.name} with ${what} duplicated (copy at position ${at})`, bytes: wasm.assemble(duplicated),
    expected: definite ? ['invalid_module'] : null };
}

function trappingStart(base, built, caseNumber) {
  if (random.chance(0.5)) {
    return { description: 'a hand-made side module whose start function traps',
      bytes: sideModule({ exports: [`fuzz_trap_${caseNumber}_a`, `fuzz_trap_${caseNumber}_b`], startTraps: true }), expected: ['trap_while_loading'] };
  }
  const module = wasm.describe(base.bytes);
  const start = wasm.sections(base.bytes).find((section) => section.id === wasm.SECTION.start);
  const startFunction = new wasm.Reader(start.payload).unsigned();
  return { description: `${base.name} with its start function (${startFunction}) replaced by unreachable`,
    bytes: wasm.replaceFunctionBody(base.bytes, startFunction - module.importedFunctionCount, wasm.TRAPPING_BODY), expected: ['trap_while_loading'] };
}

const KINDS = [
  // [kind, cases, make(base, built, caseNumber)]
  ['truncation', 60, truncation],
  ['byte flips', 130, byteFlips],
  ['bogus dylink.0 sizes', 50, dylinkSizes],
  ['missing import', 30, missingImport],
  ['extra import', 30, extraImport],
  ['wrong signature', 30, wrongSignature],
  ['duplicate section', 25, duplicateSection],
  ['start function traps', 15, trappingStart],
];

function makeCases(built) {
  const bases = ['good', 'sky_data', 'scatter'].map((name) => ({ name, bytes: built[name] }));
  const kinds = KINDS.flatMap(([kind, count]) => Array(count).fill(kind));
  for (let i = kinds.length - 1; i > 0; --i) {  // shuffle (Fisher-Yates)
    const j = random.integer(i + 1);
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  return kinds.map((kind, index) => {
    const make = KINDS.find(([name]) => name === kind)[2];
    return { kind, ...make(random.pick(bases), built, index + 1) };
  });
}

// ---- Running one case in the page -----------------------------------------------------------

// Runs in the page: announces the patch, waits until the loader settled it and the page has
// rendered on past it, and reports what happened. Everything waited for has a deadline.
async function settleInPage({ version: v, module, timeout }) {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const stats = () => raytracerPage.program.statistics();
  const entries = () => Object.values(HotswapMain.entries);
  const inEffect = () => Math.max(0, ...entries().filter((e) => e.state === 'applied').map((e) => e.version));
  const liveWorkers = (s) => s.workers.filter((w) => w.status !== 'Failed');
  const symbols = () => JSON.stringify([HotswapMain.functions, HotswapMain.data]);
  const deadline = performance.now() + timeout;
  const before = stats();
  const symbolsBefore = symbols();
  const errorsBefore = WwmMain.errorLog.length;
  const snapshot = () => {
    const s = stats();
    return { state: HotswapMain.entries[v]?.state, patchVersion: s.patchVersion, loaderVersion: HotswapMain.currentVersion, inEffect: inEffect(),
      frameVersion: s.frameVersion, frames: s.frames, mixed: s.mixedVersionFrames, prepared: HotswapMain.prepared.length,
      workers: s.workers.map((w) => `${w.id}:${w.status}:v${w.version}`).join(' '), paused: s.pausedByFailures,
      errors: WwmMain.errorLog.slice(errorsBefore).map((e) => e.text) };
  };
  const waitFor = async (predicate, what) => {
    for (;;) {
      if (predicate()) return;
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(snapshot())}`);
      await sleep(3);
    }
  };
  // Every live thread on the version in effect, rendering: `frames` more frames done on it.
  const consistent = (framesFrom, frames) => () => {
    const s = stats(), expected = inEffect();
    return s.patchVersion === expected && HotswapMain.currentVersion === expected && s.frameVersion === expected &&
      s.frames >= framesFrom + frames && HotswapMain.prepared.length === 0 &&
      liveWorkers(s).every((w) => w.status === 'Normal' && w.version === expected);
  };
  HotswapMain.announce({ version: v, files: ['(fuzz)'], module });
  try {
    await waitFor(() => ['applied', 'rejected', 'rolled back'].includes(HotswapMain.entries[v].state), 'the loader to settle the patch');
    const settledFrames = stats().frames;
    const entry = HotswapMain.entries[v];
    if (entry.state !== 'rejected') {
      // Applied: every live worker acks it (or the page rolls it back), then frames run on it.
      await waitFor(() => entry.state === 'rolled back' ||
        liveWorkers(stats()).every((w) => entry.workers && entry.workers[w.id] !== undefined), 'every worker to apply the patch');
    }
    // A rejected patch: two more frames (one wholly after the rejection); an applied one: three on it.
    await waitFor(consistent(settledFrames, entry.state === 'rejected' ? 2 : 3), 'every thread to render on the version in effect');
  } catch (error) {
    return { outcome: 'stuck', problem: error.message };
  }
  const entry = HotswapMain.entries[v];
  const after = stats();
  return {
    outcome: entry.state, failure: entry.failure || null,
    versionBefore: before.patchVersion, versionAfter: after.patchVersion, inEffect: inEffect(),
    mixedBefore: before.mixedVersionFrames, mixedAfter: after.mixedVersionFrames,
    symbolsChanged: symbols() !== symbolsBefore, instantiatedHere: !!HotswapLinker.patches[v],
    newErrors: WwmMain.errorLog.slice(errorsBefore).map((e) => e.text),
    rolledBack: entries().filter((e) => e.state === 'rolled back').map((e) => e.version),
  };
}

const moduleFile = (v) => `patch-${String(v).padStart(6, '0')}.wasm`;

// `promise`, or a rejection once the page has not answered for `milliseconds` (a page whose
// main thread hangs never settles an evaluate by itself).
function answerWithin(promise, milliseconds, what) {
  let timer;
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the page did not answer within ${milliseconds / 1000} s (${what})`)), milliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const retiredBrowsers = [];
function retireBrowser() {
  retiredBrowsers.push(browser);
  browser = null;
}

// A fresh page of the raytracer rendering with 2 workers; its patches go to patchDir/<folder>.
async function openRaytracerPage(folder) {
  fs.mkdirSync(path.join(patchDir, folder), { recursive: true });
  if (!browser?.isConnected()) browser = await launchBrowser();  // an earlier test's page took the browser down
  const opened = await openPage(browser, `${server.url}index.html?scene=sphere_field.json&width=160&height=90&workers=2`,
    { waitFor: () => globalThis.raytracerPage?.ready });
  let version = 0;
  return {
    ...opened,
    // Writes `bytes` as the next patch-NNNNNN.wasm, announces it and waits until it settled.
    async patch(bytes) {
      version += 1;
      fs.writeFileSync(path.join(patchDir, folder, moduleFile(version)), bytes);
      const module = `${FORMAT.patch_url_prefix}${folder}/${moduleFile(version)}`;
      try {
        const evaluation = opened.page.evaluate(settleInPage, { version, module, timeout: CASE_TIMEOUT_MS });
        return { version, ...await answerWithin(evaluation, CASE_TIMEOUT_MS + 5000, `patch ${version}`) };
      } catch (error) {
        throw new Error(`the page died or hung while patch ${version} settled (${error.message.split('\n')[0]}); its last console lines:\n` +
          opened.consoleLines.slice(-6).join('\n'));
      }
    },
    // True when `frames` more frames complete within the timeout.
    stillRenders: (frames = 3) => answerWithin(opened.page.evaluate(async (count) => {
      const start = raytracerPage.program.statistics().frames;
      for (let i = 0; i < 1000; ++i) {
        if (raytracerPage.program.statistics().frames >= start + count) return true;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return false;
    }, frames), 20000, 'frames').catch(() => false),
    // A page that hangs may not close: then the browser goes too (the next page gets a new one).
    close: () => answerWithin(opened.context.close(), 10000, 'closing the page').catch(() => retireBrowser()),
  };
}

before(async () => {
  patchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-patches-'));
  overlayDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-overlay-'));
  sourcesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-sources-'));
  server = await startServer({ patches: patchDir });
  browser = await launchBrowser();
  const started = Date.now();
  built = await buildPatches(PATCHES);
  console.log(`patch_fuzzing: built ${PATCHES.length} real patches in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
after(async () => {
  for (const old of [...retiredBrowsers, browser]) await answerWithin(old?.close() || Promise.resolve(), 20000, 'closing the browser').catch(() => {});
  server?.stop();
  for (const folder of [patchDir, overlayDir, sourcesDir]) if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

// Judges one case's result: [verdict for the tally, problems].
function judge(fuzzCase, result, context) {
  const problems = [];
  if (result.outcome === 'stuck') return ['failed', [result.problem]];
  // Rollbacks (of this or an earlier accepted mutation) that happened during this case.
  const newRollbacks = result.rolledBack.filter((v) => !context.rolledBack.has(v));
  for (const v of newRollbacks) {
    context.rolledBack.add(v);
    if (v !== result.version) context.lateRollbacks += 1;
    if (v < context.firstMutation) problems.push(`patch ${v}, not a mutation, was rolled back`);
  }
  if (result.mixedAfter !== result.mixedBefore) problems.push(`${result.mixedAfter - result.mixedBefore} new mixed-version frames`);
  const mutationInEffect = result.inEffect >= context.firstMutation || newRollbacks.some((v) => v >= context.firstMutation);
  for (const text of result.newErrors.filter((line) => /^worker \d+ failed: /.test(line))) {
    // A worker may fail only because an accepted mutation trapped while rendering.
    if (mutationInEffect && / a task failed: trap: /.test(text)) context.trapsExcused += 1;
    else problems.push(`unexpected worker failure: ${text}`);
  }
  let verdict;
  if (result.outcome === 'rejected') {
    const failure = result.failure || {};
    verdict = `rejected ${failure.kind}`;
    if (!FAILURE_KINDS.includes(failure.kind)) problems.push(`failure kind ${failure.kind} is not one of patch_format.json's`);
    if (!(typeof failure.message === 'string' && failure.message.length > 0)) problems.push('the rejection has no message');
    if (fuzzCase.expected && !fuzzCase.expected.includes(failure.kind)) {
      problems.push(`expected ${fuzzCase.expected.join(' or ')}, got ${failure.kind}: ${failure.message}`);
    }
    if (!newRollbacks.length && result.versionAfter !== result.versionBefore) {
      problems.push(`the main thread's version changed from ${result.versionBefore} to ${result.versionAfter}`);
    }
    if (result.symbolsChanged) problems.push('the loader\'s symbol tables changed');
    if (result.instantiatedHere) problems.push('the rejected patch is instantiated on the main thread');
  } else {
    verdict = result.outcome === 'rolled back' ? 'accepted, then rolled back' : 'accepted (still valid)';
    if (fuzzCase.expected) problems.push(`expected a rejection (${fuzzCase.expected.join(' or ')}) but it was ${result.outcome}`);
    if (result.outcome === 'applied' && result.versionAfter !== result.version) problems.push(`applied, but the main thread runs ${result.versionAfter}`);
    if (result.outcome === 'rolled back' && result.failure?.kind !== 'trapped_while_running') problems.push(`rolled back with ${JSON.stringify(result.failure)}`);
  }
  return [verdict, problems];
}

test('mutated patch modules end in a clear rejection or apply everywhere; the page keeps rendering', async () => {
  console.log(`patch_fuzzing: seed ${SEED} (FUZZ_SEED=${SEED} repeats this run)`);
  const tally = new FuzzTally('patch_fuzzing', SEED);
    const session = await openRaytracerPage('broad');
  try {
    // One good patch first: the cases then run on top of a patched program.
    const good = await session.patch(built.good);
    assert.equal(good.outcome, 'applied', `the good patch: ${JSON.stringify(good)}`);
    assert.equal(good.versionAfter, 1);

    const context = { firstMutation: 2, rolledBack: new Set(), lateRollbacks: 0, trapsExcused: 0 };
    const failures = [];
    for (const fuzzCase of makeCases(built)) {
      const result = await session.patch(fuzzCase.bytes);
      const label = `case ${result.version} (${fuzzCase.kind}): ${fuzzCase.description}`;
      let [verdict, problems] = judge(fuzzCase, result, context);
      if (session.pageErrors.length) problems.push(`page errors: ${session.pageErrors.splice(0).join(' | ')}`);
      if (problems.length) {
        verdict = 'failed';
        failures.push(`${label}: ${problems.join('; ')}`);
        tally.note(`FAILED ${label}: ${problems.join('; ')}`);
      } else if (!verdict.startsWith('rejected')) {
        tally.note(`${verdict}: ${label}`);
      }
      tally.record(fuzzCase.kind, verdict);
      if (result.outcome === 'stuck' || failures.length >= 10) break;  // the page is wedged, or enough to go on
    }
    console.log(`  worker failures from accepted mutations that trapped: ${context.trapsExcused}; rollbacks after their own case: ${context.lateRollbacks}`);
    tally.note(`worker failures excused (an accepted mutation trapped while rendering): ${context.trapsExcused}; rollbacks after their own case: ${context.lateRollbacks}`);

    // The page still renders, every worker is Normal (or Failed and replaced, if an accepted
    // mutation trapped), and once rendering is paused no task is left in flight.
    const rendering = await session.stillRenders();
    const end = await session.page.evaluate(async () => {
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      const program = raytracerPage.program;
      program.setSampleLimit(program.statistics().accumulatedSamples + 2);
      let idle = false;
      for (let i = 0; i < 3000 && !idle; ++i) { await sleep(5); idle = program.statistics().idle; }
      let tasksInFlight = Module._wwm_detail_tasks_in_flight();
      for (let i = 0; i < 2000 && tasksInFlight !== 0; ++i) { await sleep(5); tasksInFlight = Module._wwm_detail_tasks_in_flight(); }
      return { idle, tasksInFlight, workers: program.statistics().workers, busy: HotswapMain.busy,
        unsettled: Object.values(HotswapMain.entries).filter((e) => !['applied', 'rejected', 'rolled back'].includes(e.state)).map((e) => e.version) };
    });
    const file = tally.report();
    console.log(`  end: rendering ${rendering}, idle at the sample limit ${end.idle}, tasks in flight ${end.tasksInFlight}, ` +
      `workers ${end.workers.map((w) => `${w.id} ${w.status}`).join(', ')}`);
    assert.deepEqual(failures, [], `${failures.length} cases failed (summary in ${file})`);
    assert.deepEqual(session.pageErrors, []);
    assert.ok(rendering, 'the page still renders');
    assert.ok(end.idle, 'rendering paused at the sample limit');
    assert.equal(end.tasksInFlight, 0, 'no task left in flight');
    assert.deepEqual(end.unsettled, [], 'every patch settled');
    assert.equal(end.busy, false);
    const live = end.workers.filter((w) => w.status !== 'Failed');
    assert.equal(live.length, 2, 'two live workers');
    assert.ok(live.every((w) => w.status === 'Normal'), JSON.stringify(end.workers));
    if (context.trapsExcused === 0) assert.deepEqual(end.workers.filter((w) => w.status === 'Failed'), [], 'no worker failed');
    assert.ok(tally.total >= 300, `${tally.total} cases tried`);
  } finally {
    await session.close();
  }
});

// ---- Holes the fuzzer found (each on a fresh page: they wreck the page they run on) ---------

test('a patch whose data does not fit the memory its dylink.0 declares is rejected, and the program\'s memory is untouched', async () => {
  const session = await openRaytracerPage('data-outside-memory');
  const problems = [];
  try {
    const base = { name: 'sky_data', bytes: built.sky_data };
    const { dylink } = wasm.describe(base.bytes);
    const dataEnd = dylink.memorySize;
    for (const memorySize of [0, 16]) {
      const mutation = withDylink(base, { ...dylink, memorySize, memoryAlign: memorySize ? dylink.memoryAlign : 0 }, 'memory smaller than the data');
      const lowMemory = () => session.page.evaluate((end) => Array.from(HEAPU8.subarray(0, end)), dataEnd);
      const before = await lowMemory();
      const result = await session.patch(mutation.bytes);
      const overwritten = (await lowMemory()).filter((byte, i) => byte !== before[i]).length;
      if (overwritten) problems.push(`${mutation.description}: ${overwritten} bytes of the program's memory below ${dataEnd} were overwritten`);
      if (result.outcome !== 'rejected' || result.failure.kind !== 'invalid_module') {
        problems.push(`${mutation.description}: ${result.outcome}${result.failure ? ` ${result.failure.kind}: ${result.failure.message}` : ''}, not rejected as invalid_module`);
      }
      if (!await session.stillRenders()) problems.push(`${mutation.description}: the page stopped rendering`);
    }
  } catch (error) {
    problems.push(error.message);
  } finally {
    await session.close();
  }
  assert.deepEqual(problems, []);
});

test('patch memory the program\'s fixed heap cannot hold is rejected, and the page keeps rendering', async () => {
  const session = await openRaytracerPage('heap-exhausted');
  try {
    const base = { name: 'good', bytes: built.good };
    const { dylink } = wasm.describe(base.bytes);
    // 64 MB is the largest size the loader finds plausible; the heap is 256 MB in all.
    const mutation = withDylink(base, { ...dylink, memorySize: 64 * 1024 * 1024 }, 'the largest plausible memory size');
    const outcomes = [];
    for (let i = 0; i < 5; ++i) {
      const result = await session.patch(mutation.bytes);
      outcomes.push(result.outcome === 'rejected' ? `rejected ${result.failure.kind}: ${result.failure.message}` : result.outcome);
      assert.ok(['applied', 'rejected'].includes(result.outcome), `patch ${i + 1} of 5: ${JSON.stringify(result)}`);
      assert.deepEqual(session.pageErrors, []);
      assert.ok(await session.stillRenders(), `the page still renders after ${outcomes.join('; ')}`);
    }
    assert.ok(outcomes.some((outcome) => outcome.startsWith('rejected')), 'five times 64 MB cannot all fit');
  } finally {
    await session.close();
  }
});

test('imports named like Object.prototype members are unresolved imports, and nothing changes', async () => {
  const session = await openRaytracerPage('prototype-names');
  const problems = [];
  try {
    const base = built.good;
    const { types } = wasm.describe(base);
    // GOT.mem last: those wedged the page before the fix.
    search: for (const kind of ['env function', 'GOT.func', 'GOT.mem']) {
      for (const name of ['toString', 'valueOf', 'constructor', 'hasOwnProperty', 'isPrototypeOf', '__proto__']) {
        const entry = kind === 'env function' ? { module: 'env', name, kind: wasm.KIND.function, type: types.length - 1 }
          : { module: kind, name, kind: wasm.KIND.global, description: [wasm.VALUE_TYPES.i32, 1] };
        const result = await session.patch(wasm.addImport(base, entry));
        const what = `an import ${entry.module}.${name}`;
        if (result.outcome === 'stuck') {
          problems.push(`${what}: the page is stuck: ${result.problem}`);
          break search;
        }
        if (result.outcome !== 'rejected' || result.failure.kind !== 'unresolved_import' || !result.failure.message.includes(`${entry.module}.${name}`)) {
          problems.push(`${what}: ${result.outcome}${result.failure ? ` ${result.failure.kind}: ${result.failure.message}` : ''}, not an unresolved_import naming it`);
        }
        if (result.versionAfter !== result.versionBefore) problems.push(`${what}: the main thread went from version ${result.versionBefore} to ${result.versionAfter}`);
      }
    }
    if (!await session.stillRenders()) problems.push('the page stopped rendering');
  } catch (error) {
    problems.push(error.message);
  } finally {
    await session.close();
  }
  assert.deepEqual(problems, []);
});
