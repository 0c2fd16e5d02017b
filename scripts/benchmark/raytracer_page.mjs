// The raytracer page as the benchmark sees it: opening it with given settings (URL
// parameters read by web/js/controls.js), waiting until every worker renders, and timing
// accumulated samples over wall time between frame boundaries.
import { openPage, waitUntil } from '../../tests/browser/harness.mjs';
import { coresBetween, cpuSnapshot } from './browser_cpu.mjs';

// `program`: another build of the program, a .js path inside the site (web/js/program.js).
// `compare`: "A,B", two versions side by side (web/js/compare_view.js).
// `limit`: a sample limit (the page idles once it has that many samples a pixel).
export function pageUrl(serverUrl, { scene, width, height, workers, samplesPerFrame = 1, program = null, compare = null, limit = null }) {
  return `${serverUrl}index.html?scene=${scene}&width=${width}&height=${height}&spf=${samplesPerFrame}&workers=${workers}` +
    (program ? `&program=${program}` : '') + (compare ? `&compare=${compare}` : '') + (limit ? `&limit=${limit}` : '');
}

// Opens the page and resolves once it has `workers` workers, all Normal, and a frame done.
export async function openRaytracerPage(browser, serverUrl, view) {
  const opened = await openPage(browser, pageUrl(serverUrl, view), { waitFor: () => globalThis.raytracerPage?.ready });
  await waitUntil(opened.page, ({ workers, scene }) => {
    const s = raytracerPage.program.statistics();
    return s.scene === scene && s.workers.length === workers && s.workers.every((w) => w.status === 'Normal') && s.frames >= 1;
  }, view, 60000);
  return opened;
}

export const statistics = (page) => page.evaluate(() => raytracerPage.program.statistics());

// Samples per second over `windowSeconds`, measured from one frame boundary (the moment the
// accumulated sample count changes) to another, so no partial frame is counted. The honest
// figure: accumulated samples x width x height / wall seconds (frame overheads included).
export async function sampleRate(page, windowSeconds) {
  return page.evaluate(async (windowMs) => {
    const read = () => raytracerPage.program.statistics();
    const boundary = async () => {
      const from = read().accumulatedSamples;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 4));
        const s = read();
        if (s.accumulatedSamples !== from) return { at: performance.now(), s };
      }
    };
    const first = await boundary();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const last = await boundary();
    const seconds = (last.at - first.at) / 1000;
    const samplesPerPixel = last.s.accumulatedSamples - first.s.accumulatedSamples;
    if (samplesPerPixel <= 0) throw new Error(`the accumulation restarted during the measurement (${first.s.accumulatedSamples} -> ${last.s.accumulatedSamples})`);
    return {
      samples_per_second: samplesPerPixel * last.s.width * last.s.height / seconds,
      seconds,
      samples_per_pixel: samplesPerPixel,
      frames: last.s.frames - first.s.frames,
      page_reported_samples_per_second: last.s.samplesPerSecond,
    };
  }, windowSeconds * 1000);
}

// Fails loudly when the page reported errors (a measurement of a broken page is no figure).
export function checkNoPageErrors(opened, what) {
  if (opened.pageErrors.length) throw new Error(`${what}: the page reported errors: ${opened.pageErrors.join('; ')}`);
}

// One window of a fresh page (a context of its own, closed after): opened with `view`, given
// `warmupSeconds` (JIT tier-up, caches, frame growth), then sampleRate over `windowSeconds`.
// Also the cores the browser used during the window (browser_cpu.mjs; null without /proc).
// Fails when the page reported errors.
export async function measureFreshPage(browser, serverUrl, view, { warmupSeconds, windowSeconds }) {
  const opened = await openRaytracerPage(browser, serverUrl, view);
  try {
    await opened.page.waitForTimeout(warmupSeconds * 1000);
    const before = cpuSnapshot(), started = performance.now();
    const rate = await sampleRate(opened.page, windowSeconds);
    const cores = coresBetween(before, cpuSnapshot(), (performance.now() - started) / 1000);
    checkNoPageErrors(opened, `${view.program || 'the page'}: ${view.scene} with ${view.workers} workers`);
    return { ...rate, cores, statistics: await statistics(opened.page) };
  } finally {
    await opened.context.close();
  }
}
