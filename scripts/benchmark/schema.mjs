// The shape of results.json, and its check: every measure the settings asked for is
// present, complete (a row for every scene, thread and worker count, a snapshot for every
// checkpoint, a value for every repetition) and well formed (finite numbers where numbers
// belong, summaries that agree with their own repetitions). --quick mode's verdict, and
// tests/bench's: no timing thresholds, only "did every measure produce a real result".
import { LATENCY_COMPONENTS, RESTART_COMPONENTS, SAVE_KINDS } from './measures/patching.mjs';
import { percentile } from './statistics.mjs';

export const SCHEMA_VERSION = 1;
export const MEASURES = ['throughput', 'scaling', 'page_load', 'routing', 'hot_call_overhead', 'main_module_vs_plain', 'patch_latency', 'patch_memory', 'restart_latency',
  'convergence', 'compare'];

// ---- building blocks: each returns a checker (value, path, problems) -------------------

const number = ({ positive = false, nonNegative = false, integer = false } = {}) => (value, at, problems) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) return problems.push(`${at}: expected a finite number, found ${typeof value === 'number' ? value : JSON.stringify(value)}`);
  if (positive && !(value > 0)) problems.push(`${at}: expected a positive number, found ${value}`);
  if (nonNegative && value < 0) problems.push(`${at}: expected a number >= 0, found ${value}`);
  if (integer && !Number.isInteger(value)) problems.push(`${at}: expected an integer, found ${value}`);
};
const string = () => (value, at, problems) => {
  if (typeof value !== 'string' || !value) problems.push(`${at}: expected a non-empty string, found ${JSON.stringify(value)}`);
};
const boolean = () => (value, at, problems) => {
  if (typeof value !== 'boolean') problems.push(`${at}: expected true or false, found ${JSON.stringify(value)}`);
};
const nullable = (check) => (value, at, problems) => { if (value !== null) check(value, at, problems); };
const array = (item, { minItems = 1 } = {}) => (value, at, problems) => {
  if (!Array.isArray(value)) return problems.push(`${at}: expected a list, found ${JSON.stringify(value)}`);
  if (value.length < minItems) problems.push(`${at}: expected at least ${minItems} item(s), found ${value.length}`);
  value.forEach((element, index) => item(element, `${at}[${index}]`, problems));
};
const object = (properties, { optional = [] } = {}) => (value, at, problems) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return problems.push(`${at}: expected an object, found ${JSON.stringify(value)}`);
  for (const [key, check] of Object.entries(properties)) {
    if (!(key in value)) {
      if (!optional.includes(key)) problems.push(`${at}.${key}: missing`);
      continue;
    }
    check(value[key], `${at}.${key}`, problems);
  }
};

// A summary of repetitions: {repetitions, median, min, max} (+ p50, p95), consistent.
const summary = ({ positive = false, nonNegative = false, latency = false } = {}) => (value, at, problems) => {
  const before = problems.length;
  const element = number({ positive, nonNegative });
  const fields = { repetitions: array(element), median: element, min: element, max: element };
  if (latency) Object.assign(fields, { p50: element, p95: element });
  object(fields)(value, at, problems);
  if (problems.length > before) return;
  const close = (a, b) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(a), Math.abs(b));
  const values = value.repetitions;
  const expected = { median: percentile(values, 0.5), min: Math.min(...values), max: Math.max(...values) };
  if (latency) Object.assign(expected, { p50: expected.median, p95: percentile(values, 0.95) });
  for (const [key, wanted] of Object.entries(expected)) {
    if (!close(value[key], wanted)) problems.push(`${at}.${key}: ${value[key]} does not agree with its repetitions (${wanted})`);
  }
};

// ---- the measures ------------------------------------------------------------------------

const rate = summary({ positive: true });
// One kind of save (patching.mjs's SAVE_KINDS, or 'first': the session's first save), on one page.
const saveKind = object({
  kind: string(), file: string(), workers: number({ positive: true, integer: true }), page: string(),
  edits: number({ positive: true, integer: true }), includers: number({ nonNegative: true, integer: true }),
  sources_compiled: number({ nonNegative: true, integer: true }),
  components: object(Object.fromEntries(LATENCY_COMPONENTS.map((name) => [name, summary({ nonNegative: true, latency: true })]))),
  raw: array(object({ version: number({ positive: true, integer: true }), save_to_pixels_ms: number({ positive: true }),
    save_to_full_frame_ms: number({ positive: true }) })),
});
const SHAPES = {
  throughput: object({
    unit: string(), width: number({ positive: true, integer: true }), height: number({ positive: true, integer: true }),
    goals: object({ page_per_native_at_least: number(), two_over_one_at_least: number() }),
    // The cores fields are null where /proc could not be read (browser_cpu.mjs).
    rows: array(object({ scene: string(), threads: number({ positive: true, integer: true }), native: rate, page: rate, page_per_native: rate,
      page_worker_cores: nullable(rate), page_other_cores: nullable(summary({ nonNegative: true })) })),
    two_over_one: array(object({ scene: string(), native: rate, page: rate, page_worker_cores: nullable(rate), page_per_worker_core: nullable(rate) }),
      { minItems: 0 }),
  }),
  scaling: object({
    scene: string(), width: number({ positive: true }), height: number({ positive: true }),
    hardware_concurrency: number({ positive: true, integer: true }), baseline_workers: number({ positive: true, integer: true }),
    rows: array(object({ workers: number({ positive: true, integer: true }), samples_per_second: rate, speedup: rate, efficiency: rate })),
  }),
  page_load: object({
    unit: string(), width: number({ positive: true }), height: number({ positive: true }), workers: number({ nonNegative: true, integer: true }),
    rows: array(object({ scene: string(), first_frame_ms: rate, ready_ms: rate, load_event_ms: rate, program_fetched_ms: rate }, { optional: ['program_fetched_ms'] })),
  }),
  routing: object({
    unit: string(), width: number({ positive: true }), height: number({ positive: true }), plain_calls_program: string(),
    goals: object({ routed_per_plain_calls_at_least: number() }),
    rows: array(object({ scene: string(), workers: number({ positive: true, integer: true }), routed: rate, plain_calls: rate, routed_per_plain_calls: rate })),
  }),
  hot_call_overhead: object({
    unit: string(), width: number({ positive: true }), height: number({ positive: true }), samples_per_pixel: number({ positive: true }),
    threads: number({ positive: true }), images_identical: boolean(), goals: object({ hot_call_overhead_percent_at_most: number() }),
    rows: array(object({ scene: string(), routed: rate, plain_calls: rate, routed_per_plain_calls: rate, overhead_percent: summary() })),
  }),
  main_module_vs_plain: object({
    unit: string(), width: number({ positive: true }), height: number({ positive: true }), samples_per_pixel: number({ positive: true }),
    threads: number({ positive: true }), images_identical: boolean(),
    wasm_bytes: object({ main_module: number({ positive: true }), plain: number({ positive: true }), ratio: number({ positive: true }) }),
    rows: array(object({ scene: string(), main_module: rate, plain: rate, main_module_per_plain: rate })),
  }),
  patch_latency: object({
    unit: string(), scene: string(), width: number({ positive: true }), height: number({ positive: true }),
    goals: object({ save_to_pixels_p50_ms_at_most: number(), undo_save_to_pixels_p50_ms_at_most: number(),
      header_save_to_pixels_p50_ms_at_most: number(), every_includer_save_to_pixels_p50_ms_at_most: number(),
      apply_all_workers_ms_at_most: number(), apply_all_workers_goal_workers: number() }),
    saves: array(saveKind),
    fresh_clone_first_save: saveKind,
  }),
  restart_latency: object({
    unit: string(), scene: string(), width: number({ positive: true }), height: number({ positive: true }), file: string(),
    workers: number({ positive: true, integer: true }), edits: number({ positive: true, integer: true }),
    goals: object({ save_to_first_frame_p50_ms_at_most: number(), patched_per_fresh_at_least: number() }),
    patched_against_fresh: object({ patches: number({ positive: true, integer: true }), picture_samples: number({ positive: true, integer: true }),
      patched_samples_per_second: number({ positive: true }), fresh_samples_per_second: number({ positive: true }),
      patched_per_fresh: number({ positive: true }), pictures_identical: boolean(),
      in_turns: nullable(object({ rounds: number({ positive: true, integer: true }), patched_samples_per_second: array(number({ positive: true })),
        fresh_samples_per_second: array(number({ positive: true })), patched_per_fresh: number({ positive: true }),
        patched_per_fresh_min: number({ positive: true }), patched_per_fresh_max: number({ positive: true }) })) }, { optional: ['in_turns'] }),
    components: object(Object.fromEntries(RESTART_COMPONENTS.map((name) => [name, summary({ nonNegative: true, latency: true })]))),
    raw: array(object({ reason: string(), save_to_first_frame_ms: number({ positive: true }), save_to_full_frame_ms: number({ positive: true }) })),
  }),
  patch_memory: object({
    workers: number({ positive: true, integer: true }), checkpoints: array(number({ nonNegative: true, integer: true })),
    memory_is_fixed: boolean(),
    snapshots: array(object({
      patches: number({ nonNegative: true, integer: true }), memory_bytes: number({ positive: true }), heap_in_use_bytes: number({ positive: true }),
      heap_top_bytes: number({ positive: true }), table_length: number({ positive: true, integer: true }), js_heap_used_bytes: nullable(number({ positive: true })),
      samples_per_second: number({ positive: true }),
    }, { optional: ['samples_per_second'] })),
    growth: array(object({
      from_patches: number({ nonNegative: true }), to_patches: number({ positive: true }), heap_in_use_bytes_per_patch: number(),
      heap_top_bytes_per_patch: number(), table_slots_per_patch: number(), memory_bytes_per_patch: number(),
      js_heap_bytes_per_patch: nullable(number()),
    }, { optional: ['js_heap_bytes_per_patch'] })),
    patch_module: object({ count: number({ positive: true, integer: true }), bytes: rate, memory_size: summary({ nonNegative: true }), table_slots: rate }),
  }),
  convergence: object({
    width: number({ positive: true, integer: true }), height: number({ positive: true, integer: true }), workers: number({ positive: true, integer: true }),
    times_seconds: array(number({ positive: true })), reference_samples_per_pixel: number({ positive: true, integer: true }),
    target_rmse_8bit: number({ positive: true }), target_relative_rmse_linear: number({ positive: true }), page_identical_to_native: boolean(),
    goals: object({ samples_ratio_at_least: number({ positive: true }), goal_scenes: array(string()) }),
    rows: array(object({
      scene: string(),
      reference: object({ samples_per_pixel: number({ positive: true, integer: true }), file: string(), cached: boolean(), mean_radiance: number({ positive: true }) }),
      samples_ratio_8bit: number({ positive: true }), samples_ratio_linear: number({ positive: true }),
      ...Object.fromEntries(['light_sampling', 'material_sampling'].map((estimator) => [estimator, object({
        sweep: array(object({ samples_per_pixel: number({ positive: true, integer: true }), rmse_8bit: number({ nonNegative: true }),
          relative_rmse_linear: number({ nonNegative: true }) })),
        samples_to_target_8bit: number({ positive: true }), samples_to_target_8bit_extrapolated: boolean(),
        samples_to_target_linear: number({ positive: true }), samples_to_target_linear_extrapolated: boolean(),
        page: array(object({ seconds: number({ positive: true }), samples_per_pixel: rate, rmse_8bit: summary({ nonNegative: true }),
          relative_rmse_linear: summary({ nonNegative: true }) })),
      })])),
    })),
  }),
  compare: object({
    unit: string(), scene: string(), width: number({ positive: true, integer: true }), height: number({ positive: true, integer: true }),
    compared: array(number({ nonNegative: true, integer: true })), goals: object({ split_per_normal_at_least: number({ positive: true }) }),
    rows: array(object({ workers: number({ positive: true, integer: true }), normal: rate, split: rate, split_per_normal: rate,
      split_per_normal_per_worker_core: nullable(rate) })),
    tile: object({ pixels: number({ positive: true, integer: true }), samples: number({ positive: true, integer: true }), microseconds: rate }),
    table_switches: array(object({
      from: number({ nonNegative: true, integer: true }), to: number({ nonNegative: true, integer: true }), slots: number({ nonNegative: true, integer: true }),
      microseconds: summary({ nonNegative: true }), first_pair_microseconds: summary({ nonNegative: true }), share_of_a_tile_percent: number({ nonNegative: true }),
    })),
  }),
};

// ---- completeness: what the settings asked for is all there -------------------------------

function missing(problems, at, what) { problems.push(`${at}: no result for ${what}`); }
const lengthIs = (problems, at, list, count) => {
  if (Array.isArray(list) && list.length !== count) problems.push(`${at}: expected ${count} repetition(s), found ${list.length}`);
};

const COMPLETE = {
  throughput(measure, s, problems) {
    for (const scene of s.scenes) {
      for (const threads of s.threads) {
        const row = measure.rows.find((r) => r.scene === scene && r.threads === threads);
        if (!row) { missing(problems, 'throughput.rows', `${scene} with ${threads} thread(s)`); continue; }
        for (const key of ['native', 'page', 'page_worker_cores', 'page_other_cores']) {
          if (row[key]) lengthIs(problems, `throughput ${scene}/${threads}.${key}`, row[key].repetitions, s.repetitions);
        }
      }
      if (s.threads.includes(2) && !measure.two_over_one.some((r) => r.scene === scene)) missing(problems, 'throughput.two_over_one', scene);
    }
  },
  scaling(measure, s, problems) {
    for (const workers of s.workers) {
      const row = measure.rows.find((r) => r.workers === workers);
      if (!row) missing(problems, 'scaling.rows', `${workers} worker(s)`);
      else lengthIs(problems, `scaling ${workers} workers`, row.samples_per_second.repetitions, s.repetitions);
    }
  },
  page_load(measure, s, problems) {
    for (const scene of s.scenes) {
      const row = measure.rows.find((r) => r.scene === scene);
      if (!row) missing(problems, 'page_load.rows', scene);
      else lengthIs(problems, `page_load ${scene}`, row.first_frame_ms.repetitions, s.repetitions);
    }
  },
  routing(measure, s, problems) {
    for (const scene of s.scenes) {
      for (const workers of s.workers) {
        const row = measure.rows.find((r) => r.scene === scene && r.workers === workers);
        if (!row) missing(problems, 'routing.rows', `${scene}, ${workers} workers`);
        else for (const key of ['routed', 'plain_calls']) lengthIs(problems, `routing ${scene} ${workers} workers.${key}`, row[key].repetitions, s.repetitions);
      }
    }
  },
  hot_call_overhead(measure, s, problems) {
    for (const scene of s.scenes) {
      const row = measure.rows.find((r) => r.scene === scene);
      if (!row) missing(problems, 'hot_call_overhead.rows', scene);
      else for (const key of ['routed', 'plain_calls']) lengthIs(problems, `hot_call_overhead ${scene}.${key}`, row[key].repetitions, s.repetitions);
    }
    if (measure.images_identical !== true) problems.push('hot_call_overhead.images_identical: the builds drew different pictures, so their timings do not compare');
  },
  main_module_vs_plain(measure, s, problems) {
    for (const scene of s.scenes) {
      const row = measure.rows.find((r) => r.scene === scene);
      if (!row) missing(problems, 'main_module_vs_plain.rows', scene);
      else for (const key of ['main_module', 'plain']) lengthIs(problems, `main_module_vs_plain ${scene}.${key}`, row[key].repetitions, s.repetitions);
    }
  },
  patch_latency(measure, s, problems) {
    const wanted = [{ kind: 'first', workers: s.runs[0].workers, page: 'rendering', edits: 1 }];
    for (const run of s.runs) {
      for (const kind of Object.keys(SAVE_KINDS)) {
        if (run[kind]) wanted.push({ kind, workers: run.workers, page: run.quiet ? 'idle' : 'rendering', edits: run[kind] });
      }
    }
    for (const { kind, workers, page, edits } of wanted) {
      const name = `patch_latency ${kind}, ${workers} workers, page ${page}`;
      const found = measure.saves.find((save) => save.kind === kind && save.workers === workers && save.page === page);
      if (!found) { missing(problems, 'patch_latency.saves', name); continue; }
      if (found.edits !== edits) problems.push(`${name}: ${found.edits} edits, expected ${edits}`);
      for (const [component, summarized] of Object.entries(found.components)) {
        lengthIs(problems, `${name}.${component}`, summarized.repetitions, component === 'apply_per_worker_ms' ? edits * workers : edits);
      }
      if (['header', 'template', 'constant', 'declaration', 'every_includer'].includes(kind) && found.includers < 10) {
        problems.push(`${name}: the edited header has ${found.includers} includers, expected 10 or more`);
      }
      if (found.sources_compiled > Math.max(1, found.includers)) problems.push(`${name}: ${found.sources_compiled} sources compiled, more than the header's ${found.includers} includers`);
      if (kind === 'every_includer' && found.sources_compiled !== found.includers) {
        problems.push(`${name}: ${found.sources_compiled} of ${found.includers} includers compiled, expected all`);
      }
      if (kind === 'undo' && found.raw.some((record) => record.reused < 1)) problems.push(`${name}: a save compiled again instead of reusing its earlier build`);
    }
  },
  restart_latency(measure, s, problems) {
    if (measure.edits !== s.restarts) problems.push(`restart_latency: ${measure.edits} restarts, expected ${s.restarts}`);
    if (measure.patched_against_fresh && !measure.patched_against_fresh.pictures_identical) {
      problems.push('restart_latency.patched_against_fresh: the patched page and the program built fresh from the same sources drew different pictures');
    }
    for (const [name, component] of Object.entries(measure.components)) lengthIs(problems, `restart_latency.${name}`, component.repetitions, s.restarts);
  },
  patch_memory(measure, s, problems) {
    for (const checkpoint of s.memory_checkpoints) {
      if (!measure.snapshots.some((snapshot) => snapshot.patches === checkpoint)) missing(problems, 'patch_memory.snapshots', `${checkpoint} patches`);
    }
    if (measure.growth.length !== s.memory_checkpoints.length - 1) problems.push(`patch_memory.growth: expected ${s.memory_checkpoints.length - 1} intervals, found ${measure.growth.length}`);
  },
  compare(measure, s, problems) {
    for (const workers of s.workers) {
      const row = measure.rows.find((r) => r.workers === workers);
      if (!row) missing(problems, 'compare.rows', `${workers} workers`);
      else for (const key of ['normal', 'split']) lengthIs(problems, `compare ${workers} workers.${key}`, row[key].repetitions, s.repetitions);
    }
    if (measure.table_switches.length !== 2) problems.push(`compare.table_switches: expected 2 pairs of versions, found ${measure.table_switches.length}`);
    for (const entry of measure.table_switches) {
      if (entry.slots < 1) problems.push(`compare.table_switches ${entry.from} <-> ${entry.to}: no slot differs, so nothing was switched`);
      lengthIs(problems, `compare.table_switches ${entry.from} <-> ${entry.to}`, entry.microseconds.repetitions, s.repetitions);
    }
  },
  convergence(measure, s, problems) {
    for (const scene of s.scenes) {
      const row = measure.rows.find((r) => r.scene === scene);
      if (!row) { missing(problems, 'convergence.rows', scene); continue; }
      for (const estimator of ['light_sampling', 'material_sampling']) {
        const at = `convergence ${scene}.${estimator}`;
        for (const count of s.sweep_samples_per_pixel) {
          if (!row[estimator].sweep.some((point) => point.samples_per_pixel === count)) missing(problems, `${at}.sweep`, `${count} samples per pixel`);
        }
        for (const seconds of s.times_seconds) {
          const point = row[estimator].page.find((p) => p.seconds === seconds);
          if (!point) { missing(problems, `${at}.page`, `${seconds} s`); continue; }
          for (const key of ['samples_per_pixel', 'rmse_8bit', 'relative_rmse_linear']) lengthIs(problems, `${at}.page ${seconds} s.${key}`, point[key].repetitions, s.repetitions);
        }
      }
    }
    if (measure.page_identical_to_native !== true) problems.push('convergence.page_identical_to_native: the page showed a picture the native renderer does not make at that sample count, so its errors are not the estimators\' errors');
  },
};

const SETTINGS_OF = {
  throughput: 'throughput', scaling: 'scaling', page_load: 'page_load', routing: 'routing', hot_call_overhead: 'bench_programs',
  main_module_vs_plain: 'bench_programs', patch_latency: 'patching', patch_memory: 'patching', restart_latency: 'patching', convergence: 'convergence',
  compare: 'compare',
};

const TOP = object({
  schema_version: number({ integer: true }), mode: string(), command: string(), started_at: string(), finished_at: string(),
  duration_seconds: number({ positive: true }), settings: object({}), measures: object({}), errors: array(object({ step: string(), message: string() }), { minItems: 0 }),
  machine: object({
    cpu_model: string(), logical_cores: number({ positive: true, integer: true }), hardware_concurrency: number({ positive: true, integer: true }),
    memory_bytes: number({ positive: true }), os: string(), chromium_version: string(), node_version: string(), emscripten_version: string(),
    git_commit: string(), git_dirty: boolean(),
    load_average_at_start: array(number({ nonNegative: true })), load_average_at_end: array(number({ nonNegative: true })),
  }),
});

// Every problem found, as "where: what" lines; empty when the results are complete and
// well formed. `only`: the measures that were asked for (all of them by default).
export function validateResults(results, { only = MEASURES } = {}) {
  const problems = [];
  TOP(results, 'results', problems);
  if (problems.length) return problems;
  if (results.schema_version !== SCHEMA_VERSION) problems.push(`results.schema_version: ${results.schema_version}, expected ${SCHEMA_VERSION}`);
  for (const error of results.errors) problems.push(`step "${error.step}" failed: ${error.message}`);
  for (const name of only) {
    const measure = results.measures[name];
    if (measure === undefined) { problems.push(`measures.${name}: missing`); continue; }
    const before = problems.length;
    SHAPES[name](measure, `measures.${name}`, problems);
    if (problems.length === before) COMPLETE[name](measure, results.settings[SETTINGS_OF[name]], problems);
  }
  return problems;
}
