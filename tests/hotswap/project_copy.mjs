// A temporary copy of the project (the files git tracks), with its own wasm and native
// builds, and the real dev loop running in it: what a developer has after `scripts/run.sh`.
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../browser/harness.mjs';

const run = promisify(execFile);

export async function copyProject() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hotswap-project-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: projectRoot })
    .toString().split('\0').filter(Boolean);
  for (const file of files) {
    const source = path.join(projectRoot, file);
    if (!fs.existsSync(source)) continue;
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(source, path.join(root, file));
  }
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(root, 'node_modules'));
  const environment = { ...process.env, NODE_PATH: '/usr/share/nodejs' };
  const cmake = (args) => run('cmake', args, { cwd: root, env: environment, maxBuffer: 64 << 20 });
  // The patch builder's host tools (hotswap/compiler) are the same code in the copy: it uses
  // the ones this checkout's native build made, rather than building its own.
  await cmake(['--preset', 'wasm', `-DHOTSWAP_HOST_TOOLS_DIR=${path.join(projectRoot, 'build/native/hotswap/compiler')}`]);
  await cmake(['--preset', 'native']);
  await cmake(['--build', '--preset', 'wasm', '--target', 'raytracer']);
  await cmake(['--build', '--preset', 'native', '--target', 'render']);
  return {
    root,
    path: (relative) => path.join(root, relative),
    read: (relative) => fs.readFileSync(path.join(root, relative), 'utf8'),
    // The file as it was copied (this checkout's): the text the copy's program was first built from.
    original: (relative) => fs.readFileSync(path.join(projectRoot, relative), 'utf8'),
    // Builds the page's program, as scripts/run.sh does before it starts the dev loop.
    buildProgram: () => cmake(['--build', '--preset', 'wasm', '--target', 'raytracer']),
    // Saves an edit the way an editor does: the whole file, in one write.
    edit(relative, transform) {
      const before = fs.readFileSync(path.join(root, relative), 'utf8');
      const after = transform(before);
      if (after === before) throw new Error(`the edit of ${relative} changed nothing`);
      fs.writeFileSync(path.join(root, relative), after);
    },
    write: (relative, text) => fs.writeFileSync(path.join(root, relative), text),
    async renderNative({ scene, width, height, samples, out }) {
      await cmake(['--build', '--preset', 'native', '--target', 'render']);
      await run(path.join(root, 'build/native/app/native/render'), ['--scene', path.join(root, 'app/scenes', scene),
        '--width', String(width), '--height', String(height), '--spp', String(samples), '--threads', '2', '--out', out]);
    },
    remove: () => fs.rmSync(root, { recursive: true, force: true, maxRetries: 5 }),
  };
}

// Interrupts the dev loop as Ctrl-C does and resolves once it exited (killed after 10 s):
// until then its builder may still write into the copy (precompiled headers, say).
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGINT');
  });
}

// Starts `scripts/dev.py` in the copy; resolves once it serves, with its URL and output.
export function startDevLoop(project) {
  const child = spawn('python3', [project.path('scripts/dev.py'), '--port', '0', '--quiet'], { cwd: project.root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const match = output.match(/Serving (http:\/\/[^\s]+\/)/);
      if (match && output.includes('watching app/')) {
        clearInterval(timer);
        resolve({ url: match[1], pid: child.pid, output: () => output, stop: () => stopChild(child) });
      }
    }, 50);
    child.on('exit', (code) => { clearInterval(timer); reject(new Error(`dev.py exited with ${code}:\n${output}`)); });
  });
}
