// The publishing platform with Portico's edge in front, for the edge
// benchmark's publish -> fresh section, in one process: both content stores,
// the Publishing API and its workers, the live router and frontend, the
// in-process bus, and the edge, whose purge consumer also purges a Varnish
// running the generated VCL (EDGE_PURGE_PEERS as `portico start` wires it).
// PGlite in memory, or the PostgreSQL database in BENCH_DATABASE_URL.
// Started by bench/edge.ts (bench/edge-protocol.ts).
import { createContentStore } from '../src/content-store/index.ts';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { STACKS } from '../src/content-store/schema.ts';
import { httpPurger } from '../src/edge/http-purger.ts';
import { createEdge } from '../src/edge/index.ts';
import { createFrontend } from '../src/frontend/index.ts';
import { FRONTEND_BACKEND_ID, FRONTEND_ROUTES } from '../src/frontend/routes.ts';
import { createMemoryBus } from '../src/platform/bus/index.ts';
import type { Db } from '../src/platform/db/index.ts';
import { openPglite } from '../src/platform/db/pglite.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { silentLogger } from '../src/platform/log.ts';
import { migrateAll } from '../src/platform/platform.ts';
import { createRouter } from '../src/router/index.ts';
import { createToken, tokenAuthenticator } from '../src/signon/tokens.ts';
import { startPublishingService } from './publishing-service.ts';
import { stopOnSigterm } from './child-rpc.ts';
import { BENCH_PURGE_TOKEN, ENV, type PlatformPorts, type PlatformReady } from './edge-protocol.ts';

const HOST = '127.0.0.1';
const portsText = process.env[ENV.platformPorts];
if (!process.send || !portsText) {
  console.error(`edge-platform-child: run by the edge benchmark with IPC and ${ENV.platformPorts} set`);
  process.exit(2);
}
const ports = JSON.parse(portsText) as PlatformPorts;
const log = silentLogger();

const databaseUrl = process.env[ENV.databaseUrl];
const db: Db = databaseUrl ? await openPostgres(databaseUrl, { log }) : await openPglite();
await migrateAll(db);
const authenticate = tokenAuthenticator(db);
const bus = createMemoryBus({ log });

const stores = {
  live: createContentStore({ stack: 'live', db, log, authenticate, bus }),
  draft: createContentStore({ stack: 'draft', db, log, authenticate }),
};
const storePorts = { live: await stores.live.start(0, HOST), draft: await stores.draft.start(0, HOST) };
const { queue, api, workers } = await startPublishingService({
  db,
  log,
  authenticate,
  host: HOST,
  port: ports.publishingApi,
  storeUrls: { live: `http://${HOST}:${storePorts.live}`, draft: `http://${HOST}:${storePorts.draft}` },
  writerName: 'publishing-api',
});

const frontend = createFrontend({ stack: 'live', log, contentStoreUrl: `http://${HOST}:${storePorts.live}`, searchApiUrl: `http://${HOST}:9`, maxAgeSeconds: 300 });
const frontendPort = await frontend.start(0, HOST);
await db.transaction(async (tx) => {
  for (const stack of STACKS) await upsertRoutes(tx, stack, [{ backend_id: FRONTEND_BACKEND_ID, backend_url: `http://${HOST}:${frontendPort}/` }], [...FRONTEND_ROUTES]);
});
const router = createRouter({
  stack: 'live',
  db,
  log,
  config: { backendConnectTimeoutMs: 1000, backendHeaderTimeoutMs: 5000, reloadIntervalMs: 60_000, shutdownTimeoutMs: 1000, tlsSkipVerify: false },
});
await router.start(ports.router, 0, HOST);

const edge = createEdge({
  originUrl: `http://${HOST}:${ports.router}`,
  purgeToken: BENCH_PURGE_TOKEN,
  bus,
  purgePeers: [httpPurger(`http://${HOST}:${ports.varnish}`, BENCH_PURGE_TOKEN)],
  log,
});
await edge.start(ports.edge, HOST);
const editor = await createToken(db, 'editor');

stopOnSigterm([
  ['edge', () => edge.stop()],
  ['router', () => router.stop()],
  ['frontend', () => frontend.stop()],
  ['workers', () => workers.stop()],
  ['publishing-api', () => api.stop()],
  ['queue', () => queue.stop()],
  ['content stores', () => Promise.all([stores.live.stop(), stores.draft.stop()])],
  ['bus', () => bus.close()],
  ['database', () => db.close()],
]);
const ready: PlatformReady = { ready: true, token: editor.token };
process.send(ready);
