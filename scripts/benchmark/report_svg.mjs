// plot.svg: six panels drawn by hand (no plotting library): native against page samples
// per second, the page's scaling with workers, the four builds of the benchmark program,
// patch latency by stage, and light sampling's error against time and samples to a fixed
// error. Medians as bars or points, min–max as whiskers.
import { goalRows, sceneName } from './report_markdown.mjs';

const WIDTH = 1000, PANEL_WIDTH = 500, PANEL_HEIGHT = 330, TOP = 56;
const COLORS = { native: '#3b6ea8', page: '#e07b39', two: '#4a9a5b', eight: '#b8423f', plain: '#7a68b3', main: '#3b6ea8', direct: '#5fb0c9', patched: '#e07b39' };
const FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"';

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (x, y, content, { size = 12, anchor = 'start', weight = 'normal', fill = '#222', rotate = null } = {}) =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${FONT} font-size="${size}" text-anchor="${anchor}" font-weight="${weight}" fill="${fill}"` +
  `${rotate !== null ? ` transform="rotate(${rotate} ${x.toFixed(1)} ${y.toFixed(1)})"` : ''}>${escape(content)}</text>`;
const line = (x1, y1, x2, y2, { stroke = '#222', width = 1, dash = null } = {}) =>
  `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${stroke}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
const rect = (x, y, w, h, fill) => `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0, w).toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" fill="${fill}"/>`;

// A round axis maximum and step for values up to `top`.
function niceScale(top, ticks = 5) {
  const raw = top / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((candidate) => candidate >= raw);
  return { max: Math.ceil(top / step) * step, step };
}

// A panel frame: title, plot area {x, y, w, h} inside it.
function panel(originX, originY, title, subtitle) {
  const area = { x: originX + 64, y: originY + 52, w: PANEL_WIDTH - 64 - 24, h: PANEL_HEIGHT - 52 - 64 };
  const parts = [text(originX + 16, originY + 22, title, { size: 15, weight: 'bold' })];
  if (subtitle) parts.push(text(originX + 16, originY + 40, subtitle, { size: 11, fill: '#555' }));
  return { area, parts };
}

function verticalAxis(parts, area, scale, format, label) {
  for (let value = 0; value <= scale.max + 1e-9; value += scale.step) {
    const y = area.y + area.h - (value / scale.max) * area.h;
    parts.push(line(area.x, y, area.x + area.w, y, { stroke: value === 0 ? '#222' : '#ddd' }));
    parts.push(text(area.x - 6, y + 4, format(value), { size: 11, anchor: 'end' }));
  }
  parts.push(text(area.x - 46, area.y + area.h / 2, label, { size: 11, anchor: 'middle', rotate: -90 }));
}

function legend(parts, x, y, entries) {
  let cursor = x;
  for (const [label, color] of entries) {
    parts.push(rect(cursor, y - 9, 12, 12, color), text(cursor + 16, y + 1, label, { size: 11 }));
    cursor += 24 + label.length * 6.4;
  }
}

// Vertical bars with min–max whiskers, grouped; groups = [{label, sublabel, bars: [{summary, color, note}]}].
function groupedBars(parts, area, groups, scale) {
  const groupWidth = area.w / groups.length;
  groups.forEach((group, g) => {
    const barWidth = Math.min(28, (groupWidth - 14) / group.bars.length);
    const start = area.x + g * groupWidth + (groupWidth - barWidth * group.bars.length) / 2;
    group.bars.forEach((bar, b) => {
      const x = start + b * barWidth;
      const y = (value) => area.y + area.h - (value / scale.max) * area.h;
      parts.push(rect(x + 1, y(bar.summary.median), barWidth - 2, area.y + area.h - y(bar.summary.median), bar.color));
      const middle = x + barWidth / 2;
      parts.push(line(middle, y(bar.summary.min), middle, y(bar.summary.max), { stroke: '#111' }));
      parts.push(line(middle - 4, y(bar.summary.min), middle + 4, y(bar.summary.min), { stroke: '#111' }));
      parts.push(line(middle - 4, y(bar.summary.max), middle + 4, y(bar.summary.max), { stroke: '#111' }));
      if (bar.note) parts.push(text(middle, y(bar.summary.max) - 5, bar.note, { size: 10, anchor: 'middle', weight: 'bold' }));
    });
    const center = area.x + (g + 0.5) * groupWidth;
    parts.push(text(center, area.y + area.h + 15, group.label, { size: 11, anchor: 'middle' }));
    if (group.sublabel) parts.push(text(center, area.y + area.h + 29, group.sublabel, { size: 11, anchor: 'middle', fill: '#555' }));
  });
}

function throughputPanel(t, x, y) {
  const { area, parts } = panel(x, y, 'Samples per second: native against the page',
    `${t.width}×${t.height}; bar = median, whisker = min–max; label = page / native`);
  const groups = t.rows.map((row) => ({
    label: sceneName(row.scene), sublabel: `${row.threads} thread${row.threads > 1 ? 's' : ''}`,
    bars: [{ summary: row.native, color: COLORS.native }, { summary: row.page, color: COLORS.page, note: `${row.page_per_native.median.toFixed(2)}×` }],
  }));
  const scale = niceScale(Math.max(...t.rows.flatMap((r) => [r.native.max, r.page.max])) / 1e6 * 1.12);
  const scaled = { max: scale.max * 1e6, step: scale.step * 1e6 };
  verticalAxis(parts, area, scaled, (v) => (v / 1e6).toFixed(1), 'million samples / s');
  groupedBars(parts, area, groups, scaled);
  legend(parts, area.x, y + PANEL_HEIGHT - 12, [['native (render --threads T)', COLORS.native], ['page (T workers)', COLORS.page]]);
  return parts;
}

function scalingPanel(s, x, y) {
  const { area, parts } = panel(x, y, `Page scaling with workers (${sceneName(s.scene)})`,
    `speed-up over 1 worker; labels = parallel efficiency; ${s.hardware_concurrency} hardware threads`);
  const most = Math.max(...s.rows.map((r) => r.workers));
  const scale = niceScale(Math.max(s.hardware_concurrency, ...s.rows.map((r) => r.speedup.max)) * 1.15, 4);
  verticalAxis(parts, area, scale, (v) => `${v.toFixed(1)}×`, 'speed-up');
  const px = (workers) => area.x + ((workers - 0.5) / most) * area.w;
  const py = (value) => area.y + area.h - (value / scale.max) * area.h;
  for (const row of s.rows) parts.push(text(px(row.workers), area.y + area.h + 15, row.workers, { size: 11, anchor: 'middle' }));
  parts.push(text(area.x + area.w / 2, area.y + area.h + 31, 'workers', { size: 11, anchor: 'middle' }));
  // Ideal: linear up to the hardware threads, flat beyond.
  const ideal = s.rows.map((r) => `${px(r.workers).toFixed(1)},${py(Math.min(r.workers, s.hardware_concurrency)).toFixed(1)}`).join(' ');
  parts.push(`<polyline points="${ideal}" fill="none" stroke="#999" stroke-width="1.5" stroke-dasharray="6 4"/>`);
  const hcX = px(s.hardware_concurrency);
  parts.push(line(hcX, area.y, hcX, area.y + area.h, { stroke: '#bbb', dash: '2 3' }),
    text(hcX + 4, area.y + 12, 'hardwareConcurrency', { size: 10, fill: '#777' }));
  const measured = s.rows.map((r) => `${px(r.workers).toFixed(1)},${py(r.speedup.median).toFixed(1)}`).join(' ');
  parts.push(`<polyline points="${measured}" fill="none" stroke="${COLORS.page}" stroke-width="2.5"/>`);
  for (const row of s.rows) {
    const cx = px(row.workers);
    parts.push(line(cx, py(row.speedup.min), cx, py(row.speedup.max), { stroke: '#111' }));
    parts.push(`<circle cx="${cx.toFixed(1)}" cy="${py(row.speedup.median).toFixed(1)}" r="4" fill="${COLORS.page}" stroke="#111"/>`);
    parts.push(text(cx, py(row.speedup.max) - 8, `${(row.efficiency.median * 100).toFixed(0)} %`, { size: 10, anchor: 'middle', weight: 'bold' }));
  }
  legend(parts, area.x, y + PANEL_HEIGHT - 12, [['measured (median)', COLORS.page], ['ideal', '#999']]);
  return parts;
}

function buildsPanel(h, m, x, y) {
  const { area, parts } = panel(x, y, 'One thread, three builds of the same program',
    `${h.width}×${h.height}; labels = % extra frame time over plain calls / main module ÷ plain`);
  const groups = h.rows.map((row) => {
    const plain = m.rows.find((r) => r.scene === row.scene).plain;
    const ratio = m.rows.find((r) => r.scene === row.scene).main_module_per_plain.median;
    return {
      label: sceneName(row.scene),
      bars: [
        { summary: plain, color: COLORS.plain },
        { summary: row.plain_calls, color: COLORS.direct },
        { summary: row.routed, color: COLORS.main, note: `${row.overhead_percent.median >= 0 ? '+' : ''}${row.overhead_percent.median.toFixed(1)}%` },
      ],
      sublabel: `main/plain ${ratio.toFixed(2)}×`,
    };
  });
  const top = Math.max(...groups.flatMap((g) => g.bars.map((b) => b.summary.max)));
  const scale = niceScale(top / 1e6 * 1.15);
  const scaled = { max: scale.max * 1e6, step: scale.step * 1e6 };
  verticalAxis(parts, area, scaled, (v) => (v / 1e6).toFixed(1), 'million samples / s');
  groupedBars(parts, area, groups, scaled);
  legend(parts, area.x - 50, y + PANEL_HEIGHT - 12, [['plain build', COLORS.plain], ['main module, plain calls', COLORS.direct],
    ['main module, routed', COLORS.main]]);
  return parts;
}

const LATENCY_BARS = [
  ['save_seen_ms', 'save seen'],
  ['build_ms', 'build'],
  ['fetch_ms', 'fetch'],
  ['compile_in_page_ms', 'compile in page'],
  ['wait_for_frame_end_ms', 'wait for frame end'],
  ['apply_main_ms', 'apply, main thread'],
  ['apply_all_workers_ms', 'apply, all workers'],
  ['save_to_pixels_ms', 'save → new pixels'],
];

function latencyPanel(l, x, y) {
  const { area, parts } = panel(x, y, 'Patch latency by stage (dev loop, sky.cpp edits)',
    'bar = p50 (value printed), whisker to p95; ms');
  const labelWidth = 118;
  const plot = { x: area.x + labelWidth - 50, y: area.y, w: area.w - labelWidth + 50, h: area.h };
  const runs = l.saves.filter((save) => save.kind === 'cpp');
  const colors = [COLORS.two, '#888', COLORS.eight];
  const top = Math.max(l.goals.save_to_pixels_p50_ms_at_most, ...runs.flatMap((run) => LATENCY_BARS.map(([key]) => run.components[key].p95)));
  const scale = niceScale(top * 1.05);
  const px = (value) => plot.x + (value / scale.max) * plot.w;
  for (let value = 0; value <= scale.max + 1e-9; value += scale.step) {
    parts.push(line(px(value), plot.y, px(value), plot.y + plot.h, { stroke: value === 0 ? '#222' : '#ddd' }));
    parts.push(text(px(value), plot.y + plot.h + 14, value.toFixed(0), { size: 10, anchor: 'middle' }));
  }
  const rowHeight = plot.h / LATENCY_BARS.length;
  const barHeight = Math.min(12, (rowHeight - 4) / runs.length);
  LATENCY_BARS.forEach(([key, label], i) => {
    const rowTop = plot.y + i * rowHeight + (rowHeight - barHeight * runs.length) / 2;
    parts.push(text(plot.x - 6, plot.y + (i + 0.5) * rowHeight + 4, label, { size: 11, anchor: 'end', weight: key === 'save_to_pixels_ms' ? 'bold' : 'normal' }));
    runs.forEach((run, r) => {
      const c = run.components[key];
      const top_ = rowTop + r * barHeight;
      parts.push(rect(plot.x, top_ + 1, px(c.p50) - plot.x, barHeight - 2, colors[r % colors.length]));
      parts.push(line(px(c.p50), top_ + barHeight / 2, px(c.p95), top_ + barHeight / 2, { stroke: '#111' }));
      parts.push(line(px(c.p95), top_ + 2, px(c.p95), top_ + barHeight - 2, { stroke: '#111' }));
      parts.push(text(px(c.p95) + 4, top_ + barHeight - 2, c.p50 >= 10 ? c.p50.toFixed(0) : c.p50.toFixed(1), { size: 9, fill: '#333' }));
    });
  });
  const goal = l.goals.save_to_pixels_p50_ms_at_most;
  parts.push(line(px(goal), plot.y, px(goal), plot.y + plot.h, { stroke: '#b8423f', dash: '5 3', width: 1.5 }));
  legend(parts, area.x - 50, y + PANEL_HEIGHT - 12, runs.map((run, r) => [`${run.workers} workers${run.page === 'idle' ? ', idle' : ''}`,
    colors[r % colors.length]]));
  const goalX = area.x - 50 + runs.length * 110;
  parts.push(line(goalX, y + PANEL_HEIGHT - 16, goalX + 18, y + PANEL_HEIGHT - 16, { stroke: '#b8423f', dash: '5 3', width: 1.5 }),
    text(goalX + 22, y + PANEL_HEIGHT - 12, `goal: save → new pixels ≤ ${goal} ms (p50)`, { size: 11, fill: '#b8423f' }));
  return parts;
}

const SCENE_COLORS = ['#3b6ea8', '#e07b39', '#4a9a5b', '#7a68b3', '#b8423f'];

// Log-scale ticks (1, 2, 5 per decade) covering [low, high].
function logTicks(low, high) {
  const ticks = [];
  for (let power = Math.floor(Math.log10(low)); power <= Math.ceil(Math.log10(high)); ++power) {
    for (const factor of [1, 2, 5]) {
      const value = factor * 10 ** power;
      if (value >= low * 0.999 && value <= high * 1.001) ticks.push(value);
    }
  }
  return ticks;
}
const tickLabel = (value) => (value >= 1 ? String(Math.round(value * 100) / 100) : value.toPrecision(1));

function errorPanel(c, x, y) {
  const { area, parts } = panel(x, y, 'Page error against time: with and without light sampling',
    `${c.width}×${c.height}, ${c.workers} workers; RMSE of the 8-bit picture against the reference; log–log; median`);
  const points = c.rows.flatMap((row) => [...row.light_sampling.page, ...row.material_sampling.page]);
  const errors = points.map((p) => p.rmse_8bit.median).filter((e) => e > 0);
  const [eLow, eHigh] = [Math.min(...errors) / 1.3, Math.max(...errors) * 1.3];
  const [tLow, tHigh] = [Math.min(...c.times_seconds) / 1.25, Math.max(...c.times_seconds) * 1.25];
  const px = (seconds) => area.x + (Math.log(seconds / tLow) / Math.log(tHigh / tLow)) * area.w;
  const py = (error) => area.y + area.h - (Math.log(Math.max(error, eLow) / eLow) / Math.log(eHigh / eLow)) * area.h;
  for (const tick of logTicks(eLow, eHigh)) {
    parts.push(line(area.x, py(tick), area.x + area.w, py(tick), { stroke: '#ddd' }), text(area.x - 6, py(tick) + 4, tickLabel(tick), { size: 11, anchor: 'end' }));
  }
  parts.push(line(area.x, area.y + area.h, area.x + area.w, area.y + area.h));
  for (const seconds of c.times_seconds) parts.push(text(px(seconds), area.y + area.h + 15, `${seconds} s`, { size: 11, anchor: 'middle' }));
  parts.push(text(area.x - 46, area.y + area.h / 2, 'RMSE, 8-bit steps', { size: 11, anchor: 'middle', rotate: -90 }));
  c.rows.forEach((row, index) => {
    const color = SCENE_COLORS[index % SCENE_COLORS.length];
    for (const [estimator, dash] of [['light_sampling', null], ['material_sampling', '6 4']]) {
      const page = row[estimator].page;
      const polyline = page.map((p) => `${px(p.seconds).toFixed(1)},${py(p.rmse_8bit.median).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${polyline}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
      for (const p of page) parts.push(`<circle cx="${px(p.seconds).toFixed(1)}" cy="${py(p.rmse_8bit.median).toFixed(1)}" r="3" fill="${dash ? '#fff' : color}" stroke="${color}"/>`);
    }
  });
  legend(parts, area.x - 50, y + PANEL_HEIGHT - 12, c.rows.map((row, index) => [sceneName(row.scene), SCENE_COLORS[index % SCENE_COLORS.length]]));
  parts.push(text(area.x + area.w, y + PANEL_HEIGHT - 12, 'solid: with, dashed: without', { size: 11, anchor: 'end', fill: '#555' }));
  return parts;
}

function samplesPanel(c, x, y) {
  const { area, parts } = panel(x, y, 'Samples per pixel to a fixed error',
    `8-bit RMSE ${c.target_rmse_8bit} / linear ${(c.target_relative_rmse_linear * 100).toFixed(0)} %; log scale; label = fewer samples with light sampling`);
  const groups = c.rows.flatMap((row) => [
    { label: sceneName(row.scene), sublabel: '8-bit', values: [row.light_sampling.samples_to_target_8bit, row.material_sampling.samples_to_target_8bit], ratio: row.samples_ratio_8bit },
    { label: '', sublabel: 'linear', values: [row.light_sampling.samples_to_target_linear, row.material_sampling.samples_to_target_linear], ratio: row.samples_ratio_linear },
  ]);
  const all = groups.flatMap((g) => g.values);
  const [low, high] = [Math.min(1, ...all), Math.max(...all) * 2];
  const py = (value) => area.y + area.h - (Math.log(value / low) / Math.log(high / low)) * area.h;
  for (const tick of logTicks(low, high).filter((t) => [1, 10, 100, 1000, 10000, 100000].includes(t) || high / low < 100)) {
    parts.push(line(area.x, py(tick), area.x + area.w, py(tick), { stroke: tick === low ? '#222' : '#ddd' }), text(area.x - 6, py(tick) + 4, tickLabel(tick), { size: 11, anchor: 'end' }));
  }
  parts.push(text(area.x - 46, area.y + area.h / 2, 'samples per pixel', { size: 11, anchor: 'middle', rotate: -90 }));
  const groupWidth = area.w / groups.length;
  groups.forEach((group, g) => {
    const barWidth = Math.min(24, (groupWidth - 10) / 2);
    const start = area.x + g * groupWidth + (groupWidth - 2 * barWidth) / 2;
    group.values.forEach((value, b) => {
      parts.push(rect(start + b * barWidth + 1, py(value), barWidth - 2, area.y + area.h - py(value), b === 0 ? COLORS.two : COLORS.eight));
    });
    parts.push(text(start + barWidth, py(Math.max(...group.values)) - 5, `${group.ratio.toFixed(1)}×`, { size: 10, anchor: 'middle', weight: 'bold' }));
    parts.push(text(area.x + (g + 0.5) * groupWidth, area.y + area.h + 15, group.sublabel, { size: 10, anchor: 'middle', fill: '#555' }));
    if (group.label) parts.push(text(area.x + (g + 1) * groupWidth, area.y + area.h + 29, group.label, { size: 11, anchor: 'middle' }));
  });
  legend(parts, area.x - 50, y + PANEL_HEIGHT - 12, [['with light sampling', COLORS.two], ['without (material sampling)', COLORS.eight]]);
  return parts;
}

function missingPanel(x, y, title) {
  return [text(x + 16, y + 22, title, { size: 15, weight: 'bold' }), text(x + 16, y + 60, 'no result in this run', { size: 12, fill: '#b8423f' })];
}

export function svgPlot(results) {
  const m = results.measures;
  const goalLines = Math.ceil(goalRows(results).length / 2);
  const height = TOP + 3 * PANEL_HEIGHT + 70 + goalLines * 16;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    rect(0, 0, WIDTH, height, '#ffffff'),
    text(16, 26, `Hot-swap raytracer benchmarks (${results.mode} run, ${results.started_at.slice(0, 16).replace('T', ' ')} UTC)`, { size: 18, weight: 'bold' }),
    text(16, 45, `${results.machine.cpu_model}, ${results.machine.logical_cores} cores; Chromium ${results.machine.chromium_version}; ` +
      `commit ${results.machine.git_commit.slice(0, 10)}; load ${results.machine.load_average_at_start[0]} at start`, { size: 11, fill: '#555' }),
  ];
  parts.push(...(m.throughput ? throughputPanel(m.throughput, 0, TOP) : missingPanel(0, TOP, 'Samples per second')));
  parts.push(...(m.scaling ? scalingPanel(m.scaling, PANEL_WIDTH, TOP) : missingPanel(PANEL_WIDTH, TOP, 'Scaling')));
  parts.push(...(m.hot_call_overhead && m.main_module_vs_plain ? buildsPanel(m.hot_call_overhead, m.main_module_vs_plain, 0, TOP + PANEL_HEIGHT)
    : missingPanel(0, TOP + PANEL_HEIGHT, 'Builds of the benchmark program')));
  parts.push(...(m.patch_latency ? latencyPanel(m.patch_latency, PANEL_WIDTH, TOP + PANEL_HEIGHT) : missingPanel(PANEL_WIDTH, TOP + PANEL_HEIGHT, 'Patch latency')));
  parts.push(...(m.convergence ? errorPanel(m.convergence, 0, TOP + 2 * PANEL_HEIGHT) : missingPanel(0, TOP + 2 * PANEL_HEIGHT, 'Page error against time')));
  parts.push(...(m.convergence ? samplesPanel(m.convergence, PANEL_WIDTH, TOP + 2 * PANEL_HEIGHT)
    : missingPanel(PANEL_WIDTH, TOP + 2 * PANEL_HEIGHT, 'Samples per pixel to a fixed error')));
  const goals = goalRows(results);
  const goalTop = TOP + 3 * PANEL_HEIGHT + 8;
  parts.push(line(16, goalTop, WIDTH - 16, goalTop, { stroke: '#ccc' }));
  const judged = results.mode === 'full';
  parts.push(text(16, goalTop + 20, judged ? `Goals: ${goals.filter((g) => g.met).length} of ${goals.length} met`
    : 'Goals (quick run: minimal sizes, figures not judged)', { size: 12, weight: 'bold' }));
  const perColumn = Math.ceil(goals.length / 2);
  goals.forEach((goal, i) => {
    const x = 16 + Math.floor(i / perColumn) * (WIDTH / 2);
    const y = goalTop + 38 + (i % perColumn) * 16;
    const mark = judged ? (goal.met ? '✔ ' : '✘ ') : '';
    const color = judged ? (goal.met ? '#2d7a3e' : '#b8423f') : '#333';
    parts.push(text(x, y, `${mark}${goal.goal}: ${goal.current}`, { size: 10.5, fill: color }));
  });
  parts.push(text(16, height - 12, `Command: ${results.command}   (details: results.md / docs/BENCHMARKS.md)`, { size: 11, fill: '#555' }));
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
