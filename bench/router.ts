import { loadavg } from 'node:os';
import { createTestDatabase } from '../src/platform/db/testing.ts';
import { portInUse } from './http.ts';
import { measureAll, type MeasureOptions, type Measured, type Setup } from './measure.ts';
import { backendConfig, PAGE_BYTES, proxyConfig, startNginx } from './nginx.ts';
import { hasCommand, onInterrupt, sleep, stopAll, tempDir } from './procs.ts';
import { hardware, int, kilo, loadLine, mb, median, ms, printReport, progress, ratio, table, versions, wrkLine, writeRaw, type Part, type Verdict } from './report.ts';
import { GONE_PATH, lateExact, latePrefix, REDIRECT_PATH } from './route-table.ts';
import { parseOptions, USAGE, type Options } from './router-options.ts';
import { parseOrReport } from './options.ts';
import { RouterProcess } from './router-process.ts';
import type { Memory, ReloadResult, TableResult } from './router-protocol.ts';
import { socketErrorCount, startWrk, type WrkResult } from './wrk.ts';

export const description = 'Portico router vs nginx: proxying, 301/410, 10 vs 1M routes, 1M-route reload, reloads under load';

/** Every server-side process shares CPU 0; wrk has CPU 1 to itself (the layout of ../shared/reference/baselines.md). */
const SERVER_CPUS = '0';
const CLIENT_CPUS = '1';

function measuring(o: Options): MeasureOptions {
  return { ...o, cpus: CLIENT_CPUS };
}

function machine(): string[] {
  return [
    hardware(),
    versions(['nginx', '-v'], ['wrk', '-v']),
    `server side (backend nginx, nginx proxy, Portico router) pinned to CPU ${SERVER_CPUS}; wrk on CPU ${CLIENT_CPUS}`,
  ];
}

// --- The sections ---------------------------------------------------------------

interface Ports {
  backend: number;
  proxy: number;
  router: number;
  admin: number;
}

/** The table against nginx: the same routes, the same late paths, the same backend. */
function comparisonSetups(o: Options, p: Ports): Setup[] {
  const at = (port: number, path: string) => `http://127.0.0.1:${port}${path}`;
  const page = { status: 200, bytes: PAGE_BYTES };
  return [
    { key: 'direct', label: 'backend direct (nginx, static 2 KB)', url: at(p.backend, lateExact(o.routes)), expect: page },
    { key: 'nginx-exact', label: `nginx proxy, late exact ${lateExact(o.routes)}`, url: at(p.proxy, lateExact(o.routes)), expect: page },
    { key: 'portico-exact', label: `Portico proxy, late exact ${lateExact(o.routes)}`, url: at(p.router, lateExact(o.routes)), expect: page },
    { key: 'nginx-prefix', label: `nginx proxy, late prefix ${latePrefix(o.routes)}`, url: at(p.proxy, latePrefix(o.routes)), expect: page },
    { key: 'portico-prefix', label: `Portico proxy, late prefix ${latePrefix(o.routes)}`, url: at(p.router, latePrefix(o.routes)), expect: page },
    { key: 'nginx-301', label: 'nginx `return 301`', url: at(p.proxy, REDIRECT_PATH), expect: { status: 301 } },
    { key: 'portico-301', label: 'Portico 301 (redirect route)', url: at(p.router, REDIRECT_PATH), expect: { status: 301 } },
    { key: 'nginx-410', label: 'nginx `return 410`', url: at(p.proxy, GONE_PATH), expect: { status: 410 } },
    { key: 'portico-410', label: 'Portico 410 (gone route)', url: at(p.router, GONE_PATH), expect: { status: 410 } },
  ];
}

/** Which nginx row each Portico row is judged against. */
const PEERS: Record<string, string> = {
  'portico-exact': 'nginx-exact',
  'portico-prefix': 'nginx-prefix',
  'portico-301': 'nginx-301',
  'portico-410': 'nginx-410',
};

function comparisonTable(results: Map<string, Measured>): string {
  const direct = results.get('direct')!;
  const rows = [...results.values()].map((m) => {
    const peer = PEERS[m.setup.key] ? results.get(PEERS[m.setup.key]!) : undefined;
    return [
      m.setup.label,
      int(m.rps),
      m.runs.map((r) => kilo(r.rps)).join(', '),
      ms(m.p50),
      ms(m.p99),
      peer ? ratio(m.rps / peer.rps) : '',
      peer ? ratio(m.p99 / peer.p99) : '',
      ratio(m.rps / direct.rps),
    ];
  });
  return table(['setup', 'req/s (median)', 'runs', 'p50 ms', 'p99 ms', 'req/s vs nginx peer', 'p99 vs nginx peer', 'req/s vs direct'], rows);
}

interface ReloadUnderLoad {
  reloadsRequested: number;
  reloadsCompleted: number;
  reloadsFailed: number;
  backendFailures: number;
  seconds: number;
  wrk: WrkResult;
  failedRequests: number;
}

/**
 * Load on the late exact route while the route table changes and reloads
 * `o.reloads` times: each time the requested route moves to the other
 * backend (a different connection pool; the unused one is closed), a route
 * is added and another removed, and POST /reload is sent. Each reload is
 * waited for before the next change, so they all happen.
 */
async function reloadUnderLoad(o: Options, router: RouterProcess, p: Ports): Promise<ReloadUnderLoad> {
  const before = await router.call('settle', {});
  const load = startWrk({ url: `http://127.0.0.1:${p.router}${lateExact(o.routes)}`, durationS: 3600, connections: o.connections, cpus: CLIENT_CPUS });
  const started = performance.now();
  try {
    await sleep(1000);
    for (let i = 1; i <= o.reloads; i++) {
      await router.call('churn', { i });
      const res = await fetch(`http://127.0.0.1:${p.admin}/reload`, { method: 'POST' });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`POST /reload answered ${res.status}`);
      await router.call('settle', {});
      if (i % 10 === 0) progress(`  ${i}/${o.reloads} reloads`);
    }
    await sleep(1000);
  } catch (err) {
    await load.finish().catch(() => undefined);
    throw err;
  }
  const wrk = await load.finish();
  const seconds = (performance.now() - started) / 1000;
  const after = await router.call('settle', {});
  return {
    reloadsRequested: o.reloads,
    reloadsCompleted: after.succeeded - before.succeeded,
    reloadsFailed: after.failed - before.failed,
    backendFailures: after.backendFailures - before.backendFailures,
    seconds,
    wrk,
    failedRequests: wrk.non2xx3xx + socketErrorCount(wrk),
  };
}

interface Scale {
  small: TableResult;
  /** After a GC with the small table in service: the baseline the large table's heap is compared with. */
  smallMemory: Memory;
  large: TableResult;
  reloads: ReloadResult[];
  smallBefore: Measured;
  largeRun: Measured;
  smallAfter: Measured;
  /** 1M-route throughput over the median of every 10-route run (before and after). */
  ratio: number;
}

/**
 * Throughput with a tiny table against a huge one, measured small, large,
 * small again so that drift on the machine shows up instead of being read as
 * a cost of the table; then the large table's reload time and memory.
 */
async function scale(o: Options, router: RouterProcess, p: Ports): Promise<Scale> {
  const small = 10;
  const setup = (n: number, when: string): Setup => ({
    key: `portico-${n}-${when}`,
    label: `Portico proxy, ${int(n)} routes (${when}), late exact ${lateExact(n)}`,
    url: `http://127.0.0.1:${p.router}${lateExact(n)}`,
    expect: { status: 200, bytes: PAGE_BYTES },
  });

  const smallTable = await router.call('table', { size: small });
  const smallMemory = (await router.call('reload', {})).afterGc;
  const smallBefore = (await measureAll(measuring(o), [setup(small, 'before')])).values().next().value!;

  progress(`  inserting ${int(o.large)} routes ...`);
  const large = await router.call('table', { size: o.large });
  progress(`  inserted in ${int(large.insertMs)} ms (${large.method}); the NOTIFY-driven reload took ${int(large.notifiedReloadMs)} ms`);
  const reloads: ReloadResult[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await router.call('reload', {});
    progress(
      `  reload ${i + 1}/3 of ${int(r.routes)} routes: ${int(r.reloadMs)} ms (queries ${int(r.queryMs)} ms, router CPU ${int(r.cpuMs)} ms, longest block ${int(r.maxBlockMs)} ms), RSS after ${mb(r.after.rss)}, peak during ${mb(r.peakRssDuring)}`,
    );
    reloads.push(r);
  }
  const largeRun = (await measureAll(measuring(o), [setup(o.large, 'large')])).values().next().value!;

  await router.call('table', { size: small });
  const smallAfter = (await measureAll(measuring(o), [setup(small, 'after')])).values().next().value!;
  const smallRps = median([...smallBefore.runs, ...smallAfter.runs].map((r) => r.rps));
  return { small: smallTable, smallMemory, large, reloads, smallBefore, largeRun, smallAfter, ratio: largeRun.rps / smallRps };
}

// --- The report -------------------------------------------------------------------

function compareReport(o: Options, cmp: Map<string, Measured>): Part {
  const get = (k: string) => cmp.get(k)!;
  const verdicts: Verdict[] = [];
  for (const kind of ['exact', 'prefix']) {
    const mine = get(`portico-${kind}`);
    const peer = get(`nginx-${kind}`);
    verdicts.push({ target: `proxied (${kind}) req/s >= 0.6x nginx proxy`, measured: ratio(mine.rps / peer.rps), pass: mine.rps >= 0.6 * peer.rps });
    verdicts.push({
      target: `proxied (${kind}) p99 <= 2x nginx proxy p99`,
      measured: `${ms(mine.p99)} vs ${ms(peer.p99)} ms (${ratio(mine.p99 / peer.p99)})`,
      pass: mine.p99 <= 2 * peer.p99,
    });
  }
  for (const status of ['301', '410']) {
    const mine = get(`portico-${status}`);
    const peer = get(`nginx-${status}`);
    verdicts.push({ target: `${status} req/s >= 0.35x nginx return ${status}`, measured: ratio(mine.rps / peer.rps), pass: mine.rps >= 0.35 * peer.rps });
  }
  return { lines: ['', `### Against nginx (${int(o.routes)} routes)`, '', comparisonTable(cmp)], verdicts };
}

function reloadReport(rul: ReloadUnderLoad): Part {
  const w = rul.wrk;
  const lines = [
    '',
    `### ${rul.reloadsRequested} reloads under load`,
    '',
    table(
      ['reloads completed', 'failed reloads', 'seconds', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/3xx', 'socket errors (connect/read/write/timeout)', 'backend failures logged'],
      [
        [
          String(rul.reloadsCompleted),
          String(rul.reloadsFailed),
          rul.seconds.toFixed(1),
          int(w.requests),
          int(w.rps),
          ms(w.p50),
          ms(w.p99),
          String(w.non2xx3xx),
          `${w.socketErrors.connect}/${w.socketErrors.read}/${w.socketErrors.write}/${w.socketErrors.timeout}`,
          String(rul.backendFailures),
        ],
      ],
    ),
  ];
  const verdicts = [
    {
      target: `failed requests during ${rul.reloadsRequested} reloads under load = 0`,
      measured: `${rul.failedRequests} of ${int(w.requests)}`,
      pass: rul.failedRequests === 0 && rul.reloadsCompleted >= rul.reloadsRequested,
    },
  ];
  return { lines, verdicts };
}

function scaleReport(o: Options, sc: Scale): Part {
  const lines = [
    '',
    `### 10 vs ${int(o.large)} routes`,
    '',
    table(
      ['table', 'req/s (median)', 'runs', 'p50 ms', 'p99 ms'],
      [sc.smallBefore, sc.largeRun, sc.smallAfter].map((m) => [m.setup.label, int(m.rps), m.runs.map((r) => kilo(r.rps)).join(', '), ms(m.p50), ms(m.p99)]),
    ),
    '',
    `${int(o.large)} routes vs 10 (median of all 10-route runs): ${ratio(sc.ratio)}`,
    '',
    `### Loading ${int(o.large)} routes`,
    '',
    `- inserted with ${sc.large.method} in ${int(sc.large.insertMs)} ms; the reload its NOTIFY set off took ${int(sc.large.notifiedReloadMs)} ms`,
    `- with the 10-route table: RSS ${mb(sc.smallMemory.rss)}, heap used ${mb(sc.smallMemory.heapUsed)} after GC`,
    '',
    table(
      ['reload', 'load + swap ms', 'of which queries ms', 'router CPU ms', 'longest event-loop block ms', 'RSS before', 'RSS after', 'peak RSS during', 'heap used after GC', 'external after GC', 'array buffers after GC'],
      sc.reloads.map((r, i) => [
        String(i + 1),
        int(r.reloadMs),
        int(r.queryMs),
        int(r.cpuMs),
        int(r.maxBlockMs),
        mb(r.before.rss),
        mb(r.after.rss),
        mb(r.peakRssDuring),
        mb(r.afterGc.heapUsed),
        mb(r.afterGc.external),
        mb(r.afterGc.arrayBuffers),
      ]),
    ),
  ];
  const slowest = Math.max(...sc.reloads.map((r) => r.reloadMs));
  // The peak during a reload is the figure that matters (old and new tables
  // coexist); RSS after it where the kernel would not reset the peak.
  const rss = Math.max(...sc.reloads.map((r) => r.peakRssDuring ?? r.after.rss));
  const verdicts = [
    { target: `${int(o.large)} routes req/s >= 0.95x 10 routes`, measured: ratio(sc.ratio), pass: sc.ratio >= 0.95 },
    { target: `${int(o.large)}-route load and swap < 2 s`, measured: `${int(slowest)} ms (slowest of ${sc.reloads.length})`, pass: slowest < 2000 },
    { target: `RSS with ${int(o.large)} routes < 1 GB`, measured: `${mb(rss)} peak during reload`, pass: rss < 2 ** 30 },
  ];
  return { lines, verdicts };
}

// --- Entry point ------------------------------------------------------------------

export async function main(argv: string[]): Promise<number> {
  const o = parseOrReport(argv, parseOptions, USAGE);
  if (typeof o === 'number') return o;
  const missing = ['wrk', 'nginx', 'taskset'].filter((c) => !hasCommand(c));
  if (missing.length > 0) {
    console.error(`missing: ${missing.join(', ')}. On Debian or Ubuntu: sudo apt-get install -y wrk nginx-light util-linux
(the benchmark runs its own nginx from a temp directory; the system nginx service is not needed and may stay stopped)`);
    return 1;
  }
  const p: Ports = { backend: o.basePort, proxy: o.basePort + 1, router: o.basePort + 2, admin: o.basePort + 3 };
  for (const port of Object.values(p)) {
    if (await portInUse(port)) {
      console.error(`port ${port} is in use; pick other ports with --base-port`);
      return 1;
    }
  }

  const pg = o.database === 'postgres' ? await createTestDatabase() : undefined;
  if (pg) onInterrupt(() => pg.drop());
  const info = [
    ...machine(),
    pg
      ? `routes in PostgreSQL (a throwaway database on ${new URL(pg.url).host}; the server itself is not pinned)`
      : 'routes in PGlite, in memory, inside the router process',
  ];
  for (const l of info) progress(l);
  const loadAtStart = loadavg();
  const dir = tempDir('portico-bench-router-');
  let router: RouterProcess | undefined;
  try {
    await startNginx(dir, 'backend', backendConfig(dir, p.backend), p.backend, SERVER_CPUS);
    // Only the comparison needs the nginx proxy (and a huge --routes would make its config huge).
    if (o.only.has('compare')) await startNginx(dir, 'proxy', proxyConfig(dir, p.proxy, p.backend, o.routes), p.proxy, SERVER_CPUS);
    router = await RouterProcess.start({
      cpus: SERVER_CPUS,
      port: p.router,
      adminPort: p.admin,
      backendUrl: `http://127.0.0.1:${p.backend}`,
      databaseUrl: pg?.url,
    });
    const loaded = await router.call('table', { size: o.routes });

    const parts: Part[] = [];
    const raw: Record<string, unknown> = { options: { ...o, only: [...o.only] }, machine: info, loaded };
    if (o.only.has('compare')) {
      progress(`\n[compare] against nginx, ${int(o.routes)} routes`);
      const cmp = await measureAll(measuring(o), comparisonSetups(o, p));
      parts.push(compareReport(o, cmp));
      raw.comparison = [...cmp.values()];
    }
    if (o.only.has('reload')) {
      progress(`\n[reload] ${o.reloads} reloads under load`);
      const rul = await reloadUnderLoad(o, router, p);
      parts.push(reloadReport(rul));
      raw.reloadUnderLoad = rul;
    }
    if (o.only.has('scale')) {
      progress(`\n[scale] 10 vs ${int(o.large)} routes`);
      const sc = await scale(o, router, p);
      parts.push(scaleReport(o, sc));
      raw.scale = sc;
    }

    const list = printReport('Router benchmark', [
      ...info,
      loadLine(loadAtStart),
      wrkLine(o),
      `${int(o.routes)} routes + a redirect and a gone route, written with ${loaded.method} in ${int(loaded.insertMs)} ms; loaded by the router in ${int(loaded.notifiedReloadMs)} ms`,
    ], parts);
    writeRaw(o.json, { ...raw, targets: list });
    return 0;
  } finally {
    await router?.stop();
    await stopAll();
    await pg?.drop();
  }
}
