// Where the browser's CPU time goes while a page renders: its Web Workers' threads against
// everything else it runs (the page's main thread, the compositor, the GPU and browser
// processes). On a machine with as many cores as workers, "everything else" is taken from
// the workers, so two workers over one can only be as good as the CPU the workers got; this
// tells the page's own scaling apart from the machine's.
//
// Read from Linux's /proc: the CPU time of every thread of every browser process this
// benchmark started (the one Playwright launched and its children; not the web server), by
// thread name. Elsewhere the
// readings are null and the report says "not measured".
import fs from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;  // USER_HZ: /proc's unit on every Linux this runs on
const WORKER_THREAD = /^DedicatedWorker/;  // Chromium names a Web Worker's thread so (truncated to 15 characters)

function read(path) {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return null;  // the process or thread ended in between
  }
}

// "pid (name) state ppid ... utime stime ...": the name may hold spaces and parentheses.
function parseStat(text) {
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return { name: text.slice(text.indexOf('(') + 1, close), parent: Number(fields[1]),
    seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND };
}

const isBrowser = (pid) => /chrom|headless_shell/.test((read(`/proc/${pid}/cmdline`) || '').split('\0')[0]);

function descendantsOf(root) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    const { parent } = parseStat(stat);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(Number(entry));
  }
  const found = [];
  const pending = [...(children.get(root) || [])];
  while (pending.length) {
    const pid = pending.pop();
    found.push(pid);
    pending.push(...(children.get(pid) || []));
  }
  return found;
}

// CPU seconds so far of every thread the benchmark's browser runs, by "pid/tid"; null
// where there is no /proc.
export function cpuSnapshot() {
  if (!fs.existsSync('/proc/self/stat')) return null;
  const threads = new Map();
  for (const pid of descendantsOf(process.pid).filter(isBrowser)) {
    let tids;
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const stat = read(`/proc/${pid}/task/${tid}/stat`);
      if (stat) threads.set(`${pid}/${tid}`, parseStat(stat));
    }
  }
  return threads;
}

// Cores used between two snapshots taken `seconds` apart: { workers, other } (a core fully
// busy the whole time counts 1), or null when either snapshot is missing.
export function coresBetween(before, after, seconds) {
  if (!before || !after || !(seconds > 0)) return null;
  let workers = 0, other = 0;
  for (const [key, thread] of after) {
    const used = thread.seconds - (before.get(key)?.seconds ?? 0);
    if (WORKER_THREAD.test(thread.name)) workers += used;
    else other += used;
  }
  return { workers: workers / seconds, other: other / seconds };
}
