import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Who used the CPUs during the fan-out, from /proc (Linux): the stack process,
 * the PostgreSQL backends serving the bench's database, the bench itself, and
 * each CPU's busy time. Tells whether the stack's one core or the database is
 * the limit.
 */

const HZ = (() => {
  const n = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** /proc/PID/stat fields after the command name (which may contain spaces): [0] is the state. */
function stat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** The processes of a process group (each bench child leads its own). */
export function processGroup(pgid: number): number[] {
  return pids().filter((pid) => stat(pid)?.[2] === String(pgid));
}

/** PostgreSQL backends connected to `database` (their command line names it). */
export function backendsOf(database: string): number[] {
  return pids().filter((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmd.startsWith('postgres: ') && cmd.includes(` ${database} `);
    } catch {
      return false;
    }
  });
}

/** Nanoseconds a thread has run, and waited runnable for a CPU (/proc/PID/task/TID/schedstat); undefined where the kernel keeps no schedstats. */
function schedstat(pid: number, tid = pid): { runNs: number; waitNs: number } | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return run === undefined || wait === undefined ? undefined : { runNs: run, waitNs: wait };
  } catch {
    return undefined;
  }
}

/** utime + stime of each process, in seconds. */
export function cpuOf(list: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of list) {
    const f = stat(pid);
    if (f) out.set(pid, (Number(f[11]) + Number(f[12])) / HZ);
  }
  return out;
}

/** CPU seconds used between two snapshots (processes that appeared count from zero; those that left are lost). */
export function used(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return total;
}

/** Busy (user, nice, system, irq, softirq, steal) seconds of each CPU. */
export function cpuBusy(): number[] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l))
    .map((l) => {
      const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = l.trim().split(/\s+/).slice(1).map(Number);
      return (user + nice + system + irq + softirq + steal) / HZ;
    });
}

/** Pins every thread of `pid` to `cpus` (a taskset list); false if it could not. */
export function pin(pid: number, cpus: string): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' }).status === 0;
}

export interface CpuWindow {
  seconds: number;
  /** Cores used on average over the window. */
  stack: number;
  postgres: number;
  bench: number;
  /**
   * The stack's main thread (its event loop): share of the window it ran, and
   * share it was runnable but waiting for CPU 0, which others (PostgreSQL, other
   * benchmarks on a shared machine) held.
   */
  mainRunning: number | undefined;
  mainWaitingForCpu: number | undefined;
  /** Busy cores per CPU (cpu0, cpu1, ...), everything included. */
  perCpu: number[];
}

/** Starts a window; the function returned ends it. Backends are looked up at both ends (the pool keeps its connections). */
export function cpuWindow(stackPid: number, database: string): () => CpuWindow {
  const stackPgid = stackPid;
  const at = performance.now();
  const sched0 = schedstat(stackPid);
  const stack0 = cpuOf(processGroup(stackPgid));
  const pg0 = cpuOf(backendsOf(database));
  const bench0 = cpuOf([process.pid]);
  const busy0 = cpuBusy();
  return () => {
    const seconds = (performance.now() - at) / 1000;
    const busy1 = cpuBusy();
    return {
      seconds,
      stack: used(stack0, cpuOf(processGroup(stackPgid))) / seconds,
      postgres: used(pg0, cpuOf(backendsOf(database))) / seconds,
      bench: used(bench0, cpuOf([process.pid])) / seconds,
      ...(() => {
        const sched1 = schedstat(stackPid);
        if (!sched0 || !sched1) return { mainRunning: undefined, mainWaitingForCpu: undefined };
        return { mainRunning: (sched1.runNs - sched0.runNs) / 1e9 / seconds, mainWaitingForCpu: (sched1.waitNs - sched0.waitNs) / 1e9 / seconds };
      })(),
      perCpu: busy1.map((b, i) => (b - (busy0[i] ?? 0)) / seconds),
    };
  };
}
