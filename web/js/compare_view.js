// Two versions of the code on one picture, the page's half (the program's is
// app/web/comparison.cpp): the controls (versions A and B from the patch log, the view, the
// A/B flip), the split line drawn over the picture as an overlay (the picture itself holds
// rendered pixels only) and dragged to move, the difference view's scale, and the script
// interface raytracerPage.compare({left, right, split, view}) / compare(null).
const VIEWS = ['split', 'difference', 'left', 'right'];
const REFRESH_MS = 250;

export function createCompareView({ program, overlay, patches }) {
  const loader = globalThis.HotswapMain;
  const element = (id) => document.getElementById(id);
  const leftSelect = element('compare-left'), rightSelect = element('compare-right'), viewSelect = element('compare-view');
  const toggle = element('compare-toggle'), flip = element('compare-flip');
  const frameOverlay = element('compare-overlay'), line = element('compare-line'), handle = element('compare-handle');
  const leftLabel = element('compare-label-left'), rightLabel = element('compare-label-right');
  const scale = element('compare-scale'), scaleLargest = element('compare-scale-largest'), scaleNote = element('compare-scale-note');

  // The versions the program can run on this thread (version 0 and every patch in effect).
  const runnable = () => globalThis.HotswapVersions.available();

  let listed = '';
  const refreshVersionLists = () => {
    const versions = runnable();
    if (versions.join(',') === listed) return;  // unchanged: leave an open menu alone
    listed = versions.join(',');
    for (const select of [leftSelect, rightSelect]) {
      const chosen = select.value;
      select.replaceChildren(...versions.map((v) => new Option(v === 0 ? '0 (as built)' : String(v), String(v))));
      if (versions.includes(+chosen) && chosen !== '') select.value = chosen;
    }
    // The default: the one before the newest, and the newest.
    if (!leftSelect.dataset.chosen) leftSelect.value = String(versions[Math.max(0, versions.length - 2)]);
    if (!rightSelect.dataset.chosen) rightSelect.value = String(versions[versions.length - 1]);
  };

  // Resolves once `version` can be compared (a patch still loading or waiting for the frame
  // boundary is waited for); rejects saying why it cannot.
  const versionReady = async (version) => {
    if (version === 0) return;
    await patches.startupList;  // versions a page opened with compare=A,B is given at start-up
    const refused = (why) => new Error(`version ${version} cannot be compared: ${why}; the versions that can be are ${runnable().join(', ')}`);
    for (;;) {
      const entry = loader.entries[version];
      if (!entry) throw refused('no patch of that version has been built');
      if (entry.state === 'applied') return;
      if (entry.state === 'rolled back') throw refused(`it was rolled back (${entry.failure.message})`);
      if (entry.state === 'rejected') throw refused(`it was rejected (${entry.failure.kind}: ${entry.failure.message})`);
      await new Promise((resolve) => setTimeout(resolve, 20));  // loading, or ready for the next frame boundary
    }
  };

  const checkRequest = ({ left, right, split = 0.5, view = 'split' }) => {
    for (const [name, version] of [['left', left], ['right', right]]) {
      if (!Number.isInteger(version) || version < 0) throw new Error(`compare: ${name} must be a version (a whole number, 0 = as built), not ${JSON.stringify(version)}`);
    }
    if (typeof split !== 'number' || !(split >= 0 && split <= 1)) throw new Error(`compare: split must be a number from 0 to 1 (a fraction of the width), not ${JSON.stringify(split)}`);
    if (!VIEWS.includes(view)) throw new Error(`compare: view must be one of ${VIEWS.join(', ')}, not ${JSON.stringify(view)}`);
    return { left, right, split, view };
  };

  let requested = null;  // the newest request, for the drag and the flip
  const compare = async (request) => {
    if (request === null) {
      requested = null;
      program.endComparison();
      refresh();
      return null;
    }
    const checked = checkRequest(request);
    await versionReady(checked.left);
    await versionReady(checked.right);
    const outcome = program.compare(checked.left, checked.right, checked.split, checked.view);
    if (outcome.startsWith('error:')) throw new Error(outcome.slice('error:'.length));
    requested = checked;
    refresh();
    return checked;
  };

  // The same comparison with some fields changed (the controls, the drag, the flip).
  const change = (fields) => {
    const stats = program.statistics().compare;
    const base = stats ? { left: stats.left, right: stats.right, split: stats.split, view: stats.view } : requested;
    if (!base) return;
    compare({ ...base, ...fields }).catch((error) => overlay.show({ title: 'Comparison not changed', summary: error.message }));
  };

  toggle.addEventListener('click', () => {
    if (program.statistics().compare) {
      compare(null);
      return;
    }
    compare({ left: +leftSelect.value, right: +rightSelect.value, view: viewSelect.value })
      .catch((error) => overlay.show({ title: 'Comparison not started', summary: error.message }));
  });
  leftSelect.addEventListener('change', () => { leftSelect.dataset.chosen = 'yes'; change({ left: +leftSelect.value }); });
  rightSelect.addEventListener('change', () => { rightSelect.dataset.chosen = 'yes'; change({ right: +rightSelect.value }); });
  viewSelect.addEventListener('change', () => change({ view: viewSelect.value }));
  // In place: A's and B's whole pictures are both rendered, so this shows the other at once.
  flip.addEventListener('click', () => {
    const stats = program.statistics().compare;
    change({ view: stats && stats.view === 'left' ? 'right' : 'left' });
  });

  // Dragging the line moves the split (each move starts the picture over, as an orbit does).
  let dragging = false, pendingSplit = null;
  const splitAt = (event) => {
    const picture = document.getElementById('picture');
    if (!picture) return null;
    const box = picture.getBoundingClientRect();
    return Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
  };
  handle.addEventListener('pointerdown', (event) => {
    dragging = true;
    handle.setPointerCapture(event.pointerId);
    event.stopPropagation();
  });
  handle.addEventListener('pointermove', (event) => {
    if (!dragging) return;
    const split = splitAt(event);
    if (split === null) return;
    line.style.left = `${split * 100}%`;
    if (pendingSplit === null) requestAnimationFrame(() => { change({ split: pendingSplit }); pendingSplit = null; });
    pendingSplit = split;
  });
  const stop = () => { dragging = false; };
  handle.addEventListener('pointerup', stop);
  handle.addEventListener('pointercancel', stop);

  // What the program shows: the overlay, the labels, the scale, the controls.
  const refresh = () => {
    const stats = program.statistics().compare;
    toggle.textContent = stats ? 'End comparison' : 'Compare';
    flip.disabled = !stats;
    frameOverlay.hidden = !stats;
    scale.hidden = !stats || stats.view !== 'difference';
    if (!stats) return;
    const name = (v) => `v${v}${v === 0 ? ' (as built)' : ''}`;
    line.hidden = stats.view !== 'split';
    if (!dragging && stats.view === 'split') line.style.left = `${stats.split * 100}%`;
    leftLabel.hidden = stats.view === 'right';
    rightLabel.hidden = stats.view === 'left';
    leftLabel.textContent = stats.view === 'difference' ? `|A − B|: A ${name(stats.left)}` : `A ${name(stats.left)}`;
    rightLabel.textContent = stats.view === 'difference' ? `B ${name(stats.right)}` : `B ${name(stats.right)}`;
    if (document.activeElement !== viewSelect) viewSelect.value = stats.view;
    leftSelect.value = String(stats.left);
    rightSelect.value = String(stats.right);
    if (stats.largestDifference !== null) {
      scaleLargest.textContent = String(stats.largestDifference);
      scaleNote.textContent = stats.largestDifference === 0 ? 'identical pictures'
        : `${stats.differingPixels.toLocaleString('en')} pixels differ`;
    }
  };

  refreshVersionLists();
  loader.listeners.push(() => refreshVersionLists());
  setInterval(() => { refreshVersionLists(); refresh(); }, REFRESH_MS);
  refresh();
  return { compare };
}

// compare=A,B from the URL: [A, B], null when absent; throws when it is not two versions.
export function parseCompareParameter(text) {
  if (text === null || text === undefined) return null;
  const match = /^(\d+),(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`compare=${text}: expected two versions, e.g. compare=0,3 (A left of the line, B right of it)`);
  return [+match[1], +match[2]];
}
