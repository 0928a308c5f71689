import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';
import { common, httpCommon } from './nginx.ts';
import { spawnPinned } from './procs.ts';
import { cpuSeconds, cpuTimes, cpuUsed } from './publishing-cpu.ts';
import { itemPath, ITEM_PATH_LUA } from './publishing-protocol.ts';
import { int, median, ms } from './report.ts';
import { parseWrk, socketErrorCount, type WrkResult } from './wrk.ts';

/**
 * Content-store GET against nginx serving the same bodies as static files:
 * wrk asks each for random paths among the loaded items.
 */

/** nginx with 1 worker serving `<root>/content/...` as JSON, with the content store's cache headers. */
export function staticConfig(dir: string, root: string, port: number): string {
  return `${common(dir, 'static')}http {
${httpCommon(dir, 'static')}  types { }
  default_type "application/json; charset=utf-8";
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location /content/ {
      add_header Cache-Control "max-age=300, public";
      add_header Access-Control-Allow-Origin "*";
    }
  }
}
`;
}

/** wrk's request script: a random item of `count` per request. */
export function writeLuaScript(dir: string, count: number): string {
  const file = join(dir, 'random-item.lua');
  writeFileSync(
    file,
    `-- A random one of the ${count} loaded items per request.
local n = ${count}
init = function(args)
  math.randomseed(os.time())
end
request = function()
  local i = math.random(0, n - 1)
  return wrk.format("GET", "/content" .. ${ITEM_PATH_LUA})
end
`,
  );
  return file;
}

export interface GetSetup {
  key: string;
  label: string;
  port: number;
  /** wrk connections for this setup. */
  connections: number;
  /** Seconds of each run and of its warm-up, where they differ from the common ones. */
  durationS?: number;
  warmupS?: number;
  /** The key of the setup this one is compared with. */
  peer?: string;
  /** The parts (keys of `pids`) pinned to the server CPU. */
  pinned: string[];
  /** The server-side processes whose CPU time the setup's requests cost, by part (e.g. the service and its database). */
  pids: () => Record<string, number[]>;
}

export interface GetRun extends WrkResult {
  /** Server CPU seconds per second of the run. */
  cores: number;
  /** Server CPU microseconds per request. */
  cpuUsPerRequest: number;
  /** The same, by part. */
  cpuUsPerRequestByPart: Record<string, number>;
  /**
   * CPU seconds per second that the server CPU spent on anything but this
   * setup's pinned processes: other people's work on the shared machine
   * (and unpinned PostgreSQL backends that ran there), plus time stolen by the hypervisor.
   */
  serverCpuOthers: number;
}

export interface GetMeasured {
  setup: GetSetup;
  runs: GetRun[];
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerRequest: number;
  cpuUsPerRequestByPart: Record<string, number>;
  serverCpuOthers: number;
  errors: number;
}

/** Both answer the same body, byte for byte, for a handful of paths. */
export async function checkSameBodies(setups: GetSetup[], count: number): Promise<void> {
  const picks = [0, count - 1, Math.floor(count / 2), Math.floor(Math.random() * count)];
  for (const i of picks) {
    const bodies: string[] = [];
    for (const s of setups) {
      const pool = new Pool(`http://127.0.0.1:${s.port}`);
      try {
        const res = await pool.request({ method: 'GET', path: `/content${itemPath(i)}` });
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`${s.label}: GET /content${itemPath(i)} answered ${res.statusCode}: ${text.slice(0, 200)}`);
        bodies.push(text);
      } finally {
        await pool.close();
      }
    }
    if (bodies.some((b) => b !== bodies[0])) throw new Error(`the setups answer different bodies for ${itemPath(i)}`);
  }
}

function runWrkScript(o: { port: number; script: string; durationS: number; connections: number; cpus: string }): Promise<WrkResult> {
  const args = ['-t', '1', '-c', String(o.connections), '-d', `${o.durationS}s`, '--latency', '-s', o.script, `http://127.0.0.1:${o.port}/`];
  const child = spawnPinned(o.cpus, 'wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(parseWrk(out));
      else reject(new Error(`wrk exited with ${code}: ${err.trim() || out.trim()}`));
    });
  });
}

/** Every setup `runs` times, interleaved, each run after its own warm-up; medians. */
export async function measureGets(
  o: { runs: number; durationS: number; warmupS: number; cpus: string; serverCpu: number },
  script: string,
  setups: GetSetup[],
  progress: (line: string) => void,
): Promise<Map<string, GetMeasured>> {
  const runs = new Map<string, GetRun[]>(setups.map((s) => [s.key, []]));
  for (let run = 1; run <= o.runs; run++) {
    for (const s of setups) {
      const base = { port: s.port, script, connections: s.connections, cpus: o.cpus };
      const warmupS = s.warmupS ?? o.warmupS;
      if (warmupS > 0) await runWrkScript({ ...base, durationS: warmupS });
      const parts = s.pids();
      const before = Object.fromEntries(Object.entries(parts).map(([k, pids]) => [k, cpuSeconds(pids)]));
      const cpuBefore = cpuTimes(o.serverCpu);
      const started = performance.now();
      const w = await runWrkScript({ ...base, durationS: s.durationS ?? o.durationS });
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = cpuTimes(o.serverCpu);
      const partsAfter = s.pids();
      const byPart: Record<string, number> = {};
      for (const [k, was] of Object.entries(before)) {
        byPart[k] = cpuUsed(was, cpuSeconds([...new Set([...was.keys(), ...(partsAfter[k] ?? [])])]));
      }
      const used = Object.values(byPart).reduce((a, b) => a + b, 0);
      const r: GetRun = {
        ...w,
        cores: used / seconds,
        cpuUsPerRequest: (used * 1e6) / w.requests,
        cpuUsPerRequestByPart: Object.fromEntries(Object.entries(byPart).map(([k, v]) => [k, (v * 1e6) / w.requests])),
        serverCpuOthers:
          (cpuAfter.busy - cpuBefore.busy + cpuAfter.steal - cpuBefore.steal - s.pinned.reduce((n, k) => n + (byPart[k] ?? 0), 0)) / seconds,
      };
      const errors = r.non2xx3xx + socketErrorCount(r);
      progress(`  run ${run}/${o.runs} ${s.label}: ${int(r.rps)} req/s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, server CPU ${r.cores.toFixed(2)} cores, ${int(r.cpuUsPerRequest)} µs/request (${Object.entries(r.cpuUsPerRequestByPart).map(([k, v]) => `${k} ${int(v)}`).join(', ')}); others on the server CPU ${r.serverCpuOthers.toFixed(2)} cores${errors ? `, ${errors} non-2xx/3xx or socket errors` : ''}`);
      runs.get(s.key)!.push(r);
    }
  }
  return new Map(
    setups.map((s) => {
      const list = runs.get(s.key)!;
      return [
        s.key,
        {
          setup: s,
          runs: list,
          rps: median(list.map((r) => r.rps)),
          p50: median(list.map((r) => r.p50)),
          p99: median(list.map((r) => r.p99)),
          cpuUsPerRequest: median(list.map((r) => r.cpuUsPerRequest)),
          cpuUsPerRequestByPart: Object.fromEntries(Object.keys(list[0]?.cpuUsPerRequestByPart ?? {}).map((k) => [k, median(list.map((r) => r.cpuUsPerRequestByPart[k] ?? NaN))])),
          serverCpuOthers: median(list.map((r) => r.serverCpuOthers)),
          errors: list.reduce((n, r) => n + r.non2xx3xx + socketErrorCount(r), 0),
        },
      ];
    }),
  );
}
