// The native renderer (build/native/app/native/render) run once: samples per second from
// its --stats-json (render time only: loading the scene and writing the PNG not counted).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// frameSamples: render in the page's order (render --frame-samples), for the per-thread analysis.
export async function renderNative({ renderer, scenesDir, scratch, scene, width, height, samplesPerPixel, threads, frameSamples = 0 }) {
  const stem = `${scene.replace('.json', '')}-${width}x${height}-${threads}`;
  const statsFile = path.join(scratch, `${stem}.json`);
  await run(renderer, ['--scene', path.join(scenesDir, scene), '--width', String(width), '--height', String(height),
    '--spp', String(samplesPerPixel), '--threads', String(threads), '--out', path.join(scratch, `${stem}.png`),
    '--stats-json', statsFile, ...(frameSamples ? ['--frame-samples', String(frameSamples)] : [])], { maxBuffer: 16 << 20 });
  const stats = JSON.parse(fs.readFileSync(statsFile, 'utf8'));
  if (!(stats.samples_per_second > 0)) throw new Error(`${renderer} reported no samples per second for ${scene}`);
  return stats;
}
