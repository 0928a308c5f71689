import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { injectJson, type InjectOptions } from '../platform/api-testing.ts';
import type { Authenticate, Principal } from '../platform/auth.ts';
import { PERMISSIONS } from '../platform/auth.ts';
import type { Db } from '../platform/db/index.ts';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { createLogger, silentLogger } from '../platform/log.ts';
import type { ContentStorePayload } from './content-item.ts';
import { createContentStore, type ContentStoreService } from './index.ts';
import { upsertRoutes } from './routes.ts';
import { migrateContentStore, routeChangesChannel } from './schema.ts';
import { createContentStoreApp, MAX_BULK_ITEMS } from './server.ts';
import { ownedRoutes } from './store.ts';

const NOW = new Date('2024-06-01T09:00:00.000Z');
const WRITER = 'writer-token';
const READER = 'reader-token';

const principals = new Map<string, Principal>([
  [WRITER, { tokenId: 't1', name: 'publishing-api', permissions: [PERMISSIONS.contentStoreWrite] }],
  [READER, { tokenId: 't2', name: 'someone', permissions: [PERMISSIONS.publishingApiRead] }],
]);
const authenticate: Authenticate = async (token) => principals.get(token) ?? null;

let t: TestDb;
let db: Db;
let live: ContentStoreService;
let draft: ContentStoreService;

before(async () => {
  t = await openTestDb();
  db = t.db;
  await migrateContentStore(db, 'live');
  await migrateContentStore(db, 'draft');
  const deps = { db, log: silentLogger(), authenticate, clock: () => NOW };
  live = createContentStore({ ...deps, stack: 'live' });
  draft = createContentStore({ ...deps, stack: 'draft', defaultTtlSeconds: 60 });
});

after(async () => {
  await live?.stop();
  await draft?.stop();
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
    details: { body: [{ content_type: 'text/govspeak', content: '# Hi' }, { content_type: 'text/html', content: '<h1>Hi</h1>' }] },
    routes: [{ path: basePath, type: 'exact' }],
    redirects: [],
    expanded_links: {},
    payload_version: 1,
    ...over,
  };
}

const request = (method: 'GET' | 'PUT' | 'DELETE' | 'HEAD', url: string, opts: InjectOptions & { service?: Pick<ContentStoreService, 'app'> } = {}) =>
  injectJson((opts.service ?? live).app, method, url, opts);

const putItem = (p: ContentStorePayload, service?: ContentStoreService) =>
  request('PUT', `/content${p.base_path}`, { token: WRITER, body: p, service });

describe('PUT /content/*', () => {
  test('401 without a token or with an unknown one, 403 without the permission; nothing is written', async () => {
    const body = item('/auth-check');
    const none = await request('PUT', '/content/auth-check', { body });
    assert.equal(none.status, 401);
    assert.equal(none.json().error.code, 'unauthenticated');
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    assert.equal((await request('PUT', '/content/auth-check', { body, token: 'nope' })).status, 401);
    assert.equal((await request('PUT', '/content/auth-check', { body, headers: { authorization: 'Basic x' } })).status, 401);
    const forbidden = await request('PUT', '/content/auth-check', { body, token: READER });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.json().error.code, 'forbidden');
    assert.equal((await request('GET', '/content/auth-check')).status, 404);
  });

  test('auth is checked before the body is read', async () => {
    assert.equal((await request('PUT', '/content/x', { raw: '{not json' })).status, 401);
  });

  test('a token store that is down gives 503, not 500', async () => {
    const broken = createContentStore({ stack: 'live', db, log: silentLogger(), authenticate: async () => { throw new Error('signon down'); } });
    const res = await request('PUT', '/content/x', { token: WRITER, body: item('/x'), service: broken });
    assert.equal(res.status, 503);
    assert.equal(res.json().error.code, 'auth_unavailable');
    await broken.stop();
  });

  test('400 for malformed JSON or no body, 415 for another media type', async () => {
    const malformed = await request('PUT', '/content/bad', { token: WRITER, raw: '{"title": ' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json().error.code, 'malformed_json');
    assert.equal((await request('PUT', '/content/bad', { token: WRITER, raw: '' })).status, 400);
    assert.equal((await request('PUT', '/content/bad', { token: WRITER })).status, 400);
    const text = await request('PUT', '/content/bad', { token: WRITER, raw: 'hello', contentType: 'text/plain' });
    assert.equal(text.status, 415);
    assert.equal(text.json().error.code, 'unsupported_media_type');
  });

  test('422 names each bad field', async () => {
    const body: Record<string, unknown> = { ...item('/bad'), payload_version: 'one', routes: 'all of them', colour: 'red' };
    delete body.schema_name;
    const res = await request('PUT', '/content/bad', { token: WRITER, body });
    assert.equal(res.status, 422);
    const { error } = res.json();
    assert.equal(error.code, 'invalid_content_item');
    assert.equal(typeof error.message, 'string');
    assert.deepEqual(Object.keys(error.fields).sort(), ['colour', 'payload_version', 'routes', 'schema_name']);
    for (const reasons of Object.values(error.fields)) assert.ok(Array.isArray(reasons) && reasons.length > 0);
    assert.equal((await request('GET', '/content/bad')).status, 404);
  });

  test('the base path comes from the URL and must be a valid route path', async () => {
    const slash = await request('PUT', '/content/trailing', { token: WRITER, body: { ...item('/trailing'), base_path: '/elsewhere/' } });
    assert.equal(slash.status, 201);
    const wrong = await request('PUT', '/content/trailing/', { token: WRITER, body: item('/trailing') });
    assert.equal(wrong.status, 422);
    assert.ok(wrong.json().error.fields.base_path);
  });

  test('201 created, 200 replaced, 409 for a stale payload_version with nothing written', async () => {
    const created = await putItem(item('/versions', { payload_version: 10, title: 'Ten' }));
    assert.equal(created.status, 201);
    assert.deepEqual(created.json(), {});
    const replaced = await putItem(item('/versions', { payload_version: 11, title: 'Eleven' }));
    assert.equal(replaced.status, 200);
    assert.deepEqual(replaced.json(), {});
    for (const v of [11, 2]) {
      const stale = await putItem(item('/versions', { payload_version: v, title: 'Stale', routes: [{ path: '/versions', type: 'prefix' }] }));
      assert.equal(stale.status, 409);
      assert.equal(stale.json().error.code, 'stale_payload_version');
    }
    assert.equal((await request('GET', '/content/versions')).json().title, 'Eleven');
    assert.deepEqual((await ownedRoutes(db, 'live', '/versions')).map((r) => r.route_type), ['exact']);
  });

  test("a PUT replaces the item's routes and removes the ones it no longer has", async () => {
    await putItem(item('/routed', { payload_version: 1, routes: [{ path: '/routed', type: 'exact' }, { path: '/routed/a', type: 'exact' }] }));
    await putItem(
      item('/routed', {
        payload_version: 2,
        routes: [{ path: '/routed', type: 'prefix' }],
        redirects: [{ path: '/routed/old', type: 'exact', destination: '/routed' }],
      }),
    );
    const rows = await ownedRoutes(db, 'live', '/routed');
    assert.deepEqual(
      rows.map((r) => [r.incoming_path, r.route_type, r.handler, r.backend_id ?? r.redirect_to]),
      [
        ['/routed', 'prefix', 'backend', 'frontend'],
        ['/routed/old', 'exact', 'redirect', '/routed'],
      ],
    );
  });

  test('a PUT notifies the routers on the route-changes channel', async () => {
    const seen: string[] = [];
    const unlisten = await db.listen(routeChangesChannel('live'), (payload) => seen.push(payload));
    try {
      assert.equal((await putItem(item('/notified'))).status, 201);
      const deadline = Date.now() + 5000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(seen.length > 0, 'a notification after the PUT');
    } finally {
      await unlisten();
    }
  });
});

describe('PUT /bulk/content', () => {
  const putBulk = (items: unknown[], opts: InjectOptions & { service?: Pick<ContentStoreService, 'app'> } = {}) =>
    request('PUT', '/bulk/content', { token: WRITER, body: { items }, ...opts });

  /** A live store that announces its writes, as one with a bus does; its events stay in the outbox, no relay running. */
  function announcingStore(log = silentLogger()) {
    return createContentStoreApp({ stack: 'live', db, log, authenticate, defaultTtlSeconds: 300, clock: () => NOW, bodyLimitBytes: 16 * 1024 * 1024, events: true });
  }
  const eventsFor = async (prefix: string) =>
    (
      await db.query<{ routing_key: string; body: { base_path: string; update_type: string; payload_version: number; title: string } }>(
        `SELECT routing_key, body FROM content_store_live.outbox WHERE body->>'base_path' LIKE $1 ORDER BY seq`,
        [`${prefix}%`],
      )
    ).rows.map((r) => [r.routing_key, r.body.base_path, r.body.update_type, r.body.payload_version]);

  test('200 with one result per item, in request order', async () => {
    await putItem(item('/bulk-http/b', { payload_version: 5 }));
    await putItem(item('/bulk-http/c', { payload_version: 9, title: 'Nine' }));
    const res = await putBulk([
      item('/bulk-http/c', { payload_version: 8, title: 'Eight' }),
      item('/bulk-http/b', { payload_version: 6, title: 'Six' }),
      item('/bulk-http/a', { payload_version: 6, title: 'New' }),
    ]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), {
      results: [
        { base_path: '/bulk-http/c', outcome: 'stale' },
        { base_path: '/bulk-http/b', outcome: 'replaced' },
        { base_path: '/bulk-http/a', outcome: 'created' },
      ],
    });
    assert.equal((await request('GET', '/content/bulk-http/a')).json().title, 'New');
    assert.equal((await request('GET', '/content/bulk-http/b')).json().title, 'Six');
    assert.equal((await request('GET', '/content/bulk-http/c')).json().title, 'Nine');
    assert.deepEqual((await putBulk([])).json(), { results: [] });
  });

  test('422 naming items.<index>.<field> when any item is invalid, and nothing is written', async () => {
    const bad: Record<string, unknown> = { ...item('/bulk-bad/schema'), payload_version: 'one' };
    delete bad.schema_name;
    const res = await putBulk([
      item('/bulk-bad/fine'),
      bad,
      item('/bulk-bad/caf%c3%a9'),
      item('/bulk-bad/trailing/', { routes: [{ path: '/bulk-bad/trailing', type: 'exact' }] }),
      { ...item('/x'), base_path: undefined },
      item('/bulk-bad/%2e%2e', { routes: [{ path: '/bulk-bad', type: 'exact' }] }),
      item('/bulk-bad/routes', { routes: [{ path: 'relative', type: 'exact' }] }),
      'not an item',
    ]);
    assert.equal(res.status, 422);
    const { error } = res.json();
    assert.equal(error.code, 'invalid_content_item');
    assert.deepEqual(Object.keys(error.fields).sort(), [
      'items.1.payload_version',
      'items.1.schema_name',
      'items.2.base_path',
      'items.3.base_path',
      'items.4.base_path',
      'items.5.base_path',
      'items.6.routes[0].path',
      'items.7',
    ]);
    assert.deepEqual(error.fields['items.2.base_path'], ['must be in canonical form: /bulk-bad/caf%C3%A9']);
    assert.deepEqual(error.fields['items.4.base_path'], ['is required']);
    assert.match(error.message, /^7 of the 8 content items are invalid/);
    assert.equal((await request('GET', '/content/bulk-bad/fine')).status, 404);
  });

  test('401 without a token, 403 without the write permission, before the body is read', async () => {
    assert.equal((await putBulk([item('/bulk-auth')], { token: undefined })).status, 401);
    assert.equal((await putBulk([item('/bulk-auth')], { token: READER })).status, 403);
    assert.equal((await request('PUT', '/bulk/content', { raw: '{not json' })).status, 401);
    assert.equal((await request('GET', '/content/bulk-auth')).status, 404);
  });

  test(`at most ${MAX_BULK_ITEMS} items, each base_path once; a body that is not {items: [...]} is refused`, async () => {
    // About 6 KB each, as a fan-out's items are: the whole request must fit the body limit.
    const many = Array.from({ length: MAX_BULK_ITEMS + 1 }, (_, i) => item(`/bulk-many/${i}`, { details: { body: 'x'.repeat(6000) } }));
    const tooMany = await putBulk(many);
    assert.equal(tooMany.status, 422);
    assert.equal(tooMany.json().error.code, 'too_many_items');
    const most = await putBulk(many.slice(0, MAX_BULK_ITEMS));
    assert.equal(most.status, 200);
    assert.equal(most.json().results.length, MAX_BULK_ITEMS);

    const twice = await putBulk([item('/bulk-twice'), item('/bulk-twice-not'), item('/bulk-twice', { payload_version: 2 })]);
    assert.equal(twice.status, 422);
    assert.deepEqual(twice.json().error.fields, { 'items.2.base_path': ['is also the base_path of items.0'] });
    assert.equal((await request('GET', '/content/bulk-twice-not')).status, 404);

    for (const body of [{ item: [] }, { items: {} }, [], { items: [], extra: 1 }]) {
      const res = await request('PUT', '/bulk/content', { token: WRITER, body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.equal(res.json().error.code, 'invalid_request', JSON.stringify(body));
    }
    assert.equal((await request('PUT', '/bulk/content', { token: WRITER })).status, 400);
  });

  test('the live store announces each item written, none stale, as the event type header says', async () => {
    const store = announcingStore();
    await putItem(item('/bulk-events/stale', { payload_version: 50 }));
    const res = await putBulk(
      [item('/bulk-events/b', { payload_version: 3 }), item('/bulk-events/stale', { payload_version: 4 }), item('/bulk-events/a', { payload_version: 3 })],
      { service: store, headers: { 'portico-event-type': 'links' } },
    );
    assert.equal(res.status, 200);
    assert.deepEqual(await eventsFor('/bulk-events/'), [
      ['answer.links', '/bulk-events/b', 'links', 3],
      ['answer.links', '/bulk-events/a', 'links', 3],
    ]);
    // Without the header, a write is major; a single PUT announces the same way.
    await putBulk([item('/bulk-events/b', { payload_version: 4 })], { service: store });
    await request('PUT', '/content/bulk-events/a', { token: WRITER, body: item('/bulk-events/a', { payload_version: 4 }), service: store, headers: { 'portico-event-type': 'minor' } });
    assert.deepEqual((await eventsFor('/bulk-events/')).slice(2), [
      ['answer.major', '/bulk-events/b', 'major', 4],
      ['answer.minor', '/bulk-events/a', 'minor', 4],
    ]);
    const bad = await putBulk([item('/bulk-events/c')], { service: store, headers: { 'portico-event-type': 'sideways' } });
    assert.equal(bad.status, 422);
    assert.equal(bad.json().error.code, 'event_type_invalid');
    assert.equal((await request('GET', '/content/bulk-events/c')).status, 404);
    await store.app.close();
  });

  test('logs one line with the counts, and the warnings a single PUT would give for each item', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({ destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const store = announcingStore(log);
    await upsertRoutes(db, 'live', [{ backend_id: 'frontend', backend_url: 'http://127.0.0.1:1/' }], []);
    await putItem(item('/bulk-log/owner', { routes: [{ path: '/bulk-log/owner', type: 'exact' }, { path: '/bulk-log/shared', type: 'exact' }] }));
    const res = await putBulk(
      [
        item('/bulk-log/taker', { routes: [{ path: '/bulk-log/taker', type: 'exact' }, { path: '/bulk-log/shared', type: 'exact' }] }),
        item('/bulk-log/nowhere', { rendering_app: 'bulk-log-app' }),
        item('/bulk-log/no-app', { rendering_app: null }),
        item('/bulk-log/owner', { payload_version: 0 }),
      ],
      { service: store },
    );
    assert.equal(res.status, 200);
    const messages = lines.filter((l) => typeof l.msg === 'string' && l.msg !== 'request completed').map((l) => [l.msg, l.base_path ?? null]);
    assert.deepEqual(messages, [
      ['took over a route', '/bulk-log/taker'],
      ['routes to backends the routers do not know; they are skipped until registered', '/bulk-log/nowhere'],
      ['content item stored but not routable', '/bulk-log/no-app'],
      ['content items written in bulk', null],
    ]);
    assert.deepEqual(
      lines.filter((l) => l.msg === 'content items written in bulk').map((l) => [l.items, l.created, l.replaced, l.stale]),
      [[4, 3, 0, 1]],
    );
    await store.app.close();
  });
});

describe('GET /content/*', () => {
  before(async () => {
    await putItem(
      item('/guide', {
        routes: [{ path: '/guide', type: 'exact' }, { path: '/guide/part-1', type: 'exact' }, { path: '/guide/parts', type: 'prefix' }],
        details: { max_cache_time: 60, body: 'plain *markdown*' },
      }),
    );
  });

  test('200 with the presented item, sorted keys, CORS and live cache headers', async () => {
    const res = await request('GET', '/content/guide');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['cache-control'], 'max-age=60, public');
    const body = res.json();
    assert.deepEqual(Object.keys(body), [...Object.keys(body)].sort());
    assert.equal(body.base_path, '/guide');
    assert.equal(body.updated_at, NOW.toISOString());
    assert.equal(body.details.body, 'plain *markdown*');
    assert.equal('redirects' in body, false);
    const other = await request('GET', '/content/versions');
    assert.equal(other.headers['cache-control'], 'max-age=300, public');
  });

  test('HTML alternatives collapse to the HTML', async () => {
    await putItem(item('/html'));
    assert.equal((await request('GET', '/content/html')).json().details.body, '<h1>Hi</h1>');
  });

  test('303 to the item that owns an exact or an ancestor prefix route', async () => {
    for (const path of ['/guide/part-1', '/guide/parts', '/guide/parts/3/b']) {
      const res = await request('GET', `/content${path}`);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.location, '/content/guide', path);
      assert.equal(res.headers['cache-control'], 'max-age=60, public');
    }
    const api = await request('GET', '/api/content/guide/parts/9');
    assert.equal(api.status, 303);
    assert.equal(api.headers.location, '/api/content/guide');
    assert.equal((await request('GET', '/api/content/guide')).json().base_path, '/guide');
  });

  test('an ETag on a 200, and 304 without the body to an If-None-Match that names it', async () => {
    const first = await request('GET', '/content/guide');
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const again = await request('GET', '/content/guide', { headers: { 'if-none-match': ifNoneMatch } });
      assert.equal(again.status, 304, ifNoneMatch);
      assert.equal(again.body, '');
      assert.equal(again.headers.etag, etag);
      assert.equal(again.headers['cache-control'], 'max-age=60, public');
    }
    assert.equal((await request('GET', '/content/guide', { headers: { 'if-none-match': '"other"' } })).status, 200);
  });

  test('a new version of an item has a new ETag, so a conditional GET gets it whole', async () => {
    await putItem(item('/etag-change', { payload_version: 1, title: 'First' }));
    const etag = String((await request('GET', '/content/etag-change')).headers.etag);
    await putItem(item('/etag-change', { payload_version: 2, title: 'Second' }));
    const res = await request('GET', '/content/etag-change', { headers: { 'if-none-match': etag } });
    assert.equal(res.status, 200);
    assert.equal(res.json().title, 'Second');
    assert.notEqual(res.headers.etag, etag);
  });

  test('Prefer: follow-routes answers a route with its owner, naming it in Content-Location', async () => {
    const owner = await request('GET', '/content/guide');
    for (const path of ['/guide/part-1', '/guide/parts/3/b']) {
      const res = await request('GET', `/content${path}`, { headers: { prefer: 'follow-routes' } });
      assert.equal(res.status, 200, path);
      assert.equal(res.json().base_path, '/guide', path);
      assert.equal(res.headers['content-location'], '/content/guide', path);
      assert.equal(res.headers['preference-applied'], 'follow-routes', path);
      assert.equal(res.headers.vary, 'prefer', path);
      assert.equal(res.headers.etag, owner.headers.etag, path);
      const again = await request('GET', `/content${path}`, { headers: { prefer: 'respond-async, follow-routes', 'if-none-match': String(owner.headers.etag) } });
      assert.equal(again.status, 304, path);
    }
    const api = await request('GET', '/api/content/guide/parts/9', { headers: { prefer: 'follow-routes' } });
    assert.equal(api.headers['content-location'], '/api/content/guide');
    assert.equal((await request('GET', '/content/guide', { headers: { prefer: 'follow-routes' } })).headers['content-location'], undefined);
  });

  test('404 with cache headers; 400 for a malformed path', async () => {
    const res = await request('GET', '/content/guide-nope');
    assert.equal(res.status, 404);
    assert.equal(res.json().error.code, 'not_found');
    assert.equal(res.headers['cache-control'], 'max-age=300, public');
    assert.equal(res.headers['access-control-allow-origin'], '*');
    for (const path of ['/content/foo%E0%A4%A', '/content/%']) {
      const bad = await request('GET', path);
      assert.equal(bad.status, 400, path);
      assert.equal(bad.json().error.code, 'bad_request', path);
    }
  });

  test('paths are found in any escaping of the same path', async () => {
    await putItem(item('/caf%C3%A9'));
    for (const path of ['/content/caf%C3%A9', '/content/caf%c3%a9', '/content/caf%C3%A9/']) {
      const res = await request('GET', path);
      assert.equal(res.status, 200, path);
      assert.equal(res.json().base_path, '/caf%C3%A9');
    }
  });

  test('a gone item with empty details is 410 with its JSON; with an explanation, 200', async () => {
    await putItem(item('/removed', { schema_name: 'gone', document_type: 'gone', rendering_app: null, details: {} }));
    const gone = await request('GET', '/content/removed');
    assert.equal(gone.status, 410);
    assert.equal(gone.json().schema_name, 'gone');
    await putItem(item('/explained', { schema_name: 'gone', document_type: 'gone', details: { explanation: 'It went' } }));
    assert.equal((await request('GET', '/content/explained')).status, 200);
  });

  test('redirect items show their redirects', async () => {
    await putItem(item('/moved', { schema_name: 'redirect', document_type: 'redirect', rendering_app: null, routes: [], redirects: [{ path: '/moved', type: 'exact', destination: '/guide' }] }));
    const res = await request('GET', '/content/moved');
    assert.deepEqual(res.json().redirects, [{ destination: '/guide', path: '/moved', type: 'exact' }]);
  });

  test('the draft stack is never cached', async () => {
    assert.equal((await putItem(item('/draft-only', { details: { max_cache_time: 30 } }), draft)).status, 201);
    const hit = await request('GET', '/content/draft-only', { service: draft });
    assert.equal(hit.status, 200);
    assert.equal(hit.headers['cache-control'], 'private, no-cache');
    const miss = await request('GET', '/content/nothing', { service: draft });
    assert.equal(miss.headers['cache-control'], 'private, no-cache');
    assert.equal((await request('GET', '/content/draft-only')).status, 404, 'the live stack does not see draft items');
  });

  test('the root item', async () => {
    assert.equal((await request('PUT', '/content/', { token: WRITER, body: item('/') })).status, 201);
    for (const url of ['/content', '/content/', '/api/content']) {
      const res = await request('GET', url);
      assert.equal(res.status, 200, url);
      assert.equal(res.json().base_path, '/', url);
    }
  });

  test('HEAD answers like GET without a body', async () => {
    const res = await request('HEAD', '/content/guide');
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
  });
});

test('dot segments, which inject would resolve away, are 400 over HTTP', async () => {
  const server = createContentStore({ stack: 'live', db, log: silentLogger(), authenticate });
  const port = await server.start(0, '127.0.0.1');
  try {
    const send = (method: string, path: string) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify(item('/b'));
        const req = httpRequest(
          { host: '127.0.0.1', port, method, path, agent: false, headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(method === 'PUT' ? body : undefined);
      });
    for (const path of ['/content/a/%2E%2E/guide', '/content/a/../guide', '/content/./guide', '/api/content/%2e/guide']) {
      assert.equal(await send('GET', path), 400, `GET ${path}`);
    }
    assert.equal(await send('PUT', '/content/a/%2e%2e/b'), 400);
    assert.equal(await send('DELETE', '/content/a/../guide'), 400);
  } finally {
    await server.stop();
  }
});

describe('DELETE /content/*', () => {
  test('deletes the item and its routes: 200, then 404', async () => {
    assert.equal((await request('DELETE', '/content/vanishing')).status, 401);
    await putItem(item('/vanishing', { routes: [{ path: '/vanishing', type: 'exact' }, { path: '/vanishing', type: 'prefix' }] }));
    assert.equal((await request('DELETE', '/content/vanishing', { token: READER })).status, 403);
    const res = await request('DELETE', '/content/vanishing', { token: WRITER });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), {});
    assert.deepEqual(await ownedRoutes(db, 'live', '/vanishing'), []);
    assert.equal((await request('GET', '/content/vanishing')).status, 404);
    const again = await request('DELETE', '/content/vanishing', { token: WRITER });
    assert.equal(again.status, 404);
    assert.equal(again.json().error.code, 'not_found');
  });
});

describe('operations', () => {
  test('the request id is taken from the request, or made, and echoed', async () => {
    const given = await request('GET', '/content/guide', { headers: { 'portico-request-id': 'abc-123' } });
    assert.equal(given.headers['portico-request-id'], 'abc-123');
    const made = await request('GET', '/content/nothing-here');
    assert.match(String(made.headers['portico-request-id']), /^[0-9a-f-]{36}$/);
    const bad = await request('GET', '/content/%', { headers: { 'portico-request-id': 'xyz' } });
    assert.equal(bad.headers['portico-request-id'], 'xyz');
  });

  test('health checks and metrics', async () => {
    assert.deepEqual((await request('GET', '/healthcheck/live')).json(), { status: 'ok' });
    const ready = await request('GET', '/healthcheck/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json().checks, { database: 'ok' });
    const metrics = await request('GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /portico_api_requests_total\{service="content-store-live",method="GET",route="\/content\/\*",status="200"\} \d+/);
    assert.match(metrics.body, /portico_api_request_duration_seconds_bucket\{le="[^"]+",service="content-store-live",/);
  });

  test('a database that cannot be reached is 503 database_unavailable with Retry-After, and not ready', async () => {
    // A database of its own, closed (and on PostgreSQL dropped) before the requests: the adapter's own "closed" errors.
    const gone = await openTestDb();
    await migrateContentStore(gone.db, 'live');
    const store = createContentStore({ stack: 'live', db: gone.db, log: silentLogger(), authenticate });
    await gone.close();
    try {
      for (const [method, opts] of [['GET', {}], ['PUT', { token: WRITER, body: item('/outage') }]] as const) {
        const res = await request(method, '/content/outage', { ...opts, service: store });
        assert.equal(res.status, 503, method);
        assert.deepEqual(Object.keys(res.json().error).sort(), ['code', 'message'], method);
        assert.equal(res.json().error.code, 'database_unavailable', method);
        assert.equal(res.headers['retry-after'], '5', method);
        assert.ok(res.headers['portico-request-id'], method);
      }
      const ready = await request('GET', '/healthcheck/ready', { service: store });
      assert.equal(ready.status, 503);
      assert.equal(ready.json().status, 'unavailable');
    } finally {
      await store.stop();
    }
  });

  test('unknown routes are 404 in the error shape', async () => {
    const res = await request('GET', '/nope');
    assert.equal(res.status, 404);
    assert.equal(res.json().error.code, 'not_found');
  });
});
