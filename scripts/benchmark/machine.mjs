// What the figures were measured on: CPU, cores, memory, OS, browser, toolchain, the
// commit, and how busy the machine was before and after (other processes skew timings).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

function firstLine(command, args, options = {}) {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'ignore'], ...options }).toString().split('\n')[0].trim();
  } catch {
    return 'unknown';
  }
}

function cpuModel() {
  try {
    const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((text) => text.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch { /* not Linux */ }
  return os.cpus()[0]?.model || 'unknown';
}

function osName() {
  try {
    const pretty = fs.readFileSync('/etc/os-release', 'utf8').split('\n').find((line) => line.startsWith('PRETTY_NAME='));
    if (pretty) return pretty.split('=')[1].replace(/"/g, '');
  } catch { /* not Linux */ }
  return `${os.type()} ${os.release()}`;
}

export const loadAverage = () => os.loadavg().map((value) => Math.round(value * 100) / 100);

export function describeMachine({ projectRoot, chromiumVersion, hardwareConcurrency }) {
  const gitStatus = firstLine('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: projectRoot });
  return {
    cpu_model: cpuModel(),
    logical_cores: os.cpus().length,
    hardware_concurrency: hardwareConcurrency,
    memory_bytes: os.totalmem(),
    os: osName(),
    kernel: os.release(),
    chromium_version: chromiumVersion,
    node_version: process.version,
    emscripten_version: (firstLine('emcc', ['--version']).match(/\d+\.\d+\.\d+/) || ['unknown'])[0],
    git_commit: firstLine('git', ['rev-parse', 'HEAD'], { cwd: projectRoot }),
    git_dirty: gitStatus !== '' && gitStatus !== 'unknown',
    load_average_at_start: loadAverage(),
  };
}
