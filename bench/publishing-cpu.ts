import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time used by the server side of a measurement, from /proc (Linux). On a
 * shared, busy machine throughput moves with what else runs; CPU time per
 * request moves much less, so it is reported beside req/s.
 */

const TICKS_PER_SECOND = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** Fields of /proc/PID/stat after the command name (which may hold spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
}

/** Processes in process group `pgid` (every bench child is a group of its own). */
export function groupPids(pgid: number): number[] {
  // After the command: state, ppid, pgrp, ...
  return allPids().filter((pid) => statFields(pid)?.[2] === String(pgid));
}

/** Processes whose command line contains `text`: PostgreSQL backends name their database there. */
export function pidsMatching(text: string): number[] {
  return allPids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  });
}

/** user + system CPU seconds of each pid, by pid (those that have gone are left out). */
export function cpuSeconds(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const f = statFields(pid);
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
    if (f) out.set(pid, (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND);
  }
  return out;
}

/** CPU seconds used between two snapshots, by processes present in both or new in the second. */
export function cpuUsed(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return total;
}

/** Seconds CPU `cpu` has spent busy (user, nice, system, irq, softirq) and stolen by the hypervisor, from /proc/stat. */
export function cpuTimes(cpu: number): { busy: number; steal: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${cpu} `));
    const f = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
    return { busy: (user + nice + system + irq + softirq) / TICKS_PER_SECOND, steal: steal / TICKS_PER_SECOND };
  } catch {
    return { busy: NaN, steal: NaN };
  }
}
