import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { upsertRoutes } from '../content-store/routes.ts';
import { contentStoreSchema, migrateContentStore } from '../content-store/schema.ts';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { silentLogger } from '../platform/log.ts';
import { buildTable, loadRouteRows, loadRoutes } from './loader.ts';
import { pathKey } from './path.ts';
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
  assert.deepEqual(table.lookup('/a')?.target, { kind: 'backend', backend: 'http://127.0.0.1:1/', backendId: 'frontend' });
  assert.deepEqual(table.lookup('/old/x')?.target, {
    kind: 'redirect',
    status: 302,
    to: '/new',
    preserve: true,
    redirectType: 'temporary',
    segmentsMode: null,
  });
  assert.deepEqual(table.lookup('/gone')?.target, { kind: 'gone' });
  assert.equal(table.lookup('/draft-only'), undefined);
});

test('an upsert replaces a route at the same path and type', async () => {
  await t.db.transaction((tx) =>
    upsertRoutes(tx, 'live', [], [{ incoming_path: '/a', route_type: 'exact', handler: 'redirect', redirect_to: '/b' }]),
  );
  const { table } = await loadRoutes(t.db, contentStoreSchema('live'), resolve, log);
  assert.deepEqual(table.lookup('/a')?.target, { kind: 'redirect', status: 301, to: '/b', preserve: false, redirectType: null, segmentsMode: null });
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
  assert.ok(table.lookup('/ok'));
});

test('each backend is resolved once per load, however many routes use it', () => {
  let calls = 0;
  const routes: RouteRecord[] = ['/1', '/2', '/3'].map((p) => ({ incoming_path: p, route_type: 'exact', handler: 'backend', backend_id: 'b' }));
  buildTable([{ backend_id: 'b', backend_url: 'u' }], routes, (b) => (calls++, b.backend_url), log);
  assert.equal(calls, 1);
});

test('the rows of changed routes are read by path and type; a route with no row is left out', async () => {
  await t.db.transaction((tx) =>
    upsertRoutes(tx, 'live', [], [
      { incoming_path: '/rows/a', route_type: 'exact', handler: 'gone' },
      { incoming_path: '/rows/a', route_type: 'prefix', handler: 'redirect', redirect_to: '/x' },
    ]),
  );
  const rows = await loadRouteRows(t.db, contentStoreSchema('live'), [
    { incoming_path: '/rows/a', route_type: 'prefix' },
    { incoming_path: '/rows/missing', route_type: 'exact' },
  ]);
  assert.deepEqual(rows, [
    { incoming_path: '/rows/a', route_type: 'prefix', handler: 'redirect', backend_id: null, redirect_to: '/x', redirect_type: null, segments_mode: null },
  ]);
  await assert.rejects(loadRouteRows(t.db, 'content_store_nowhere', [{ incoming_path: '/a', route_type: 'exact' }]));
});

test('a failed read rejects, so the caller keeps its table', async () => {
  await assert.rejects(loadRoutes(t.db, 'content_store_nowhere', resolve, log));
});

/** Every kind of route, `n` of them, with paths that sort in no particular relation to their kind. */
function mixedRoutes(n: number): RouteRecord[] {
  const routes: RouteRecord[] = [];
  for (let i = 0; i < n; i++) {
    const path = `/m/${(i * 7919) % n}/x${i % 13}`;
    switch (i % 6) {
      case 0:
        routes.push({ incoming_path: path, route_type: 'exact', handler: 'backend', backend_id: i % 4 === 0 ? 'one' : 'two' });
        break;
      case 1:
        routes.push({ incoming_path: path, route_type: 'prefix', handler: 'backend', backend_id: 'two' });
        break;
      case 2:
        routes.push({ incoming_path: path, route_type: 'exact', handler: 'redirect', redirect_to: `/to/${i % 5}`, redirect_type: 'temporary' });
        break;
      case 3:
        routes.push({ incoming_path: path, route_type: 'prefix', handler: 'redirect', redirect_to: `/to/${i}`, segments_mode: 'ignore' });
        break;
      case 4:
        routes.push({ incoming_path: path, route_type: 'exact', handler: 'gone' });
        break;
      default:
        routes.push({ incoming_path: path, route_type: 'prefix', handler: 'gone' });
    }
  }
  return routes;
}

const asRow = (r: RouteRecord): RouteRecord => ({
  backend_id: null,
  redirect_to: null,
  redirect_type: null,
  segments_mode: null,
  ...r,
});
const byPathAndType = (a: RouteRecord, b: RouteRecord) =>
  a.incoming_path < b.incoming_path ? -1 : a.incoming_path > b.incoming_path ? 1 : a.route_type < b.route_type ? -1 : a.route_type > b.route_type ? 1 : 0;

test('a table read in many pages is loaded whole, each route with its own target', async () => {
  const routes = mixedRoutes(1234);
  await t.db.transaction(async (tx) => {
    await tx.query('TRUNCATE content_store_live.routes');
    await upsertRoutes(tx, 'live', [{ backend_id: 'one', backend_url: 'u1' }, { backend_id: 'two', backend_url: 'u2' }], routes);
  });
  for (const pageSize of [1, 7, 100, 1233, 1234, 1235, 5000]) {
    const { table, skipped } = await loadRoutes(t.db, contentStoreSchema('live'), resolve, log, { pageSize });
    assert.equal(skipped, 0);
    assert.equal(table.size, routes.length, `page size ${pageSize}`);
    assert.deepEqual(table.routes(), routes.map(asRow).sort(byPathAndType), `page size ${pageSize}`);
  }
  const { table, targets } = await loadRoutes(t.db, contentStoreSchema('live'), resolve, log, { pageSize: 50 });
  assert.deepEqual(table.lookup('/m/0/x0')?.target, { kind: 'backend', backend: 'u1', backendId: 'one' });
  // Every backend row, including one (an earlier test's frontend) that no route uses.
  assert.deepEqual([...targets.backendIds()].sort(), ['frontend', 'one', 'two']);
  // Routes to the same backend, and redirects of a page alike, share one target.
  const a = table.lookup(`/m/${(6 * 7919) % 1234}/x6`)!.target;
  const b = table.lookup(`/m/${(18 * 7919) % 1234}/x5`)!.target;
  assert.equal(a.kind, 'backend');
  assert.equal(a, b);
});

test('a newline inside a path or a redirect target cannot split one route into two', async () => {
  await t.db.transaction(async (tx) => {
    await tx.query('TRUNCATE content_store_live.routes');
    await upsertRoutes(tx, 'live', [], [
      { incoming_path: '/before', route_type: 'exact', handler: 'gone' },
      { incoming_path: '/x\n/y', route_type: 'exact', handler: 'gone' },
      { incoming_path: '/r', route_type: 'exact', handler: 'redirect', redirect_to: '/a\n/b' },
      { incoming_path: '/s', route_type: 'exact', handler: 'redirect', redirect_to: '/c' },
      { incoming_path: '/z', route_type: 'prefix', handler: 'gone' },
    ]);
  });
  for (const pageSize of [2, 100]) {
    const { table } = await loadRoutes(t.db, contentStoreSchema('live'), resolve, log, { pageSize });
    assert.deepEqual(
      table.routes().map((r) => [r.incoming_path, r.redirect_to]),
      [
        ['/before', null],
        ['/r', '/a\n/b'],
        ['/s', '/c'],
        ['/x\n/y', null],
        ['/z', null],
      ],
    );
    assert.equal(table.lookup('/x'), undefined);
    assert.equal(table.lookup('/y'), undefined);
  }
});

test('routes stored with escapes are listed as written and matched on their decoded form', async () => {
  await t.db.transaction(async (tx) => {
    await tx.query('TRUNCATE content_store_live.routes');
    await upsertRoutes(tx, 'live', [], [
      { incoming_path: '/caf%C3%A9', route_type: 'exact', handler: 'gone' },
      { incoming_path: '/a%2Fb', route_type: 'prefix', handler: 'gone' },
    ]);
  });
  const { table } = await loadRoutes(t.db, contentStoreSchema('live'), resolve, log);
  assert.deepEqual(table.routes().map((r) => r.incoming_path), ['/a%2Fb', '/caf%C3%A9']);
  assert.ok(table.lookup(pathKey('/café')!));
  assert.ok(table.lookup(pathKey('/a%2fb/c')!));
  assert.equal(table.lookup(pathKey('/a/b/c')!), undefined);
});

test('the event loop gets a turn between pages', async () => {
  await t.db.transaction(async (tx) => {
    await tx.query('TRUNCATE content_store_live.routes');
    await upsertRoutes(tx, 'live', [], mixedRoutes(500));
  });
  let turns = 0;
  let loading = true;
  const spin = () => {
    turns++;
    if (loading) setImmediate(spin);
  };
  setImmediate(spin);
  const { table } = await loadRoutes(t.db, contentStoreSchema('live'), resolve, log, { pageSize: 50 });
  loading = false;
  assert.equal(table.size, 500);
  assert.ok(turns >= 9, `only ${turns} turns of the event loop during ten pages`);
});

test('all pages come from one snapshot: a change committed during a load is not half in it', async () => {
  await t.db.transaction(async (tx) => {
    await tx.query('TRUNCATE content_store_live.routes');
    await upsertRoutes(tx, 'live', [], mixedRoutes(300));
  });
  // Half-way through, move every route to another path: a table mixing
  // the two would have routes from both.
  const loading = loadRoutes(t.db, contentStoreSchema('live'), resolve, log, { pageSize: 20 });
  const writing = t.db.query(`UPDATE content_store_live.routes SET incoming_path = '/moved' || incoming_path`);
  const [{ table }] = await Promise.all([loading, writing]);
  const moved = table.routes().filter((r) => r.incoming_path.startsWith('/moved')).length;
  assert.ok(moved === 0 || moved === 300, `${moved} of 300 routes moved`);
  assert.equal(table.size, 300);
});
