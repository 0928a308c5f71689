import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../platform/log.ts';
import { loadAssets } from './assets.ts';
import type { ContentItem } from './content-item.ts';
import type { LookupOptions } from './content-store-client.ts';
import { createPageCache, matchesIfNoneMatch } from './page-cache.ts';
import { createFrontendApp } from './server.ts';
import { contentItem } from './testing.ts';
import { createViews } from './views.ts';

test('the least recently used page goes first when the HTML outgrows the bound', () => {
  const cache = createPageCache(3 * 12);
  cache.set('/a', 'e1', 200, 'x'.repeat(10));
  cache.set('/b', 'e1', 200, 'x'.repeat(10));
  cache.set('/c', 'e1', 200, 'x'.repeat(10));
  assert.ok(cache.get('/a'));
  cache.set('/d', 'e1', 200, 'x'.repeat(10));
  assert.equal(cache.get('/b'), undefined);
  assert.deepEqual(['/a', '/c', '/d'].map((p) => cache.get(p)?.status), [200, 200, 200]);
  assert.equal(cache.size, 3);
  assert.equal(cache.bytes, 36);
});

test('a new render of a path replaces the old one, and a page larger than the bound is not kept', () => {
  const cache = createPageCache(100);
  const old = cache.set('/a', 'v1', 200, '<p>old</p>');
  const fresh = cache.set('/a', 'v2', 200, '<p>new</p>');
  assert.equal(cache.size, 1);
  assert.equal(cache.get('/a')?.contentEtag, 'v2');
  assert.notEqual(fresh.etag, old.etag);
  assert.equal(cache.bytes, '/a'.length + '<p>new</p>'.length);
  const huge = cache.set('/huge', 'v1', 200, 'x'.repeat(200));
  assert.match(huge.etag, /^"[\w-]+"$/);
  assert.equal(cache.get('/huge'), undefined);
  assert.equal(cache.get('/a')?.contentEtag, 'v2');
});

test('If-None-Match matches a page etag weakly, in a list, or as *', () => {
  assert.equal(matchesIfNoneMatch('"abc"', '"abc"'), true);
  assert.equal(matchesIfNoneMatch('W/"abc"', '"abc"'), true);
  assert.equal(matchesIfNoneMatch('"x", "abc"', '"abc"'), true);
  assert.equal(matchesIfNoneMatch('*', '"abc"'), true);
  assert.equal(matchesIfNoneMatch('"abcd"', '"abc"'), false);
  assert.equal(matchesIfNoneMatch(undefined, '"abc"'), false);
});

/**
 * A frontend over a content store that answers as the real one does to a
 * conditional lookup (by an etag per stored version), counting its renders.
 */
function conditionalFrontend(items: Map<string, { item: ContentItem; version: number }>) {
  const assets = loadAssets();
  const views = createViews({ assetPath: assets.prefix, preview: false });
  const lookups: LookupOptions[] = [];
  const renders: string[] = [];
  const { app } = createFrontendApp({
    stack: 'live',
    log: silentLogger(),
    assets,
    views: { render: (page) => (renders.push(page.title), views.render(page)) },
    maxAgeSeconds: 300,
    pageCache: createPageCache(1024 * 1024),
    contentStore: {
      async lookup(path, opts = {}) {
        lookups.push(opts);
        const stored = items.get(path);
        if (!stored) return { kind: 'not_found', maxAge: 300 };
        const etag = `v${stored.version}`;
        return opts.ifNoneMatch === etag ? { kind: 'unchanged', maxAge: 60 } : { kind: 'item', item: stored.item, maxAge: 60, etag };
      },
    },
    search: { search: async () => undefined },
  });
  return { app, lookups, renders };
}

test('an unchanged item is not rendered again: the page is sent as first rendered, with its own ETag', async () => {
  const items = new Map([['/fish', { item: contentItem({ base_path: '/fish', schema_name: 'answer', title: 'Fish' }), version: 1 }]]);
  const { app, lookups, renders } = conditionalFrontend(items);
  const first = await app.inject({ url: '/fish' });
  const second = await app.inject({ url: '/fish' });
  assert.equal(second.statusCode, 200);
  assert.equal(second.body, first.body);
  assert.deepEqual(renders, ['Fish']);
  assert.deepEqual(lookups.map((l) => l.ifNoneMatch), [undefined, 'v1']);
  assert.equal(second.headers['cache-control'], 'public, max-age=60');
  assert.ok(first.headers.etag);
  assert.equal(second.headers.etag, first.headers.etag);

  const revalidated = await app.inject({ url: '/fish', headers: { 'if-none-match': String(first.headers.etag) } });
  assert.equal(revalidated.statusCode, 304);
  assert.equal(revalidated.body, '');

  items.set('/fish', { item: contentItem({ base_path: '/fish', schema_name: 'answer', title: 'Salmon' }), version: 2 });
  const changed = await app.inject({ url: '/fish', headers: { 'if-none-match': String(first.headers.etag) } });
  assert.equal(changed.statusCode, 200);
  assert.match(changed.body, /Salmon/);
  assert.notEqual(changed.headers.etag, first.headers.etag);
  assert.deepEqual(renders, ['Fish', 'Salmon']);
});

test('a page that shows search results is rendered every time and has no ETag', async () => {
  const org = contentItem({ base_path: '/government/organisations/dra', schema_name: 'organisation', title: 'Rural Affairs', details: { slug: 'dra' } });
  const { app, lookups, renders } = conditionalFrontend(new Map([[org.base_path, { item: org, version: 1 }]]));
  await app.inject({ url: org.base_path });
  const again = await app.inject({ url: org.base_path });
  assert.equal(again.statusCode, 200);
  assert.equal(again.headers.etag, undefined);
  assert.equal(renders.length, 2);
  assert.deepEqual(lookups.map((l) => l.ifNoneMatch), [undefined, undefined]);
});
