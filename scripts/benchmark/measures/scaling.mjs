// Measure 2: the page's scaling from 1 worker to navigator.hardwareConcurrency and beyond
// (oversubscription), as speed-up over one worker and parallel efficiency (speed-up /
// workers), on one scene.
import { checkNoPageErrors, openRaytracerPage, sampleRate } from '../raytracer_page.mjs';
import { ratioSummary, summarize } from '../statistics.mjs';

export function plan(settings, context) {
  const options = settings.scaling;
  const rates = new Map();  // workers -> [samples/s]
  const steps = options.workers.map((workers) => ({
    label: `scaling, ${options.scene.replace('.json', '')}, ${workers} worker${workers > 1 ? 's' : ''}, ${options.repetitions}x ${options.window_seconds} s`,
    seconds: 3 + options.warmup_seconds + options.repetitions * (options.window_seconds + 0.3),
    run: async () => {
      const opened = await openRaytracerPage(context.browser, context.server.url,
        { scene: options.scene, width: options.width, height: options.height, workers });
      try {
        await opened.page.waitForTimeout(options.warmup_seconds * 1000);
        const measured = [];
        for (let repetition = 0; repetition < options.repetitions; ++repetition) {
          measured.push((await sampleRate(opened.page, options.window_seconds)).samples_per_second);
        }
        checkNoPageErrors(opened, `scaling with ${workers} workers`);
        rates.set(workers, measured);
      } finally {
        await opened.context.close();
      }
    },
  }));

  const finish = () => {
    const one = rates.get(options.workers[0]);
    const rows = options.workers.map((workers) => {
      const speedup = ratioSummary(rates.get(workers), one);
      return {
        workers,
        samples_per_second: summarize(rates.get(workers)),
        speedup,
        efficiency: summarize(speedup.repetitions.map((value) => value / workers)),
      };
    });
    return {
      scaling: {
        scene: options.scene, width: options.width, height: options.height, hardware_concurrency: context.hardwareConcurrency,
        baseline_workers: options.workers[0], rows,
      },
    };
  };
  return { steps, finish };
}
