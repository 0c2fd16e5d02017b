// Shared by every browser test: starts the project's own server (scripts/serve.py) on a
// free port, launches Debian's Chromium through playwright-core, opens a page and keeps
// what it printed. Nothing here is a mock: the page, server and browser are the real ones.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const projectRoot = process.env.PROJECT_ROOT || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const require = createRequire(path.join(projectRoot, 'package.json'));
const { chromium } = require('playwright-core');

export const siteRoot = process.env.SITE_ROOT || path.join(projectRoot, 'build/wasm/site');
export { projectRoot };

const CHROMIUM_ARGUMENTS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

// Starts `python3 scripts/serve.py` and resolves with {url, process, stop()} once it prints its URL.
export function startServer({ root = siteRoot, patches, extraArguments = [] } = {}) {
  const serveArguments = [path.join(projectRoot, 'scripts/serve.py'), '--root', root, '--port', '0', '--quiet', ...extraArguments];
  if (patches) serveArguments.push('--patches', patches);
  const server = spawn('python3', serveArguments, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server printed no URL within 10 s:\n' + output)), 10000);
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/https?:\/\/[^\s]+\//);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[0], process: server, output: () => output, stop: () => server.kill('SIGTERM') });
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', (chunk) => { output += chunk; onData(''); });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the server exited with ${code}:\n${output}`)); });
  });
}

export async function launchBrowser({ extraArguments = [] } = {}) {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: [...CHROMIUM_ARGUMENTS, ...extraArguments] });
}

// Opens `url` and records console lines and page errors (workers' console output included).
export async function openPage(browser, url, { waitFor } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleLines = [];
  const pageErrors = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('worker', (worker) => worker.on('console', (message) => consoleLines.push(`worker ${message.type()}: ${message.text()}`)));
  await page.goto(url);
  if (waitFor) await page.waitForFunction(waitFor, null, { timeout: 30000 });
  return { page, context, consoleLines, pageErrors };
}

// Polls `predicate` (run in the page) until it returns a truthy value, which is returned.
export async function waitUntil(page, predicate, argument, timeout = 30000) {
  const handle = await page.waitForFunction(predicate, argument, { timeout, polling: 20 });
  return handle.jsonValue();
}
