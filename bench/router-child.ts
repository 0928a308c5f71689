// The router under test, in a process of its own so it can be pinned to the
// server CPU with the backend. Started by bench/router-process.ts; takes
// commands over IPC (bench/router-protocol.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { serveRpc, type Handlers } from './child-rpc.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { contentStoreSchema, migrateContentStore } from '../src/content-store/schema.ts';
import { ident, type Db, type Queryable } from '../src/platform/db/index.ts';
import { openPglite } from '../src/platform/db/pglite.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { createLogger, silentLogger } from '../src/platform/log.ts';
import { createRouter } from '../src/router/index.ts';
import type { RouteRecord } from '../src/router/routes.ts';
import { exactPath, GONE_PATH, lateExact, prefixPath, REDIRECT_PATH, REDIRECT_TO } from './route-table.ts';
import {
  BACKENDS,
  ENV,
  type Memory,
  type Ops,
  type ReadyMessage,
} from './router-protocol.ts';

/** Above this many routes the rows are written with one generated INSERT: upsertRoutes sends them in batches of 1000 from JS. */
const UPSERT_LIMIT = 100_000;
const STACK = 'live';
const SCHEMA = ident(contentStoreSchema(STACK));

const port = Number(process.env[ENV.port]);
const adminPort = Number(process.env[ENV.adminPort]);
const backendUrl = process.env[ENV.backendUrl] ?? '';
const databaseUrl = process.env[ENV.databaseUrl];
if (!process.send || !port || !adminPort || !backendUrl) {
  console.error(`router-child: run by the router benchmark with IPC and ${Object.values(ENV).join(', ')} set`);
  process.exit(2);
}

// The reloader reports each reload in its log; those lines are the measurement
// (the same figures an operator would see), so the log is read here rather
// than printed. Warnings and errors still go to stderr, a limited number.
interface Reloaded {
  routes: number;
  ms: number;
}
const reloads: Reloaded[] = [];
const counts = { succeeded: 0, failed: 0, backendFailures: 0 };
let printed = 0;
const log = createLogger({
  level: 'info',
  destination: {
    write(line: string) {
      const entry = JSON.parse(line) as { msg?: string; level?: string; route_count?: number; duration_ms?: number };
      if (entry.msg === 'reloaded routes') {
        counts.succeeded++;
        reloads.push({ routes: entry.route_count ?? -1, ms: entry.duration_ms ?? NaN });
      } else if (entry.msg === 'reloading routes failed') counts.failed++;
      else if (entry.msg === 'backend request failed') counts.backendFailures++;
      if ((entry.level === 'warn' || entry.level === 'error') && printed++ < 20) process.stderr.write(`router: ${line}`);
    },
  },
});

const db = databaseUrl ? await openPostgres(databaseUrl, { log: silentLogger() }) : await openPglite();
await migrateContentStore(db, STACK);

// The router gets the database through this wrapper, which adds up the time
// its queries take, so a reload splits into reading the rows and building the table.
let queryMs = 0;
function timed<Q extends Queryable>(q: Q): Q {
  return {
    ...q,
    async query(sql: string, params?: readonly unknown[]) {
      const started = performance.now();
      try {
        return await q.query(sql, params);
      } finally {
        queryMs += performance.now() - started;
      }
    },
  } as Q;
}
// The loader reads in one transaction, a page per query: those count too. On
// PostgreSQL it asks for the next page before adding the last one, so query
// time there overlaps the building of the table.
const timedDb: Db = { ...timed(db), transaction: (fn) => db.transaction((tx) => fn(timed(tx))) };
await upsertRoutes(
  db,
  STACK,
  BACKENDS.map((backend_id) => ({ backend_id, backend_url: backendUrl })),
  [],
);
const router = createRouter({
  stack: STACK,
  db: timedDb,
  log,
  config: {
    backendConnectTimeoutMs: 1000,
    backendHeaderTimeoutMs: 20_000,
    // Only NOTIFY and POST /reload should reload during a measurement.
    reloadIntervalMs: 3_600_000,
    shutdownTimeoutMs: 2000,
    tlsSkipVerify: false,
  },
});
await router.start(port, adminPort, '127.0.0.1');
let tableSize = 0;

function generated(size: number): RouteRecord[] {
  const routes: RouteRecord[] = [];
  for (let i = 0; i < size; i++) {
    routes.push(
      i % 2 === 0
        ? { incoming_path: exactPath(i), route_type: 'exact', handler: 'backend', backend_id: BACKENDS[0] }
        : { incoming_path: prefixPath(i), route_type: 'prefix', handler: 'backend', backend_id: BACKENDS[0] },
    );
  }
  return routes;
}

const SPECIAL: RouteRecord[] = [
  { incoming_path: REDIRECT_PATH, route_type: 'exact', handler: 'redirect', redirect_to: REDIRECT_TO, redirect_type: 'permanent' },
  { incoming_path: GONE_PATH, route_type: 'exact', handler: 'gone' },
];

/** The same rows as `generated`, built by the database itself: no rows cross from JS. */
async function insertGenerated(tx: Queryable, size: number): Promise<void> {
  await tx.query(
    `INSERT INTO ${SCHEMA}.routes (incoming_path, route_type, handler, backend_id)
     SELECT CASE WHEN i % 2 = 0 THEN '/a/section' || i || '/page' || i ELSE '/c/section' || i END,
            CASE WHEN i % 2 = 0 THEN 'exact' ELSE 'prefix' END,
            'backend', $2
     FROM generate_series(0, $1::int - 1) AS i`,
    [size, BACKENDS[0]],
  );
}

async function waitForReload(routes: number, since: number, timeoutMs: number): Promise<Reloaded> {
  const deadline = Date.now() + timeoutMs;
  let nudged = false;
  for (;;) {
    const hit = reloads.slice(since).find((r) => r.routes === routes);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`the router did not load a ${routes}-route table within ${timeoutMs} ms`);
    // A NOTIFY should have set the reload off; if none came, ask directly so the run goes on (and say so).
    if (!nudged && Date.now() > deadline - timeoutMs / 2) {
      nudged = true;
      process.stderr.write('router-child: no reload after the table change; requesting one\n');
      router.reloader.request();
    }
    await sleep(5);
  }
}

function statusField(name: string): number | null {
  try {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function memory(): Memory {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, peakRss: statusField('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux: clear_refs 5); false where that is not allowed. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const handlers: Handlers<Ops> = {
  async table({ size }) {
    const method = size > UPSERT_LIMIT ? 'generate_series' : 'upsertRoutes';
    const since = reloads.length;
    const started = performance.now();
    // One transaction: the routers are notified once, at commit, of the whole new table.
    await db.transaction(async (tx) => {
      await tx.query(`TRUNCATE ${SCHEMA}.routes`);
      if (method === 'generate_series') {
        await insertGenerated(tx, size);
        await upsertRoutes(tx, STACK, [], SPECIAL);
      } else {
        await upsertRoutes(tx, STACK, [], [...generated(size), ...SPECIAL]);
      }
    });
    const insertMs = performance.now() - started;
    tableSize = size;
    const reloaded = await waitForReload(size + SPECIAL.length, since, 120_000);
    await router.reloader.idle();
    return { routes: size + SPECIAL.length, method, insertMs, notifiedReloadMs: reloaded.ms };
  },

  async reload() {
    await router.reloader.idle();
    gc();
    const before = memory();
    const canReset = resetPeakRss();
    const since = reloads.length;
    const queriedBefore = queryMs;
    // The longest the event loop was held up: how long requests stall while the table reloads.
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    // It records nothing until its timer has run once, so a block starting at once would go unseen.
    await sleep(30);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    router.reloader.request();
    await router.reloader.idle();
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    // The histogram takes a delay when its timer finally runs, which is after
    // the promise above resolved: give it a few ticks to record the last block.
    await sleep(50);
    delay.disable();
    const after = memory();
    gc();
    const afterGc = memory();
    const logged = reloads[since];
    if (!logged) throw new Error('the reload failed (see the router log above)');
    return {
      routes: logged.routes,
      reloadMs: logged.ms,
      queryMs: queryMs - queriedBefore,
      maxBlockMs: delay.max / 1e6,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      before,
      after,
      afterGc,
      peakRssDuring: canReset ? after.peakRss : null,
    };
  },

  async memory() {
    return memory();
  },

  async churn({ i }) {
    await db.transaction(async (tx) => {
      await tx.query(`UPDATE ${SCHEMA}.routes SET backend_id = $1, updated_at = now() WHERE incoming_path = $2 AND route_type = 'exact'`, [
        BACKENDS[i % 2],
        lateExact(tableSize),
      ]);
      await upsertRoutes(tx, STACK, [], [{ incoming_path: `/churn/${i}`, route_type: 'exact', handler: 'gone' }]);
      await tx.query(`DELETE FROM ${SCHEMA}.routes WHERE incoming_path = $1`, [`/churn/${i - 1}`]);
    });
    return null;
  },

  async settle() {
    // A NOTIFY from a commit just made can arrive a moment after idle()
    // resolves, so settled means a quiet spell in which no reload finished.
    for (;;) {
      const seen = counts.succeeded + counts.failed;
      await router.reloader.idle();
      await sleep(20);
      await router.reloader.idle();
      if (counts.succeeded + counts.failed === seen) return { ...counts };
    }
  },
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}


serveRpc<Ops>(handlers);
// The benchmark going away, however it went, ends this process too.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  void router
    .stop()
    .then(() => db.close())
    .finally(() => process.exit(0));
});

const ready: ReadyMessage = { ready: true, port, adminPort };
process.send(ready);
