import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { createTestDatabase } from '../src/platform/db/testing.ts';
import { silentLogger } from '../src/platform/log.ts';
import { searchMix } from './frontend-corpus.ts';
import { parseOptions, USAGE, type Options } from './frontend-options.ts';
import { parseOrReport } from './options.ts';
import { fetchText, savedPagesConfig, savePages, writePagesScript } from './frontend-pages.ts';
import { FrontendStack } from './frontend-process.ts';
import { FLOOR_PATH, type FrontendPorts, type GuideResult, type SearchSeedResult, type StackStats } from './frontend-protocol.ts';
import { pagesReport, searchReport, type PagesResult, type SearchResult } from './frontend-report.ts';
import { apiClient, closedLoop, sqlClient, type SearchRun } from './frontend-search.ts';
import { portInUse } from './http.ts';
import { startNginx } from './nginx.ts';
import { hasCommand, onInterrupt, stop, stopAll, tempDir } from './procs.ts';
import { groupPids, pidsMatching } from './publishing-cpu.ts';
import { measureGets, type GetSetup } from './publishing-get.ts';
import { hardware, printReport, progress, versions, writeRaw } from './report.ts';

export const description = 'Frontend: rendered guide pages through router -> frontend -> content store vs nginx and the routing floor; search.json over 100k documents vs its own SQL';

/** The stack and nginx share CPU 0; wrk and the search clients run on CPU 1 (../shared/reference/baselines.md). */
const SERVER_CPUS = '0';
const CLIENT_CPUS = '1';
const GUIDE_PATH = '/apply-for-a-rural-community-grant';
/** Seconds of each one-connection page run. */
const LIGHT_DURATION_S = 3;
/** Seconds of search through the API before any is measured: JIT, pools, and the index read into memory. */
const SEARCH_WARMUP_S = 5;
/** Searches in the mix, asked in turn; more than any run gets through. */
const MIX_SIZE = 50_000;

function machine(): string[] {
  return [
    hardware(),
    versions(['nginx', '-v'], ['wrk', '-v'], ['psql', '--version']),
    `stack process (live router, frontend, content store, search API) and nginx pinned to CPU ${SERVER_CPUS}; wrk and the search clients on CPU ${CLIENT_CPUS}; PostgreSQL not pinned`,
  ];
}

/** Moves this process, every thread of it, to the client CPU; children it starts with taskset go where they are told. */
function pinSelf(): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', CLIENT_CPUS, String(process.pid)], { stdio: 'ignore' }).status === 0;
}

const loadNow = () => loadavg()[0]!;

// --- Pages ------------------------------------------------------------------------------

async function pages(o: Options, stack: FrontendStack, ports: FrontendPorts, nginxPort: number, dbName: string, dir: string): Promise<PagesResult> {
  const loadAtStart = loadNow();
  progress(`\n[pages] publishing the guide and what it links to through the Publishing API`);
  const guide: GuideResult = await stack.call('publishGuide', { basePath: GUIDE_PATH });
  progress(`  ${guide.paths.length} pages, a ${guide.itemBytes.toLocaleString('en-GB')}-byte item, published in ${guide.publishSeconds.toFixed(1)} s`);

  // The pages as the router serves them, which the frontend must answer alike, and nginx is given.
  const saved = new Map<string, string>();
  for (const path of guide.paths) {
    const viaRouter = await fetchText(ports.router, path);
    const direct = await fetchText(ports.frontend, path);
    if (viaRouter.status !== 200) throw new Error(`${path} through the router answered ${viaRouter.status}`);
    if (direct.body !== viaRouter.body) throw new Error(`${path}: the frontend answers differently direct and through the router`);
    saved.set(path, viaRouter.body);
  }
  const first = saved.get(GUIDE_PATH)!;
  await stack.call('floorPage', { html: first });
  const www = join(dir, 'www');
  savePages(www, saved);
  const nginx: ChildProcess = await startNginx(dir, 'pages', savedPagesConfig(dir, www, nginxPort), nginxPort, SERVER_CPUS);
  try {
    for (const [path, html] of saved) {
      const got = await fetchText(nginxPort, path);
      if (got.status !== 200 || got.body !== html) throw new Error(`nginx does not answer the saved page for ${path}`);
    }
    const floor = await fetchText(ports.floorRouter, FLOOR_PATH);
    if (floor.body !== first) throw new Error('the routing floor does not answer the saved page');
    const item = await fetchText(ports.contentStoreLive, `/content${GUIDE_PATH}`);
    if (item.status !== 200) throw new Error(`the content store answered ${item.status} for the guide`);
    const links = (JSON.parse(item.body) as { links: Record<string, { links?: Record<string, unknown[]> }[]> }).links;
    if (links.organisations?.length !== 2 || links.parent?.[0]?.links?.parent?.length !== 1) throw new Error('the guide was stored without its expanded organisations and parent chain');

    const script = writePagesScript(
      dir,
      new Map([
        [ports.router, guide.paths],
        [ports.frontend, guide.paths],
        [ports.contentStoreLive, [`/content${GUIDE_PATH}`]],
        [ports.floorRouter, [FLOOR_PATH]],
        [nginxPort, guide.paths],
      ]),
    );
    const stackPid = stack.pid ?? -1;
    const nginxPid = nginx.pid ?? -1;
    const portico = { pinned: ['stack process'], pids: () => ({ 'stack process': groupPids(stackPid), 'PostgreSQL backends': pidsMatching(` ${dbName} `) }) };
    const files = { pinned: ['nginx'], pids: () => ({ nginx: groupPids(nginxPid) }) };
    const c = o.connections;
    const light = { durationS: Math.min(o.durationS, LIGHT_DURATION_S), warmupS: 0 };
    const setups: GetSetup[] = [
      { key: 'portico', label: `**router → frontend → content store**, ${c} connections`, port: ports.router, connections: c, peer: 'nginx', ...portico },
      { key: 'frontend', label: `frontend direct (→ content store), ${c} connections`, port: ports.frontend, connections: c, peer: 'nginx', ...portico },
      { key: 'store', label: `content store GET of the guide item, ${c} connections`, port: ports.contentStoreLive, connections: c, peer: 'nginx', ...portico },
      { key: 'floor', label: `routing floor: router → trivial backend, ${c} connections`, port: ports.floorRouter, connections: c, peer: 'nginx', ...portico },
      { key: 'nginx', label: `nginx, the saved pages, ${c} connections`, port: nginxPort, connections: c, ...files },
      { key: 'portico-1', label: 'router → frontend → content store, 1 connection', port: ports.router, connections: 1, peer: 'nginx-1', ...light, ...portico },
      { key: 'nginx-1', label: 'nginx, the saved pages, 1 connection', port: nginxPort, connections: 1, ...light, ...files },
    ];
    progress(`\n[pages] ${o.runs} run(s) of ${o.durationS} s per setup after ${o.warmupS} s warm-up, interleaved`);
    await stack.call('stats', {});
    const measured = await measureGets({ ...o, cpus: CLIENT_CPUS, serverCpu: Number(SERVER_CPUS) }, script, setups, progress);
    const during: StackStats = await stack.call('stats', {});
    return {
      guide,
      pageBytes: [...saved.values()].map((h) => Buffer.byteLength(h)),
      measured,
      during,
      loadAtStart,
      loadAtEnd: loadNow(),
    };
  } finally {
    await stop(nginx);
  }
}

// --- Search -----------------------------------------------------------------------------

async function searches(o: Options, stack: FrontendStack, ports: FrontendPorts, dbUrl: string, dbName: string): Promise<SearchResult> {
  const loadAtStart = loadNow();
  progress(`\n[search] generating ${o.documents.toLocaleString('en-GB')} documents into search.documents`);
  const seed: SearchSeedResult = await stack.call('seedSearch', { documents: o.documents });
  progress(`  inserted in ${seed.insertSeconds.toFixed(1)} s, indexes in ${seed.indexSeconds.toFixed(1)} s, VACUUM ANALYZE in ${seed.vacuumSeconds.toFixed(1)} s; ${(seed.tableBytes / 2 ** 20).toFixed(0)} MB with indexes`);
  const mix = searchMix(MIX_SIZE);
  const stackPid = stack.pid ?? -1;
  const backends = () => pidsMatching(` ${dbName} `);
  const apiCpu = () => ({ 'stack process': groupPids(stackPid), 'PostgreSQL backends': backends() });
  const sqlCpu = () => ({ 'PostgreSQL backends': backends() });
  // The same pool size as the stack's (openPostgres's default).
  const db = await openPostgres(dbUrl, { log: silentLogger() });
  const runs: SearchRun[] = [];
  try {
    const warm = apiClient(ports.searchApi, 8);
    try {
      await closedLoop(warm.send, mix, { setup: 'api', concurrency: 8, durationS: SEARCH_WARMUP_S, offset: MIX_SIZE / 2, cpu: () => ({}) });
    } finally {
      await warm.close();
    }
    await closedLoop(sqlClient(db), mix, { setup: 'sql', concurrency: 8, durationS: 2, offset: MIX_SIZE / 2, cpu: () => ({}) });
    await stack.call('stats', {});
    for (const concurrency of o.concurrency) {
      // Two rounds each, the order swapped in the second; both setups start each round at the same search.
      for (const [round, order] of [['api', 'sql'], ['sql', 'api']].entries()) {
        const offset = round * 10_000;
        for (const setup of order as ('api' | 'sql')[]) {
          const api = setup === 'api' ? apiClient(ports.searchApi, concurrency) : undefined;
          try {
            const run = await closedLoop(api ? api.send : sqlClient(db), mix, {
              setup,
              concurrency,
              durationS: o.searchDurationS,
              offset,
              cpu: setup === 'api' ? apiCpu : sqlCpu,
            });
            runs.push(run);
            progress(
              `  concurrency ${concurrency}, ${setup === 'api' ? 'search API' : 'SQL direct'}: ${run.samples.length} searches in ${run.seconds.toFixed(1)} s${run.errors ? `, ${run.errors} errors (${run.firstError})` : ''}`,
            );
          } finally {
            await api?.close();
          }
        }
      }
    }
  } finally {
    await db.close();
  }
  return { seed, runs, during: await stack.call('stats', {}), loadAtStart, loadAtEnd: loadNow() };
}

// --- Entry point ------------------------------------------------------------------------

export async function main(argv: string[]): Promise<number> {
  const o = parseOrReport(argv, parseOptions, USAGE);
  if (typeof o === 'number') return o;
  const missing = ['wrk', 'nginx', 'taskset'].filter((c) => !hasCommand(c));
  if (missing.length > 0) {
    console.error(`missing: ${missing.join(', ')}. On Debian or Ubuntu: sudo apt-get install -y wrk nginx-light util-linux`);
    return 1;
  }
  const b = o.basePort;
  const ports: FrontendPorts = {
    router: b,
    routerAdmin: b + 1,
    floorRouter: b + 2,
    floorRouterAdmin: b + 3,
    contentStoreLive: b + 4,
    contentStoreDraft: b + 5,
    publishingApi: b + 6,
    frontend: b + 7,
    searchApi: b + 8,
    floor: b + 9,
  };
  const nginxPort = b + 10;
  for (const port of [...Object.values(ports), nginxPort]) {
    if (await portInUse(port)) {
      console.error(`port ${port} is in use; pick other ports with --base-port`);
      return 1;
    }
  }
  const pinned = pinSelf();
  const info = [...machine(), ...(pinned ? [] : [`could not pin the bench process to CPU ${CLIENT_CPUS}; it runs unpinned`])];
  for (const l of info) progress(l);
  const started = Date.now();
  const pg = await createTestDatabase();
  onInterrupt(() => pg.drop());
  const dbName = new URL(pg.url).pathname.slice(1);
  progress(`throwaway database ${dbName}`);
  const dir = tempDir('portico-bench-frontend-');
  let stack: FrontendStack | undefined;
  let pagesResult: PagesResult | undefined;
  let searchResult: SearchResult | undefined;
  let memory: { rss: number; heapUsed: number } | undefined;
  try {
    stack = await FrontendStack.start({ cpus: SERVER_CPUS, ports, databaseUrl: pg.url });
    if (o.only.has('pages')) pagesResult = await pages(o, stack, ports, nginxPort, dbName, dir);
    if (o.only.has('search')) searchResult = await searches(o, stack, ports, pg.url, dbName);
    memory = await stack.call('memory', {});
  } finally {
    await stack?.stop();
    await stopAll();
    await pg.drop();
  }
  const parts = [pagesResult && pagesReport(o, pagesResult), searchResult && searchReport(o, searchResult)].filter((p) => p !== undefined);
  const list = printReport('Frontend benchmark', [
    ...info,
    `${new Date(started).toISOString()}, ${((Date.now() - started) / 1000).toFixed(0)} s in all; stack RSS at the end ${memory ? `${Math.round(memory.rss / 2 ** 20)} MB` : '-'}`,
  ], parts);
  const measured = pagesResult && [...pagesResult.measured.values()];
  writeRaw(o.json, { options: { ...o, only: [...o.only] }, machine: info, pages: pagesResult && { ...pagesResult, measured }, search: searchResult, targets: list });
  return 0;
}
