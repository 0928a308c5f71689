import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portInUse } from './http.ts';

/**
 * Child processes and temporary directories of one benchmark run, and their
 * clean-up. Every child gets a process group of its own, so that killing the
 * group also takes nginx's workers, and so that a Ctrl-C in the terminal
 * reaches only this process, which then stops the children in order instead
 * of having them die under a running measurement.
 */

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
/** Asynchronous clean-up beyond processes (a throwaway database), run on a signal; the 'exit' hook cannot wait for it. */
const cleanups: (() => Promise<void>)[] = [];
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // 'exit' handlers must be synchronous: whatever is still alive gets SIGKILL.
  process.on('exit', () => {
    for (const child of children) killGroup(child, 'SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping benchmark processes\n`);
      void stopAll()
        .then(() => Promise.allSettled(cleanups.map((fn) => fn())))
        .finally(() => process.exit(130));
    });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Registers clean-up to run if the benchmark is interrupted (normal runs do their own). */
export function onInterrupt(fn: () => Promise<void>): void {
  hookExit();
  cleanups.push(fn);
}

/** Whether `cmd` is on PATH (or an executable path). */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** A directory removed when the process exits. */
export function tempDir(prefix: string): string {
  hookExit();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Spawns `cmd args` pinned to `cpus` (a taskset list such as "0"), tracked for clean-up. */
export function spawnPinned(cpus: string, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  hookExit();
  const child = spawn('taskset', ['-c', cpus, cmd, ...args], { stdio: ['ignore', 'inherit', 'inherit'], ...opts, detached: true });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM to the child's group; SIGKILL if it has not exited after `graceMs`. */
export function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    killGroup(child, 'SIGTERM');
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stop(c)));
}

/** Resolves once something accepts TCP connections on the port; rejects after `timeoutMs` or if `child` exits first. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`process ${child.spawnargs.join(' ')} exited (${child.exitCode ?? child.signalCode}) before listening on ${port}`);
    }
    if (await portInUse(port)) return;
    await sleep(50);
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
