// Shared by the fuzzing tests (tests/hotswap/patch_fuzzing, tests/wwm/protocol_fuzzing): a
// seeded random source, so a run is repeatable from the seed it prints (FUZZ_SEED=n
// overrides it), and a tally of the cases tried and how they ended, printed on standard
// output (node:test's TAP output shows each line as a `# ` comment) and written as JSON
// under the build folder.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './harness.mjs';

// The seed to use: FUZZ_SEED from the environment if set, else the suite's fixed default.
export function fuzzSeed(defaultSeed) {
  const fromEnvironment = process.env.FUZZ_SEED;
  if (fromEnvironment === undefined || fromEnvironment === '') return defaultSeed;
  const seed = Number(fromEnvironment);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`FUZZ_SEED must be a non-negative integer, got ${fromEnvironment}`);
  return seed >>> 0;
}

// A deterministic random source (mulberry32): the same seed gives the same sequence.
export function seededRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random = {
    next,                                                        // [0, 1)
    integer: (below) => Math.floor(next() * below),              // [0, below)
    between: (low, high) => low + Math.floor(next() * (high - low + 1)),  // [low, high]
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)],
    // A random string of `length` characters from `alphabet`.
    text: (length, alphabet = 'abcdefghijklmnopqrstuvwxyz_0123456789') =>
      Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  };
  return random;
}

// Counts cases by kind and by result. `record` returns the case's running number.
export class FuzzTally {
  constructor(suite, seed) {
    this.suite = suite;
    this.seed = seed;
    this.started = Date.now();
    this.total = 0;
    this.byKind = {};     // kind -> {result -> count}
    this.byResult = {};   // result -> count
    this.notes = [];      // remarkable cases, for the JSON file
  }

  record(kind, result) {
    this.total += 1;
    this.byKind[kind] = this.byKind[kind] || {};
    this.byKind[kind][result] = (this.byKind[kind][result] || 0) + 1;
    this.byResult[result] = (this.byResult[result] || 0) + 1;
    return this.total;
  }

  note(text) { if (this.notes.length < 200) this.notes.push(text); }

  summaryLines() {
    const counts = (table) => Object.entries(table).map(([key, count]) => `${key} ${count}`).join(', ');
    return [
      `${this.suite}: seed ${this.seed}, ${this.total} cases in ${((Date.now() - this.started) / 1000).toFixed(1)} s: ${counts(this.byResult)}`,
      ...Object.entries(this.byKind).map(([kind, results]) => `  ${kind}: ${counts(results)}`),
    ];
  }

  // Prints the summary and writes it to <BUILD_ROOT>/fuzz/<suite>.json; returns the path.
  report() {
    const buildRoot = process.env.BUILD_ROOT || path.join(projectRoot, 'build/wasm');
    const file = path.join(buildRoot, 'fuzz', `${this.suite}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({
      suite: this.suite, seed: this.seed, cases: this.total, seconds: (Date.now() - this.started) / 1000,
      byResult: this.byResult, byKind: this.byKind, notes: this.notes,
    }, null, 1) + '\n');
    for (const line of this.summaryLines()) console.log(line);
    console.log(`${this.suite}: summary written to ${file}`);
    return file;
  }
}
