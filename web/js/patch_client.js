// The page's side of the development loop: patch announcements arrive from the dev server
// (server-sent events at /events; /patches/index.json for those built before the page
// loaded) and go to the program's patch loader (HotswapMain), strictly in version order.
// Every patch gets a row in the patch log; a rejected one shows in the error overlay;
// both are reported to the terminal (POST /api/report).
export function startPatchClient({ overlay }) {
  const loader = globalThis.HotswapMain;
  const format = globalThis.HotswapPatchFormat;
  const badge = document.getElementById('connection');
  const tbody = document.querySelector('#patch-log tbody');
  const rows = new Map();     // version -> <tr>
  const reported = new Set(); // "<version> <state>" already reported to the terminal
  const shown = new Map();    // version -> ms from announcement to its first frame on screen

  const announce = (manifest) => loader.announce({
    ...manifest, module: manifest.module ? format.patch_url_prefix + manifest.module : undefined,
  });

  const report = (body) => fetch('/api/report', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    .catch(() => {});  // no dev server: nothing to tell

  const fixed = (value) => (typeof value === 'number' ? value.toFixed(1) : '');
  const render = (entry) => {
    let row = rows.get(entry.version);
    if (!row) {
      row = document.createElement('tr');
      row.innerHTML = '<td></td><td></td><td></td><td></td><td></td><td></td><td></td>';
      rows.set(entry.version, row);
      tbody.prepend(row);
    }
    const workers = entry.workers ? Object.entries(entry.workers).map(([id, ms]) => `${id}: ${ms.toFixed(1)}`).join(', ') : '';
    const cells = [entry.version, entry.files.join(', '), entry.state + (entry.failure ? ` (${entry.failure.kind})` : ''),
      fixed(entry.buildMs), entry.compileMs !== undefined ? fixed(entry.fetchMs + entry.compileMs) : '', fixed(entry.applyMainMs), workers];
    cells.forEach((value, index) => { row.children[index].textContent = value; });
    row.children[2].className = 'state-' + entry.state.split(' ')[0];
  };

  loader.listeners.push((entry) => {
    render(entry);
    const key = `${entry.version} ${entry.state}`;
    if ((entry.state === 'rejected' || entry.state === 'rolled back') && !reported.has(key)) {
      reported.add(key);
      overlay.show({ title: `Patch ${entry.version} ${entry.state}: ${entry.failure.kind.replace(/_/g, ' ')}`,
        summary: `${entry.files.join(', ')}: ${format.failure_kinds[entry.failure.kind] || 'the patch failed'}.`,
        details: entry.failure.message });
      report({ kind: format.report_kinds.patch_rejected, version: entry.version, files: entry.files, failure: entry.failure });
    }
  });

  const source = new EventSource('/events');
  const onPatch = (event) => announce(JSON.parse(event.data));
  source.addEventListener(format.events.patch_built, onPatch);
  source.addEventListener(format.events.patch_failed, onPatch);
  source.addEventListener(format.events.build_started, (event) => {
    const { files } = JSON.parse(event.data);
    badge.textContent = `building ${files.join(', ')}…`;
  });
  source.onopen = () => { badge.textContent = 'dev loop connected'; badge.classList.add('connected'); };
  source.onerror = () => { badge.textContent = 'no dev loop'; badge.classList.remove('connected'); };

  fetch('/patches/index.json').then((response) => (response.ok ? response.json() : { patches: [] }))
    .then(({ patches }) => patches.forEach(announce)).catch(() => {});

  return {
    shown,
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
        shown_at_epoch_ms: performance.timeOrigin + performance.now() });
    },
  };
}
