// The check behind `scripts/bench.sh --quick` (scripts/benchmark/schema.mjs) on a recorded
// quick run (fixtures/quick_results.json): it accepts the real thing and rejects each way a
// result can be missing or malformed, naming where; the tables and the plot are drawn from
// it without a missing or non-finite figure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownReport } from '../../scripts/benchmark/report_markdown.mjs';
import { svgPlot } from '../../scripts/benchmark/report_svg.mjs';
import { MEASURES, validateResults } from '../../scripts/benchmark/schema.mjs';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/quick_results.json');
const recorded = () => JSON.parse(fs.readFileSync(fixture, 'utf8'));
const problemsAfter = (change) => {
  const results = recorded();
  change(results);
  return validateResults(results);
};
const assertRejected = (problems, pattern) => {
  assert.ok(problems.length > 0, 'the check accepted it');
  assert.ok(problems.some((problem) => pattern.test(problem)), `no problem matches ${pattern}:\n${problems.join('\n')}`);
};

test('a complete recorded quick run passes the check', () => {
  assert.deepEqual(validateResults(recorded()), []);
});

for (const measure of MEASURES) {
  test(`a run without ${measure} is rejected`, () => {
    assertRejected(problemsAfter((results) => { delete results.measures[measure]; }), new RegExp(`measures\\.${measure}: missing`));
  });
}

test('a figure that is not a finite number is rejected, with its place', () => {
  assertRejected(problemsAfter((results) => { results.measures.throughput.rows[0].page.median = null; }),
    /measures\.throughput\.rows\[0\]\.page\.median: expected a finite number/);
  assertRejected(problemsAfter((results) => { results.measures.scaling.rows[0].samples_per_second.repetitions[0] = 'fast'; }),
    /scaling\.rows\[0\]\.samples_per_second\.repetitions\[0\]/);
  assertRejected(problemsAfter((results) => { results.measures.patch_memory.snapshots[0].table_length = -1; }),
    /patch_memory\.snapshots\[0\]\.table_length: expected a positive number/);
});

test('a summary that disagrees with its own repetitions is rejected', () => {
  assertRejected(problemsAfter((results) => { results.measures.page_load.rows[0].first_frame_ms.median *= 2; }),
    /page_load\.rows\[0\]\.first_frame_ms\.median: .* does not agree with its repetitions/);
  assertRejected(problemsAfter((results) => { results.measures.patch_latency.saves[0].components.save_to_pixels_ms.p95 = 0; }),
    /save_to_pixels_ms\.p95/);
});

test('a missing row, run or snapshot is rejected', () => {
  assertRejected(problemsAfter((results) => { results.measures.throughput.rows.pop(); }), /throughput\.rows: no result for mesh\.json/);
  assertRejected(problemsAfter((results) => { results.measures.scaling.rows.pop(); }), /scaling\.rows: no result for \d+ worker/);
  assertRejected(problemsAfter((results) => { results.measures.patch_latency.saves.pop(); }),
    /patch_latency\.saves: no result for patch_latency cpp, 8 workers, page rendering/);
  assertRejected(problemsAfter((results) => { results.measures.patch_memory.snapshots.pop(); }), /patch_memory\.snapshots: no result for \d+ patches/);
  assertRejected(problemsAfter((results) => { delete results.measures.hot_call_overhead.rows[0].plain_calls; }), /plain_calls: missing/);
});

test("the page's cores may be unmeasured (null) but never missing or malformed", () => {
  assert.deepEqual(problemsAfter((results) => {
    for (const row of results.measures.throughput.rows) Object.assign(row, { page_worker_cores: null, page_other_cores: null });
    for (const row of results.measures.throughput.two_over_one) Object.assign(row, { page_worker_cores: null, page_per_worker_core: null });
  }), []);
  assertRejected(problemsAfter((results) => { delete results.measures.throughput.rows[0].page_worker_cores; }),
    /throughput\.rows\[0\]\.page_worker_cores: missing/);
  assertRejected(problemsAfter((results) => { results.measures.throughput.two_over_one[0].page_per_worker_core.median = Infinity; }),
    /two_over_one\[0\]\.page_per_worker_core\.median: expected a finite number/);
  assertRejected(problemsAfter((results) => { results.settings.throughput.repetitions = 2; }),
    /throughput .*page_other_cores: expected 2 repetition/);
});

test('fewer repetitions than the settings asked for are rejected', () => {
  assertRejected(problemsAfter((results) => { results.settings.throughput.repetitions = 2; }), /throughput .*expected 2 repetition/);
  assertRejected(problemsAfter((results) => { results.settings.patching.runs[0].cpp = 3; }),
    /patch_latency cpp, 2 workers, page rendering: 2 edits, expected 3/);
  assertRejected(problemsAfter((results) => {
    results.measures.patch_latency.saves.find((save) => save.kind === 'undo').raw[0].reused = 0;
  }), /undo, 2 workers, page rendering: a save compiled again instead of reusing its earlier build/);
});

test('a comparison run without a worker count, a repetition or a real table switch is rejected', () => {
  assertRejected(problemsAfter((results) => { results.measures.compare.rows.pop(); }), /compare\.rows: no result for \d+ workers/);
  assertRejected(problemsAfter((results) => { results.settings.compare.repetitions = 2; }), /compare .*expected 2 repetition/);
  assertRejected(problemsAfter((results) => { results.measures.compare.table_switches[0].slots = 0; }), /no slot differs, so nothing was switched/);
});

test('a convergence run without every sweep point, time or repetition is rejected', () => {
  assertRejected(problemsAfter((results) => { results.measures.convergence.rows[0].material_sampling.sweep.pop(); }),
    /convergence cornell_box\.json\.material_sampling\.sweep: no result for \d+ samples per pixel/);
  assertRejected(problemsAfter((results) => { results.measures.convergence.rows[1].light_sampling.page.pop(); }),
    /convergence sphere_field\.json\.light_sampling\.page: no result for [\d.]+ s/);
  assertRejected(problemsAfter((results) => { results.settings.convergence.repetitions = 2; }), /convergence .*expected 2 repetition/);
  assertRejected(problemsAfter((results) => { results.measures.convergence.rows[2].samples_ratio_linear = NaN; }),
    /convergence\.rows\[2\]\.samples_ratio_linear: expected a finite number/);
});

test('builds that drew different pictures, or a failed step, are rejected', () => {
  assertRejected(problemsAfter((results) => { results.measures.hot_call_overhead.images_identical = false; }), /drew different pictures/);
  assertRejected(problemsAfter((results) => { results.measures.convergence.page_identical_to_native = false; }), /page showed a picture the native renderer does not make/);
  assertRejected(problemsAfter((results) => { results.errors.push({ step: 'page, mesh, 2 workers', message: 'timeout' }); }), /step "page, mesh, 2 workers" failed/);
  assertRejected(problemsAfter((results) => { delete results.machine.chromium_version; }), /machine\.chromium_version: missing/);
});

test('the tables and the plot are drawn with every figure', () => {
  const results = recorded();
  const markdown = markdownReport(results);
  const svg = svgPlot(results);
  for (const heading of ['## Goals', '## 1. ', '## 2. ', '## 3. ', '## 4. ', '## 5. ', '## 6. ', '## 7. ', '## 8. ']) assert.ok(markdown.includes(heading), heading);
  assert.doesNotMatch(markdown + svg, /NaN|undefined|Infinity|no result in this run/);
  assert.match(svg, /^<svg [^>]*>[\s\S]*<\/svg>\n$/);
});
