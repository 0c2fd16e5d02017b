// Measure 8: what light sampling buys, in image quality. For every scene, against a converged
// reference render (native, cached by a hash of everything that decides its pixels):
//   - the page with 2 workers, with light sampling and with material sampling only (the
//     benchmark switches it through Module._raytracer_set_light_sampling; the page has no
//     control for it), the error of the picture on screen after 1, 2, 5 and 10 s;
//   - natively, the samples per pixel each needs to reach a fixed error (the page computes
//     the same bits as the native renderer, so samples, not seconds, compare the estimators).
// Errors are root mean square errors over every pixel and channel: of the tone-mapped 8-bit
// picture (0-255 steps, what a person sees) and of the linear radiance before tone mapping
// (relative to the reference's mean, so the scenes compare).
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { readPng } from '../../../tests/browser/png.mjs';
import { readPfm, rmse8, rmseLinear } from '../image_error.mjs';
import { checkNoPageErrors, openRaytracerPage } from '../raytracer_page.mjs';
import { round, summarize } from '../statistics.mjs';

const run = promisify(execFile);

export const GOALS = { samples_ratio_at_least: 5, goal_scenes: ['cornell_box.json', 'sphere_field.json'] };

// Everything that decides a reference's pixels: the scene, the files it names, every source
// of the renderer's core and hot functions, and the render settings.
function referenceKey(projectRoot, scenesDir, scene, settings) {
  const hash = crypto.createHash('sha256');
  const sceneText = fs.readFileSync(path.join(scenesDir, scene), 'utf8');
  hash.update(`settings ${JSON.stringify(settings)}\nscene ${scene}\n${sceneText}\n`);
  const named = [...sceneText.matchAll(/"file"\s*:\s*"([^"]+)"/g)].map((match) => match[1]).sort();
  for (const file of named) hash.update(`file ${file}\n`).update(fs.readFileSync(path.join(scenesDir, file)));
  const sources = [];
  const walk = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else sources.push(full);
    }
  };
  for (const folder of ['app/core', 'app/hot']) walk(path.join(projectRoot, folder));
  for (const file of sources.sort()) hash.update(`source ${path.relative(projectRoot, file)}\n`).update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

async function renderNative(renderer, args) {
  await run(renderer, args, { maxBuffer: 16 << 20 });
}

// The page and the sweeps render with the image seed 1 (the renderer's default); the reference
// with another, so that it shares no samples with what it judges (with the same seed, a sweep's
// first N samples are the reference's first N, and its error reads too low).
const REFERENCE_SEED = 2;

// The converged reference (light sampling: the estimators agree, tests/app's
// light_sampling_converges_to_the_same_image_test, and it converges far faster), rendered
// once and kept in build/benchmark/references/ under its key.
async function reference(context, options, scene) {
  const settings = { width: options.width, height: options.height, spp: options.reference_samples_per_pixel, seed: REFERENCE_SEED, max_depth: 8 };
  const key = referenceKey(context.projectRoot, context.native.scenesDir, scene, settings);
  const folder = path.join(context.projectRoot, 'build/benchmark/references');
  const stem = path.join(folder, `${scene.replace('.json', '')}-${options.width}x${options.height}-${settings.spp}spp-${key}`);
  let cached = true;
  if (!fs.existsSync(`${stem}.pfm`) || !fs.existsSync(`${stem}.png`)) {
    cached = false;
    fs.mkdirSync(folder, { recursive: true });
    await renderNative(context.native.renderer, ['--scene', path.join(context.native.scenesDir, scene), '--width', String(options.width),
      '--height', String(options.height), '--spp', String(settings.spp), '--seed', String(settings.seed),
      '--threads', String(options.native_threads), '--out', `${stem}.partial.png`, '--linear-out', `${stem}.partial.pfm`]);
    fs.renameSync(`${stem}.partial.png`, `${stem}.png`);  // the PFM last: its presence says the pair is complete
    fs.renameSync(`${stem}.partial.pfm`, `${stem}.pfm`);
  }
  const linear = readPfm(`${stem}.pfm`);
  let sum = 0;
  for (const value of linear.rgb) sum += value;
  return { png: readPng(`${stem}.png`), linear, meanRadiance: sum / linear.rgb.length, file: path.relative(context.projectRoot, stem), cached };
}

// Native renders of `scene` with snapshots after each of `counts` samples per pixel: their
// errors against the reference, [{samples_per_pixel, rmse_8bit, relative_rmse_linear, png}].
async function nativeErrors(context, options, scene, lightSampling, counts, ref, tag) {
  const out = path.join(context.native.scratch, `convergence-${scene.replace('.json', '')}-${tag}`);
  const last = counts[counts.length - 1];
  await renderNative(context.native.renderer, ['--scene', path.join(context.native.scenesDir, scene), '--width', String(options.width),
    '--height', String(options.height), '--spp', String(last), '--threads', String(options.native_threads), '--out', `${out}.png`,
    '--linear-out', `${out}.pfm`, '--snapshots', counts.join(','), ...(lightSampling ? [] : ['--no-light-sampling'])]);
  return counts.map((count) => {
    const png = readPng(`${out}-${count}spp.png`);
    return {
      samples_per_pixel: count,
      rmse_8bit: rmse8(png, ref.png),
      relative_rmse_linear: rmseLinear(readPfm(`${out}-${count}spp.pfm`), ref.linear) / ref.meanRadiance,
      png,
    };
  });
}

// The samples per pixel at which an error curve [{samples_per_pixel, error}] first reaches
// `target`: interpolated on log-log axes between the snapshots around it; beyond the last
// snapshot, extrapolated with the Monte Carlo rate (error ~ 1 / sqrt(samples)).
export function samplesToReach(curve, target) {
  for (let i = 0; i < curve.length; ++i) {
    if (curve[i].error > target) continue;
    if (i === 0) return { samples: curve[0].samples_per_pixel, extrapolated: false };
    const [a, b] = [curve[i - 1], curve[i]];
    const slope = (Math.log(b.samples_per_pixel) - Math.log(a.samples_per_pixel)) / (Math.log(b.error) - Math.log(a.error));
    return { samples: Math.exp(Math.log(a.samples_per_pixel) + (Math.log(target) - Math.log(a.error)) * slope), extrapolated: false };
  }
  const lastPoint = curve[curve.length - 1];
  return { samples: lastPoint.samples_per_pixel * (lastPoint.error / target) ** 2, extrapolated: true };
}

// The page's picture after each of `times` seconds from a restart with the chosen estimator:
// [{seconds, samples_per_pixel, rgba}] (copies of the last completed frame).
async function pageSnapshots(page, lightSampling, times) {
  const snapshots = await page.evaluate(async ({ lightSampling, timesMs }) => {
    const program = raytracerPage.program;
    const started = performance.now();
    Module._raytracer_set_light_sampling(lightSampling ? 1 : 0);
    program.resetCamera();  // restarts the accumulation even when the estimator is unchanged
    const taken = [];
    for (const at of timesMs) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + at - performance.now())));
      const statistics = program.statistics();
      const pixels = program.displayedPixels();
      taken.push({ at: performance.now() - started, statistics, rgba: pixels.rgba });
    }
    const toBase64 = (bytes) => {
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(text);
    };
    return taken.map((t) => ({ seconds: t.at / 1000, samples_per_pixel: t.statistics.accumulatedSamples, lightSampling: t.statistics.lightSampling,
      width: t.statistics.width, height: t.statistics.height, rgba: toBase64(t.rgba) }));
  }, { lightSampling, timesMs: times.map((seconds) => seconds * 1000) });
  return snapshots.map((snapshot) => {
    if (snapshot.lightSampling !== lightSampling) throw new Error(`the page renders with light sampling ${snapshot.lightSampling}, asked for ${lightSampling}`);
    if (!(snapshot.samples_per_pixel > 0)) throw new Error(`no frame completed ${snapshot.seconds.toFixed(2)} s after the restart`);
    return { ...snapshot, rgba: Buffer.from(snapshot.rgba, 'base64') };
  });
}

export function plan(settings, context) {
  const options = settings.convergence;
  const steps = [];
  const perScene = new Map();  // scene -> {reference, sweeps: {true, false}, page: {true: [[snapshots] per repetition], false}}
  const label = (scene) => scene.replace('.json', '');
  const state = (scene) => {
    if (!perScene.has(scene)) perScene.set(scene, { sweeps: {}, page: { true: [], false: [] } });
    return perScene.get(scene);
  };
  for (const scene of options.scenes) {
    steps.push({
      label: `convergence, ${label(scene)}: reference ${options.reference_samples_per_pixel} spp (cached) and native error sweeps`,
      seconds: 2 + options.sweep_samples_per_pixel[options.sweep_samples_per_pixel.length - 1] * options.width * options.height * 2 / 4e6,
      run: async () => {
        const s = state(scene);
        s.reference = await reference(context, options, scene);
        for (const lightSampling of [true, false]) {
          s.sweeps[lightSampling] = await nativeErrors(context, options, scene, lightSampling, options.sweep_samples_per_pixel, s.reference,
            `sweep-${lightSampling ? 'light' : 'material'}`);
        }
      },
    });
    steps.push({
      label: `convergence, ${label(scene)}: page, ${options.workers} workers, ${options.repetitions}x ${options.times_seconds.join('/')} s with and without light sampling`,
      seconds: 4 + options.warmup_seconds + options.repetitions * 2 * (options.times_seconds[options.times_seconds.length - 1] + 0.5),
      run: async () => {
        const s = state(scene);
        const opened = await openRaytracerPage(context.browser, context.server.url,
          { scene, width: options.width, height: options.height, workers: options.workers });
        try {
          await opened.page.waitForTimeout(options.warmup_seconds * 1000);  // JIT tier-up before the clock runs
          for (let repetition = 0; repetition < options.repetitions; ++repetition) {
            for (const lightSampling of [true, false]) {
              s.page[lightSampling].push(await pageSnapshots(opened.page, lightSampling, options.times_seconds));
            }
          }
          checkNoPageErrors(opened, `${scene}, convergence`);
        } finally {
          await opened.context.close();
        }
        // The same sample counts natively: the linear error of what the page showed (the page
        // only has 8 bits), and the proof that it showed exactly the native picture.
        for (const lightSampling of [true, false]) {
          const counts = [...new Set(s.page[lightSampling].flat().map((snapshot) => snapshot.samples_per_pixel))].sort((a, b) => a - b);
          const native = await nativeErrors(context, options, scene, lightSampling, counts, s.reference,
            `page-${lightSampling ? 'light' : 'material'}`);
          for (const snapshot of s.page[lightSampling].flat()) {
            const twin = native.find((n) => n.samples_per_pixel === snapshot.samples_per_pixel);
            snapshot.rmse_8bit = rmse8({ width: options.width, height: options.height, rgba: snapshot.rgba }, s.reference.png);
            snapshot.relative_rmse_linear = twin.relative_rmse_linear;
            snapshot.identical_to_native = Buffer.compare(snapshot.rgba, twin.png.rgba) === 0;
          }
        }
      },
    });
  }

  const finish = () => {
    const rows = [];
    let identical = true;
    for (const scene of options.scenes) {
      const s = perScene.get(scene);
      const row = { scene, reference: { samples_per_pixel: options.reference_samples_per_pixel, file: s.reference.file, cached: s.reference.cached,
        mean_radiance: round(s.reference.meanRadiance) } };
      for (const lightSampling of [true, false]) {
        const sweep = s.sweeps[lightSampling];
        const curve = (key) => sweep.map((point) => ({ samples_per_pixel: point.samples_per_pixel, error: point[key] }));
        const to8 = samplesToReach(curve('rmse_8bit'), options.target_rmse_8bit);
        const toLinear = samplesToReach(curve('relative_rmse_linear'), options.target_relative_rmse_linear);
        const page = options.times_seconds.map((seconds, index) => {
          const taken = s.page[lightSampling].map((snapshots) => snapshots[index]);
          identical = identical && taken.every((snapshot) => snapshot.identical_to_native);
          return {
            seconds,
            samples_per_pixel: summarize(taken.map((snapshot) => snapshot.samples_per_pixel)),
            rmse_8bit: summarize(taken.map((snapshot) => snapshot.rmse_8bit)),
            relative_rmse_linear: summarize(taken.map((snapshot) => snapshot.relative_rmse_linear)),
          };
        });
        row[lightSampling ? 'light_sampling' : 'material_sampling'] = {
          sweep: sweep.map((point) => ({ samples_per_pixel: point.samples_per_pixel, rmse_8bit: round(point.rmse_8bit),
            relative_rmse_linear: round(point.relative_rmse_linear) })),
          samples_to_target_8bit: round(to8.samples), samples_to_target_8bit_extrapolated: to8.extrapolated,
          samples_to_target_linear: round(toLinear.samples), samples_to_target_linear_extrapolated: toLinear.extrapolated,
          page,
        };
      }
      row.samples_ratio_8bit = round(row.material_sampling.samples_to_target_8bit / row.light_sampling.samples_to_target_8bit);
      row.samples_ratio_linear = round(row.material_sampling.samples_to_target_linear / row.light_sampling.samples_to_target_linear);
      rows.push(row);
    }
    return {
      convergence: {
        width: options.width, height: options.height, workers: options.workers, times_seconds: options.times_seconds,
        reference_samples_per_pixel: options.reference_samples_per_pixel, target_rmse_8bit: options.target_rmse_8bit,
        target_relative_rmse_linear: options.target_relative_rmse_linear, page_identical_to_native: identical, goals: GOALS, rows,
      },
    };
  };
  return { steps, finish };
}
