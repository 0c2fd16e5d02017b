// Measure 1: samples per second, the native renderer with T threads against the page with
// T workers, for every scene, at the same resolution and settings; the page/native ratio
// per thread count and the 2-versus-1 scaling of each.
//
// The page's thread counts are measured in turns (a fresh page for each, the order swapped
// every round), so a change in the machine's load hits them alike. Each window also records
// the cores the page's workers got and the cores the rest of the browser took
// (browser_cpu.mjs): with as many workers as cores, what the rest takes is the workers' loss.
import { renderNative } from '../native_renderer.mjs';
import { measureFreshPage } from '../raytracer_page.mjs';
import { ratioSummary, summarize } from '../statistics.mjs';

export const GOALS = { page_per_native_at_least: 0.8, two_over_one_at_least: 1.85 };

export function plan(settings, context) {
  const options = settings.throughput;
  const native = new Map();  // "scene/threads" -> [samples/s]
  const page = new Map();    // "scene/threads" -> [{samples_per_second, cores}]
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
    }
    steps.push({
      label: `page, ${scene.replace('.json', '')}, ${options.threads.join(' and ')} workers in turns, ${options.repetitions}x ${options.page_window_seconds} s`,
      seconds: options.repetitions * options.threads.length * (3 + options.page_warmup_seconds + options.page_window_seconds + 0.3),
      run: async () => {
        for (let repetition = 0; repetition < options.repetitions; ++repetition) {
          const order = repetition % 2 === 0 ? options.threads : [...options.threads].reverse();
          for (const threads of order) {
            const taken = await measureFreshPage(context.browser, context.server.url,
              { scene, width: options.width, height: options.height, workers: threads },
              { warmupSeconds: options.page_warmup_seconds, windowSeconds: options.page_window_seconds });
            const key = `${scene}/${threads}`;
            if (!page.has(key)) page.set(key, []);
            page.get(key).push(taken);
          }
        }
      },
    });
  }

  const finish = () => {
    const rates = (key) => page.get(key).map((taken) => taken.samples_per_second);
    // null unless every window has its cores
    const cores = (key, part) => (page.get(key).every((taken) => taken.cores) ? page.get(key).map((taken) => taken.cores[part]) : null);
    const perWorkerCore = (key) => {
      const workers = cores(key, 'workers');
      return workers && rates(key).map((rate, i) => rate / workers[i]);
    };
    const rows = [];
    for (const scene of options.scenes) {
      for (const threads of options.threads) {
        const key = `${scene}/${threads}`;
        const workers = cores(key, 'workers'), other = cores(key, 'other');
        rows.push({
          scene, threads,
          native: summarize(native.get(key)),
          page: summarize(rates(key)),
          page_per_native: ratioSummary(rates(key), native.get(key)),
          page_worker_cores: workers && summarize(workers),
          page_other_cores: other && summarize(other),
        });
      }
    }
    const two_over_one = [];
    if (options.threads.includes(1) && options.threads.includes(2)) {
      for (const scene of options.scenes) {
        const one = `${scene}/1`, two = `${scene}/2`;
        const workersBoth = cores(two, 'workers') && cores(one, 'workers');
        two_over_one.push({
          scene,
          native: ratioSummary(native.get(two), native.get(one)),
          page: ratioSummary(rates(two), rates(one)),
          // The page's speed-up taken apart: the cores its workers got, times what each core rendered.
          page_worker_cores: workersBoth ? ratioSummary(cores(two, 'workers'), cores(one, 'workers')) : null,
          page_per_worker_core: workersBoth ? ratioSummary(perWorkerCore(two), perWorkerCore(one)) : null,
        });
      }
    }
    return { throughput: { unit: 'samples/s', width: options.width, height: options.height, goals: GOALS, rows, two_over_one } };
  };
  return { steps, finish };
}
