// scripts/bench.sh --quick, as CI runs it: it builds what it needs (the benchmark programs
// are not part of the normal build), runs every measure with minimal sizes and exits 0 only
// if every measure produced a complete, well-formed result. The test checks that verdict
// itself too, and that the tables and the plot were written, with no docs touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../browser/harness.mjs';
import { MEASURES, validateResults } from '../../scripts/benchmark/schema.mjs';

test('bench.sh --quick runs every measure and writes complete, well-formed results', () => {
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-quick-'));
  const docs = path.join(projectRoot, 'docs/BENCHMARKS.md');
  const docsBefore = fs.readFileSync(docs, 'utf8');
  try {
    const run = spawnSync(path.join(projectRoot, 'scripts/bench.sh'), ['--quick', '--results-dir', resultsDir],
      { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, `bench.sh --quick failed:\n${output.slice(-6000)}`);
    assert.match(run.stdout, /\[1\/\d+\] native, /, 'a progress line per step');

    const latest = path.join(resultsDir, 'latest');
    const results = JSON.parse(fs.readFileSync(path.join(latest, 'results.json'), 'utf8'));
    assert.equal(results.mode, 'quick');
    assert.deepEqual(Object.keys(results.measures).sort(), [...MEASURES].sort());
    assert.deepEqual(validateResults(results), []);
    for (const field of ['cpu_model', 'chromium_version', 'git_commit']) assert.ok(results.machine[field] && results.machine[field] !== 'unknown', field);

    const markdown = fs.readFileSync(path.join(latest, 'results.md'), 'utf8');
    for (const heading of ['## 1. ', '## 2. ', '## 3. ', '## 4. ', '## 5. ', '## 6. ', '## 7. ', '## 8. ']) assert.ok(markdown.includes(heading), `results.md has ${heading}`);
    const svg = fs.readFileSync(path.join(latest, 'plot.svg'), 'utf8');
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);
    assert.doesNotMatch(svg + markdown, /NaN|undefined|Infinity/);
    assert.equal(fs.readFileSync(docs, 'utf8'), docsBefore, 'a quick run leaves docs/BENCHMARKS.md alone');
  } finally {
    fs.rmSync(resultsDir, { recursive: true, force: true });
  }
});
