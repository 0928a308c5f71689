import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../platform/db/index.ts';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import type { ContentStorePayload } from './content-item.ts';
import { checkContentPayload } from './payload.ts';
import { listRoutes, upsertRoutes } from './routes.ts';
import { migrateContentStore } from './schema.ts';
import { deleteContentItem, findContentItem, ownedRoutes, prepareItem, putContentItem, type PutResult, type RouteChanges } from './store.ts';

let t: TestDb;
let db: Db;

before(async () => {
  t = await openTestDb();
  db = t.db;
  await migrateContentStore(db, 'live');
  await upsertRoutes(db, 'live', [{ backend_id: 'frontend', backend_url: 'http://127.0.0.1:1/' }], []);
});

after(async () => {
  await t?.close();
});

function item(basePath: string, over: Partial<ContentStorePayload> = {}): ContentStorePayload {
  return {
    base_path: basePath,
    content_id: 'c7a1a9e8-0000-4000-8000-000000000001',
    locale: 'en',
    document_type: 'answer',
    schema_name: 'answer',
    publishing_app: 'publisher',
    rendering_app: 'frontend',
    title: 'A thing',
    details: {},
    routes: [{ path: basePath, type: 'exact' }],
    redirects: [],
    expanded_links: {},
    payload_version: 1,
    ...over,
  };
}

async function put(p: ContentStorePayload, at = new Date('2024-05-01T12:00:00Z')): Promise<PutResult> {
  const checked = checkContentPayload(p, p.base_path);
  assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.fields));
  return putContentItem(db, 'live', prepareItem(checked.payload, checked.registration.routes.map((r) => r.record), at));
}

function changes(r: PutResult): RouteChanges {
  assert.notEqual(r.outcome, 'stale');
  return (r as Extract<PutResult, { routes: RouteChanges }>).routes;
}

const paths = async (basePath: string) => (await ownedRoutes(db, 'live', basePath)).map((r) => `${r.route_type} ${r.incoming_path} ${r.handler}`);

test('create, replace, and a stale version writes nothing', async () => {
  const first = await put(item('/a', { payload_version: 5, title: 'First' }));
  assert.equal(first.outcome, 'created');
  assert.deepEqual(changes(first), { added: 1, changed: 0, removed: 0, takenOver: [], missingBackends: [] });

  const second = await put(item('/a', { payload_version: 6, title: 'Second' }), new Date('2024-05-02T00:00:00Z'));
  assert.equal(second.outcome, 'replaced');
  const found = await findContentItem(db, 'live', '/a');
  assert.equal(found?.kind, 'item');
  const body = JSON.parse(found?.kind === 'item' ? found.presented : '{}') as Record<string, unknown>;
  assert.equal(body.title, 'Second');
  assert.equal(body.updated_at, '2024-05-02T00:00:00.000Z');

  for (const v of [6, 3]) {
    const stale = await put(item('/a', { payload_version: v, title: 'Stale', routes: [{ path: '/a', type: 'prefix' }] }));
    assert.deepEqual(stale, { outcome: 'stale', storedVersion: 6 });
  }
  const still = await findContentItem(db, 'live', '/a');
  assert.match(still?.kind === 'item' ? still.presented : '', /"title":"Second"/);
  assert.deepEqual(await paths('/a'), ['exact /a backend']);
});

test('concurrent writers of one new base path: one creates, the newest version wins', async () => {
  const versions = [3, 1, 5, 2, 4];
  const results = await Promise.all(
    versions.map((v) => put(item('/race', { payload_version: v, routes: [{ path: '/race', type: 'exact' }, { path: `/race/v${v}`, type: 'exact' }] }))),
  );
  assert.equal(results.filter((r) => r.outcome === 'created').length, 1);
  const found = await findContentItem(db, 'live', '/race/v5');
  assert.deepEqual(found?.kind === 'route' && found.basePath, '/race');
  assert.deepEqual(await paths('/race'), ['exact /race backend', 'exact /race/v5 backend']);
});

test('full replacement: no field of the old version survives', async () => {
  await put(item('/full', { payload_version: 1, description: 'old', analytics_identifier: 'X1', withdrawn_notice: { explanation: 'w', withdrawn_at: '2024-01-01T00:00:00Z' } }));
  await put(item('/full', { payload_version: 2 }));
  const found = await findContentItem(db, 'live', '/full');
  const body = JSON.parse(found?.kind === 'item' ? found.presented : '{}') as Record<string, unknown>;
  assert.equal(body.description, null);
  assert.equal(body.analytics_identifier, null);
  assert.equal(body.withdrawn_notice, null);
});

test('routes are diffed: removed, changed, added; a re-send with the same routes writes none', async () => {
  await put(item('/r', { payload_version: 1, routes: [{ path: '/r', type: 'exact' }, { path: '/r/old', type: 'exact' }, { path: '/r/x', type: 'prefix' }] }));
  const r = await put(
    item('/r', {
      payload_version: 2,
      routes: [{ path: '/r', type: 'exact' }, { path: '/r/new', type: 'exact' }],
      redirects: [{ path: '/r/x', type: 'prefix', destination: '/r' }],
    }),
  );
  assert.equal(r.outcome, 'replaced');
  const c = changes(r);
  assert.deepEqual([c.added, c.changed, c.removed], [1, 1, 1]);
  assert.deepEqual(await paths('/r'), ['exact /r backend', 'exact /r/new backend', 'prefix /r/x redirect']);

  const same = await put(
    item('/r', {
      payload_version: 3,
      title: 'retitled',
      routes: [{ path: '/r', type: 'exact' }, { path: '/r/new', type: 'exact' }],
      redirects: [{ path: '/r/x', type: 'prefix', destination: '/r' }],
    }),
  );
  const none = changes(same);
  assert.deepEqual([none.added, none.changed, none.removed], [0, 0, 0]);
});

test('a route of another item, or an imported one, is taken over', async () => {
  await upsertRoutes(db, 'live', [], [{ incoming_path: '/imported', route_type: 'exact', handler: 'gone' }]);
  await put(item('/owner-1', { routes: [{ path: '/owner-1', type: 'exact' }, { path: '/shared', type: 'exact' }] }));
  const r = await put(
    item('/owner-2', { routes: [{ path: '/owner-2', type: 'exact' }, { path: '/shared', type: 'exact' }, { path: '/imported', type: 'exact' }] }),
  );
  assert.deepEqual(
    changes(r).takenOver.sort((a, b) => a.incoming_path.localeCompare(b.incoming_path)),
    [
      { incoming_path: '/imported', route_type: 'exact', previous_owner: null },
      { incoming_path: '/shared', route_type: 'exact', previous_owner: '/owner-1' },
    ],
  );
  assert.deepEqual(await paths('/owner-1'), ['exact /owner-1 backend']);
  assert.deepEqual(await paths('/owner-2'), ['exact /imported backend', 'exact /owner-2 backend', 'exact /shared backend']);
});

test('routes to an unregistered backend are written and reported', async () => {
  const r = await put(item('/elsewhere', { rendering_app: 'no-such-app' }));
  assert.deepEqual(changes(r).missingBackends, ['no-such-app']);
});

test('lookup: base path, then exact route, then the longest prefix route', async () => {
  await put(item('/guide', { routes: [{ path: '/guide', type: 'exact' }, { path: '/guide/part-1', type: 'exact' }, { path: '/guide', type: 'prefix' }] }));
  await put(item('/guide/deep', { routes: [{ path: '/guide/deep', type: 'prefix' }] }));
  await put(item('/guide/deep/exact-owner', { routes: [{ path: '/guide/deep/exact-owner', type: 'exact' }, { path: '/guide/deep/x', type: 'exact' }] }));
  const base = async (p: string) => {
    const f = await findContentItem(db, 'live', p);
    return f?.kind === 'route' ? f.basePath : f?.kind;
  };
  assert.equal(await base('/guide'), 'item');
  assert.equal(await base('/guide/part-1'), '/guide');
  assert.equal(await base('/guide/part-2'), '/guide');
  assert.equal(await base('/guide/deep/y/z'), '/guide/deep');
  assert.equal(await base('/guide/deep/x'), '/guide/deep/exact-owner');
  assert.equal(await base('/nothing'), undefined);
  // An imported route belongs to no item.
  assert.equal(await base('/demo'), undefined);
});

test('delete removes the item and every route it owned, and nothing else', async () => {
  await upsertRoutes(db, 'live', [], [{ incoming_path: '/keep-me', route_type: 'prefix', handler: 'gone' }]);
  await put(item('/doomed', { routes: [{ path: '/doomed', type: 'exact' }, { path: '/doomed', type: 'prefix' }] }));
  assert.equal(await deleteContentItem(db, 'live', '/doomed'), true);
  assert.equal(await findContentItem(db, 'live', '/doomed'), undefined);
  const { routes } = await listRoutes(db, 'live');
  assert.equal(routes.some((r) => r.incoming_path === '/doomed'), false);
  assert.equal(routes.some((r) => r.incoming_path === '/keep-me'), true);
  assert.equal(await deleteContentItem(db, 'live', '/doomed'), false);
});
