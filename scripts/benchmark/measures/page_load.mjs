// Measure 3: page load to first full frame: from navigation start (performance.now() counts
// from it) to the first frame presented (statistics().frames >= 1 and presentedFrame >= 1),
// in a fresh browser context each time (empty HTTP cache, no compiled-code cache). Also
// when the program was ready (raytracerPage set: program compiled, scene loaded, controls
// up) and when the document's load event ended.
import { pageUrl } from '../raytracer_page.mjs';
import { summarize } from '../statistics.mjs';

// Installed before any script of the page runs: polls every 2 ms for the milestones.
function watchMilestones() {
  const milestones = globalThis.__benchmarkLoad = {};
  const timer = setInterval(() => {
    const page = globalThis.raytracerPage;
    if (!page || !page.program) return;
    if (milestones.ready_ms === undefined) milestones.ready_ms = performance.now();
    const statistics = page.program.statistics();
    if (statistics.frames >= 1 && statistics.presentedFrame >= 1) {
      milestones.first_frame_ms = performance.now();
      clearInterval(timer);
    }
  }, 2);
}

export function plan(settings, context) {
  const options = settings.page_load;
  const runs = new Map();  // scene -> [{first_frame_ms, ready_ms, load_event_ms, program_fetched_ms}]
  const steps = options.scenes.map((scene) => ({
    label: `page load, ${scene.replace('.json', '')}, ${options.workers} workers, ${options.repetitions}x`,
    seconds: options.repetitions * 2.5,
    run: async () => {
      const measured = [];
      for (let repetition = 0; repetition < options.repetitions; ++repetition) {
        const browserContext = await context.browser.newContext();
        try {
          const page = await browserContext.newPage();
          const errors = [];
          page.on('pageerror', (error) => errors.push(error.message));
          await page.addInitScript(watchMilestones);
          await page.goto(pageUrl(context.server.url, { scene, width: options.width, height: options.height, workers: options.workers }));
          await page.waitForFunction(() => globalThis.__benchmarkLoad?.first_frame_ms !== undefined, null, { timeout: 60000, polling: 20 });
          const milestones = await page.evaluate(() => {
            const navigation = performance.getEntriesByType('navigation')[0];
            const program = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('/raytracer.wasm'));
            return { ...globalThis.__benchmarkLoad, load_event_ms: navigation.loadEventEnd, program_fetched_ms: program ? program.responseEnd : null };
          });
          if (errors.length) throw new Error(`page load of ${scene}: the page reported errors: ${errors.join('; ')}`);
          measured.push(milestones);
        } finally {
          await browserContext.close();
        }
      }
      runs.set(scene, measured);
    },
  }));

  const finish = () => ({
    page_load: {
      unit: 'ms', width: options.width, height: options.height, workers: options.workers,
      rows: options.scenes.map((scene) => {
        const measured = runs.get(scene);
        const row = {
          scene,
          first_frame_ms: summarize(measured.map((m) => m.first_frame_ms)),
          ready_ms: summarize(measured.map((m) => m.ready_ms)),
          load_event_ms: summarize(measured.map((m) => m.load_event_ms)),
        };
        if (measured.every((m) => m.program_fetched_ms !== null)) row.program_fetched_ms = summarize(measured.map((m) => m.program_fetched_ms));
        return row;
      }),
    },
  });
  return { steps, finish };
}
