// The raytracer page: checks the browser, loads the program, wires the canvas, controls,
// stats, patch client and error overlay, then starts rendering. `globalThis.raytracerPage`
// exposes the pieces for the browser tests and benchmarks.
import { createCanvasSlot } from './canvas_slot.js';
import { createCompareView, parseCompareParameter } from './compare_view.js';
import { readInitialSettings, setUpControls } from './controls.js';
import { createErrorOverlay } from './error_overlay.js';
import { takeRestart } from './hot_restart.js';
import { missingFeatures, showUnsupported } from './environment.js';
import { startPatchClient } from './patch_client.js';
import { loadProgram } from './program.js';
import { startStatusPanel } from './status_panel.js';

async function main() {
  const missing = missingFeatures();
  if (missing.length) return showUnsupported(missing);

  const overlay = createErrorOverlay();
  let canvasSlot = null, patches = null;
  // Called by the program (app/web/canvas_bridge.cpp, frame_loop.cpp).
  globalThis.RaytracerPage = {
    freshCanvas: (width, height) => canvasSlot.freshCanvas(width, height),
    onNewVersionShown: (version) => patches && patches.versionShown(version),
    reportProblem: (title, summary) => {
      overlay.show({ title, summary });
      if (patches) patches.reportProblem(title, summary);
    },
  };
  let program;
  try {
    program = await loadProgram();
  } catch (error) {
    overlay.show({ title: 'The program did not load', summary: error.message });
    return;
  }
  canvasSlot = createCanvasSlot(document.getElementById('canvas-slot'), program);
  globalThis.WwmMain.errorListeners.push((text) => overlay.show({ title: 'Worker problem', summary: text }));
  const restarted = takeRestart();  // this load is a hot restart: what the user had set up
  patches = startPatchClient({ overlay, program, restarted });
  const settings = { ...readInitialSettings(), ...(restarted ? restarted.settings : {}) };
  await setUpControls(program, overlay, settings);
  if (restarted && restarted.camera) program.setCamera(restarted.camera);
  program.start();
  startStatusPanel(program);
  if (restarted) patches.reportRestartWhenShown();
  const comparison = createCompareView({ program, overlay, patches });
  globalThis.raytracerPage = { program, overlay, patches, settings, restarted, ready: true,
    // Two versions on one picture: {left, right, split = 0.5, view = 'split'}, or null to end.
    compare: (request) => comparison.compare(request) };
  try {
    const versions = parseCompareParameter(settings.compare);
    if (versions) {
      comparison.compare({ left: versions[0], right: versions[1] })
        .catch((error) => overlay.show({ title: 'Comparison not started', summary: error.message }));
    }
  } catch (error) {
    overlay.show({ title: 'Comparison not started', summary: error.message });
  }
}

main();
