// The publishing stack under test, in one process of its own so that it can be
// pinned to the server CPU: both content stores, the Publishing API, the
// downstream workers, the live router and a trivial `frontend` backend, on one
// database. Started by bench/publishing-process.ts; takes commands over IPC
// (bench/publishing-protocol.ts).
import { randomUUID } from 'node:crypto';
import { startPublishingService } from './publishing-service.ts';
import { serveRpc, stopOnSigterm, type Handlers } from './child-rpc.ts';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ContentStorePayload } from '../src/content-store/content-item.ts';
import { createContentStore } from '../src/content-store/index.ts';
import { registerRoutes } from '../src/content-store/route-registration.ts';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { contentStoreSchema, STACKS } from '../src/content-store/schema.ts';
import { prepareItem, type PreparedItem } from '../src/content-store/store.ts';
import { ident, type Db } from '../src/platform/db/index.ts';
import { openPglite } from '../src/platform/db/pglite.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { drain, listen } from '../src/platform/http.ts';
import { createLogger, silentLogger } from '../src/platform/log.ts';
import { migrateAll } from '../src/platform/platform.ts';
import { downstreamBacklog } from '../src/publishing-api/jobs.ts';
import { createRouter } from '../src/router/index.ts';
import { createToken, tokenAuthenticator } from '../src/signon/tokens.ts';
import {
  ENV,
  itemPath,
  type Ops,
  type ReadyMessage,
  type ReloadStats,
  type StackPorts,
} from './publishing-protocol.ts';

const LIVE = ident(contentStoreSchema('live'));
const HOST = '127.0.0.1';
/** Rows per bulk INSERT statement. */
const BATCH = 2000;

const portsText = process.env[ENV.ports];
const databaseUrl = process.env[ENV.databaseUrl];
if (!process.send || !portsText) {
  console.error(`publishing-child: run by the publishing benchmark with IPC and ${ENV.ports} set`);
  process.exit(2);
}
const ports = JSON.parse(portsText) as StackPorts;

// The services log as they would in production (info: every write, no reads).
// The lines are counted, not printed: the router's 'reloaded routes' lines are
// part of the measurement. A few warnings and errors still reach stderr.
let reloads: { routes: number; ms: number }[] = [];
let warnings = 0;
let errors = 0;
let printed = 0;
// BENCH_STACK_LOG=FILE keeps every line too, to follow one publish through the services.
const logFile = process.env.BENCH_STACK_LOG;
const log = createLogger({
  level: process.env[ENV.logLevel] ?? 'info',
  destination: {
    write(line: string) {
      if (logFile) appendFileSync(logFile, line);
      if (line.includes('"reloaded routes"')) {
        const entry = JSON.parse(line) as { route_count?: number; duration_ms?: number };
        reloads.push({ routes: entry.route_count ?? -1, ms: entry.duration_ms ?? NaN });
      } else if (line.includes('"level":"warn"') || line.includes('"level":"error"')) {
        if (line.includes('"level":"warn"')) warnings++;
        else errors++;
        if (printed++ < 20) process.stderr.write(`stack: ${line}`);
      }
    },
  },
});

const db: Db = databaseUrl ? await openPostgres(databaseUrl, { log: silentLogger() }) : await openPglite();
await migrateAll(db);

// The trivial rendering app: 200 and a few bytes for any path.
const FRONTEND_BODY = Buffer.from('<!DOCTYPE html><title>frontend</title><p>rendered</p>\n');
const frontend = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': FRONTEND_BODY.length });
  res.end(FRONTEND_BODY);
});
await listen(frontend, ports.frontend, HOST);
await db.transaction(async (tx) => {
  for (const stack of STACKS) await upsertRoutes(tx, stack, [{ backend_id: 'frontend', backend_url: `http://${HOST}:${ports.frontend}` }], []);
});

// As `portico start` wires the targets, all of them in this one process.
const authenticate = tokenAuthenticator(db);
const stores = {
  live: createContentStore({ stack: 'live', db, log, authenticate }),
  draft: createContentStore({ stack: 'draft', db, log, authenticate }),
};
await stores.live.start(ports.contentStoreLive, HOST);
await stores.draft.start(ports.contentStoreDraft, HOST);
const { queue, api, workers } = await startPublishingService({
  db,
  log,
  authenticate,
  host: HOST,
  port: ports.publishingApi,
  storeUrls: { live: `http://${HOST}:${ports.contentStoreLive}`, draft: `http://${HOST}:${ports.contentStoreDraft}` },
  writerName: 'bench-publishing-worker',
});
const router = createRouter({
  stack: 'live',
  db,
  log,
  // The defaults `portico start` uses.
  config: { backendConnectTimeoutMs: 1000, backendHeaderTimeoutMs: 20_000, reloadIntervalMs: 60_000, shutdownTimeoutMs: 2000, tlsSkipVerify: false },
});
await router.start(ports.router, ports.routerAdmin, HOST);
const editor = await createToken(db, 'bench-editor');

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForReload(routes: number, since: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = reloads.slice(since).find((r) => r.routes >= routes);
    if (hit) return hit.ms;
    if (Date.now() > deadline) throw new Error(`the router did not load ${routes} routes within ${timeoutMs} ms`);
    await sleep(10);
  }
}

const handlers: Handlers<Ops> = {
  async insertRoute({ path }) {
    await db.query(`INSERT INTO ${LIVE}.routes (incoming_path, route_type, handler, backend_id) VALUES ($1, 'exact', 'backend', 'frontend')`, [path]);
    return null;
  },

  async settle() {
    // Quiet means: no job left, no reload running, and none finished during a short wait.
    for (;;) {
      const seen = reloads.length;
      while ((await downstreamBacklog(queue)) > 0) await sleep(5);
      await router.reloader.idle();
      await sleep(20);
      await router.reloader.idle();
      if (reloads.length === seen && (await downstreamBacklog(queue)) === 0) return null;
    }
  },

  async stats() {
    const s: ReloadStats = {
      count: reloads.length,
      ms: reloads.map((r) => r.ms),
      lastRouteCount: reloads.at(-1)?.routes ?? router.mux.size,
      warnings,
      errors,
      maxBlockMs: delay.max / 1e6,
    };
    reloads = [];
    warnings = 0;
    errors = 0;
    delay.reset();
    return s;
  },

  async loadItems({ count, templatePath, staticDir }) {
    const found = await db.query<{ payload: ContentStorePayload }>(`SELECT payload FROM ${LIVE}.content_items WHERE base_path = $1`, [templatePath]);
    const template = found.rows[0]?.payload;
    if (!template) throw new Error(`no live item at ${templatePath} to copy`);

    // The content store's own preparation: the body GET answers, and the route rows.
    let started = performance.now();
    const now = new Date();
    const items: PreparedItem[] = [];
    for (let i = 0; i < count; i++) {
      const path = itemPath(i);
      const payload: ContentStorePayload = {
        ...template,
        base_path: path,
        content_id: randomUUID(),
        title: `${template.title ?? 'Item'} ${i}`,
        routes: [{ path, type: 'exact' }],
        redirects: [],
      };
      items.push(prepareItem(payload, registerRoutes(payload).routes.map((r) => r.record), now));
    }
    const prepareMs = performance.now() - started;

    // The columns putContentItem writes, in bulk; one transaction, so the router is notified once.
    started = performance.now();
    const reloadsBefore = reloads.length;
    await db.transaction(async (tx) => {
      for (let b = 0; b < items.length; b += BATCH) {
        const batch = items.slice(b, b + BATCH);
        // One JSON text per batch, taken apart by the database: much cheaper than
        // fourteen arrays of escaped strings, on both drivers.
        const rows = batch.map((i) => ({
          base_path: i.payload.base_path,
          content_id: i.payload.content_id,
          locale: i.payload.locale,
          document_type: i.payload.document_type,
          schema_name: i.payload.schema_name,
          rendering_app: i.payload.rendering_app ?? null,
          payload_version: i.payload.payload_version,
          routes: i.payload.routes,
          redirects: i.payload.redirects,
          gone: i.gone,
          max_cache_time: i.maxCacheTime,
          payload: i.payload,
          presented: i.presented,
          updated_at: i.updatedAt,
        }));
        await tx.query(
          `INSERT INTO ${LIVE}.content_items (base_path, content_id, locale, document_type, schema_name, rendering_app,
             payload_version, routes, redirects, gone, max_cache_time, payload, presented, updated_at)
           SELECT base_path, content_id, locale, document_type, schema_name, rendering_app,
             payload_version, routes, redirects, gone, max_cache_time, payload, presented, updated_at
           FROM json_to_recordset($1::json) AS x(base_path text, content_id text, locale text, document_type text,
             schema_name text, rendering_app text, payload_version bigint, routes jsonb, redirects jsonb, gone boolean,
             max_cache_time integer, payload jsonb, presented text, updated_at timestamptz)`,
          [JSON.stringify(rows)],
        );
        const routes = batch.flatMap((i) => i.routes.map((r) => ({ ...r, content_base_path: i.payload.base_path })));
        await tx.query(
          `INSERT INTO ${LIVE}.routes (incoming_path, route_type, handler, backend_id, redirect_to, redirect_type, segments_mode, content_base_path)
           SELECT incoming_path, route_type, handler, backend_id, redirect_to, redirect_type, segments_mode, content_base_path
           FROM json_to_recordset($1::json) AS x(incoming_path text, route_type text, handler text, backend_id text,
             redirect_to text, redirect_type text, segments_mode text, content_base_path text)`,
          [JSON.stringify(routes)],
        );
      }
    });
    const insertMs = performance.now() - started;
    const reloadMs = await waitForReload(count, reloadsBefore, 300_000);
    await router.reloader.idle();

    started = performance.now();
    const made = new Set<string>();
    for (const item of items) {
      const file = join(staticDir, 'content', item.payload.base_path);
      const dir = dirname(file);
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      writeFileSync(file, item.presented);
    }
    const writeFilesMs = performance.now() - started;
    const sampleBytes = Buffer.byteLength(items[0]?.presented ?? '');
    // The prepared items are garbage now: collect them here rather than in the middle of a measurement.
    items.length = 0;
    (globalThis as { gc?: () => void }).gc?.();
    return { items: count, prepareMs, insertMs, reloadMs, writeFilesMs, sampleBytes };
  },

  async memory() {
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed };
  },
};


stopOnSigterm([
  ['router', () => router.stop()],
  ['workers', () => workers.stop()],
  ['publishing api', () => api.stop()],
  ['queue', () => queue.stop()],
  ['content stores', () => Promise.all([stores.live.stop(), stores.draft.stop()])],
  ['frontend', () => drain(frontend, 1000)],
  ['database', () => db.close()],
]);

serveRpc<Ops>(handlers);
// The benchmark going away, however it went, ends this process too.
process.on('disconnect', () => process.exit(0));

const ready: ReadyMessage = { ready: true, token: editor.token };
process.send(ready);
