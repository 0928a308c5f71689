import type { ChildProcess } from 'node:child_process';
import { spawnPinned } from './procs.ts';

/** What one wrk run reported. Latencies are in milliseconds. */
export interface WrkResult {
  requests: number;
  rps: number;
  p50: number;
  p75: number;
  p90: number;
  p99: number;
  /** wrk counts every status outside 200-399 here. */
  non2xx3xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

export interface WrkOptions {
  url: string;
  /** Whole seconds: wrk truncates fractions. */
  durationS: number;
  connections?: number;
  threads?: number;
  /** taskset CPU list for wrk itself. */
  cpus: string;
  /** Request header fields, as `Name: value`. */
  headers?: string[];
}

function args(o: WrkOptions): string[] {
  const headers = (o.headers ?? []).flatMap((h) => ['-H', h]);
  return ['-t', String(o.threads ?? 1), '-c', String(o.connections ?? 50), '-d', `${o.durationS}s`, ...headers, '--latency', o.url];
}

/** Runs wrk to completion and parses its report. */
export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  return parseWrk(await startWrk(o).output);
}

/**
 * Starts wrk for an open-ended run, stopped later with `finish`: wrk stops on
 * SIGINT and still prints its report, which is how load is kept up for
 * exactly as long as some other activity (reloads) takes.
 */
export function startWrk(o: WrkOptions): { child: ChildProcess; output: Promise<string>; finish: () => Promise<WrkResult> } {
  const child = spawnPinned(o.cpus, 'wrk', args(o), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const output = new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`wrk exited with ${code}: ${err.trim() || out.trim()}`));
    });
  });
  const finish = async () => {
    child.kill('SIGINT');
    return parseWrk(await output);
  };
  return { child, output, finish };
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function toMs(value: string, unit: string): number {
  const scale = TIME_UNITS[unit];
  if (scale === undefined) throw new Error(`unknown wrk time unit ${unit}`);
  return Number(value) * scale;
}

/** Parses wrk's `--latency` report (wrk 4.x format). */
export function parseWrk(text: string): WrkResult {
  const num = (re: RegExp): number => {
    const m = re.exec(text);
    if (!m) throw new Error(`cannot find ${re} in wrk output:\n${text}`);
    return Number(m[1]);
  };
  const pct = (p: number): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm').exec(text);
    if (!m) throw new Error(`cannot find the ${p}% latency in wrk output:\n${text}`);
    return toMs(m[1]!, m[2]!);
  };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests: num(/^\s+(\d+) requests in /m),
    rps: num(/^Requests\/sec:\s+([\d.]+)/m),
    p50: pct(50),
    p75: pct(75),
    p90: pct(90),
    p99: pct(99),
    non2xx3xx: non ? Number(non[1]) : 0,
    socketErrors: sock
      ? { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
  };
}

export function socketErrorCount(r: WrkResult): number {
  const s = r.socketErrors;
  return s.connect + s.read + s.write + s.timeout;
}
