import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContentStorePayload } from '../content-store/content-item.ts';
import { createContentStore, type ContentStoreService } from '../content-store/index.ts';
import { migrateContentStore } from '../content-store/schema.ts';
import type { Authenticate } from '../platform/auth.ts';
import { PERMISSIONS } from '../platform/auth.ts';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { silentLogger } from '../platform/log.ts';
import { ContentStoreError, httpContentStoreClient, type ContentStoreClient } from './content-store-client.ts';

const authenticate: Authenticate = async (token) =>
  token === 'writer' ? { tokenId: 't1', name: 'publishing-api', permissions: [PERMISSIONS.contentStoreWrite] } : null;

let t: TestDb;
let store: ContentStoreService;
let client: ContentStoreClient;
let base: string;

before(async () => {
  t = await openTestDb();
  await migrateContentStore(t.db, 'live');
  store = createContentStore({ stack: 'live', db: t.db, log: silentLogger(), authenticate });
  base = `http://127.0.0.1:${await store.start(0, '127.0.0.1')}`;
  client = httpContentStoreClient(base, 'writer');
});

after(async () => {
  await store?.stop();
  await t?.close();
});

function payload(basePath: string, version: number): ContentStorePayload {
  return {
    base_path: basePath,
    content_id: 'c7a1a9e8-0000-4000-8000-000000000002',
    locale: 'en',
    document_type: 'answer',
    schema_name: 'answer',
    publishing_app: 'publisher',
    rendering_app: 'frontend',
    title: `v${version}`,
    details: {},
    routes: [{ path: basePath, type: 'exact' }],
    redirects: [],
    expanded_links: {},
    payload_version: version,
  };
}

test('putMany: one answer per payload, in order; a base_path is sent as the store keys it', async () => {
  assert.equal(await client.put('/many/b', payload('/many/b', 5)), 'written');
  const results = await client.putMany([payload('/many/a', 3), payload('/many/b', 4), payload('/many/caf%c3%a9', 3)], { eventType: 'links' });
  assert.deepEqual(results, ['written', 'stale', 'written']);
  const res = await fetch(`${base}/content/many/caf%C3%A9`);
  assert.equal(res.status, 200);
  assert.deepEqual(await client.putMany([]), []);
});

test('putMany: a refused batch is a ContentStoreError with the status', async () => {
  const refused = await client.putMany([payload('/many/x', 1), payload('/many/x', 2)]).catch((e: unknown) => e);
  assert.ok(refused instanceof ContentStoreError);
  assert.equal(refused.status, 422);
  assert.match(refused.message, /items\.1\.base_path/);
  const unauthorised = await httpContentStoreClient(base, 'nobody').putMany([payload('/many/y', 1)]).catch((e: unknown) => e);
  assert.ok(unauthorised instanceof ContentStoreError);
  assert.equal(unauthorised.status, 401);
});
