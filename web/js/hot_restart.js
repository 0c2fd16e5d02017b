// Hot restart, the page's half: when the dev loop rebuilt the program (a save no patch could
// carry), the page saves what the user set up (scene, resolution, samples per frame, workers,
// sample limit, camera after orbit and zoom, the patch log) in sessionStorage, reloads, and
// restores it all on the way up. Nothing but this page's tab sees the saved state. A
// comparison of two versions is not restored: the new program's versions start over.
const KEY = 'raytracer.hotRestart';

// Before the reload: `event` is the dev loop's program-rebuilt event.
export function saveForRestart(program, event) {
  const value = (id) => document.getElementById(id).value;
  const [width, height] = value('resolution').split('x').map(Number);
  const state = {
    settings: { scene: value('scene'), width, height, samplesPerFrame: +value('samples-per-frame'),
      workers: +value('workers'), sampleLimit: +value('sample-limit'), compare: null },
    comparison: program.statistics().compare,  // ended by the restart: the log says so
    camera: program.statistics().camera,
    patchLog: document.querySelector('#patch-log tbody').innerHTML,
    reason: event.reason, kind: event.kind, buildMs: event.build_ms, patchBuildMs: event.patch_build_ms,
    savedAtEpochMs: event.saved_at_epoch_ms, reloadAtEpochMs: performance.timeOrigin + performance.now(),
  };
  sessionStorage.setItem(KEY, JSON.stringify(state));
}

// After it: the saved state, once (null when this load is not a hot restart).
export function takeRestart() {
  const text = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;  // not ours to understand: start fresh
  }
}
