// The stack under the frontend benchmark, in one process pinned to the server
// CPU, wired as `portico start` wires its targets: the live router, the live
// frontend, the live content store and the search API on one PostgreSQL pool,
// plus a trivial backend for the routing floor. To publish the guide it also
// runs the Publishing API, its workers and the draft store, and stops them once
// the guide is live. Started by bench/frontend-process.ts; takes commands over
// IPC (bench/frontend-protocol.ts).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createContentStore } from '../src/content-store/index.ts';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { createFrontend } from '../src/frontend/index.ts';
import { FRONTEND_BACKEND_ID, FRONTEND_ROUTES } from '../src/frontend/routes.ts';
import { createMemoryBus } from '../src/platform/bus/index.ts';
import type { Db } from '../src/platform/db/index.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { drain, listen } from '../src/platform/http.ts';
import { createLogger, silentLogger } from '../src/platform/log.ts';
import { migrateAll } from '../src/platform/platform.ts';
import { downstreamBacklog } from '../src/publishing-api/jobs.ts';
import { createRouter } from '../src/router/index.ts';
import { createSearchApi } from '../src/search-api/index.ts';
import { SEARCH_BACKEND_ID, SEARCH_ROUTES } from '../src/search-api/routes.ts';
import { createToken, tokenAuthenticator } from '../src/signon/tokens.ts';
import { startPublishingService } from './publishing-service.ts';
import { serveRpc, stopOnSigterm, type Handlers } from './child-rpc.ts';
import { COMMON_WORDS, DOCUMENT_TYPES, FUNCTION_WORDS, guideParts, ORGANISATIONS, RARE_WORDS } from './frontend-corpus.ts';
import { ENV, FLOOR_PATH, type FrontendPorts, type Ops, type ReadyMessage } from './frontend-protocol.ts';
import { progress } from './report.ts';

const HOST = '127.0.0.1';
/** Search documents per INSERT statement: a progress line each. */
const SEARCH_BATCH = 10_000;
/** Taxon content ids the search documents are tagged to. */
const TAXONS = 50;

const portsText = process.env[ENV.ports];
const databaseUrl = process.env[ENV.databaseUrl];
if (!process.send || !portsText || !databaseUrl) {
  console.error(`frontend-child: run by the frontend benchmark with IPC, ${ENV.ports} and ${ENV.databaseUrl} set`);
  process.exit(2);
}
const ports = JSON.parse(portsText) as FrontendPorts;

// The services log at info, as in production; the lines are counted, not written.
let warnings = 0;
let errors = 0;
let printed = 0;
const log = createLogger({
  level: 'info',
  destination: {
    write(line: string) {
      if (!line.includes('"level":"warn"') && !line.includes('"level":"error"')) return;
      if (line.includes('"level":"warn"')) warnings++;
      else errors++;
      if (printed++ < 20) process.stderr.write(`stack: ${line}`);
    },
  },
});

const db: Db = await openPostgres(databaseUrl, { log: silentLogger() });
await migrateAll(db);

// The routing floor: the live router in front of a backend that does nothing but answer the page's bytes.
let floorBody = Buffer.from('');
const floor = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': floorBody.length });
  res.end(floorBody);
});
await listen(floor, ports.floor, HOST);

const frontendUrl = `http://${HOST}:${ports.frontend}`;
const searchUrl = `http://${HOST}:${ports.searchApi}`;
await db.transaction(async (tx) => {
  await upsertRoutes(tx, 'live', [{ backend_id: FRONTEND_BACKEND_ID, backend_url: frontendUrl }], [...FRONTEND_ROUTES]);
  await upsertRoutes(tx, 'live', [{ backend_id: SEARCH_BACKEND_ID, backend_url: searchUrl }], [...SEARCH_ROUTES]);
  await upsertRoutes(tx, 'draft', [{ backend_id: FRONTEND_BACKEND_ID, backend_url: frontendUrl }], []);
});

const authenticate = tokenAuthenticator(db);
const search = createSearchApi({ db, bus: createMemoryBus({ log }), log, publicOrigin: 'https://www.example.org' });
await search.start(ports.searchApi, HOST);
const live = createContentStore({ stack: 'live', db, log, authenticate });
await live.start(ports.contentStoreLive, HOST);
const frontend = createFrontend({ stack: 'live', log, contentStoreUrl: `http://${HOST}:${ports.contentStoreLive}`, searchApiUrl: searchUrl });
await frontend.start(ports.frontend, HOST);
// The defaults `portico start` uses.
const routerConfig = { backendConnectTimeoutMs: 1000, backendHeaderTimeoutMs: 20_000, reloadIntervalMs: 60_000, shutdownTimeoutMs: 2000, tlsSkipVerify: false };
const router = createRouter({ stack: 'live', db, log, config: routerConfig });
await router.start(ports.router, ports.routerAdmin, HOST);
const floorRouter = createRouter({ stack: 'live', db, log, config: routerConfig });
await floorRouter.start(ports.floorRouter, ports.floorRouterAdmin, HOST);

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function served(path: string, timeoutMs: number, port = ports.router): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`http://${HOST}:${port}${path}`);
    await res.arrayBuffer();
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${path} not served by the live router after ${timeoutMs} ms (last answer ${res.status})`);
    await sleep(20);
  }
}

function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../schemas/examples/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** The Publishing API for the length of one seeding: started, used, stopped, so that it costs the measurements nothing. */
async function withPublishing<T>(fn: (put: (id: string, body: Record<string, unknown>) => Promise<void>) => Promise<T>): Promise<T> {
  const draft = createContentStore({ stack: 'draft', db, log, authenticate });
  await draft.start(ports.contentStoreDraft, HOST);
  const editor = await createToken(db, 'bench-frontend-editor');
  const { queue, api, workers } = await startPublishingService({
    db,
    log,
    authenticate,
    host: HOST,
    port: ports.publishingApi,
    storeUrls: { live: `http://${HOST}:${ports.contentStoreLive}`, draft: `http://${HOST}:${ports.contentStoreDraft}` },
    writerName: 'bench-frontend-worker',
  });
  const call = async (method: 'PUT' | 'POST', path: string, body: unknown) => {
    const res = await fetch(`http://${HOST}:${ports.publishingApi}${path}`, {
      method,
      headers: { authorization: `Bearer ${editor.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 400)}`);
  };
  const put = async (id: string, body: Record<string, unknown>) => {
    await call('PUT', `/v2/content/${id}`, body);
    await call('POST', `/v2/content/${id}/publish`, { update_type: 'major' });
  };
  try {
    const result = await fn(put);
    while ((await downstreamBacklog(queue)) > 0) await sleep(20);
    return result;
  } finally {
    await workers.stop();
    await api.stop();
    await queue.stop();
    await draft.stop();
  }
}

async function publishGuide(basePath: string): ReturnType<Handlers<Ops>['publishGuide']> {
  const started = performance.now();
  const ids = { orgs: [randomUUID(), randomUUID()], taxons: [randomUUID(), randomUUID(), randomUUID()], related: [randomUUID(), randomUUID(), randomUUID()], guide: randomUUID() };
  await withPublishing(async (put) => {
    const org = example('organisation');
    for (const [i, id] of ids.orgs.entries()) {
      const o = ORGANISATIONS[i]!;
      const path = `/government/organisations/${o.slug}`;
      await put(id, {
        ...org,
        base_path: path,
        title: o.title,
        routes: [{ path, type: 'exact' }],
        links: {},
        details: { ...(org.details as Record<string, unknown>), acronym: o.acronym, brand: o.slug },
      });
    }
    // Root first, so that each taxon's parent exists when it is published.
    const taxon = example('taxon');
    const chain = [
      ['/farming-and-rural-affairs', 'Farming and rural affairs'],
      ['/farming-and-rural-affairs/rural-communities', 'Rural communities'],
      ['/farming-and-rural-affairs/rural-communities/grants', 'Grants for rural communities'],
    ] as const;
    for (const [i, id] of ids.taxons.entries()) {
      const [path, title] = chain[i]!;
      const parent = i === 0 ? [] : [ids.taxons[i - 1]!];
      await put(id, { ...taxon, base_path: path, title, routes: [{ path, type: 'exact' }], links: { parent, parent_taxons: parent } });
    }
    const answer = example('answer');
    for (const [i, id] of ids.related.entries()) {
      const path = `/rural-grant-answer-${i + 1}`;
      await put(id, { ...answer, base_path: path, title: `${String(answer.title)} (${i + 1})`, routes: [{ path, type: 'exact' }], links: { organisations: [ids.orgs[0]!] } });
    }
    await put(ids.guide, {
      base_path: basePath,
      title: 'Apply for a rural community grant',
      description: 'Who can get a grant for a village hall, shop or transport scheme, what it pays for, and how to apply.',
      schema_name: 'guide',
      document_type: 'guide',
      publishing_app: 'publisher',
      rendering_app: 'frontend',
      locale: 'en',
      update_type: 'major',
      change_note: 'Added the rules for community transport schemes.',
      routes: [{ path: basePath, type: 'prefix' }],
      links: { organisations: ids.orgs, parent: [ids.taxons[2]!], taxons: [ids.taxons[2]!], ordered_related_items: ids.related },
      details: {
        parts: guideParts(basePath),
        change_history: [
          { public_timestamp: '2025-03-04T09:30:00Z', note: 'Added the rules for community transport schemes.' },
          { public_timestamp: '2024-11-18T10:00:00Z', note: 'Updated the deadlines for the next round.' },
          { public_timestamp: '2024-02-12T09:30:00Z', note: 'First published.' },
        ],
      },
    });
  });
  const parts = guideParts(basePath);
  const paths = [basePath, ...parts.slice(1).map((p) => `${basePath}/${p.slug}`)];
  for (const p of paths) await served(p, 30_000);
  const res = await fetch(`http://${HOST}:${ports.contentStoreLive}/content${basePath}`);
  const itemBytes = (await res.arrayBuffer()).byteLength;
  return { basePath, paths, itemBytes, publishSeconds: (performance.now() - started) / 1000 };
}

/**
 * One function call per text, so that each row gets its own words. About 42%
 * stop words; 43% common words, the head of the list much more often than the
 * tail; 15% rare names, each in about 1% of documents.
 */
const TEXT_FUNCTION = `
CREATE OR REPLACE FUNCTION public.bench_text(n int, fw text[], cw text[], rw text[]) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT string_agg(CASE
      WHEN r < 0.42 THEN fw[1 + floor(random() * cardinality(fw))::int]
      WHEN r < 0.85 THEN cw[1 + floor(cardinality(cw) * power(random(), 2))::int]
      ELSE rw[1 + floor(random() * cardinality(rw))::int]
    END, ' ')
  FROM (SELECT random() AS r FROM generate_series(1, n)) s
$$`;

async function seedSearch(documents: number): ReturnType<Handlers<Ops>['seedSearch']> {
  await db.exec(TEXT_FUNCTION);
  // The secondary indexes are built once at the end, from their own definitions, rather than row by row.
  const { rows: indexes } = await db.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'search' AND tablename = 'documents' AND indexname <> 'documents_pkey'`,
  );
  for (const i of indexes) await db.exec(`DROP INDEX search.${i.name}`);
  const orgs = ORGANISATIONS.map((o) => ({ slug: o.slug, title: o.title, link: `/government/organisations/${o.slug}`, content_id: randomUUID(), acronym: o.acronym }));
  const taxons = Array.from({ length: TAXONS }, () => randomUUID());
  let started = performance.now();
  for (let from = 1; from <= documents; from += SEARCH_BATCH) {
    const to = Math.min(documents, from + SEARCH_BATCH - 1);
    await db.query(
      `INSERT INTO search.documents (base_path, content_id, locale, title, description, indexable_content, document_type,
         organisations, organisation_slugs, part_of_taxonomy_tree, public_timestamp, is_withdrawn, payload_version, text_config)
       SELECT '/bench-search/doc-' || g, md5('doc' || g)::uuid::text, 'en',
         upper(left(t.title, 1)) || substr(t.title, 2), upper(left(t.description, 1)) || substr(t.description, 2), t.body,
         ($5::text[])[1 + floor(cardinality($5::text[]) * power(r.type, 1.8))::int],
         CASE WHEN r.o1 = r.o2 THEN jsonb_build_array($4::jsonb -> r.o1) ELSE jsonb_build_array($4::jsonb -> r.o1, $4::jsonb -> r.o2) END,
         CASE WHEN r.o1 = r.o2 THEN ARRAY[$4::jsonb -> r.o1 ->> 'slug'] ELSE ARRAY[$4::jsonb -> r.o1 ->> 'slug', $4::jsonb -> r.o2 ->> 'slug'] END,
         ARRAY[($6::text[])[1 + floor(random() * cardinality($6::text[]))::int]],
         now() - r.age * interval '3650 days', r.withdrawn < 0.02, g, 'english'
       FROM generate_series($7::int, $8::int) AS g
       CROSS JOIN LATERAL (
         SELECT floor(jsonb_array_length($4::jsonb) * power(random(), 2))::int AS o1,
           -- One document in five has a second organisation.
           CASE WHEN random() < 0.2 THEN floor(jsonb_array_length($4::jsonb) * power(random(), 2))::int ELSE -1 END AS o2_or_none,
           random() AS type, random() AS age, random() AS withdrawn, g AS row
       ) r0
       CROSS JOIN LATERAL (SELECT r0.*, CASE WHEN r0.o2_or_none < 0 THEN r0.o1 ELSE r0.o2_or_none END AS o2) r
       CROSS JOIN LATERAL (
         SELECT public.bench_text(4 + (r.row * 7) % 6, $1, $2, $3) AS title,
           public.bench_text(12 + (r.row * 13) % 17, $1, $2, $3) AS description,
           public.bench_text(150 + floor(random() * 300)::int + 0 * r.row, $1, $2, $3) AS body
       ) t`,
      [FUNCTION_WORDS, COMMON_WORDS, RARE_WORDS, JSON.stringify(orgs), DOCUMENT_TYPES, taxons, from, to],
    );
    progress(`  search: ${to.toLocaleString('en-GB')}/${documents.toLocaleString('en-GB')} documents (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  const insertSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  for (const i of indexes) await db.exec(i.def);
  const indexSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await db.exec('VACUUM ANALYZE search.documents');
  const vacuumSeconds = (performance.now() - started) / 1000;
  await db.exec('DROP FUNCTION public.bench_text(int, text[], text[], text[])');
  const { rows } = await db.query<{ bytes: string; body: number }>(
    `SELECT pg_total_relation_size('search.documents')::text AS bytes, avg(octet_length(indexable_content))::float8 AS body FROM search.documents`,
  );
  return { documents, insertSeconds, indexSeconds, vacuumSeconds, tableBytes: Number(rows[0]!.bytes), meanBodyBytes: rows[0]!.body };
}

const handlers: Handlers<Ops> = {
  publishGuide: ({ basePath }) => publishGuide(basePath),

  async floorPage({ html }) {
    floorBody = Buffer.from(html);
    await db.transaction((tx) =>
      upsertRoutes(tx, 'live', [{ backend_id: 'bench-floor', backend_url: `http://${HOST}:${ports.floor}` }], [
        { incoming_path: FLOOR_PATH, route_type: 'exact', handler: 'backend', backend_id: 'bench-floor' },
      ]),
    );
    await served(FLOOR_PATH, 30_000, ports.floorRouter);
    return null;
  },

  seedSearch: ({ documents }) => seedSearch(documents),

  async stats() {
    const s = { maxBlockMs: delay.max / 1e6, warnings, errors };
    warnings = 0;
    errors = 0;
    delay.reset();
    return s;
  },

  async memory() {
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed };
  },
};

stopOnSigterm([
  ['routers', () => Promise.all([router.stop(), floorRouter.stop()])],
  ['frontend', () => frontend.stop()],
  ['content store', () => live.stop()],
  ['search API', () => search.stop()],
  ['floor backend', () => drain(floor, 1000)],
  ['database', () => db.close()],
]);

serveRpc<Ops>(handlers);
// The benchmark going away, however it went, ends this process too.
process.on('disconnect', () => process.exit(0));

const ready: ReadyMessage = { ready: true };
process.send(ready);
