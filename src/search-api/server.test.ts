import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { injectJson } from '../platform/api-testing.ts';
import type { TestDb } from '../platform/db/testing.ts';
import { silentLogger } from '../platform/log.ts';
import { applyEvent, eventBody, openSearchDb } from './fixtures.ts';
import { createSearchApp } from './server.ts';

let t: TestDb;
let app: ReturnType<typeof createSearchApp>['app'];
const get = (url: string) => injectJson(app, 'GET', url);

before(async () => {
  t = await openSearchDb();
  for (const [path, title, at] of [
    ['/a-and-b', 'Fish & chips', '2024-01-02T00:00:00Z'],
    ['/bees', 'Bees', '2024-01-03T00:00:00Z'],
    ['/cheese', 'Cheese', null],
    ['/dairy', 'Dairy', '2024-01-04T00:00:00Z'],
    ['/eels', 'Eels', '2024-01-05T00:00:00Z'],
  ] as const) {
    await applyEvent(t, eventBody(path, { title, public_updated_at: at }));
  }
  await applyEvent(t, eventBody('/withdrawn', { withdrawn_notice: { explanation: 'Gone stale', withdrawn_at: '2024-01-01T00:00:00Z' } }));
  app = createSearchApp({ db: t.db, log: silentLogger(), publicOrigin: 'https://www.example.org', sitemapPageSize: 2 }).app;
});
after(async () => {
  await app.close();
  await t.close();
});

describe('GET /search.json', () => {
  test('answers at both paths, open to any origin, briefly cacheable', async () => {
    for (const url of ['/search.json?q=bees', '/api/search.json?q=bees']) {
      const res = await get(url);
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.equal(res.headers['cache-control'], 'public, max-age=60');
      assert.deepEqual(res.json().results.map((r: { link: string }) => r.link), ['/bees']);
    }
  });

  test("a bad parameter is a 422 in the platform's error shape, naming it, open to any origin", async () => {
    const res = await get('/search.json?count=2000&filter_colour=red&q=x');
    assert.equal(res.status, 422);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    const { error } = res.json();
    assert.equal(error.code, 'invalid_parameters');
    assert.deepEqual(Object.keys(error.fields).sort(), ['count', 'filter_colour']);
    assert.match(error.message, /count/);
  });

  test('health checks answer like every service', async () => {
    assert.equal((await get('/healthcheck/live')).status, 200);
    assert.deepEqual((await get('/healthcheck/ready')).json(), { status: 'ok', checks: { database: 'ok' } });
  });
});

describe('sitemaps', () => {
  test('more documents than fit one sitemap: an index of pages', async () => {
    const res = await get('/sitemap.xml');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/xml/);
    assert.equal(
      res.body,
      '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
        ['1', '2', '3'].map((n) => `<sitemap><loc>https://www.example.org/sitemaps/sitemap_${n}.xml</loc></sitemap>`).join('\n') +
        '\n</sitemapindex>\n',
    );
  });

  test('each page lists live documents by path, withdrawn ones left out, with lastmod where known', async () => {
    const page = (n: number) => get(`/sitemaps/sitemap_${n}.xml`);
    assert.equal(
      (await page(1)).body,
      '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
        '<url><loc>https://www.example.org/a-and-b</loc><lastmod>2024-01-02T00:00:00.000Z</lastmod></url>\n' +
        '<url><loc>https://www.example.org/bees</loc><lastmod>2024-01-03T00:00:00.000Z</lastmod></url>\n</urlset>\n',
    );
    assert.match((await page(2)).body, /<loc>https:\/\/www\.example\.org\/cheese<\/loc><\/url>\n<url><loc>https:\/\/www\.example\.org\/dairy</);
    assert.match((await page(3)).body, /\/eels</);
    assert.doesNotMatch((await page(3)).body, /withdrawn/);
    for (const bad of ['/sitemaps/sitemap_4.xml', '/sitemaps/sitemap_0.xml', '/sitemaps/other.xml']) assert.equal((await get(bad)).status, 404, bad);
  });

  test('few enough documents: one sitemap', async () => {
    const small = createSearchApp({ db: t.db, log: silentLogger(), publicOrigin: 'https://www.example.org', sitemapPageSize: 50_000 }).app;
    const res = await injectJson(small, 'GET', '/sitemap.xml');
    assert.equal((res.body.match(/<url>/g) ?? []).length, 5);
    assert.match(res.body, /^<\?xml[^]*<urlset/);
    await small.close();
  });
});
