import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../src/platform/db/testing.ts';
import { portInUse } from './http.ts';
import { startNginx } from './nginx.ts';
import { hasCommand, onInterrupt, stop, stopAll, tempDir } from './procs.ts';
import { burst, floorSample, openClients, percentile, publishSample, type Burst, type Clients, type PublishSample } from './publishing-client.ts';
import { checkSameBodies, measureGets, staticConfig, writeLuaScript, type GetMeasured, type GetSetup } from './publishing-get.ts';
import { cpuSeconds, cpuTimes, cpuUsed, groupPids, pidsMatching } from './publishing-cpu.ts';
import { parseOptions, USAGE, type DatabaseKind, type Options } from './publishing-options.ts';
import { parseOrReport } from './options.ts';
import { StackProcess } from './publishing-process.ts';
import type { LoadResult, ReloadStats, StackPorts } from './publishing-protocol.ts';
import { hardware, int, kilo, loadLine, mb, median, ms, printReport, progress, ratio, table, versions, writeRaw, type Part, type Verdict } from './report.ts';

export const description = 'Publishing: PUT + publish -> visible through the router, publish throughput, content-store GET with 100k items vs nginx; PostgreSQL and PGlite';

/** The whole stack (and nginx) shares CPU 0; the editor client, the pollers and wrk run on CPU 1 (../shared/reference/baselines.md). */
const SERVER_CPUS = '0';
const CLIENT_CPUS = '1';
/** Publishes before measuring: JIT, pools and the first template item. */
const WARMUP_PUBLISHES = 5;
const TEMPLATE_PATH = '/bench-warmup/doc-0';

/** Seconds of each one-connection GET run. */
const LIGHT_DURATION_S = 3;

const TARGET = { visibleP95Ms: 500, getP99Ms: 5 };

function machine(): string[] {
  return [
    hardware(),
    versions(['nginx', '-v'], ['wrk', '-v']),
    `stack process (content stores, Publishing API, workers, live router, frontend) and nginx pinned to CPU ${SERVER_CPUS}; the bench client and wrk on CPU ${CLIENT_CPUS}`,
  ];
}

/** Moves this process, every thread of it, to the client CPU; children it starts with taskset go where they are told. */
function pinSelf(): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', CLIENT_CPUS, String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/**
 * A directory for nginx's copy of the items, in memory (/dev/shm) where there
 * is one: 100k small files on this VM's disk take a minute to write. Removed
 * on exit, however the bench ends.
 */
function bodiesDir(prefix: string): string {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), prefix));
  // nginx's worker runs as an unprivileged user.
  chmodSync(dir, 0o755);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// --- The sections -----------------------------------------------------------------

interface Latency {
  samples: PublishSample[];
  floorMs: number[];
  reloads: ReloadStats;
  cpu: CpuShare;
}

/**
 * How the CPU was spent while a section ran, in cores: the stack process (on
 * CPU 0), its PostgreSQL backends (on any CPU: the server is not pinned), and
 * whatever else kept CPU 0 busy (other people's work, and backends the
 * scheduler ran there). Tick-sampled, so good to about ±0.05.
 */
interface CpuShare {
  stack: number;
  database: number;
  others: number;
}

/** Starts watching CPU 0; the function returned gives the shares since. */
function watchServerCpu(stack: StackProcess, dbName: string | undefined): () => CpuShare {
  const pids = () => groupPids(stack.pid ?? -1);
  const backends = () => (dbName ? pidsMatching(` ${dbName} `) : []);
  const cpu = Number(SERVER_CPUS);
  const before = { times: cpuTimes(cpu), stack: cpuSeconds(pids()), database: cpuSeconds(backends()), at: performance.now() };
  return () => {
    const times = cpuTimes(cpu);
    const seconds = (performance.now() - before.at) / 1000;
    const stackUsed = cpuUsed(before.stack, cpuSeconds(pids()));
    const databaseUsed = cpuUsed(before.database, cpuSeconds([...new Set([...before.database.keys(), ...backends()])]));
    const busy = times.busy - before.times.busy + times.steal - before.times.steal;
    return { stack: stackUsed / seconds, database: databaseUsed / seconds, others: Math.max(0, busy - stackUsed) / seconds };
  };
}

/** The database's name on the server, which its backends show on their command line; undefined for PGlite. */
function databaseName(url: string | undefined): string | undefined {
  return url ? new URL(url).pathname.slice(1) : undefined;
}

/**
 * `n` publish -> visible samples, each followed by a floor sample (a route
 * INSERTed straight into the table), with the stack settled before each.
 */
async function latency(stack: StackProcess, c: Clients, n: number, tag: string, dbName: string | undefined): Promise<Latency> {
  await stack.call('settle', {});
  await stack.call('stats', {});
  const cpu = watchServerCpu(stack, dbName);
  const samples: PublishSample[] = [];
  const floorMs: number[] = [];
  for (let i = 0; i < n; i++) {
    await stack.call('settle', {});
    samples.push(await publishSample(c, `/bench-publish/${tag}/doc-${i}`, i));
    await stack.call('settle', {});
    floorMs.push(await floorSample(c, stack, `/bench-floor/${tag}/route-${i}`));
    if ((i + 1) % 10 === 0 || i + 1 === n) {
      const v = samples.map((s) => s.visibleMs);
      progress(`  ${i + 1}/${n}: publish -> visible p50 ${ms(percentile(v, 50))} ms, p95 ${ms(percentile(v, 95))} ms; floor p50 ${ms(percentile(floorMs, 50))} ms`);
    }
  }
  await stack.call('settle', {});
  return { samples, floorMs, reloads: await stack.call('stats', {}), cpu: cpu() };
}

interface Throughput {
  burst: Burst;
  reloads: ReloadStats;
  cpu: CpuShare;
}

async function throughput(stack: StackProcess, c: Clients, tag: string, docs: number, clients: number, dbName: string | undefined): Promise<Throughput> {
  await stack.call('settle', {});
  await stack.call('stats', {});
  const cpu = watchServerCpu(stack, dbName);
  const b = await burst(c, tag, docs, clients);
  const share = cpu();
  await stack.call('settle', {});
  const reloads = await stack.call('stats', {});
  progress(`  ${clients} client(s), ${docs} documents: ${(docs / b.apiSeconds).toFixed(1)} docs/s through the API, all visible after ${b.visibleSeconds.toFixed(2)} s`);
  return { burst: b, reloads, cpu: share };
}

interface Gets {
  load: LoadResult;
  measured: Map<string, GetMeasured>;
  /** The stack's reloads and longest event-loop block while wrk ran. */
  during: ReloadStats;
}

interface DatabaseRun {
  database: DatabaseKind;
  loadAtStart: number[];
  loadAtEnd: number[];
  latency?: Latency;
  bursts: Throughput[];
  load?: LoadResult;
  gets?: Gets;
  loaded?: Latency;
  loadedBurst?: Throughput;
  memory?: { rss: number; heapUsed: number };
}

async function runDatabase(o: Options, database: DatabaseKind, ports: StackPorts & { nginx: number }): Promise<DatabaseRun> {
  const run: DatabaseRun = { database, loadAtStart: loadavg(), loadAtEnd: [], bursts: [] };
  progress(`\n=== ${database} ===`);
  const pg = database === 'postgres' ? await createTestDatabase() : undefined;
  if (pg) onInterrupt(() => pg.drop());
  const dbName = databaseName(pg?.url);
  const dir = tempDir(`portico-bench-publishing-${database}-`);
  let stack: StackProcess | undefined;
  let clients: Clients | undefined;
  let nginx: ChildProcess | undefined;
  try {
    stack = await StackProcess.start({ cpus: SERVER_CPUS, ports, databaseUrl: pg?.url });
    clients = openClients(ports, stack.token, o.pollMs, o.clients);
    for (let i = 0; i < WARMUP_PUBLISHES; i++) {
      await publishSample(clients, i === 0 ? TEMPLATE_PATH : `/bench-warmup/doc-${i}`, i);
      await floorSample(clients, stack, `/bench-warmup/route-${i}`);
    }

    if (o.only.has('latency')) {
      progress(`\n[latency] ${o.samples} publish -> visible samples, each with a floor sample`);
      run.latency = await latency(stack, clients, o.samples, 'empty', dbName);
    }
    if (o.only.has('throughput')) {
      progress(`\n[throughput] bursts of ${o.docs} documents`);
      run.bursts.push(await throughput(stack, clients, 'seq', o.docs, 1, dbName));
      if (o.clients > 1) run.bursts.push(await throughput(stack, clients, 'concurrent', o.docs, o.clients, dbName));
    }
    if (o.only.has('get') || o.only.has('loaded')) {
      progress(`\n[load] ${int(o.items)} items into the live content store (and their routes)`);
      const www = bodiesDir(`portico-bench-publishing-${database}-www-`);
      run.load = await stack.call('loadItems', { count: o.items, templatePath: TEMPLATE_PATH, staticDir: www });
      const l = run.load;
      progress(
        `  prepared in ${int(l.prepareMs)} ms, inserted in ${int(l.insertMs)} ms, router reload ${int(l.reloadMs)} ms, files written in ${int(l.writeFilesMs)} ms; ${int(l.sampleBytes)}-byte bodies`,
      );
      if (o.only.has('get')) {
        progress(`\n[get] content-store GET of random items vs nginx`);
        nginx = await startNginx(dir, 'static', staticConfig(dir, www, ports.nginx), ports.nginx, SERVER_CPUS);
        const stackPid = stack.pid ?? -1;
        const nginxPid = nginx.pid ?? -1;
        // The content store's cost includes its PostgreSQL backends.
        const store = {
          port: ports.contentStoreLive,
          pinned: ['stack process'],
          pids: () => ({ 'stack process': groupPids(stackPid), ...(dbName ? { 'PostgreSQL backends': pidsMatching(` ${dbName} `) } : {}) }),
        };
        const files = { port: ports.nginx, pids: () => ({ nginx: groupPids(nginxPid) }), pinned: ['nginx'] };
        const c = o.connections;
        const light = { durationS: Math.min(o.durationS, LIGHT_DURATION_S), warmupS: 0 };
        const setups: GetSetup[] = [
          { key: 'content-store', label: `content store, ${c} connections`, connections: c, peer: 'nginx', ...store },
          { key: 'nginx', label: `nginx static files, ${c} connections`, connections: c, ...files },
          // One request at a time: what a GET takes without waiting behind others. Shorter,
          // and without a warm-up of its own: the runs above have just warmed both.
          { key: 'content-store-1', label: 'content store, 1 connection', connections: 1, peer: 'nginx-1', ...light, ...store },
          { key: 'nginx-1', label: 'nginx static files, 1 connection', connections: 1, ...light, ...files },
        ];
        await checkSameBodies(setups, o.items);
        const script = writeLuaScript(dir, o.items);
        await stack.call('stats', {});
        const measured = await measureGets({ ...o, cpus: CLIENT_CPUS, serverCpu: Number(SERVER_CPUS) }, script, setups, progress);
        run.gets = { load: l, measured, during: await stack.call('stats', {}) };
        await stop(nginx);
        nginx = undefined;
      }
      if (o.only.has('loaded')) {
        progress(`\n[loaded] ${o.loadedSamples} publish -> visible samples with ${int(o.items)} items loaded`);
        run.loaded = await latency(stack, clients, o.loadedSamples, 'loaded', dbName);
        if (o.loadedDocs > 0) {
          progress(`\n[loaded] a burst of ${o.loadedDocs} documents from ${o.clients} clients with ${int(o.items)} items loaded`);
          run.loadedBurst = await throughput(stack, clients, 'loaded', o.loadedDocs, o.clients, dbName);
        }
      }
      rmSync(www, { recursive: true, force: true });
    }
    run.memory = await stack.call('memory', {});
    run.loadAtEnd = loadavg();
    return run;
  } finally {
    await clients?.close().catch(() => undefined);
    await stack?.stop();
    if (nginx) await stop(nginx);
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- The report -------------------------------------------------------------------


function latencyTable(l: Latency): string {
  const row = (label: string, v: number[]) => [label, String(v.length), ms(percentile(v, 50)), ms(percentile(v, 95)), ms(percentile(v, 99)), ms(Math.max(...v))];
  const visible = l.samples.map((s) => s.visibleMs);
  const r = (p: number) => ratio(percentile(visible, p) / percentile(l.floorMs, p));
  return table(
    ['measurement', 'samples', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
    [
      row('PUT /v2/content/:id (request)', l.samples.map((s) => s.putMs)),
      row('POST .../publish (request)', l.samples.map((s) => s.publishMs)),
      row('**publish start -> served by the router**', visible),
      row('floor: INSERT route -> served by the router', l.floorMs),
      ['publish -> visible vs floor', '', r(50), r(95), r(99), ''],
    ],
  );
}

function reloadLine(s: ReloadStats, cpu: CpuShare): string {
  const db = cpu.database > 0 ? `, its PostgreSQL backends ${cpu.database.toFixed(2)} (on any CPU)` : '';
  return `CPU meanwhile: the stack process ${cpu.stack.toFixed(2)} cores${db}; CPU 0 busy with anything else ${cpu.others.toFixed(2)}. Router reloads meanwhile: ${s.count}, median ${ms(median(s.ms))} ms, max ${ms(Math.max(...s.ms))} ms (last table: ${int(s.lastRouteCount)} routes); longest event-loop block in the stack process ${ms(s.maxBlockMs)} ms; ${s.warnings} warnings, ${s.errors} errors logged`;
}

function burstTable(bursts: Throughput[]): string {
  return table(
    ['clients', 'documents', 'PUT + publish docs/s', 'pair p50 ms', 'pair p95 ms', 'all served after s', 'end-to-end docs/s', 'router reloads', 'CPU: stack / PostgreSQL / others on CPU 0 (cores)'],
    bursts.map(({ burst: b, reloads, cpu }) => [
      String(b.clients),
      String(b.docs),
      (b.docs / b.apiSeconds).toFixed(1),
      ms(percentile(b.pairMs, 50)),
      ms(percentile(b.pairMs, 95)),
      b.visibleSeconds.toFixed(2),
      (b.docs / b.visibleSeconds).toFixed(1),
      String(reloads.count),
      `${cpu.stack.toFixed(2)} / ${cpu.database > 0 ? cpu.database.toFixed(2) : '-'} / ${cpu.others.toFixed(2)}`,
    ]),
  );
}

function getTable(g: Gets): string {
  return table(
    ['setup', 'req/s (median)', 'runs', 'p50 ms', 'p99 ms', 'server CPU µs/request', 'req/s vs nginx', 'p99 vs nginx', 'CPU/request vs nginx', 'errors', 'others on CPU 0 (cores)'],
    [...g.measured.values()].map((m) => {
      const peer = m.setup.peer ? g.measured.get(m.setup.peer) : undefined;
      return [
      m.setup.label,
      int(m.rps),
      m.runs.map((r) => kilo(r.rps)).join(', '),
      ms(m.p50),
      ms(m.p99),
      Object.keys(m.cpuUsPerRequestByPart).length > 1
        ? `${int(m.cpuUsPerRequest)} (${Object.entries(m.cpuUsPerRequestByPart).map(([k, v]) => `${k} ${int(v)}`).join(', ')})`
        : int(m.cpuUsPerRequest),
      peer ? ratio(m.rps / peer.rps) : '',
      peer ? ratio(m.p99 / peer.p99) : '',
      peer ? ratio(m.cpuUsPerRequest / peer.cpuUsPerRequest) : '',
      String(m.errors),
      Math.max(0, m.serverCpuOthers).toFixed(2),
    ];
    }),
  );
}

function databaseReport(o: Options, r: DatabaseRun): Part {
  const name = r.database === 'postgres' ? 'PostgreSQL' : 'PGlite';
  const note = r.database === 'postgres' ? '' : ' (for information: the targets are set on PostgreSQL)';
  const lines = ['', `### ${name}`, '', `${loadLine(r.loadAtStart, r.loadAtEnd)}; stack process RSS at end ${mb(r.memory?.rss)}`];
  const list: Verdict[] = [];
  const visibleVerdict = (l: Latency, what: string) => {
    const p95 = percentile(
      l.samples.map((s) => s.visibleMs),
      95,
    );
    list.push({ target: `${name}: publish -> visible p95 < ${TARGET.visibleP95Ms} ms, ${what}${note}`, measured: `${ms(p95)} ms`, pass: p95 < TARGET.visibleP95Ms });
  };
  if (r.latency) {
    lines.push('', `#### Publish -> visible (small route table)`, '', latencyTable(r.latency), '', reloadLine(r.latency.reloads, r.latency.cpu));
    visibleVerdict(r.latency, `a small table (${int(r.latency.reloads.lastRouteCount)} routes)`);
  }
  if (r.bursts.length > 0) lines.push('', `#### PUT + publish throughput`, '', burstTable(r.bursts));
  if (r.load) {
    const l = r.load;
    lines.push(
      '',
      `#### ${int(l.items)} items in the live content store`,
      '',
      `Loaded in bulk (the content store's prepareItem and registerRoutes, then INSERT ... SELECT FROM json_to_recordset into content_items and routes, the columns putContentItem writes, in one transaction): prepared in ${int(l.prepareMs)} ms, inserted in ${int(l.insertMs)} ms; the router's reload of the new table took ${int(l.reloadMs)} ms. Each body is ${int(l.sampleBytes)} bytes.`,
    );
  }
  if (r.gets) {
    const d = r.gets.during;
    lines.push(
      '',
      `#### Content-store GET, random paths among ${int(r.gets.load.items)} items (wrk -t1 --latency; ${o.connections} connections: ${o.durationS} s runs after ${o.warmupS} s warm-up; 1 connection: ${Math.min(o.durationS, LIGHT_DURATION_S)} s runs; median of ${o.runs})`,
      '',
      getTable(r.gets),
      '',
      `While wrk ran: the longest event-loop block in the stack process was ${ms(d.maxBlockMs)} ms; the router reloaded ${d.count} time(s)${d.count ? ` (max ${ms(Math.max(...d.ms))} ms)` : ''}.`,
    );
    for (const key of ['content-store', 'content-store-1']) {
      const cs = r.gets.measured.get(key)!;
      list.push({
        target: `${name}: content-store GET p99 < ${TARGET.getP99Ms} ms with ${int(r.gets.load.items)} items, ${cs.setup.connections} connection(s)${note}`,
        measured: `${ms(cs.p99)} ms (${int(cs.rps)} req/s)`,
        pass: cs.p99 < TARGET.getP99Ms,
      });
    }
  }
  if (r.loaded) {
    lines.push('', `#### Publish -> visible with ${int(r.load?.items ?? 0)} items loaded`, '', latencyTable(r.loaded), '', reloadLine(r.loaded.reloads, r.loaded.cpu));
    visibleVerdict(r.loaded, `${int(r.loaded.reloads.lastRouteCount)} routes`);
  }
  if (r.loadedBurst) {
    lines.push('', `#### PUT + publish throughput with ${int(r.load?.items ?? 0)} items loaded`, '', burstTable([r.loadedBurst]), '', reloadLine(r.loadedBurst.reloads, r.loadedBurst.cpu));
  }
  return { lines, verdicts: list };
}

// --- Entry point ------------------------------------------------------------------

export async function main(argv: string[]): Promise<number> {
  const o = parseOrReport(argv, parseOptions, USAGE);
  if (typeof o === 'number') return o;
  const missing = ['wrk', 'nginx', 'taskset'].filter((c) => !hasCommand(c));
  if (missing.length > 0) {
    console.error(`missing: ${missing.join(', ')}. On Debian or Ubuntu: sudo apt-get install -y wrk nginx-light util-linux`);
    return 1;
  }
  const b = o.basePort;
  const ports = { router: b, routerAdmin: b + 1, contentStoreLive: b + 2, contentStoreDraft: b + 3, publishingApi: b + 4, frontend: b + 5, nginx: b + 6 };
  for (const port of Object.values(ports)) {
    if (await portInUse(port)) {
      console.error(`port ${port} is in use; pick other ports with --base-port`);
      return 1;
    }
  }
  const pinned = pinSelf();
  const info = [...machine(), ...(pinned ? [] : [`could not pin the bench process to CPU ${CLIENT_CPUS}; it runs unpinned`])];
  for (const l of info) progress(l);
  const started = Date.now();
  const runs: DatabaseRun[] = [];
  try {
    for (const database of o.databases) runs.push(await runDatabase(o, database, ports));
  } finally {
    await stopAll();
  }
  const parts = runs.map((r) => databaseReport(o, r));
  const list = printReport('Publishing benchmark', [
    ...info,
    `${new Date(started).toISOString()}, ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    `latency: ${o.samples} samples (${o.loadedSamples} with the items loaded), the stack settled before each (no job waiting, no reload running); the router polled every ${o.pollMs} ms from the start of the publish request`,
    `floor: one INSERT of an exact route into content_store_live.routes (its statement trigger NOTIFYs the router), sent through the stack process, polled the same way`,
  ], parts);
  writeRaw(o.json, { options: { ...o, only: [...o.only] }, machine: info, runs: runs.map((r) => ({ ...r, gets: r.gets && { ...r.gets, measured: [...r.gets.measured.values()] } })), targets: list });
  return 0;
}
