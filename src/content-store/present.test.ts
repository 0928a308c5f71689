import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContentStorePayload } from './content-item.ts';
import { cacheControl, deepSort, isGone, maxCacheTime, presentItem, resolveHtml } from './present.ts';

const payload = (over: Partial<ContentStorePayload> = {}): ContentStorePayload => ({
  base_path: '/thing',
  content_id: 'c7a1a9e8-0000-4000-8000-000000000001',
  locale: 'en',
  document_type: 'answer',
  schema_name: 'answer',
  publishing_app: 'publisher',
  rendering_app: 'frontend',
  title: 'A thing',
  details: { body: 'Some *markdown*' },
  routes: [{ path: '/thing', type: 'exact' }],
  redirects: [],
  expanded_links: { organisations: [{ title: 'Org', base_path: '/org' }] },
  payload_version: 3,
  ...over,
});

test('the response has exactly the agreed keys, sorted, with defaults', () => {
  const r = presentItem(payload(), '2024-01-02T03:04:05.000Z');
  assert.deepEqual(Object.keys(r), [
    'analytics_identifier', 'base_path', 'content_id', 'description', 'details', 'document_type', 'first_published_at',
    'links', 'locale', 'phase', 'public_updated_at', 'publishing_app', 'publishing_request_id', 'rendering_app',
    'schema_name', 'title', 'updated_at', 'withdrawn_notice',
  ]);
  assert.equal(r.phase, 'live');
  assert.equal(r.description, null);
  assert.equal(r.updated_at, '2024-01-02T03:04:05.000Z');
  assert.deepEqual(r.links, { organisations: [{ base_path: '/org', title: 'Org' }] });
  assert.equal((r.details as { body: string }).body, 'Some *markdown*');
});

test('redirects appear only on redirect items', () => {
  const redirects = [{ path: '/thing', type: 'exact' as const, destination: '/new' }];
  assert.equal('redirects' in presentItem(payload({ redirects }), 'x'), false);
  assert.deepEqual(presentItem(payload({ schema_name: 'redirect', redirects }), 'x').redirects, [{ destination: '/new', path: '/thing', type: 'exact' }]);
});

test('content-type alternatives collapse to their HTML; strings stay', () => {
  const alternatives = [
    { content_type: 'text/govspeak', content: '## Hi' },
    { content_type: 'text/html', content: '<h2>Hi</h2>' },
  ];
  assert.deepEqual(
    resolveHtml({ body: alternatives, parts: [{ title: 'p', body: alternatives }], summary: 'plain *md*', empty: [], none: [{ content_type: 'text/govspeak', content: 'x' }] }),
    { body: '<h2>Hi</h2>', parts: [{ title: 'p', body: '<h2>Hi</h2>' }], summary: 'plain *md*', empty: [], none: [{ content_type: 'text/govspeak', content: 'x' }] },
  );
  const r = presentItem(payload({ description: alternatives as unknown as string }), 'x');
  assert.equal(r.description, '<h2>Hi</h2>');
});

test('deep sort orders keys at every depth and keeps arrays in order', () => {
  const sorted = deepSort({ b: 1, a: { d: [{ z: 1, y: 2 }, 3], c: null } });
  assert.equal(JSON.stringify(sorted), '{"a":{"c":null,"d":[{"y":2,"z":1},3]},"b":1}');
  const proto = deepSort(JSON.parse('{"__proto__":{"x":1}}')) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(JSON.stringify(proto), '{"__proto__":{"x":1}}');
});

test('gone means 410 only with blank details', () => {
  assert.equal(isGone({ schema_name: 'gone', details: {} }), true);
  assert.equal(isGone({ schema_name: 'gone', details: { explanation: '' } }), true);
  assert.equal(isGone({ schema_name: 'gone', details: { explanation: 'Moved' } }), false);
  assert.equal(isGone({ schema_name: 'answer', details: {} }), false);
});

test('max_cache_time and Cache-Control', () => {
  assert.equal(maxCacheTime({}), null);
  assert.equal(maxCacheTime({ max_cache_time: 60 }), 60);
  assert.equal(maxCacheTime({ max_cache_time: '30' }), 30);
  assert.equal(maxCacheTime({ max_cache_time: 'soon' }), null);
  assert.equal(maxCacheTime({ max_cache_time: -1 }), null);
  assert.equal(cacheControl('live', 300, null), 'max-age=300, public');
  assert.equal(cacheControl('live', 300, 60), 'max-age=60, public');
  assert.equal(cacheControl('live', 300, 0), 'max-age=5, public');
  assert.equal(cacheControl('live', 300, 9999), 'max-age=300, public');
  assert.equal(cacheControl('live', 3, 0), 'max-age=3, public');
  assert.equal(cacheControl('draft', 300, 60), 'private, no-cache');
});

test('a draft’s auth_bypass_ids are shown, so the authenticating proxy can check a preview token against them', () => {
  assert.deepEqual(presentItem(payload({ auth_bypass_ids: ['b1', 'b2'] }), 'x').auth_bypass_ids, ['b1', 'b2']);
  assert.equal('auth_bypass_ids' in presentItem(payload({ auth_bypass_ids: [] }), 'x'), false);
});
