import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { upsertRoutes } from '../content-store/routes.ts';
import { contentStoreSchema, migrateContentStore } from '../content-store/schema.ts';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { silentLogger } from '../platform/log.ts';
import { buildTable, loadRoutes } from './loader.ts';
import type { BackendRecord, RouteRecord } from './routes.ts';

let t: TestDb;
before(async () => {
  t = await openTestDb();
  await migrateContentStore(t.db, 'live');
  await migrateContentStore(t.db, 'draft');
});
after(() => t.close());

const resolve = (b: BackendRecord) => b.backend_url;
const log = silentLogger();

test('loads a stack\'s routes with their backends, and only that stack\'s', async () => {
  await t.db.transaction(async (tx) => {
    await upsertRoutes(tx, 'live', [{ backend_id: 'frontend', backend_url: 'http://127.0.0.1:1/' }], [
      { incoming_path: '/a', route_type: 'exact', handler: 'backend', backend_id: 'frontend' },
      { incoming_path: '/old', route_type: 'prefix', handler: 'redirect', redirect_to: '/new', redirect_type: 'temporary' },
      { incoming_path: '/gone', route_type: 'exact', handler: 'gone' },
    ]);
    await upsertRoutes(tx, 'draft', [], [{ incoming_path: '/draft-only', route_type: 'exact', handler: 'gone' }]);
  });
  const { table, skipped } = await loadRoutes(t.db, contentStoreSchema('live'), resolve, log);
  assert.equal(skipped, 0);
  assert.equal(table.size, 3);
  assert.deepEqual(table.lookup(['a'])?.entry.target, { kind: 'backend', backend: 'http://127.0.0.1:1/' });
  assert.deepEqual(table.lookup(['old', 'x'])?.entry.target, { kind: 'redirect', status: 302, to: '/new', preserve: true });
  assert.deepEqual(table.lookup(['gone'])?.entry.target, { kind: 'gone' });
  assert.equal(table.lookup(['draft-only']), undefined);
});

test('an upsert replaces a route at the same path and type', async () => {
  await t.db.transaction((tx) =>
    upsertRoutes(tx, 'live', [], [{ incoming_path: '/a', route_type: 'exact', handler: 'redirect', redirect_to: '/b' }]),
  );
  const { table } = await loadRoutes(t.db, contentStoreSchema('live'), resolve, log);
  assert.deepEqual(table.lookup(['a'])?.entry.target, { kind: 'redirect', status: 301, to: '/b', preserve: false });
});

test('a route to an unknown backend or with a bad path is skipped; the rest load', () => {
  const routes: RouteRecord[] = [
    { incoming_path: '/ok', route_type: 'exact', handler: 'backend', backend_id: 'known' },
    { incoming_path: '/lost', route_type: 'exact', handler: 'backend', backend_id: 'unknown' },
    { incoming_path: '/bad%zz', route_type: 'exact', handler: 'gone' },
    { incoming_path: '/no-target', route_type: 'exact', handler: 'redirect', redirect_to: null },
  ];
  const { table, skipped } = buildTable([{ backend_id: 'known', backend_url: 'u' }], routes, resolve, log);
  assert.equal(skipped, 3);
  assert.equal(table.size, 1);
  assert.ok(table.lookup(['ok']));
});

test('each backend is resolved once per load, however many routes use it', () => {
  let calls = 0;
  const routes: RouteRecord[] = ['/1', '/2', '/3'].map((p) => ({ incoming_path: p, route_type: 'exact', handler: 'backend', backend_id: 'b' }));
  buildTable([{ backend_id: 'b', backend_url: 'u' }], routes, (b) => (calls++, b.backend_url), log);
  assert.equal(calls, 1);
});

test('a failed read rejects, so the caller keeps its table', async () => {
  await assert.rejects(loadRoutes(t.db, 'content_store_nowhere', resolve, log));
});
