// The stack under the fan-out benchmark, in a process of its own pinned to the
// server CPU: both content stores (the live one announcing its writes through
// its outbox to an in-process bus, as `portico start` wires it), the
// Publishing API, the downstream workers, the live router and a trivial
// `frontend` backend, all on one PostgreSQL pool. Started by
// bench/fanout-process.ts; takes commands over IPC (bench/fanout-protocol.ts).
import { randomUUID } from 'node:crypto';
import { serveRpc, stopOnSigterm, type Handlers } from './child-rpc.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ContentStorePayload } from '../src/content-store/content-item.ts';
import { createContentStore } from '../src/content-store/index.ts';
import { checkContentPayload } from '../src/content-store/payload.ts';
import { deepSort } from '../src/content-store/present.ts';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { contentStoreSchema, STACKS, type Stack } from '../src/content-store/schema.ts';
import { prepareItem, type PreparedItem } from '../src/content-store/store.ts';
import { PERMISSIONS } from '../src/platform/auth.ts';
import { createMemoryBus } from '../src/platform/bus/index.ts';
import { ident, type Db, type Queryable } from '../src/platform/db/index.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { drain, listen } from '../src/platform/http.ts';
import { createLogger, silentLogger } from '../src/platform/log.ts';
import { migrateAll } from '../src/platform/platform.ts';
import { createQueue } from '../src/platform/queue.ts';
import { httpContentStoreClient } from '../src/publishing-api/content-store-client.ts';
import { dependentDocuments } from '../src/publishing-api/expansion/dependents.ts';
import { expandLinks } from '../src/publishing-api/expansion/expand.ts';
import { DEFAULT_ORIGIN } from '../src/publishing-api/expansion/rules.ts';
import { createPublishingApi } from '../src/publishing-api/index.ts';
import { downstreamBacklog, startDownstreamWorkers } from '../src/publishing-api/jobs.ts';
import { forContentStore } from '../src/publishing-api/presenters.ts';
import { editionsInStores } from '../src/publishing-api/repository.ts';
import { createRouter } from '../src/router/index.ts';
import { createToken, tokenAuthenticator } from '../src/signon/tokens.ts';
import {
  DOC_PREFIX,
  docPath,
  ENV,
  ORG_PATH,
  ORG_TITLE,
  type FanoutPorts,
  type FanoutStackOptions,
  type Ops,
  type Progress,
  type ReadyMessage,
  type SeedResult,
  type WindowStats,
} from './fanout-protocol.ts';
import { JobStats, nearestRank, QueryStats, timedClient, timedDb, timedDependents, timedQueue } from './fanout-instrument.ts';

const HOST = '127.0.0.1';
/** Documents per bulk statement. */
const BATCH = 2000;
const TEMPLATE_PATH = '/fanout-template';
const TEMPLATE_TITLE = 'Fan-out template document';

const portsText = process.env[ENV.ports];
const stackText = process.env[ENV.stack];
if (!process.send || !portsText || !stackText) {
  console.error(`fanout-child: run by the fan-out benchmark with IPC, ${ENV.ports} and ${ENV.stack} set`);
  process.exit(2);
}
const ports = JSON.parse(portsText) as FanoutPorts;
const options = JSON.parse(stackText) as FanoutStackOptions;

// The services log at info as in production (a line per write); the lines are
// formatted as usual but only counted. Router reloads are read off their lines.
let reloads: { routes: number; ms: number }[] = [];
/** The router's incremental updates (a route added or changed), logged at debug. */
let deltas: number[] = [];
let warnings = 0;
let errors = 0;
let printed = 0;
const log = createLogger({
  level: 'info',
  destination: {
    write(line: string) {
      if (line.includes('"reloaded routes"')) {
        const entry = JSON.parse(line) as { route_count?: number; duration_ms?: number };
        reloads.push({ routes: entry.route_count ?? -1, ms: entry.duration_ms ?? NaN });
      } else if (line.includes('"applied route changes"')) {
        deltas.push((JSON.parse(line) as { duration_ms?: number }).duration_ms ?? NaN);
      } else if (line.includes('"level":"warn"') || line.includes('"level":"error"')) {
        if (line.includes('"level":"warn"')) warnings++;
        else errors++;
        if (printed++ < 20) process.stderr.write(`stack: ${line}`);
      }
    },
  },
});

// One pool for every service, as `portico start` runs them in one process; each service gets a timing view of it.
const pool: Db = await openPostgres(options.databaseUrl, { log: silentLogger(), ...(options.pool ? { max: options.pool } : {}) });
await migrateAll(pool);
const queryStats = new Map<string, QueryStats>();
function view(name: string): Db {
  const stats = new QueryStats();
  queryStats.set(name, stats);
  return timedDb(pool, stats);
}
const jobStats = new JobStats();

const FRONTEND_BODY = Buffer.from('<!DOCTYPE html><title>frontend</title><p>rendered</p>\n');
const frontend = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': FRONTEND_BODY.length });
  res.end(FRONTEND_BODY);
});
await listen(frontend, ports.frontend, HOST);
await pool.transaction(async (tx) => {
  for (const stack of STACKS) await upsertRoutes(tx, stack, [{ backend_id: 'frontend', backend_url: `http://${HOST}:${ports.frontend}` }], []);
});

const authenticate = tokenAuthenticator(view('auth'));
const bus = createMemoryBus({ log });
const stores = {
  live: createContentStore({ stack: 'live', db: view('content-store-live'), log, authenticate, bus }),
  draft: createContentStore({ stack: 'draft', db: view('content-store-draft'), log, authenticate }),
};
await stores.live.start(ports.contentStoreLive, HOST);
await stores.draft.start(ports.contentStoreDraft, HOST);
const writer = await createToken(pool, 'bench-fanout-worker', [PERMISSIONS.contentStoreWrite]);
const queue = createQueue(view('pg-boss'), { log });
await queue.start();
const api = createPublishingApi({ db: view('publishing-api'), log, authenticate, queue });
await api.start(ports.publishingApi, HOST);

// Progress: seeded documents written with the rename's payload_version or later.
let minVersion = Number.POSITIVE_INFINITY;
const done: Record<Stack, { paths: Set<string>; first: number | null; last: number | null }> = {
  live: { paths: new Set(), first: null, last: null },
  draft: { paths: new Set(), first: null, last: null },
};
const written = (stack: Stack) => (basePath: string, version: number) => {
  if (version < minVersion || !basePath.startsWith(DOC_PREFIX)) return;
  const d = done[stack];
  d.paths.add(basePath);
  const now = Date.now();
  d.first ??= now;
  d.last = now;
};
const workerDb = view('workers');
const workers = await startDownstreamWorkers({
  db: workerDb,
  queue: timedQueue(queue, jobStats, options.lowBatch),
  log,
  stores: {
    live: timedClient(httpContentStoreClient(`http://${HOST}:${ports.contentStoreLive}`, writer.token), 'live', jobStats, written('live')),
    draft: timedClient(httpContentStoreClient(`http://${HOST}:${ports.contentStoreDraft}`, writer.token), 'draft', jobStats, written('draft')),
  },
  dependents: timedDependents(dependentDocuments, jobStats),
  ...(options.highConcurrency !== undefined ? { highConcurrency: options.highConcurrency } : {}),
  ...(options.lowConcurrency !== undefined ? { lowConcurrency: options.lowConcurrency } : {}),
});
const router = createRouter({
  stack: 'live',
  db: view('router'),
  // Debug, for the line each incremental update logs.
  log: log.child({}, { level: 'debug' }),
  // The defaults `portico start` uses.
  config: { backendConnectTimeoutMs: 1000, backendHeaderTimeoutMs: 20_000, reloadIntervalMs: 60_000, shutdownTimeoutMs: 2000, tlsSkipVerify: false },
});
await router.start(ports.router, ports.routerAdmin, HOST);
const editor = await createToken(pool, 'bench-fanout-editor');

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function callApi(method: 'PUT' | 'POST', path: string, body: unknown): Promise<void> {
  const res = await fetch(`http://${HOST}:${ports.publishingApi}${path}`, {
    method,
    headers: { authorization: `Bearer ${editor.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 400)}`);
}

async function settle(): Promise<void> {
  for (;;) {
    const seen = reloads.length;
    while ((await downstreamBacklog(queue)) > 0) await sleep(20);
    await router.reloader.idle();
    await sleep(50);
    await router.reloader.idle();
    if (reloads.length === seen && (await downstreamBacklog(queue)) === 0) return;
  }
}

// --- Seeding ------------------------------------------------------------------------

function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../schemas/examples/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** The template's payload with its identity (content_id, title, path, and the URLs built from it) replaced by document `i`'s. */
function retarget(value: unknown, from: { id: string; title: string; path: string }, to: { id: string; title: string; path: string }): unknown {
  if (typeof value === 'string') {
    if (value === from.id) return to.id;
    if (value === from.title) return to.title;
    return value.includes(from.path) ? value.split(from.path).join(to.path) : value;
  }
  if (Array.isArray(value)) return value.map((v) => retarget(v, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, retarget(v, from, to)]));
  }
  return value;
}

interface Doc {
  i: number;
  id: string;
  path: string;
  title: string;
  /** Tagged through the edition's links (even i) or through a link set (odd i). */
  viaEdition: boolean;
}

const docTitle = (i: number) => `Fan-out document ${i}`;

/** The rows `PUT /v2/content` + publish (and, for link-set tagging, `PATCH /v2/links`) leave in publishing_api, for a batch. */
async function insertPublishingRows(tx: Queryable, docs: Doc[], templateEditionId: number, orgId: string): Promise<void> {
  const cols = [docs.map((d) => d.id), docs.map((d) => d.path), docs.map((d) => d.title), docs.map((d) => d.viaEdition)];
  await tx.query(
    `WITH input AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[]) AS u(content_id, base_path, title, via_edition)),
     docs AS (
       -- PUT bumps the lock once, publish once more.
       INSERT INTO publishing_api.documents (content_id, locale, lock_version) SELECT content_id, 'en', 2 FROM input RETURNING id, content_id
     )
     INSERT INTO publishing_api.editions (document_id, user_facing_version, state, content_store, base_path, title, description, details,
       document_type, schema_name, publishing_app, rendering_app, phase, analytics_identifier, routes, redirects, edition_links,
       update_type, change_note, auth_bypass_ids, first_published_at, public_updated_at, major_published_at, published_at,
       last_edited_at, publishing_request_id)
     SELECT d.id, 1, 'published', 'live', i.base_path, i.title, t.description, t.details,
       t.document_type, t.schema_name, t.publishing_app, t.rendering_app, t.phase, t.analytics_identifier,
       jsonb_build_array(jsonb_build_object('path', i.base_path, 'type', 'exact')), t.redirects,
       CASE WHEN i.via_edition THEN t.edition_links ELSE '{}'::jsonb END,
       t.update_type, t.change_note, t.auth_bypass_ids, t.first_published_at, t.public_updated_at, t.major_published_at, t.published_at,
       t.last_edited_at, t.publishing_request_id
     FROM input i JOIN docs d USING (content_id) CROSS JOIN publishing_api.editions t
     WHERE t.id = $5`,
    [...cols, templateEditionId],
  );
  const viaSet = docs.filter((d) => !d.viaEdition).map((d) => d.id);
  if (viaSet.length) {
    await tx.query(`INSERT INTO publishing_api.link_sets (content_id, lock_version) SELECT unnest($1::uuid[]), 1`, [viaSet]);
    await tx.query(
      `INSERT INTO publishing_api.links (link_set_content_id, link_type, target_content_id, position)
       SELECT unnest($1::uuid[]), 'organisations', $2::uuid, 0`,
      [viaSet, orgId],
    );
  }
  await tx.query(
    `INSERT INTO publishing_api.path_reservations (base_path, publishing_app)
     SELECT unnest($1::text[]), t.publishing_app FROM publishing_api.editions t WHERE t.id = $2`,
    [docs.map((d) => d.path), templateEditionId],
  );
}

/** The columns putContentItem writes, for a batch of prepared items, and their routes. */
async function insertStoreRows(tx: Queryable, stack: Stack, items: PreparedItem[]): Promise<void> {
  const s = ident(contentStoreSchema(stack));
  const rows = items.map((i) => ({
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
    `INSERT INTO ${s}.content_items (base_path, content_id, locale, document_type, schema_name, rendering_app,
       payload_version, routes, redirects, gone, max_cache_time, payload, presented, updated_at)
     SELECT base_path, content_id, locale, document_type, schema_name, rendering_app,
       payload_version, routes, redirects, gone, max_cache_time, payload, presented, updated_at
     FROM json_to_recordset($1::json) AS x(base_path text, content_id text, locale text, document_type text, schema_name text,
       rendering_app text, payload_version bigint, routes jsonb, redirects jsonb, gone boolean, max_cache_time integer,
       payload jsonb, presented text, updated_at timestamptz)`,
    [JSON.stringify(rows)],
  );
  const routes = items.flatMap((i) => i.routes.map((r) => ({ ...r, content_base_path: i.payload.base_path })));
  await tx.query(
    `INSERT INTO ${s}.routes (incoming_path, route_type, handler, backend_id, redirect_to, redirect_type, segments_mode, content_base_path)
     SELECT incoming_path, route_type, handler, backend_id, redirect_to, redirect_type, segments_mode, content_base_path
     FROM json_to_recordset($1::json) AS x(incoming_path text, route_type text, handler text, backend_id text, redirect_to text,
       redirect_type text, segments_mode text, content_base_path text)`,
    [JSON.stringify(routes)],
  );
}

/** A store item for document `d`, from the template's, as the content store's PUT handler would prepare it. */
function prepareFor(template: ContentStorePayload, d: Doc, templateId: string, now: Date): PreparedItem {
  const body = retarget(template, { id: templateId, title: TEMPLATE_TITLE, path: TEMPLATE_PATH }, { id: d.id, title: d.title, path: d.path });
  const checked = checkContentPayload(body, d.path);
  if (!checked.ok) throw new Error(`seed item for ${d.path} is not valid: ${JSON.stringify(checked.fields)}`);
  return prepareItem(checked.payload, checked.registration.routes.map((r) => r.record), now);
}

const stable = (v: unknown) => JSON.stringify(deepSort(v));

/** Compares the stored payloads of `docs` with what the downstream job would write for them now (payload_version aside). */
async function verify(docs: Doc[]): Promise<void> {
  for (const d of docs) {
    const { draft, live } = await editionsInStores(pool, d.id, 'en');
    for (const stack of STACKS) {
      const edition = stack === 'live' ? live : draft ?? live;
      if (!edition) throw new Error(`seeded document ${d.path} has no edition for the ${stack} store`);
      const { rows } = await pool.query<{ payload: ContentStorePayload }>(
        `SELECT payload FROM ${ident(contentStoreSchema(stack))}.content_items WHERE base_path = $1`,
        [d.path],
      );
      const stored = rows[0]?.payload;
      if (!stored) throw new Error(`seeded document ${d.path} is missing from the ${stack} content store`);
      const links = await expandLinks(pool, d.id, 'en', { withDrafts: stack === 'draft', origin: DEFAULT_ORIGIN });
      const expected = forContentStore(edition, stack, stored.payload_version, links);
      const checked = checkContentPayload(JSON.parse(JSON.stringify(expected)), d.path);
      if (!checked.ok) throw new Error(`the expected payload for ${d.path} does not pass the content store's check`);
      if (stable(checked.payload) !== stable(stored)) {
        throw new Error(`seeded ${stack} item ${d.path} differs from what the downstream job writes:\nstored   ${stable(stored).slice(0, 1500)}\nexpected ${stable(checked.payload).slice(0, 1500)}`);
      }
    }
  }
}

async function seed(documents: number, verifySample: number): Promise<SeedResult> {
  const t0 = performance.now();
  // Through the API: the organisation, and one document tagged to it whose stored items are the template for the rest.
  const orgId = randomUUID();
  const orgPayload = { ...example('organisation'), base_path: ORG_PATH, title: ORG_TITLE, routes: [{ path: ORG_PATH, type: 'exact' }], links: {} };
  await callApi('PUT', `/v2/content/${orgId}`, orgPayload);
  await callApi('POST', `/v2/content/${orgId}/publish`, { update_type: 'major' });
  const templateId = randomUUID();
  const answer = example('answer');
  await callApi('PUT', `/v2/content/${templateId}`, {
    ...answer,
    base_path: TEMPLATE_PATH,
    title: TEMPLATE_TITLE,
    routes: [{ path: TEMPLATE_PATH, type: 'exact' }],
    links: { organisations: [orgId] },
  });
  await callApi('POST', `/v2/content/${templateId}/publish`, { update_type: 'major' });
  await settle();
  const apiSetupMs = performance.now() - t0;

  const { rows: te } = await pool.query<{ id: string }>(
    `SELECT e.id FROM publishing_api.editions e JOIN publishing_api.documents d ON d.id = e.document_id WHERE d.content_id = $1 AND e.content_store = 'live'`,
    [templateId],
  );
  const templateEditionId = Number(te[0]!.id);
  const templates = {} as Record<Stack, ContentStorePayload>;
  for (const stack of STACKS) {
    const { rows } = await pool.query<{ payload: ContentStorePayload }>(
      `SELECT payload FROM ${ident(contentStoreSchema(stack))}.content_items WHERE base_path = $1`,
      [TEMPLATE_PATH],
    );
    if (!rows[0]) throw new Error(`the template document is missing from the ${stack} content store`);
    templates[stack] = rows[0].payload;
  }

  const docs: Doc[] = Array.from({ length: documents }, (_, i) => ({ i, id: randomUUID(), path: docPath(i), title: docTitle(i), viaEdition: i % 2 === 0 }));
  let prepareMs = 0;
  let publishingApiInsertMs = 0;
  let contentStoreInsertMs = 0;
  let presentedBytes = 0;
  const reloadsBefore = reloads.length;
  const now = new Date();
  // One transaction: the router hears of the new routes once, at commit.
  await pool.transaction(async (tx) => {
    for (let b = 0; b < docs.length; b += BATCH) {
      const batch = docs.slice(b, b + BATCH);
      let t = performance.now();
      await insertPublishingRows(tx, batch, templateEditionId, orgId);
      publishingApiInsertMs += performance.now() - t;
      for (const stack of STACKS) {
        t = performance.now();
        const items = batch.map((d) => prepareFor(templates[stack], d, templateId, now));
        if (!presentedBytes && stack === 'live') presentedBytes = Buffer.byteLength(items[0]!.presented);
        prepareMs += performance.now() - t;
        t = performance.now();
        await insertStoreRows(tx, stack, items);
        contentStoreInsertMs += performance.now() - t;
      }
      if ((b / BATCH) % 10 === 9) process.stderr.write(`  seeded ${b + batch.length} documents\n`);
    }
  });

  // As autovacuum would have it some minutes after such a load.
  let t = performance.now();
  for (const table of [
    'publishing_api.documents',
    'publishing_api.editions',
    'publishing_api.link_sets',
    'publishing_api.links',
    'publishing_api.path_reservations',
    ...STACKS.flatMap((s) => [`${ident(contentStoreSchema(s))}.content_items`, `${ident(contentStoreSchema(s))}.routes`]),
  ]) {
    await pool.query(`VACUUM ANALYZE ${table}`);
  }
  const vacuumMs = performance.now() - t;

  // The reload the commit's NOTIFY set off (it may have finished during the VACUUM): its own logged duration.
  const deadline = Date.now() + 300_000;
  let loaded: { routes: number; ms: number } | undefined;
  while (!(loaded = reloads.slice(reloadsBefore).find((r) => r.routes >= documents))) {
    if (Date.now() > deadline) throw new Error(`the router did not load ${documents} routes within 300 s`);
    await sleep(20);
  }
  await router.reloader.idle();
  const routerReloadMs = loaded.ms;

  t = performance.now();
  const pick = new Set([0, 1, documents - 2, documents - 1].filter((i) => i >= 0));
  while (pick.size < Math.min(documents, verifySample)) pick.add(Math.floor(Math.random() * documents));
  await verify([...pick].map((i) => docs[i]!));
  const verifyMs = performance.now() - t;

  return {
    documents,
    orgContentId: orgId,
    orgPayload,
    apiSetupMs,
    prepareMs,
    publishingApiInsertMs,
    contentStoreInsertMs,
    vacuumMs,
    routerReloadMs,
    verifyMs,
    totalMs: performance.now() - t0,
    verified: pick.size,
    presentedBytes,
    routes: router.mux.size,
    samplePaths: [...pick].slice(0, 8).map((i) => docs[i]!.path),
  };
}

// --- The measured window ------------------------------------------------------------

let profiler: { session: Session; file: string } | undefined;
let windowStart = performance.now();

const handlers: Handlers<Ops> = {
  seed: ({ documents, verifySample }) => seed(documents, verifySample),

  async settle() {
    await settle();
    return null;
  },

  async mark({ minVersion: v, profileDir }) {
    for (const s of queryStats.values()) s.reset();
    jobStats.reset();
    reloads = [];
    deltas = [];
    warnings = 0;
    errors = 0;
    minVersion = v;
    for (const stack of STACKS) done[stack] = { paths: new Set(), first: null, last: null };
    if (profileDir) {
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      // 1 ms: a 10-minute window stays a profile of reasonable size.
      await session.post('Profiler.setSamplingInterval', { interval: 1000 });
      await session.post('Profiler.start');
      profiler = { session, file: join(profileDir, 'fanout-stack.cpuprofile') };
    }
    delay.reset();
    windowStart = performance.now();
    return null;
  },

  async progress(): Promise<Progress> {
    return {
      live: done.live.paths.size,
      draft: done.draft.paths.size,
      liveFirstAt: done.live.first,
      liveLastAt: done.live.last,
      draftFirstAt: done.draft.first,
      draftLastAt: done.draft.last,
    };
  },

  async collect(): Promise<WindowStats> {
    let profileFile: string | undefined;
    if (profiler) {
      const { profile } = await profiler.session.post('Profiler.stop');
      writeFileSync(profiler.file, JSON.stringify(profile));
      profiler.session.disconnect();
      profileFile = profiler.file;
      profiler = undefined;
    }
    const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
    const put = (v: number[]) => ({ count: v.length, meanMs: v.reduce((a, b) => a + b, 0) / (v.length || 1), p95Ms: nearestRank(sorted(v), 95) });
    return {
      seconds: (performance.now() - windowStart) / 1000,
      jobs: jobStats.summaries(),
      queries: Object.fromEntries([...queryStats.entries()].map(([name, s]) => [name, s.snapshot()])),
      puts: { live: put(jobStats.puts.live), draft: put(jobStats.puts.draft) },
      dependents: jobStats.dependents,
      sendMany: jobStats.sendMany,
      eventLoop: { maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6, meanMs: delay.mean / 1e6 },
      reloads: { count: reloads.length, ms: reloads.map((r) => r.ms), lastRoutes: reloads.at(-1)?.routes ?? router.mux.size },
      deltas: { count: deltas.length, ms: deltas },
      warnings,
      errors,
      profileFile,
      rss: process.memoryUsage().rss,
    };
  },
};


stopOnSigterm([
  ['router', () => router.stop()],
  ['workers', () => workers.stop()],
  ['publishing api', () => api.stop()],
  ['queue', () => queue.stop()],
  ['content stores', () => Promise.all([stores.live.stop(), stores.draft.stop()])],
  ['bus', () => bus.close()],
  ['frontend', () => drain(frontend, 1000)],
  ['database', () => pool.close()],
]);

serveRpc<Ops>(handlers);
// The benchmark going away, however it went, ends this process too.
process.on('disconnect', () => process.exit(0));

const ready: ReadyMessage = { ready: true, token: editor.token };
process.send(ready);
