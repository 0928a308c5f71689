import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../platform/db/index.ts';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import type { ContentStorePayload } from './content-item.ts';
import { checkContentPayload } from './payload.ts';
import { listRoutes, upsertRoutes } from './routes.ts';
import { migrateContentStore } from './schema.ts';
import {
  deleteContentItem,
  findContentItem,
  ownedRoutes,
  prepareItem,
  putContentItem,
  putContentItems,
  type PreparedItem,
  type PutResult,
  type RouteChanges,
} from './store.ts';

let t: TestDb;
let db: Db;

before(async () => {
  t = await openTestDb();
  db = t.db;
  await migrateContentStore(db, 'live');
  await upsertRoutes(db, 'live', [{ backend_id: 'frontend', backend_url: 'http://127.0.0.1:1/' }], []);
  // Counts the statements on routes, as the routers' reload trigger sees them (it too fires per statement).
  await db.exec(`
    CREATE TABLE route_statements (op text NOT NULL);
    CREATE FUNCTION count_route_statement() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO route_statements VALUES (TG_OP); RETURN NULL; END $$;
    CREATE TRIGGER count_route_statements AFTER INSERT OR UPDATE OR DELETE ON content_store_live.routes
      FOR EACH STATEMENT EXECUTE FUNCTION count_route_statement();
  `);
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

function prepared(p: ContentStorePayload, at = new Date('2024-05-01T12:00:00Z')): PreparedItem {
  const checked = checkContentPayload(p, p.base_path);
  assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.fields));
  return prepareItem(checked.payload, checked.registration.routes.map((r) => r.record), at);
}

const put = (p: ContentStorePayload, at?: Date): Promise<PutResult> => putContentItem(db, 'live', prepared(p, at));
const putMany = (ps: ContentStorePayload[], at?: Date): Promise<PutResult[]> => putContentItems(db, 'live', ps.map((p) => prepared(p, at)));

/** How many statements ran on routes while `fn` did, by operation. */
async function routeStatements(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  await db.query('DELETE FROM route_statements');
  await fn();
  const { rows } = await db.query<{ op: string; n: number }>('SELECT op, count(*)::int AS n FROM route_statements GROUP BY op');
  return Object.fromEntries(rows.map((r) => [r.op, r.n]));
}

const title = async (basePath: string) => {
  const found = await findContentItem(db, 'live', basePath);
  return found?.kind === 'item' ? (JSON.parse(found.presented) as { title: string }).title : undefined;
};

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

describe('putContentItems', () => {
  test('creates, replaces or leaves stale each item, answering in the order given', async () => {
    await put(item('/bulk/b', { payload_version: 5, title: 'B5' }));
    await put(item('/bulk/c', { payload_version: 9, title: 'C9' }));
    const results = await putMany([
      item('/bulk/c', { payload_version: 7, title: 'C7' }),
      item('/bulk/a', { payload_version: 6, title: 'A6' }),
      item('/bulk/b', { payload_version: 6, title: 'B6' }),
    ]);
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['stale', 'created', 'replaced'],
    );
    assert.deepEqual(results[0], { outcome: 'stale', storedVersion: 9 });
    assert.deepEqual(changes(results[1]!), { added: 1, changed: 0, removed: 0, takenOver: [], missingBackends: [] });
    assert.deepEqual(changes(results[2]!), { added: 0, changed: 0, removed: 0, takenOver: [], missingBackends: [] });
    assert.deepEqual([await title('/bulk/a'), await title('/bulk/b'), await title('/bulk/c')], ['A6', 'B6', 'C9']);
    assert.deepEqual(await putContentItems(db, 'live', []), []);
  });

  test('routes are diffed per item in a few statements; a re-send with the same routes runs none on routes', async () => {
    const n = 20;
    const v1 = Array.from({ length: n }, (_, i) =>
      item(`/diff-${i}`, { payload_version: 1, routes: [{ path: `/diff-${i}`, type: 'exact' }, { path: `/diff-${i}/old`, type: 'exact' }] }),
    );
    assert.deepEqual(await routeStatements(() => putMany(v1)), { INSERT: 1, UPDATE: 1 });

    // Every item loses a route, gains one and turns one into a redirect: still one DELETE and one upsert.
    const v2 = Array.from({ length: n }, (_, i) =>
      item(`/diff-${i}`, {
        payload_version: 2,
        routes: [{ path: `/diff-${i}/new`, type: 'exact' }],
        redirects: [{ path: `/diff-${i}`, type: 'exact', destination: `/diff-${i}/new` }],
      }),
    );
    let results: PutResult[] = [];
    assert.deepEqual(await routeStatements(async () => (results = await putMany(v2))), { DELETE: 1, INSERT: 1, UPDATE: 1 });
    for (const r of results) {
      const c = changes(r);
      assert.deepEqual([c.added, c.changed, c.removed], [1, 1, 1]);
    }
    assert.deepEqual(await paths('/diff-7'), ['exact /diff-7 redirect', 'exact /diff-7/new backend']);

    const resend = v2.map((p) => ({ ...p, payload_version: 3, title: 'retitled' }));
    assert.deepEqual(await routeStatements(async () => (results = await putMany(resend))), {});
    assert.ok(results.every((r) => r.outcome === 'replaced'));
    assert.equal(await title('/diff-7'), 'retitled');
    // A single put is the same write: no statement on routes for the same routes either.
    assert.deepEqual(await routeStatements(() => put({ ...resend[0]!, payload_version: 4 })), {});
  });

  test('takes over routes from items outside the batch and, the last item wanting a route, from items within it', async () => {
    await upsertRoutes(db, 'live', [], [{ incoming_path: '/bulk-imported', route_type: 'exact', handler: 'gone' }]);
    await put(item('/holder', { routes: [{ path: '/holder', type: 'exact' }, { path: '/holder/shared', type: 'exact' }] }));
    const results = await putMany([
      item('/first', { routes: [{ path: '/first', type: 'exact' }, { path: '/contested', type: 'exact' }] }),
      item('/second', {
        routes: [{ path: '/second', type: 'exact' }, { path: '/holder/shared', type: 'exact' }, { path: '/bulk-imported', type: 'exact' }, { path: '/contested', type: 'exact' }],
      }),
    ]);
    assert.deepEqual(changes(results[0]!), { added: 1, changed: 0, removed: 0, takenOver: [], missingBackends: [] });
    const second = changes(results[1]!);
    assert.equal(second.added, 4);
    assert.deepEqual(
      second.takenOver.sort((a, b) => a.incoming_path.localeCompare(b.incoming_path)),
      [
        { incoming_path: '/bulk-imported', route_type: 'exact', previous_owner: null },
        { incoming_path: '/contested', route_type: 'exact', previous_owner: '/first' },
        { incoming_path: '/holder/shared', route_type: 'exact', previous_owner: '/holder' },
      ],
    );
    assert.deepEqual(await paths('/holder'), ['exact /holder backend']);
    assert.deepEqual(await paths('/first'), ['exact /first backend']);
    assert.deepEqual(await paths('/second'), ['exact /bulk-imported backend', 'exact /contested backend', 'exact /holder/shared backend', 'exact /second backend']);
  });

  test('reports unregistered backends per item', async () => {
    const results = await putMany([item('/known-app'), item('/unknown-app', { rendering_app: 'bulk-missing-app' })]);
    assert.deepEqual(changes(results[0]!).missingBackends, []);
    assert.deepEqual(changes(results[1]!).missingBackends, ['bulk-missing-app']);
  });

  test('one transaction: a route one item may not have, or a failed announcement, leaves every item as it was', async () => {
    await put(item('/atomic-old', { payload_version: 1, title: 'Old' }));
    const bad = prepared(item('/atomic-bad'));
    // A backend route with no backend breaks the table's CHECK, in the last statement on routes.
    bad.routes = [{ incoming_path: '/atomic-bad', route_type: 'exact', handler: 'backend', backend_id: null }];
    const batch = [prepared(item('/atomic-new')), prepared(item('/atomic-old', { payload_version: 2, title: 'New' })), bad];
    await assert.rejects(putContentItems(db, 'live', batch), /check constraint/);
    assert.equal(await findContentItem(db, 'live', '/atomic-new'), undefined);
    assert.equal(await title('/atomic-old'), 'Old');

    const announced: string[] = [];
    const failing = async (_tx: unknown, written: PreparedItem[]) => {
      announced.push(...written.map((i) => i.payload.base_path));
      throw new Error('the outbox is full');
    };
    await assert.rejects(putContentItems(db, 'live', batch.slice(0, 2), failing), /the outbox is full/);
    assert.deepEqual(announced, ['/atomic-new', '/atomic-old']);
    assert.equal(await findContentItem(db, 'live', '/atomic-new'), undefined);
    assert.equal(await title('/atomic-old'), 'Old');
    assert.deepEqual(await paths('/atomic-new'), []);
  });

  test('announces only the items written, in order', async () => {
    await put(item('/ann-stale', { payload_version: 10 }));
    let announced: string[] | undefined;
    await putContentItems(db, 'live', [prepared(item('/ann-b')), prepared(item('/ann-stale', { payload_version: 3 })), prepared(item('/ann-a'))], async (_tx, written) => {
      announced = written.map((i) => i.payload.base_path);
    });
    assert.deepEqual(announced, ['/ann-b', '/ann-a']);
    announced = undefined;
    await putContentItems(db, 'live', [prepared(item('/ann-stale', { payload_version: 4 }))], async () => {
      announced = [];
    });
    assert.equal(announced, undefined, 'no announcement when nothing was written');
  });

  test('a batch naming a base_path twice is refused before anything is written', async () => {
    await assert.rejects(putMany([item('/twice'), item('/twice', { payload_version: 2 })]), /base_path twice/);
    assert.equal(await findContentItem(db, 'live', '/twice'), undefined);
  });

  test('concurrent batches over the same items in opposite orders do not deadlock; the newest version wins', async () => {
    const paths = Array.from({ length: 40 }, (_, i) => `/locks-${String(i).padStart(2, '0')}`);
    const batch = (version: number, order: string[]) =>
      putMany(order.map((p) => item(p, { payload_version: version, routes: [{ path: p, type: 'exact' }, { path: `${p}/v${version}`, type: 'exact' }] })));
    for (let round = 0; round < 3; round++) {
      const base = round * 10;
      await Promise.all([batch(base + 1, paths), batch(base + 2, [...paths].reverse()), batch(base + 3, paths), batch(base + 4, [...paths].reverse())]);
    }
    for (const p of [paths[0]!, paths[39]!]) assert.deepEqual(await ownedRoutes(db, 'live', p).then((r) => r.map((x) => x.incoming_path)), [p, `${p}/v24`]);
  });
});
