// The page's side of the development loop: patch announcements arrive from the dev server
// (server-sent events at /events; /patches/index.json for those built before the page
// loaded) and go to the program's patch loader (HotswapMain), strictly in version order.
// Every patch gets a row in the patch log: what it compiled, whether it applied, which
// functions it changed and which of those have run since (or "no code changed"), its
// warnings. A rejected one shows in the error overlay; the overlay closes by itself when a
// later patch applies. A save no patch can carry ends in a hot restart (hot_restart.js): the
// log says "restarting", then "restarted: why" after the reload. A saved scene file reloads
// the scene on screen. All of it is reported to the terminal (POST /api/report).
import { saveForRestart } from './hot_restart.js';
import { reloadSavedScene } from './scene_loading.js';

const BUILD_PAUSE_LIMIT_MS = 20000;  // a build this long: the page renders again meanwhile

export function startPatchClient({ overlay, program, restarted = null }) {
  const loader = globalThis.HotswapMain;
  const format = globalThis.HotswapPatchFormat;
  const badge = document.getElementById('connection');
  const tbody = document.querySelector('#patch-log tbody');
  const rows = new Map();     // version -> {row, notes}
  const reported = new Set(); // "<version> <state>" already reported to the terminal
  const reportedRuns = new Map();  // version -> names of changed functions reported as run
  const shown = new Map();    // version -> ms from announcement to its first frame on screen
  let overlayFor = null;      // {version, token}: the patch failure the overlay shows

  // A live announcement carries its module (base64): no fetch. One from the start-up list has its URL.
  const decode = (text) => Uint8Array.from(atob(text), (character) => character.charCodeAt(0)).buffer;
  const announce = ({ module_base64: moduleBase64, ...manifest }) => loader.announce({
    ...manifest, module: manifest.module ? format.patch_url_prefix + manifest.module : undefined,
    moduleBytes: moduleBase64 ? decode(moduleBase64) : undefined,
  });

  const report = (body) => fetch('/api/report', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    .catch(() => {});  // no dev server: nothing to tell

  const fixed = (value) => (typeof value === 'number' ? value.toFixed(1) : '');

  // The changed functions, once per name (loader.changedFunctions), each marked ✓ once it
  // (any of its variants) ran, ○ while it has not.
  const renderChanges = (cell, entry) => {
    cell.replaceChildren();
    if (entry.state === 'rejected' || entry.state === 'announced' || entry.state === 'loading') return;
    if (!entry.changed.length) {
      cell.textContent = 'no code changed';
      cell.className = 'no-change';
      return;
    }
    cell.className = '';
    for (const change of loader.changedFunctions(entry)) {
      const item = document.createElement('span');
      const ran = change.ranMs !== undefined;
      item.className = ran ? 'ran' : 'not-run';
      item.textContent = `${ran ? '✓' : '○'} ${change.short}${change.new ? ' (new)' : ''}`;
      item.title = `${change.readable}: ${ran ? `ran ${change.ranMs.toFixed(0)} ms after the patch applied`
        : (entry.state === 'applied' ? 'live, has not run yet' : 'not applied yet')}`;
      cell.append(item, ' ');
    }
  };

  const render = (entry) => {
    let view = rows.get(entry.version);
    if (!view) {
      const row = document.createElement('tr');
      row.innerHTML = '<td></td><td></td><td></td><td class="changes"></td><td></td><td></td><td></td><td></td>';
      const notes = document.createElement('tr');
      notes.className = 'patch-notes';
      notes.innerHTML = '<td colspan="8"></td>';
      notes.hidden = true;
      view = { row, notes };
      rows.set(entry.version, view);
      tbody.prepend(row, notes);
    }
    const { row, notes } = view;
    const workers = entry.workers ? Object.entries(entry.workers).map(([id, ms]) => `${id}: ${ms.toFixed(1)}`).join(', ') : '';
    const cells = [entry.version, entry.files.join(', '), entry.state + (entry.failure ? ` (${entry.failure.kind})` : ''), null,
      fixed(entry.buildMs), entry.compileMs !== undefined ? fixed(entry.fetchMs + entry.compileMs) : '', fixed(entry.applyMainMs), workers];
    cells.forEach((value, index) => { if (value !== null) row.children[index].textContent = value; });
    row.children[2].className = 'state-' + entry.state.split(' ')[0];
    renderChanges(row.children[3], entry);
    const notesText = entry.warnings.map((w) => `warning: ${w.file}:${w.line}:${w.column}: ${w.message}`);
    if (entry.state === 'rolled back') notesText.unshift(`rolled back: ${entry.failure.message}`);
    notes.hidden = !notesText.length;
    notes.firstChild.textContent = notesText.join('\n');
  };

  // Decided per name: a function ran once any of its variants did.
  const reportRuns = (entry) => {
    const before = reportedRuns.get(entry.version) || new Set();
    const changes = loader.changedFunctions(entry);
    const fresh = changes.filter((change) => change.ranMs !== undefined && !before.has(change.short));
    if (!fresh.length) return;
    fresh.forEach((change) => before.add(change.short));
    reportedRuns.set(entry.version, before);
    report({ kind: format.report_kinds.patch_ran, version: entry.version,
      functions: fresh.map((change) => ({ name: change.short, ms: change.ranMs })),
      not_run: changes.filter((change) => change.ranMs === undefined).map((change) => change.short) });
  };

  loader.listeners.push((entry) => {
    render(entry);
    const key = `${entry.version} ${entry.state}`;
    if ((entry.state === 'rejected' || entry.state === 'rolled back') && !reported.has(key)) {
      reported.add(key);
      overlayFor = { version: entry.version, token: null };
      overlayFor.token = overlay.show({ title: `Patch ${entry.version} ${entry.state}: ${entry.failure.kind.replace(/_/g, ' ')}`,
        summary: `${entry.files.join(', ')}: ${format.failure_kinds[entry.failure.kind] || 'the patch failed'}.`,
        details: entry.failure.message });
      report({ kind: format.report_kinds.patch_rejected, version: entry.version, files: entry.files, failure: entry.failure });
    }
    if (entry.state === 'applied') {
      // A later patch applied: the failure the overlay shows is history now.
      if (overlayFor !== null && entry.version > overlayFor.version) {
        overlay.hideIfShowing(overlayFor.token);
        overlayFor = null;
      }
      reportRuns(entry);
    }
  });

  // A row of its own, above the patches: a restart, or one under way.
  const noteRow = (text, className) => {
    const row = document.createElement('tr');
    row.className = className;
    row.innerHTML = '<td colspan="8"></td>';
    row.firstChild.textContent = text;
    tbody.prepend(row);
    return row;
  };
  if (restarted) {
    tbody.innerHTML = restarted.patchLog || '';
    const comparison = restarted.comparison ? `; the comparison of versions ${restarted.comparison.left} and ` +
      `${restarted.comparison.right} ended: the restart replaced the program and every version of it, versions start over at 1` : '';
    noteRow(`restarted: ${restarted.reason} (program rebuilt in ${(restarted.buildMs / 1000).toFixed(1)} s; settings and camera kept${comparison})`,
      'restart-note');
  }
  let restartRow = null;

  // While a patch builds the page renders nothing new (FrameLoop::pause_for_build): the
  // compiler gets the cores, and the old code's samples would be thrown away anyway. Any
  // outcome ends the pause, and so does a build that takes too long.
  let buildPause = null;
  const pauseForBuild = (paused) => {
    clearTimeout(buildPause);
    buildPause = paused ? setTimeout(() => pauseForBuild(false), BUILD_PAUSE_LIMIT_MS) : null;
    program.pauseForBuild(paused);
  };

  const source = new EventSource('/events');
  // The loader reads the program (its wasm's signatures, its table map) before its first
  // patch; done now, once the dev loop answers, rather than on the first save (~55 ms of it).
  source.addEventListener('open', () => loader.programSummary().catch(() => {}), { once: true });
  // A built patch keeps the pause until the loader has it ready (or refused it): a frame
  // started meanwhile would run the old code, to be given up when the patch is ready.
  let pausedFor = null;  // the version the pause waits for
  loader.listeners.push((entry) => {
    if (entry.version === pausedFor && entry.state !== 'announced' && entry.state !== 'loading') {
      pausedFor = null;
      pauseForBuild(false);
    }
  });
  const onPatch = (event) => {
    const manifest = JSON.parse(event.data);
    if (manifest.failure || !buildPause || loader.entries[manifest.version]) {
      pauseForBuild(false);
    } else {
      pausedFor = manifest.version;
    }
    announce(manifest);
  };
  source.addEventListener(format.events.patch_built, onPatch);
  source.addEventListener(format.events.patch_failed, onPatch);
  source.addEventListener(format.events.build_started, (event) => {
    const { files } = JSON.parse(event.data);
    badge.textContent = `building ${files.join(', ')}…`;
    pauseForBuild(true);
  });
  source.addEventListener(format.events.restart_started, (event) => {
    const { version, reason } = JSON.parse(event.data);
    badge.textContent = `restarting: ${reason} (rebuilding the program…)`;
    restartRow = noteRow(`patch ${version} needs a restart: ${reason}. Rebuilding the program; the page reloads and keeps its settings and camera…`,
      'restart-note');
  });
  source.addEventListener(format.events.restart_failed, (event) => {
    const { version, reason, message } = JSON.parse(event.data);
    pauseForBuild(false);
    badge.textContent = 'dev loop connected';
    if (restartRow) restartRow.firstChild.textContent = `patch ${version} needs a restart (${reason}), but the program did not build; the page keeps the code it had.`;
    overlay.show({ title: `Restart failed: the program did not build`, summary: `Patch ${version} needed a restart (${reason}).`, details: message });
  });
  source.addEventListener(format.events.program_rebuilt, (event) => {
    saveForRestart(program, JSON.parse(event.data));
    location.reload();
  });
  // A saved scene file: the scene on screen reloads (scene_loading.js); a wrong one shows
  // in the overlay, which closes once a later save of it loads.
  let sceneError = null;  // {file, token}
  let sceneReloads = Promise.resolve();  // one at a time, in the order of the saves
  const onSceneSaved = async ({ file, saved_at_epoch_ms: savedAt }) => {
    try {
      const outcome = await reloadSavedScene(program, file);
      if (sceneError && outcome.shown) {
        overlay.hideIfShowing(sceneError.token);
        sceneError = null;
      }
      report({ kind: format.report_kinds.scene_reloaded, file, saved_at_epoch_ms: savedAt, ...outcome });
    } catch (error) {
      sceneError = { file, token: overlay.show({ title: `Scene file ${file} not loaded`,
        summary: 'The saved file has an error; the page keeps the scene it had.', details: error.message }) };
      report({ kind: format.report_kinds.scene_rejected, file, message: error.message });
    }
  };
  source.addEventListener(format.events.scene_saved, (event) => {
    const saved = JSON.parse(event.data);
    sceneReloads = sceneReloads.then(() => onSceneSaved(saved));
  });
  source.onopen = () => { badge.textContent = 'dev loop connected'; badge.classList.add('connected'); };
  source.onerror = () => { badge.textContent = 'no dev loop'; badge.classList.remove('connected'); };

  // Settles once the patches built before the page opened are announced (a comparison asked
  // for in the URL waits for it).
  const startupList = fetch('/patches/index.json').then((response) => (response.ok ? response.json() : { patches: [] }))
    .then(({ patches }) => patches.forEach(announce)).catch(() => {});

  return {
    shown,
    // A problem the program showed in the overlay (rendering paused, say): the terminal too.
    reportProblem(title, text) { report({ kind: format.report_kinds.problem, title, text }); },
    startupList,
    restartShownAtEpochMs: null,      // after a hot restart: when its first frame (a preview) was on screen
    restartFullFrameAtEpochMs: null,  // ... and its first full-resolution frame
    // After a hot restart: tells the terminal once the first frame and the first
    // full-resolution frame are on screen.
    reportRestartWhenShown() {
      const now = () => performance.timeOrigin + performance.now();
      const look = () => {
        const s = program.statistics();
        if (s.presentedFrame >= 1 && !this.restartShownAtEpochMs) this.restartShownAtEpochMs = now();
        if (!(s.accumulatedSamples > 0 && s.presentedFrame >= s.completedFrame)) return setTimeout(look, 2);
        this.restartFullFrameAtEpochMs = now();
        report({ kind: format.report_kinds.restart_complete, reason: restarted && restarted.reason,
          shown_at_epoch_ms: this.restartShownAtEpochMs, full_frame_at_epoch_ms: this.restartFullFrameAtEpochMs });
      };
      look();
    },
    // The program showed the first frame rendered with `version`.
    versionShown(version) {
      const entry = loader.entries[version];
      if (!entry || reported.has(`${version} shown`)) return;
      reported.add(`${version} shown`);
      badge.textContent = 'dev loop connected';
      shown.set(version, performance.now() - entry.loadStarted);
      report({ kind: format.report_kinds.patch_applied, version, files: entry.files, build_ms: entry.buildMs,
        fetch_ms: entry.fetchMs, compile_ms: entry.compileMs, apply_main_ms: entry.applyMainMs,
        workers_ms: entry.workers || {}, announce_to_pixels_ms: shown.get(version),
        shown_at_epoch_ms: performance.timeOrigin + performance.now(),
        changed: loader.changedFunctions(entry).map((change) => change.short),
        ran: loader.changedFunctions(entry).filter((change) => change.ranMs !== undefined).map((change) => change.short) });
    },
  };
}
