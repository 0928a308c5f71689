// A real content store and a real live router on one test database: what the
// store writes on PUT and DELETE is what the router serves, with no reload
// asked for (the routes trigger's NOTIFY does it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContentStorePayload } from '../src/content-store/content-item.ts';
import { createContentStore, type ContentStoreService } from '../src/content-store/index.ts';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { migrateContentStore } from '../src/content-store/schema.ts';
import { PERMISSIONS, type Authenticate } from '../src/platform/auth.ts';
import { openTestDb, type TestDb } from '../src/platform/db/testing.ts';
import { silentLogger } from '../src/platform/log.ts';
import { createRouter, type RouterService } from '../src/router/index.ts';
import { eventually, send, startSimpleBackend, type HttpResponse, type TestBackend } from './support/router-harness.ts';

const TOKEN = 'publishing-api-token';
const authenticate: Authenticate = async (token) =>
  token === TOKEN ? { tokenId: 't', name: 'publishing-api', permissions: [PERMISSIONS.contentStoreWrite] } : null;

let t: TestDb;
let backend: TestBackend;
let store: ContentStoreService;
let storeUrl: string;
let router: RouterService;
let routerPort: number;

before(async () => {
  t = await openTestDb();
  await migrateContentStore(t.db, 'live');
  backend = await startSimpleBackend('rendering-app', { echo: true });
  // An imported route (no owning item) keeps the table non-empty once every item is deleted, and must survive those deletes.
  await upsertRoutes(t.db, 'live', [{ backend_id: 'rendering-app', backend_url: `${backend.url}/` }], [
    { incoming_path: '/imported', route_type: 'exact', handler: 'backend', backend_id: 'rendering-app' },
  ]);
  store = createContentStore({ stack: 'live', db: t.db, log: silentLogger(), authenticate });
  storeUrl = `http://127.0.0.1:${await store.start(0, '127.0.0.1')}`;
  router = createRouter({
    stack: 'live',
    db: t.db,
    log: silentLogger(),
    // A long interval, so a change that shows up came through NOTIFY.
    config: { backendConnectTimeoutMs: 1000, backendHeaderTimeoutMs: 5000, reloadIntervalMs: 600_000, shutdownTimeoutMs: 2000, tlsSkipVerify: false },
  });
  ({ port: routerPort } = await router.start(0, 0, '127.0.0.1'));
});

after(async () => {
  await router?.stop();
  await store?.stop();
  await backend?.close();
  await t?.close();
});

function item(basePath: string, version: number, over: Partial<ContentStorePayload> = {}): ContentStorePayload {
  return {
    base_path: basePath,
    content_id: '5f0c6b1e-0000-4000-8000-00000000000a',
    locale: 'en',
    document_type: 'guide',
    schema_name: 'guide',
    publishing_app: 'publisher',
    rendering_app: 'rendering-app',
    title: 'A guide',
    details: {},
    routes: [{ path: basePath, type: 'prefix' }],
    redirects: [],
    expanded_links: {},
    payload_version: version,
    ...over,
  };
}

async function write(method: 'PUT' | 'DELETE', basePath: string, body?: ContentStorePayload): Promise<number> {
  const res = await fetch(`${storeUrl}/content${basePath}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  await res.arrayBuffer();
  return res.status;
}

/** The router's answer for `path` once it satisfies `ok`. */
function routerAnswer(path: string, ok: (res: HttpResponse) => boolean, what: string): Promise<HttpResponse> {
  return eventually(async () => {
    const res = await send(routerPort, { path });
    return ok(res) ? res : undefined;
  }, 5000, what);
}

test('an item PUT with a rendering app is proxied to that backend', async () => {
  assert.equal((await send(routerPort, { path: '/guide' })).status, 404);
  assert.equal(await write('PUT', '/guide', item('/guide', 1)), 201);
  const res = await routerAnswer('/guide/part-2', (r) => r.status === 200, 'the router to proxy /guide');
  assert.equal(res.body, 'rendering-app /guide/part-2');
});

test('a redirect item makes the router answer 301', async () => {
  const redirect = item('/old-guide', 1, {
    schema_name: 'redirect',
    document_type: 'redirect',
    rendering_app: null,
    routes: [],
    redirects: [{ path: '/old-guide', type: 'exact', destination: '/guide' }],
  });
  assert.equal(await write('PUT', '/old-guide', redirect), 201);
  const res = await routerAnswer('/old-guide', (r) => r.status === 301, 'a 301 for /old-guide');
  assert.equal(res.headers.location, '/guide');
});

test('unpublishing as gone makes the router answer 410', async () => {
  const gone = item('/guide', 2, { schema_name: 'gone', document_type: 'gone', rendering_app: null, details: {} });
  assert.equal(await write('PUT', '/guide', gone), 200);
  await routerAnswer('/guide/part-2', (r) => r.status === 410, 'a 410 for /guide');
});

test('DELETE (vanish) takes the routes away: 404', async () => {
  assert.equal(await write('DELETE', '/guide'), 200);
  assert.equal(await write('DELETE', '/old-guide'), 200);
  await routerAnswer('/guide/part-2', (r) => r.status === 404, 'a 404 for /guide');
  await routerAnswer('/old-guide', (r) => r.status === 404, 'a 404 for /old-guide');
  assert.equal((await send(routerPort, { path: '/imported' })).body, 'rendering-app /imported');
});
