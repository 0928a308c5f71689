import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentStoreClient } from './content-store-client.ts';
import type { Upstream, UpstreamResponse } from './upstream.ts';

function fakeUpstream(answers: Record<string, UpstreamResponse>): Upstream & { asked: string[]; sent: Record<string, string>[] } {
  const asked: string[] = [];
  const sent: Record<string, string>[] = [];
  return {
    asked,
    sent,
    async get(url, _requestId, headers = {}) {
      asked.push(url);
      sent.push(headers);
      return answers[url] ?? { status: 404, headers: {}, body: undefined };
    },
    async close() {},
  };
}

const GUIDE = { base_path: '/keeping-bees', schema_name: 'guide', title: 'Keeping bees', details: { parts: [] } };

test('another route of an item (303) is followed to the item that owns it', async () => {
  const upstream = fakeUpstream({
    'http://cs/content/keeping-bees/inspections': { status: 303, headers: { location: '/content/keeping-bees' }, body: undefined },
    'http://cs/content/keeping-bees': { status: 200, headers: { 'cache-control': 'max-age=60, public' }, body: GUIDE },
  });
  const found = await contentStoreClient('http://cs/', upstream).lookup('/keeping-bees/inspections');
  assert.equal(found.kind, 'item');
  assert.equal(found.kind === 'item' && found.item.base_path, '/keeping-bees');
  assert.equal(found.kind === 'item' && found.maxAge, 60);
});

test('each answer of the store becomes a lookup kind', async () => {
  const upstream = fakeUpstream({
    'http://cs/content/gone': { status: 410, headers: {}, body: { base_path: '/gone', schema_name: 'gone', details: {} } },
    'http://cs/content/bad': { status: 400, headers: {}, body: undefined },
    'http://cs/content/down': { status: 0, headers: {}, body: undefined, error: 'connect ECONNREFUSED' },
    'http://cs/content/broken': { status: 500, headers: {}, body: undefined },
    'http://cs/content/odd': { status: 200, headers: {}, body: { hello: 1 } },
  });
  const client = contentStoreClient('http://cs', upstream);
  assert.equal((await client.lookup('/gone')).kind, 'gone');
  assert.equal((await client.lookup('/missing')).kind, 'not_found');
  assert.equal((await client.lookup('/bad')).kind, 'bad_path');
  assert.deepEqual(await client.lookup('/down'), { kind: 'unavailable', reason: 'connect ECONNREFUSED' });
  assert.equal((await client.lookup('/broken')).kind, 'unavailable');
  assert.equal((await client.lookup('/odd')).kind, 'unavailable');
});

test("a lookup asks for a route's owner directly, conditionally when it holds an etag", async () => {
  const upstream = fakeUpstream({
    'http://cs/content/keeping-bees/inspections': { status: 200, headers: { etag: '"abc"', 'content-location': '/content/keeping-bees' }, body: GUIDE },
    'http://cs/content/fishing': { status: 304, headers: { etag: '"def"', 'cache-control': 'max-age=60, public' }, body: undefined },
  });
  const client = contentStoreClient('http://cs', upstream);
  const part = await client.lookup('/keeping-bees/inspections');
  assert.equal(part.kind === 'item' && part.etag, 'abc');
  assert.equal(part.kind === 'item' && part.item.base_path, '/keeping-bees');
  assert.deepEqual(upstream.sent[0], { prefer: 'follow-routes' });
  assert.deepEqual(await client.lookup('/fishing', { ifNoneMatch: 'def' }), { kind: 'unchanged', maxAge: 60 });
  assert.deepEqual(upstream.sent[1], { prefer: 'follow-routes', 'if-none-match': '"def"' });
  assert.equal(upstream.asked.length, 2);
});
