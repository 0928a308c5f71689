import { probe } from './http.ts';
import { int, median, ms, progress } from './report.ts';
import { runWrk, socketErrorCount, type WrkResult } from './wrk.ts';

/** Measuring HTTP setups with wrk: a check that each answers as expected, warm-up, runs, medians. */

export interface MeasureOptions {
  runs: number;
  durationS: number;
  warmupS: number;
  connections: number;
  /** taskset CPU list for wrk. */
  cpus: string;
}

export interface Setup {
  key: string;
  label: string;
  url: string;
  /** Request header fields wrk and the check send, as `Name: value`. */
  headers?: string[];
  expect: { status: number; bytes?: number };
}

export interface Measured {
  setup: Setup;
  runs: WrkResult[];
  rps: number;
  p50: number;
  p99: number;
}

function summarise(setup: Setup, runs: WrkResult[]): Measured {
  return {
    setup,
    runs,
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
  };
}

async function check(s: Setup): Promise<void> {
  const headers = Object.fromEntries((s.headers ?? []).map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1).trim()]));
  const got = await probe(s.url, 'GET', headers);
  if (got.status !== s.expect.status || (s.expect.bytes !== undefined && got.bytes !== s.expect.bytes)) {
    throw new Error(`${s.label}: ${s.url} answered ${got.status} with ${got.bytes} bytes; expected ${s.expect.status}${s.expect.bytes === undefined ? '' : ` with ${s.expect.bytes} bytes`}`);
  }
}

async function measureOnce(o: MeasureOptions, s: Setup, run: number): Promise<WrkResult> {
  const wrk = { url: s.url, connections: o.connections, cpus: o.cpus, headers: s.headers };
  if (o.warmupS > 0) await runWrk({ ...wrk, durationS: o.warmupS });
  const r = await runWrk({ ...wrk, durationS: o.durationS });
  const errors = r.non2xx3xx + socketErrorCount(r);
  progress(`  run ${run}/${o.runs} ${s.label}: ${int(r.rps)} req/s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms${errors ? `, ${errors} non-2xx/3xx or socket errors` : ''}`);
  return r;
}

/** Runs every setup `o.runs` times, interleaved, so drift on a shared machine spreads over all of them rather than landing on one. */
export async function measureAll(o: MeasureOptions, setups: Setup[]): Promise<Map<string, Measured>> {
  for (const s of setups) await check(s);
  const runs = new Map<string, WrkResult[]>(setups.map((s) => [s.key, []]));
  for (let run = 1; run <= o.runs; run++) {
    for (const s of setups) runs.get(s.key)!.push(await measureOnce(o, s, run));
  }
  return new Map(setups.map((s) => [s.key, summarise(s, runs.get(s.key)!)]));
}
