// results.md: the results as Markdown tables a person reads, one section per measure, each
// figure as median (min–max) over its repetitions, goals beside the figures they concern.
// goalTable() is the short version (the README's and docs/BENCHMARKS.md's summary).

const MILLION = 1e6;
export const sceneName = (file) => file.replace('.json', '').replace(/_/g, ' ');
const rate = (value) => `${(value / MILLION).toFixed(2)} M`;
const ms = (value) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const times = (value) => `${value.toFixed(2)}×`;
const cores = (value) => value.toFixed(2);
const percent = (value) => `${value >= 0 ? '+' : ''}${value.toFixed(2)} %`;
const bytes = (value) => {
  const magnitude = Math.abs(value);
  if (magnitude >= 1 << 20) return `${(value / (1 << 20)).toFixed(1)} MiB`;
  if (magnitude >= 1 << 10) return `${(value / (1 << 10)).toFixed(1)} KiB`;
  return `${Math.round(value)} B`;
};
const spread = (summary, format) => `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`;
const verdict = (met) => (met ? '**met**' : '**missed**');
const table = (header, rows) => [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
  ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

// The goals and where each stands (null when its measure is missing).
export function goalRows(results) {
  const m = results.measures;
  const rows = [];
  if (m.throughput) {
    const goal = m.throughput.goals.page_per_native_at_least;
    for (const threads of [...new Set(m.throughput.rows.map((r) => r.threads))]) {
      const ratios = m.throughput.rows.filter((r) => r.threads === threads).map((r) => r.page_per_native.median);
      rows.push({
        goal: `page ≥ ${goal}× native, ${threads} thread${threads > 1 ? 's' : ''} / worker${threads > 1 ? 's' : ''} (all scenes)`,
        current: `${times(Math.min(...ratios))} – ${times(Math.max(...ratios))}`, met: Math.min(...ratios) >= goal,
      });
    }
    if (m.throughput.two_over_one.length) {
      const goalTwo = m.throughput.goals.two_over_one_at_least;
      const ratios = m.throughput.two_over_one.map((r) => r.page.median);
      rows.push({ goal: `page: 2 workers ≥ ${goalTwo}× 1 worker (all scenes)`, current: `${times(Math.min(...ratios))} – ${times(Math.max(...ratios))}`,
        met: Math.min(...ratios) >= goalTwo });
    }
  }
  if (m.routing) {
    const goal = m.routing.goals.routed_per_plain_calls_at_least;
    const ratios = m.routing.rows.map((r) => r.routed_per_plain_calls.median);
    rows.push({ goal: `every function patchable: page ≥ ${goal}× the page with plain calls (each scene, 1 and 2 workers)`,
      current: `${times(Math.min(...ratios))} – ${times(Math.max(...ratios))}`, met: Math.min(...ratios) >= goal });
  }
  if (m.patch_memory && m.patch_memory.snapshots.every((s) => s.samples_per_second)) {
    const [first, ...later] = m.patch_memory.snapshots;
    if (later.length) {
      const ratios = later.map((s) => s.samples_per_second / first.samples_per_second);
      rows.push({ goal: `after ${later.map((s) => s.patches).join(' / ')} patches: page speed ≥ 0.95× nothing patched`,
        current: ratios.map(times).join(' / '), met: Math.min(...ratios) >= 0.95 });
    }
  }
  if (m.hot_call_overhead) {
    const goal = m.hot_call_overhead.goals.hot_call_overhead_percent_at_most;
    const overheads = m.hot_call_overhead.rows.map((r) => r.overhead_percent.median);
    rows.push({ goal: `every function patchable: ≤ ${goal} % extra frame time over plain calls (benchmark program, 1 thread)`,
      current: `${percent(Math.min(...overheads))} – ${percent(Math.max(...overheads))}`, met: Math.max(...overheads) <= goal });
  }
  if (m.patch_latency) {
    const l = m.patch_latency, goals = l.goals;
    const find = (kind, workers = 2, page = 'rendering') => l.saves.find((x) => x.kind === kind && x.workers === workers && x.page === page);
    const pixels = (save) => save.components.save_to_pixels_ms;
    const row = (save, goal, what, extra = '') => save && rows.push({ goal: `save to new pixels ≤ ${goal} ms p50 (${what})`,
      current: `${ms(pixels(save).p50)} ms (p95 ${ms(pixels(save).p95)})${extra}`, met: pixels(save).p50 <= goal });
    const first = find('first');
    row(find('cpp'), goals.save_to_pixels_p50_ms_at_most, 'a .cpp edit, 2 workers',
      first ? `; the session's first save ${ms(pixels(first).p50)} ms` : '');
    row(find('undo'), goals.undo_save_to_pixels_p50_ms_at_most, 'an undo: a text built before');
    const other = find('other_cpp');
    row(other, goals.save_to_pixels_p50_ms_at_most, `a .cpp save of another source, ${other ? other.edits : ""} in turn`);
    const header = find('header');
    row(header, goals.header_save_to_pixels_p50_ms_at_most, `an inline function of a header ${header ? header.includers : 'many'} sources include`,
      header ? `; the session's first ${ms(header.raw[0].save_to_pixels_ms)} ms` : '');
    const declaration = find('declaration');
    row(declaration, goals.header_save_to_pixels_p50_ms_at_most, `a function declared in a header ${declaration ? declaration.includers : 'many'} sources include`);
    const every = find('every_includer');
    row(every, goals.every_includer_save_to_pixels_p50_ms_at_most, `a header edit that compiles all ${every ? every.includers : ''} includers`);
    const eight = find('cpp', goals.apply_all_workers_goal_workers);
    if (eight) {
      const all = eight.components.apply_all_workers_ms;
      rows.push({ goal: `apply across ${eight.workers} workers ≤ ${goals.apply_all_workers_ms_at_most} ms p50 (commit → last ack)`,
        current: `${ms(all.p50)} ms (p95 ${ms(all.p95)})`, met: all.p50 <= goals.apply_all_workers_ms_at_most });
    }
  }
  if (m.restart_latency) {
    const r = m.restart_latency, total = r.components.save_to_first_frame_ms, full = r.components.save_to_full_frame_ms;
    rows.push({ goal: `hot restart: save to the first frame ≤ ${r.goals.save_to_first_frame_p50_ms_at_most} ms p50`,
      current: `${ms(total.p50)} ms (p95 ${ms(total.p95)}); full resolution ${ms(full.p50)} ms`,
      met: total.p50 <= r.goals.save_to_first_frame_p50_ms_at_most });
    const against = r.patched_against_fresh;
    if (against) {
      // In turns when measured so (fresh pages, the order swapped each round); else one after the other.
      const turns = against.in_turns;
      const ratio = turns ? turns.patched_per_fresh : against.patched_per_fresh;
      rows.push({ goal: `code from patches ≥ ${r.goals.patched_per_fresh_at_least}× the same sources built fresh, the same picture`,
        current: (turns ? `${times(ratio)} in turns (${turns.rounds} round${turns.rounds === 1 ? "" : "s"}, ${times(turns.patched_per_fresh_min)}–${times(turns.patched_per_fresh_max)}; ` +
          `one after the other ${times(against.patched_per_fresh)})` : times(ratio)) +
          ` after ${against.patches} patches; pictures ${against.pictures_identical ? 'identical' : '**differ**'}`,
        met: against.pictures_identical && ratio >= r.goals.patched_per_fresh_at_least });
    }
  }
  if (m.convergence) {
    const goals = m.convergence.goals;
    const judged = m.convergence.rows.filter((r) => goals.goal_scenes.includes(r.scene));
    if (judged.length) {
      const range = (key) => `${times(Math.min(...judged.map((r) => r[key])))} – ${times(Math.max(...judged.map((r) => r[key])))}`;
      rows.push({ goal: `light sampling: ≥ ${goals.samples_ratio_at_least}× fewer samples to the same error (${goals.goal_scenes.map(sceneName).join(', ')})`,
        current: `8-bit ${range('samples_ratio_8bit')}, linear ${range('samples_ratio_linear')}`,
        met: judged.every((r) => r.samples_ratio_8bit >= goals.samples_ratio_at_least && r.samples_ratio_linear >= goals.samples_ratio_at_least) });
    }
  }
  if (m.compare) {
    const goal = m.compare.goals.split_per_normal_at_least;
    const ratios = m.compare.rows.map((r) => r.split_per_normal.median);
    rows.push({ goal: `two versions on one picture: split view ≥ ${goal}× the normal view (${m.compare.rows.map((r) => r.workers).join(' and ')} workers)`,
      current: `${times(Math.min(...ratios))} – ${times(Math.max(...ratios))}`, met: Math.min(...ratios) >= goal });
  }
  return rows;
}

// Quick runs are too small and too short for their figures to mean anything: no verdicts.
export function goalTable(results) {
  const judged = results.mode === 'full';
  return table(['goal', 'current', 'verdict'], goalRows(results).map((row) => [row.goal, row.current, judged ? verdict(row.met) : 'not judged (quick run)']));
}

export function machineLine(results) {
  const machine = results.machine;
  return `${machine.cpu_model}, ${machine.logical_cores} logical cores (navigator.hardwareConcurrency ${machine.hardware_concurrency}), ` +
    `${bytes(machine.memory_bytes)} RAM, ${machine.os}; Chromium ${machine.chromium_version} (headless), Node ${machine.node_version}, ` +
    `Emscripten ${machine.emscripten_version}; commit ${machine.git_commit.slice(0, 12)}${machine.git_dirty ? ' (with uncommitted changes)' : ''}; ` +
    `load average ${machine.load_average_at_start.join(' / ')} at the start, ${machine.load_average_at_end.join(' / ')} at the end (1 / 5 / 15 min)`;
}

function throughputSection(t) {
  const lines = [`## 1. Samples per second: native renderer against the page`, '',
    `${t.width}×${t.height}, 1 sample per pixel per frame, same scene and settings; native: \`render --threads T\`, ` +
    `page: \`index.html?...&workers=T\`, accumulated samples × pixels / wall time between frame boundaries. Median (min–max); samples/s.`, '',
    table(['scene', 'threads / workers', 'native', 'page', 'page / native'], t.rows.map((r) => [sceneName(r.scene), r.threads,
      spread(r.native, rate), spread(r.page, rate), spread(r.page_per_native, times)]))];
  if (t.two_over_one.length) {
    const unmeasured = (summary, format) => (summary ? spread(summary, format) : 'not measured');
    lines.push('', 'Two threads or workers against one. The page\'s speed-up is the cores its workers got (2 / 1) times what each of ' +
      'those cores rendered (2 / 1); each page was measured in turns with the other worker count, a fresh page each time:', '',
      table(['scene', 'native 2 / 1', 'page 2 / 1', 'page: workers\' cores 2 / 1', 'page: samples per worker core 2 / 1'],
        t.two_over_one.map((r) => [sceneName(r.scene), spread(r.native, times), spread(r.page, times),
          unmeasured(r.page_worker_cores, times), unmeasured(r.page_per_worker_core, times)])));
    const measured = t.rows.filter((r) => r.page_worker_cores && r.page_other_cores);
    if (measured.length) {
      lines.push('', 'Cores the browser used while the page rendered (1 = one core busy all the time): its workers, and everything else ' +
        '(the page\'s main thread, the compositor, the GPU and browser processes):', '',
        table(['scene', 'workers', 'workers\' threads', 'everything else'], measured.map((r) => [sceneName(r.scene), r.threads,
          spread(r.page_worker_cores, cores), spread(r.page_other_cores, cores)])));
    }
  }
  lines.push('', `Goals: page ≥ ${t.goals.page_per_native_at_least}× native per thread; 2 workers ≥ ${t.goals.two_over_one_at_least}× one worker.`);
  return lines.join('\n');
}

// Where the page's gap to native comes from: the same code as WebAssembly on one thread with
// no page around it (the benchmark program, measure 4), against the native renderer and the
// page with one worker.
function gapSection(t, h) {
  const rows = [];
  for (const row of t.rows.filter((r) => r.threads === 1)) {
    const program = h.rows.find((r) => r.scene === row.scene);
    if (!program) continue;
    const wasm = program.routed.median;
    rows.push([sceneName(row.scene), rate(row.native.median), rate(wasm), rate(row.page.median),
      times(wasm / row.native.median), times(row.page.median / wasm)]);
  }
  if (!rows.length) return '';
  return ['Where the gap comes from, one thread (medians; "WebAssembly alone" is the benchmark program of measure 4, ' +
    `${h.width}×${h.height}, no page, no workers, no presenting):`, '',
    table(['scene', 'native', 'WebAssembly alone', 'page, 1 worker', 'WebAssembly / native', 'page / WebAssembly'], rows)].join('\n');
}

function scalingSection(s) {
  return [`## 2. Scaling of the page with workers (${sceneName(s.scene)})`, '',
    `${s.width}×${s.height}; navigator.hardwareConcurrency = ${s.hardware_concurrency}, so rows above it oversubscribe the cores. ` +
    `Speed-up over ${s.baseline_workers} worker; efficiency = speed-up / workers.`, '',
    table(['workers', 'samples/s', 'speed-up', 'efficiency'], s.rows.map((r) => [r.workers, spread(r.samples_per_second, rate),
      spread(r.speedup, times), spread(r.efficiency, (v) => `${(v * 100).toFixed(0)} %`)]))].join('\n');
}

function pageLoadSection(p) {
  const header = ['scene', 'program fetched', 'load event', 'program ready', 'first frame on screen'];
  return [`## 3. Page load to the first full frame`, '',
    `${p.width}×${p.height}, ${p.workers} workers, a fresh browser context each time (empty cache); ms from navigation start ` +
    `(performance.now()). "Program ready": compiled, scene loaded, controls set up.`, '',
    table(header, p.rows.map((r) => [sceneName(r.scene), r.program_fetched_ms ? spread(r.program_fetched_ms, ms) : '–',
      spread(r.load_event_ms, ms), spread(r.ready_ms, ms), spread(r.first_frame_ms, ms)]))].join('\n');
}

function routingSection(r) {
  return [`## 3b. Every function patchable: the page against the page with plain calls`, '',
    `${r.width}×${r.height}, 1 sample per frame. "Routed": the page as \`scripts/run.sh\` serves it; every call to one of the program's ` +
    `own functions goes through that function's table slot, so a patch reaches it. "Plain calls": the same page loading ` +
    `\`${r.plain_calls_program}\`, the same objects linked without the routing. The two were measured in turns, a fresh page each time.`, '',
    table(['scene', 'workers', 'plain calls', 'routed', 'routed / plain calls'], r.rows.map((row) => [sceneName(row.scene), row.workers,
      spread(row.plain_calls, rate), spread(row.routed, rate), spread(row.routed_per_plain_calls, times)])), '',
    `Goal: routed ≥ ${r.goals.routed_per_plain_calls_at_least}× plain calls. After many patches: section 7's samples per second.`].join('\n');
}

function compareSection(c) {
  const us = (value) => (value >= 100 ? value.toFixed(0) : value.toFixed(2));
  return [`## 9. Two versions on one picture: the split view and a table switch`, '',
    `${sceneName(c.scene)}, ${c.width}×${c.height}, 1 sample per frame, two patches served to a fresh page each time (1: the sky ` +
    `tinted; 2: four more sources patched on top). "Normal": version ${c.compared[1]} alone. "Split": \`compare=${c.compared.join(',')}\`, ` +
    `version ${c.compared[0]} left of the line and ${c.compared[1]} right of it, each worker switching its table per tile. ` +
    `Measured in turns; accumulated samples × pixels / wall time.`, '',
    table(['workers', 'normal', 'split', 'split / normal', 'split / normal, per worker core'], c.rows.map((r) => [r.workers,
      spread(r.normal, rate), spread(r.split, rate), spread(r.split_per_normal, times),
      r.split_per_normal_per_worker_core ? spread(r.split_per_normal_per_worker_core, times) : 'not measured'])), '',
    'Per worker core: each window\'s samples per second divided by the cores the page\'s workers got in it (`/proc`, as in 1).', '',
    `One table switch on the page's main thread (\`HotswapVersions.switchTo\`, back and forth many times; the first switch each way, ` +
    `which works out the slots to write, timed apart), against one tile of the normal view with one worker ` +
    `(${c.tile.pixels} pixels, ${c.tile.samples} sample: ${spread(c.tile.microseconds, us)} µs):`, '',
    table(['versions', 'slots written', 'µs per switch', 'first switches (µs, both ways)', 'share of a tile'], c.table_switches.map((r) => [
      `${r.from} ↔ ${r.to}`, r.slots, spread(r.microseconds, us), spread(r.first_pair_microseconds, us), `${r.share_of_a_tile_percent.toFixed(3)} %`])), '',
    `Goal: split ≥ ${c.goals.split_per_normal_at_least}× normal.`].join('\n');
}

function hotCallSection(h) {
  return [`## 4. Hot-call overhead (every function patchable)`, '',
    `The benchmark program (app/bench/) on one thread in Chromium, ${h.width}×${h.height}, ${h.samples_per_pixel} samples per pixel, ` +
    `linked as the page's program is (relocatable main module; the hot linker routes every call to one of the program's own ` +
    `functions through that function's table slot, so a patch reaches it) and linked without the routing (plain calls). ` +
    `Overhead = extra frame time over plain calls. Same picture in every build: ${h.images_identical ? 'yes' : '**NO**'}.`, '',
    table(['scene', 'plain calls', 'routed', 'routed / plain calls', 'overhead'], h.rows.map((r) => [sceneName(r.scene),
      spread(r.plain_calls, rate), spread(r.routed, rate), spread(r.routed_per_plain_calls, times), spread(r.overhead_percent, percent)])), '',
    `Goal: ≤ ${h.goals.hot_call_overhead_percent_at_most} % of frame time (routed ≥ 0.95× plain calls).`].join('\n');
}

function mainModuleSection(m) {
  return [`## 5. Relocatable main module against a plain build`, '',
    `The same program, one thread, ${m.width}×${m.height}, ${m.samples_per_pixel} samples per pixel: as a relocatable main module ` +
    `(\`-sMAIN_MODULE=2\`, \`-fPIC\`, every symbol exported for patches) and as a plain \`-pthread\` executable (no \`-fPIC\`). ` +
    `Program size: ${bytes(m.wasm_bytes.main_module)} against ${bytes(m.wasm_bytes.plain)} (${times(m.wasm_bytes.ratio)}).`, '',
    table(['scene', 'plain', 'main module', 'main module / plain'], m.rows.map((r) => [sceneName(r.scene), spread(r.plain, rate),
      spread(r.main_module, rate), spread(r.main_module_per_plain, times)]))].join('\n');
}

const STAGES = [
  ['save_seen_ms', 'save → seen by the dev loop'],
  ['build_ms', 'build (dev loop: compile + link + checks)'],
  ['compile_ms', '  of which compile'],
  ['compile_cpu_ms', '  processor time of the compiles'],
  ['link_ms', '  of which link'],
  ['announced_ms', 'save → page heard of the patch'],
  ['fetch_ms', 'fetch (the module comes with the announcement)'],
  ['compile_in_page_ms', 'read + compile in the page'],
  ['wait_for_frame_end_ms', 'ready → committed (waits for the frame to end)'],
  ['apply_main_ms', 'apply on the main thread'],
  ['apply_per_worker_ms', 'apply in one worker (every worker)'],
  ['apply_slowest_worker_ms', 'apply in the slowest worker'],
  ['apply_all_workers_ms', 'apply across all workers (commit → last acknowledgement)'],
  ['save_to_pixels_ms', '**save → first new frame on screen** (a preview)'],
  ['save_to_full_frame_ms', 'save → first full-resolution frame'],
  ['frame_ms', 'frame time (context)'],
];

const KIND_NAMES = {
  first: "the session's first save (a statement in sky.cpp: no code changed)", cpp: 'a .cpp edit (sky.cpp)',
  undo: 'an undo (sky.cpp back to a text built before)', other_cpp: 'a .cpp save of another source (a statement in a function; 10 sources in turn)', header: 'an inline function of texture.h',
  template: "Bvh::traverse's body (a member function template, bvh.h)", constant: 'Bvh::kMaximumDepth (a constant, bvh.h)',
  declaration: 'a member function declared in texture.h (the includers that name it compile)',
  every_includer: 'a member initialiser in texture.h (every includer compiles)',
};
const saveName = (save) => `${KIND_NAMES[save.kind] || save.kind}, ${save.workers} workers${save.page === 'idle' ? ', page idle' : ''}`;

function latencySection(l) {
  const compiled = (save) => (save.includers ? `${save.sources_compiled} of ${save.includers}` : `${save.sources_compiled}`);
  const overview = [...l.saves, ...(l.fresh_clone_first_save ? [{ ...l.fresh_clone_first_save, kind: 'fresh clone' }] : [])];
  const lines = [`## 6. Patch latency`, '',
    `The real dev loop in a temporary copy of the project, the page on it (${sceneName(l.scene)}, ${l.width}×${l.height}), timed from ` +
    "the first save after the dev loop printed its URL (the copy had one earlier session, as yesterday's checkout has, whose preambles " +
    'it kept). Each save waits until every worker has the new code on screen. "First new frame" is the preview (a quarter of each ' +
    'side, app/web/preview_frame.h); the full-resolution frame follows. The page renders between saves, except where it is idle ' +
    '(it reached its sample limit). "fresh clone": the first save of the earlier session, before any preamble was built. ms.', '',
    table(['save', 'edits', 'sources compiled', 'save → first new frame p50 (p95)', 'save → full frame p50', 'build p50',
      'compile processor time p50'], overview.map((save) => [save.kind === 'fresh clone' ? 'the first save of a fresh clone' : saveName(save),
      save.edits, compiled(save), `${ms(save.components.save_to_pixels_ms.p50)} (${ms(save.components.save_to_pixels_ms.p95)})`,
      ms(save.components.save_to_full_frame_ms.p50), ms(save.components.build_ms.p50), ms(save.components.compile_cpu_ms.p50)]))];
  const others = l.saves.filter((save) => save.kind === 'other_cpp');
  for (const save of others) {
    lines.push('', `${saveName(save)}, each source:`, '', table(['source', 'functions compiled', 'save → first new frame', 'build', 'compile processor time'],
      save.raw.map((r) => [r.file, r.functions_compiled == null ? 'all' : `${r.functions_compiled} of ${r.functions_compiled + r.functions_left_out}`,
        ms(r.save_to_pixels_ms), ms(r.build_ms), r.compile_cpu_ms == null ? '–' : ms(r.compile_cpu_ms)])));
  }
  for (const save of l.saves) {
    lines.push('', `${saveName(save)}, ${save.edits} edits:`, '',
      table(['stage', 'p50', 'p95', 'min', 'max'], STAGES.map(([key, label]) => {
        const c = save.components[key];
        return c.repetitions.length ? [label, ms(c.p50), ms(c.p95), ms(c.min), ms(c.max)] : [label, '–', '–', '–', '–'];
      })));
  }
  lines.push('', `Goals: save to new pixels ≤ ${l.goals.save_to_pixels_p50_ms_at_most} ms p50 (a .cpp edit), ` +
    `≤ ${l.goals.undo_save_to_pixels_p50_ms_at_most} ms (an undo), ≤ ${l.goals.header_save_to_pixels_p50_ms_at_most} ms (an inline ` +
    `function of a header ten or more sources include, or a function declared in it), ≤ ${l.goals.every_includer_save_to_pixels_p50_ms_at_most} ms (an edit that ` +
    `compiles every includer); apply across ${l.goals.apply_all_workers_goal_workers} workers ≤ ${l.goals.apply_all_workers_ms_at_most} ms.`);
  return lines.join('\n');
}

function restartSection(r) {
  const labels = { save_to_first_frame_ms: 'save → first frame of the reloaded page (a preview)',
    save_to_full_frame_ms: 'save → its first full-resolution frame', patch_build_ms: 'patch build (finds the layout change)',
    program_build_ms: 'program rebuild (cmake --build: objects from the patch build, relink)',
    reload_to_first_frame_ms: 'page reload → first frame (settings and camera restored)' };
  return [`## 6b. Hot restart`, '',
    `The same dev loop and page (${r.workers} workers), last: ${r.edits} saves that add a public member to \`CameraView\` ` +
    `(\`${r.file}\`) or take it out again. No patch can carry a layout change, so the dev loop rebuilds the program and the page ` +
    `reloads itself, keeping scene, camera and settings. ms.`, '',
    table(['stage', 'p50', 'p95', 'min', 'max'], Object.entries(labels).map(([key, label]) => {
      const c = r.components[key];
      return [label, ms(c.p50), ms(c.p95), ms(c.min), ms(c.max)];
    })), '',
    ...(r.patched_against_fresh ? [`The page after ${r.patched_against_fresh.patches} patches against the program the restarts built from ` +
      `the same sources (the layout edits undone): ${rate(r.patched_against_fresh.patched_samples_per_second)} against ` +
      `${rate(r.patched_against_fresh.fresh_samples_per_second)} samples/s (${times(r.patched_against_fresh.patched_per_fresh)}); the ` +
      `picture at ${r.patched_against_fresh.picture_samples} samples a pixel ${r.patched_against_fresh.pictures_identical ? 'is identical' : '**differs**'}.` +
      (r.patched_against_fresh.in_turns ? ` In turns, each a fresh page served as files with no dev loop running (${r.patched_against_fresh.in_turns.rounds} rounds): ` +
        `${r.patched_against_fresh.in_turns.patched_samples_per_second.map(rate).join(', ')} against ` +
        `${r.patched_against_fresh.in_turns.fresh_samples_per_second.map(rate).join(', ')} samples/s, median ratio ` +
        `${times(r.patched_against_fresh.in_turns.patched_per_fresh)}.` : ''), ''] : []),
    `Goal: save → first frame ≤ ${r.goals.save_to_first_frame_p50_ms_at_most} ms p50.`].join('\n');
}

function memorySection(p) {
  const lines = [`## 7. WebAssembly memory and table as patches pile up`, '',
    `The page with ${p.workers} workers on the dev loop, after ${p.checkpoints.join(', ')} patches (the first a statement in app/hot/sky.cpp, ` +
    'which changes no code: the speed after it is the reference, the page\'s code warmed up; then the saves of section 6 and edits of ' +
    'sky.cpp). ' +
    `The program's memory is ${p.memory_is_fixed ? 'fixed' : '**not** fixed'} (\`-sINITIAL_MEMORY=256MB -sALLOW_MEMORY_GROWTH=0\`): ` +
    `a patch's data comes out of the heap, its functions out of new table slots. "Heap top" is the allocator's high-water mark: ` +
    `it moves with whatever the page allocated last (frames, workers), not only with patches. JS heap: \`performance.memory\` (coarse).`, '',
    table(['patches', 'wasm memory (`wasmMemory.buffer.byteLength`)', 'heap in use', 'heap top (`sbrk(0)`)', 'table length (`wasmTable.length`)',
      'JS heap, main thread', 'samples/s (× after the first)'], p.snapshots.map((s) => [s.patches, bytes(s.memory_bytes),
      bytes(s.heap_in_use_bytes), bytes(s.heap_top_bytes), s.table_length, s.js_heap_used_bytes ? bytes(s.js_heap_used_bytes) : '–',
      s.samples_per_second ? `${rate(s.samples_per_second)} (${times(s.samples_per_second / p.snapshots[0].samples_per_second)})` : '–'])), '',
    'Growth per patch:', '',
    table(['patches', 'heap in use', 'heap top', 'table slots', 'JS heap'], p.growth.map((g) => [`${g.from_patches} → ${g.to_patches}`,
      bytes(g.heap_in_use_bytes_per_patch), bytes(g.heap_top_bytes_per_patch), g.table_slots_per_patch.toFixed(2),
      typeof g.js_heap_bytes_per_patch === 'number' ? bytes(g.js_heap_bytes_per_patch) : '–']))];
  if (p.patch_module) {
    lines.push('', `Each patch module by itself (${p.patch_module.count} modules, median (min–max)): ${spread(p.patch_module.bytes, bytes)} of ` +
      `WebAssembly, asking for ${spread(p.patch_module.memory_size, bytes)} of memory (data) and ${spread(p.patch_module.table_slots, (v) => v.toFixed(0))} ` +
      `table slots (its table size plus one per exported function). The module's bytes are kept by the JS engine (compiled code, ` +
      `kept for workers that start later), not in the WebAssembly memory.`);
  }
  return lines.join('\n');
}

function convergenceSection(c) {
  const error8 = (value) => value.toFixed(2);
  const relative = (value) => `${(value * 100).toFixed(1)} %`;
  const samples = (value, extrapolated) => `${extrapolated ? '≈ ' : ''}${value >= 100 ? value.toFixed(0) : value.toFixed(1)}`;
  const pageRows = [];
  for (const row of c.rows) {
    row.light_sampling.page.forEach((withLights, index) => {
      const without = row.material_sampling.page[index];
      pageRows.push([sceneName(row.scene), withLights.seconds, `${withLights.samples_per_pixel.median} / ${without.samples_per_pixel.median}`,
        spread(withLights.rmse_8bit, error8), spread(without.rmse_8bit, error8), times(without.rmse_8bit.median / withLights.rmse_8bit.median),
        spread(withLights.relative_rmse_linear, relative), spread(without.relative_rmse_linear, relative),
        times(without.relative_rmse_linear.median / withLights.relative_rmse_linear.median)]);
    });
  }
  const sampleRows = c.rows.map((row) => {
    const [l, w] = [row.light_sampling, row.material_sampling];
    return [sceneName(row.scene), samples(l.samples_to_target_8bit, l.samples_to_target_8bit_extrapolated),
      samples(w.samples_to_target_8bit, w.samples_to_target_8bit_extrapolated), `**${times(row.samples_ratio_8bit)}**`,
      samples(l.samples_to_target_linear, l.samples_to_target_linear_extrapolated),
      samples(w.samples_to_target_linear, w.samples_to_target_linear_extrapolated), `**${times(row.samples_ratio_linear)}**`];
  });
  return [`## 8. Light sampling: error against time, and samples to a fixed error`, '',
    `${c.width}×${c.height}, against a converged reference (native, light sampling, ${c.reference_samples_per_pixel} samples per pixel). ` +
    `Errors are RMSEs over every pixel and channel: of the tone-mapped picture in 8-bit steps (0–255), and of the linear radiance ` +
    `relative to the reference's mean radiance. "With": light sampling (next-event estimation with multiple importance sampling); ` +
    `"without": material sampling only, the renderer's old estimator.`, '',
    `The page, ${c.workers} workers, restarted with each estimator in turn; the picture on screen after each time, median (min–max) ` +
    `over the repetitions. Its linear error is the native renderer's at the same sample count (the page shows only 8 bits; ` +
    `identical pictures: ${c.page_identical_to_native ? 'yes, every one' : '**NO**'}).`, '',
    table(['scene', 's', 'samples per pixel, with / without', '8-bit RMSE, with', 'without', 'without / with', 'linear RMSE, with', 'without',
      'without / with'], pageRows), '',
    `Samples per pixel to reach an 8-bit RMSE of ${c.target_rmse_8bit} and a linear RMSE of ${relative(c.target_relative_rmse_linear)} ` +
    `(native sweeps of 1 to ${Math.max(...c.rows[0].light_sampling.sweep.map((p) => p.samples_per_pixel))} samples per pixel, ` +
    `interpolated on log-log axes; ≈: beyond the sweep, extrapolated at 1/√samples):`, '',
    table(['scene', '8-bit: with', 'without', 'fewer samples', 'linear: with', 'without', 'fewer samples'], sampleRows), '',
    `Goal: ≥ ${c.goals.samples_ratio_at_least}× fewer samples to the same error on ${c.goals.goal_scenes.map(sceneName).join(' and ')}.`].join('\n');
}

// How busy the machine was while it ran (the 1-minute load average as each step began).
export function stepLoadLine(results) {
  const loads = (results.steps || []).map((step) => step.load_average_at_start);
  if (!loads.length) return '';
  return `Load average (1 min) as the ${loads.length} steps began: ${Math.min(...loads).toFixed(2)} to ${Math.max(...loads).toFixed(2)}, ` +
    `median ${[...loads].sort((a, b) => a - b)[loads.length >> 1].toFixed(2)}.`;
}

export function markdownReport(results) {
  const m = results.measures;
  const sections = [
    `# Benchmark results (${results.mode} run)`, '',
    `Command: \`${results.command}\`  `,
    `Started ${results.started_at}, took ${Math.round(results.duration_seconds)} s.  `,
    `Machine: ${machineLine(results)}.  `,
    stepLoadLine(results), '',
    '## Goals', '',
    ...(results.mode === 'full' ? [] : ['A quick run: minimal sizes, one repetition. It shows that every measure works; its figures are not benchmarks.', '']),
    goalTable(results),
  ];
  if (m.throughput) sections.push('', throughputSection(m.throughput));
  if (m.throughput && m.hot_call_overhead) {
    const gap = gapSection(m.throughput, m.hot_call_overhead);
    if (gap) sections.push('', gap);
  }
  if (m.scaling) sections.push('', scalingSection(m.scaling));
  if (m.page_load) sections.push('', pageLoadSection(m.page_load));
  if (m.routing) sections.push('', routingSection(m.routing));
  if (m.hot_call_overhead) sections.push('', hotCallSection(m.hot_call_overhead));
  if (m.main_module_vs_plain) sections.push('', mainModuleSection(m.main_module_vs_plain));
  if (m.patch_latency) sections.push('', latencySection(m.patch_latency));
  if (m.restart_latency) sections.push('', restartSection(m.restart_latency));
  if (m.patch_memory) sections.push('', memorySection(m.patch_memory));
  if (m.convergence) sections.push('', convergenceSection(m.convergence));
  if (m.compare) sections.push('', compareSection(m.compare));
  if (results.errors.length) sections.push('', '## Errors', '', ...results.errors.map((e) => `- ${e.step}: ${e.message}`));
  return sections.join('\n') + '\n';
}
