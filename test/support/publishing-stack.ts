// A whole publishing stack on one fresh test database: both content stores,
// the Publishing API writing them over HTTP, both routers reading their
// routes, and a loopback "frontend" backend the routers proxy to.
import { upsertRoutes } from '../../src/content-store/routes.ts';
import { createContentStore, type ContentStoreService } from '../../src/content-store/index.ts';
import { STACKS, type Stack } from '../../src/content-store/schema.ts';
import { PERMISSIONS } from '../../src/platform/auth.ts';
import { openTestDb, type TestDb } from '../../src/platform/db/testing.ts';
import { createLogger, silentLogger } from '../../src/platform/log.ts';
import { migrateAll } from '../../src/platform/platform.ts';
import { httpContentStoreClient } from '../../src/publishing-api/content-store-client.ts';
import { createPublishingApi, type PublishingApiService } from '../../src/publishing-api/index.ts';
import { startDownstreamWorkers } from '../../src/publishing-api/jobs.ts';
import { createQueue } from '../../src/platform/queue.ts';
import { createMemoryBus, type Bus } from '../../src/platform/bus/index.ts';
import { createRouter, type RouterService } from '../../src/router/index.ts';
import { createToken, tokenAuthenticator } from '../../src/signon/tokens.ts';
import { send, startSimpleBackend, type HttpResponse, type TestBackend } from './router-harness.ts';

export interface PublishingStack {
  t: TestDb;
  api: PublishingApiService;
  apiPort: number;
  stores: Record<Stack, { service: ContentStoreService; port: number }>;
  routers: Record<Stack, { service: RouterService; port: number }>;
  frontend: TestBackend;
  /** The in-process bus the live content store announces its writes on. */
  bus: Bus;
  /** A token with full Publishing API access. */
  token: string;
  /** A request to the Publishing API with the token. */
  call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any; headers: Record<string, string> }>;
  /** A GET through a router. */
  visit(stack: Stack, path: string): Promise<HttpResponse>;
  close(): Promise<void>;
}

export async function openPublishingStack(): Promise<PublishingStack> {
  const t = await openTestDb();
  const { db } = t;
  await migrateAll(db);
  // PORTICO_TEST_LOG=debug shows what the services logged while a test ran.
  const log = process.env.PORTICO_TEST_LOG ? createLogger({ level: process.env.PORTICO_TEST_LOG }) : silentLogger();
  const authenticate = tokenAuthenticator(db, { cacheMs: 0 });
  const frontend = await startSimpleBackend('frontend', { echo: true });
  await db.transaction(async (tx) => {
    for (const stack of STACKS) await upsertRoutes(tx, stack, [{ backend_id: 'frontend', backend_url: frontend.url }], []);
  });

  const bus = createMemoryBus({ log });
  const stores = {} as PublishingStack['stores'];
  for (const stack of STACKS) {
    const service = createContentStore({ stack, db, log, authenticate, bus });
    stores[stack] = { service, port: await service.start(0, '127.0.0.1') };
  }
  const writer = await createToken(db, 'publishing-api', [PERMISSIONS.contentStoreWrite]);
  const queue = createQueue(db, { log });
  await queue.start();
  const api = createPublishingApi({ db, log, authenticate, queue, retry: { retryLimit: 5, retryDelay: 1 } });
  const apiPort = await api.start(0, '127.0.0.1');
  const workers = await startDownstreamWorkers({
    db,
    queue,
    log,
    stores: {
      live: httpContentStoreClient(`http://127.0.0.1:${stores.live.port}`, writer.token),
      draft: httpContentStoreClient(`http://127.0.0.1:${stores.draft.port}`, writer.token),
    },
  });
  const routers = {} as PublishingStack['routers'];
  for (const stack of STACKS) {
    const service = createRouter({
      stack,
      db,
      log,
      config: { backendConnectTimeoutMs: 1000, backendHeaderTimeoutMs: 5000, reloadIntervalMs: 60_000, shutdownTimeoutMs: 1000, tlsSkipVerify: false },
    });
    routers[stack] = { service, port: (await service.start(0, 0, '127.0.0.1')).port };
  }
  const { token } = await createToken(db, 'editor');

  return {
    t,
    api,
    apiPort,
    stores,
    routers,
    frontend,
    bus,
    token,
    async call(method, path, body, tok = token) {
      const res = await fetch(`http://127.0.0.1:${apiPort}${path}`, {
        method,
        headers: { ...(tok ? { authorization: `Bearer ${tok}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Left as text: the assertion will show it.
      }
      return { status: res.status, body: parsed, headers: Object.fromEntries(res.headers) };
    },
    visit: (stack, path) => send(routers[stack].port, { path }),
    async close() {
      for (const stack of STACKS) await routers[stack].service.stop();
      await workers.stop();
      await api.stop();
      await queue.stop();
      for (const stack of STACKS) await stores[stack].service.stop();
      await frontend.close();
      await bus.close();
      await t.close();
    },
  };
}

/** A valid answer at `basePath`, as an editor would PUT it. */
export function answer(basePath: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    base_path: basePath,
    title: 'How to apply for a fishing licence',
    description: 'Who needs a licence and how to get one',
    details: { body: '## Who needs one\n\nAnyone over 13 fishing with a rod.' },
    document_type: 'answer',
    schema_name: 'answer',
    publishing_app: 'publisher',
    rendering_app: 'frontend',
    routes: [{ path: basePath, type: 'exact' }],
    update_type: 'major',
    ...overrides,
  };
}
