// Measure 1: samples per second, the native renderer with T threads against the page with
// T workers, for every scene, at the same resolution and settings; the page/native ratio
// per thread count and the 2-versus-1 scaling of each.
import { renderNative } from '../native_renderer.mjs';
import { checkNoPageErrors, openRaytracerPage, sampleRate } from '../raytracer_page.mjs';
import { ratioSummary, summarize } from '../statistics.mjs';

export const GOALS = { page_per_native_at_least: 0.8, two_over_one_at_least: 1.85 };

export function plan(settings, context) {
  const options = settings.throughput;
  const native = new Map();  // "scene/threads" -> [samples/s]
  const page = new Map();
  const steps = [];
  for (const scene of options.scenes) {
    for (const threads of options.threads) {
      const key = `${scene}/${threads}`;
      steps.push({
        label: `native, ${scene.replace('.json', '')}, ${threads} thread${threads > 1 ? 's' : ''}, ${options.repetitions}x`,
        seconds: options.repetitions * options.native_samples_per_pixel_per_thread * 0.085 + 1,
        run: async () => {
          const run = { ...context.native, scene, width: options.width, height: options.height, threads };
          await renderNative({ ...run, samplesPerPixel: 1 });  // warm-up: caches, page faults
          const rates = [];
          for (let repetition = 0; repetition < options.repetitions; ++repetition) {
            const stats = await renderNative({ ...run, samplesPerPixel: options.native_samples_per_pixel_per_thread * threads });
            rates.push(stats.samples_per_second);
          }
          native.set(key, rates);
        },
      });
      steps.push({
        label: `page, ${scene.replace('.json', '')}, ${threads} worker${threads > 1 ? 's' : ''}, ${options.repetitions}x ${options.page_window_seconds} s`,
        seconds: 3 + options.page_warmup_seconds + options.repetitions * (options.page_window_seconds + 0.3),
        run: async () => {
          const opened = await openRaytracerPage(context.browser, context.server.url,
            { scene, width: options.width, height: options.height, workers: threads });
          try {
            await opened.page.waitForTimeout(options.page_warmup_seconds * 1000);  // JIT tier-up, caches
            const rates = [];
            for (let repetition = 0; repetition < options.repetitions; ++repetition) {
              rates.push((await sampleRate(opened.page, options.page_window_seconds)).samples_per_second);
            }
            checkNoPageErrors(opened, `${scene} with ${threads} workers`);
            page.set(key, rates);
          } finally {
            await opened.context.close();
          }
        },
      });
    }
  }

  const finish = () => {
    const rows = [];
    for (const scene of options.scenes) {
      for (const threads of options.threads) {
        const key = `${scene}/${threads}`;
        rows.push({
          scene, threads,
          native: summarize(native.get(key)),
          page: summarize(page.get(key)),
          page_per_native: ratioSummary(page.get(key), native.get(key)),
        });
      }
    }
    const two_over_one = [];
    if (options.threads.includes(1) && options.threads.includes(2)) {
      for (const scene of options.scenes) {
        two_over_one.push({
          scene,
          native: ratioSummary(native.get(`${scene}/2`), native.get(`${scene}/1`)),
          page: ratioSummary(page.get(`${scene}/2`), page.get(`${scene}/1`)),
        });
      }
    }
    return { throughput: { unit: 'samples/s', width: options.width, height: options.height, goals: GOALS, rows, two_over_one } };
  };
  return { steps, finish };
}
