// Processor time of a process and everything it started (Linux /proc): the benchmark waits
// until the dev loop's background work (preambles, use sets, a new builder after a restart)
// is done before it measures the page's speed, so that a rate compares code with code, not
// code with code plus compiles sharing the two cores.
import fs from 'node:fs';

const TICKS_PER_SECOND = 100;  // USER_HZ on Linux

function readStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');  // fields from the 3rd (state) on
    // ppid is the 4th field; utime, stime, cutime, cstime the 14th to 17th (man 5 proc).
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) };
  } catch {
    return null;  // exited meanwhile
  }
}

// Seconds of processor time the process tree under `pid` has used so far (children that
// exited count once their parent has waited for them).
export function processTreeCpuSeconds(pid) {
  const stats = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat) stats.set(Number(entry), stat);
  }
  let ticks = 0;
  const inTree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, stat] of stats) {
      if (!inTree.has(child) && inTree.has(stat.ppid)) { inTree.add(child); grew = true; }
    }
  }
  for (const member of inTree) ticks += stats.get(member)?.ticks ?? 0;
  return ticks / TICKS_PER_SECOND;
}

// Waits until the process tree under `pid` uses less than `share` of one core over a window
// of `windowMs`, or `timeoutMs` passed; returns {waitedMs, quiet}.
export async function waitUntilQuiet(pid, { windowMs = 2000, share = 0.05, timeoutMs = 60000 } = {}) {
  const started = Date.now();
  let before = processTreeCpuSeconds(pid);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = processTreeCpuSeconds(pid);
    const quiet = (now - before) * 1000 / windowMs < share;
    if (quiet || Date.now() - started > timeoutMs) return { waitedMs: Date.now() - started - windowMs, quiet };
    before = now;
  }
}
