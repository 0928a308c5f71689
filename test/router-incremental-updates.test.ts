// A content store and a live router on one test database: a content item's
// routes reach the router as a delta applied to the table in service, not a
// full reload; a statement changing more routes than a notification can list,
// and a change to the backends, still make it reload the whole table.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContentStorePayload } from '../src/content-store/content-item.ts';
import { createContentStore, type ContentStoreService } from '../src/content-store/index.ts';
import { listRoutes, upsertRoutes } from '../src/content-store/routes.ts';
import { migrateContentStore } from '../src/content-store/schema.ts';
import { PERMISSIONS, type Authenticate } from '../src/platform/auth.ts';
import { openTestDb, type TestDb } from '../src/platform/db/testing.ts';
import { silentLogger } from '../src/platform/log.ts';
import { createRouter, type RouterService } from '../src/router/index.ts';
import { eventually, send, startSimpleBackend, type TestBackend } from './support/router-harness.ts';

const TOKEN = 'publishing-api-token';
const authenticate: Authenticate = async (token) =>
  token === TOKEN ? { tokenId: 't', name: 'publishing-api', permissions: [PERMISSIONS.contentStoreWrite] } : null;

let t: TestDb;
let app: TestBackend;
let other: TestBackend;
let store: ContentStoreService;
let storeUrl: string;
let router: RouterService;
let routerPort: number;

before(async () => {
  t = await openTestDb();
  await migrateContentStore(t.db, 'live');
  app = await startSimpleBackend('rendering-app', { echo: true });
  other = await startSimpleBackend('other-app', { echo: true });
  await upsertRoutes(t.db, 'live', [
    { backend_id: 'rendering-app', backend_url: `${app.url}/` },
    { backend_id: 'other-app', backend_url: `${other.url}/` },
  ], [{ incoming_path: '/imported', route_type: 'exact', handler: 'backend', backend_id: 'rendering-app' }]);
  store = createContentStore({ stack: 'live', db: t.db, log: silentLogger(), authenticate });
  storeUrl = `http://127.0.0.1:${await store.start(0, '127.0.0.1')}`;
  router = createRouter({
    stack: 'live',
    db: t.db,
    log: silentLogger(),
    // No periodic reload during the test: every full reload counted was asked for.
    config: { backendConnectTimeoutMs: 1000, backendHeaderTimeoutMs: 5000, reloadIntervalMs: 600_000, shutdownTimeoutMs: 2000, tlsSkipVerify: false },
  });
  ({ port: routerPort } = await router.start(0, 0, '127.0.0.1'));
});

after(async () => {
  await router?.stop();
  await store?.stop();
  await app?.close();
  await other?.close();
  await t?.close();
});

function item(basePath: string, over: Partial<ContentStorePayload> = {}): ContentStorePayload {
  return {
    base_path: basePath,
    content_id: '5f0c6b1e-0000-4000-8000-00000000000b',
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
    payload_version: 1,
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

/** Successful table updates so far, by kind. */
async function updates(): Promise<{ full: number; delta: number }> {
  const values = (await router.metrics.reloads.get()).values;
  const count = (kind: string) => values.find((v) => v.labels.kind === kind && v.labels.result === 'success')?.value ?? 0;
  return { full: count('full'), delta: count('delta') };
}

/** The router's answer for `path`: the backend's echo, or the status. */
async function answer(path: string): Promise<string> {
  const res = await send(routerPort, { path });
  return res.status === 200 ? res.body : String(res.status);
}

function answers(path: string, expected: string): Promise<true> {
  return eventually(async () => ((await answer(path)) === expected ? true : undefined), 5000, `${path} to answer ${expected}`);
}

/** Once no update is waiting, the table in service lists exactly the rows of `routes`. */
async function assertTableMatchesDatabase(): Promise<void> {
  await router.reloader.idle();
  const { routes } = await listRoutes(t.db, 'live');
  assert.deepEqual(router.mux.current.routes(), routes);
}

test('writing a content item changes the router\'s answer through a delta, with no full reload', async () => {
  const table = router.mux.current;
  const before = await updates();
  assert.equal(await write('PUT', '/guide', item('/guide')), 201);
  await answers('/guide/part-1', 'rendering-app /guide/part-1');
  // A new rendering app for it: its routes now go to the other backend.
  assert.equal(await write('PUT', '/guide', item('/guide', { rendering_app: 'other-app', payload_version: 2 })), 200);
  await answers('/guide/part-1', 'other-app /guide/part-1');
  const after = await updates();
  assert.equal(after.full, before.full, 'no full reload');
  assert.ok(after.delta > before.delta, 'applied as deltas');
  assert.equal(router.mux.current, table, 'the same table, changed in place');
  await assertTableMatchesDatabase();
});

test('deleting an item takes its routes out of the router, through a delta', async () => {
  const before = await updates();
  assert.equal(await write('DELETE', '/guide'), 200);
  await answers('/guide/part-1', '404');
  assert.equal(await answer('/imported'), 'rendering-app /imported');
  assert.equal((await updates()).full, before.full, 'no full reload');
  await assertTableMatchesDatabase();
});

test('items written at once all arrive, and the table ends up as the database has it', async () => {
  const before = await updates();
  const paths = Array.from({ length: 30 }, (_, i) => `/many/${i}`);
  const statuses = await Promise.all(
    paths.map((p, i) => write('PUT', p, item(p, { content_id: `5f0c6b1e-0000-4000-8000-${String(i).padStart(12, '0')}` }))),
  );
  assert.deepEqual(new Set(statuses), new Set([201]));
  await Promise.all(paths.map((p) => answers(`${p}/x`, `rendering-app ${p}/x`)));
  // And some go again.
  await Promise.all(paths.slice(0, 10).map((p) => write('DELETE', p)));
  await Promise.all(paths.slice(0, 10).map((p) => answers(p, '404')));
  assert.equal((await updates()).full, before.full, 'no full reload');
  await assertTableMatchesDatabase();
});

test('a statement changing more routes than a notification can list makes the router reload the whole table', async () => {
  const table = router.mux.current;
  const before = await updates();
  await t.db.query(
    `INSERT INTO content_store_live.routes (incoming_path, route_type, handler, backend_id)
     SELECT '/bulk/' || i, 'exact', 'backend', 'other-app' FROM generate_series(1, 1000) AS i`,
  );
  await answers('/bulk/1000', 'other-app /bulk/1000');
  await router.reloader.idle();
  const after = await updates();
  assert.equal(after.full, before.full + 1, 'one full reload');
  assert.equal(after.delta, before.delta, 'and no delta');
  assert.notEqual(router.mux.current, table, 'a new table swapped in');
  await t.db.query(`DELETE FROM content_store_live.routes WHERE incoming_path LIKE '/bulk/%'`);
  await answers('/bulk/1', '404');
  await assertTableMatchesDatabase();
});

test('a change to the backends makes the router reload the whole table', async () => {
  const before = await updates();
  await t.db.query(`UPDATE content_store_live.backends SET backend_url = $1 WHERE backend_id = 'rendering-app'`, [`${other.url}/`]);
  await answers('/imported', 'other-app /imported');
  assert.equal((await updates()).full, before.full + 1);
  await t.db.query(`UPDATE content_store_live.backends SET backend_url = $1 WHERE backend_id = 'rendering-app'`, [`${app.url}/`]);
  await answers('/imported', 'rendering-app /imported');
});
