// Hot restarts as a user meets them: `scripts/run.sh` in a checkout (a clone, so this one's
// build is left alone), the page open in headless Chromium with 2 workers, then saves of
// app/core/camera_view.h that add a public member or take it out again, each a hot restart.
// Prints the dev loop's own "save to the first frame" per restart, when the program was
// rebuilt and when the reloaded page started, and puts the header back. An analysis run by
// hand, to compare two checkouts in turns (README, "Benchmarks"):
//   node scripts/benchmark/restarts_by_hand.mjs CHECKOUT [RESTARTS]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../../tests/browser/harness.mjs';

const [checkout, restarts = '4'] = process.argv.slice(2);
if (!checkout) {
  console.error('usage: node scripts/benchmark/restarts_by_hand.mjs CHECKOUT [RESTARTS]');
  process.exit(2);
}
const HEADER = 'app/core/camera_view.h';
const port = 8300 + Math.floor(Math.random() * 500);
const devLoop = spawn('bash', ['-c', `exec scripts/run.sh --port ${port}`], { cwd: checkout });
let output = '';
devLoop.stdout.on('data', (chunk) => { output += chunk; });
devLoop.stderr.on('data', (chunk) => { output += chunk; });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const waitFor = async (pattern, from, ms = 120000) => {
  for (const start = Date.now(); Date.now() - start < ms; await sleep(20)) {
    const found = output.slice(from).match(pattern);
    if (found) return found;
  }
  throw new Error(`no ${pattern} from the dev loop:\n${output.slice(from)}`);
};

const original = fs.readFileSync(path.join(checkout, HEADER), 'utf8');
const browser = await launchBrowser();
try {
  await waitFor(/Serving http/, 0, 900000);  // run.sh builds first
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/index.html?workers=2&width=320&height=180`);
  await page.waitForFunction(() => globalThis.raytracerPage?.ready, null, { timeout: 120000 });
  await sleep(3000);
  for (let restart = 0; restart < Number(restarts); ++restart) {
    const from = output.length;
    const savedAt = Date.now();
    fs.writeFileSync(path.join(checkout, HEADER),
      restart % 2 === 0 ? original.replace(' public:\n', ` public:\n  int restart_probe_${restart} = 0;\n`) : original);
    const rebuilt = await waitFor(/program rebuilt in (\d+) ms/, from);
    const shown = await waitFor(/save to the first frame (\d+) ms/, from);
    await page.waitForFunction(() => globalThis.raytracerPage?.ready, null, { timeout: 120000 });
    const reloadedAt = await page.evaluate(() => performance.timeOrigin);
    console.log(`restart ${restart}: save to the first frame ${shown[1]} ms; program rebuilt in ${rebuilt[1]} ms; ` +
      `the page reloaded ${Math.round(reloadedAt - savedAt)} ms after the save`);
    await sleep(6000);  // the new builder is made, background work settles
  }
} finally {
  fs.writeFileSync(path.join(checkout, HEADER), original);
  await browser.close();
  devLoop.kill('SIGINT');
}
