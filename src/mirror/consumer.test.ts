import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createMemoryBus, PUBLISHED_DOCUMENTS, type Bus } from '../platform/bus/index.ts';
import { silentLogger } from '../platform/log.ts';
import { eventually } from '../../test/support/ports.ts';
import { eventPaths, startRecrawling } from './consumer.ts';
import { createCrawler } from './crawler.ts';
import { memoryObjectStore, startTestSite, type TestSite } from './testing.ts';

let site: TestSite;
let bus: Bus;
let stop: () => Promise<void>;
const store = memoryObjectStore();
let newPageReady = false;

const publish = (routingKey: string, body: unknown) =>
  bus.publish(PUBLISHED_DOCUMENTS, { id: randomUUID(), routingKey, body, publishedAt: new Date().toISOString() });

before(async () => {
  site = await startTestSite({
    '/keeping-bees': { body: '<h1>Keeping bees, revised</h1>' },
    '/keeping-bees/inspections': { body: '<h2>Inspections</h2>' },
    '/old-scheme': { status: 301, headers: { location: '/new-scheme' } },
    '/brand-new': (_req, res) => {
      // Routers pick up a new route a moment after the event is sent.
      if (!newPageReady) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Brand new</h1>');
    },
  });
  bus = createMemoryBus({ log: silentLogger() });
  const crawler = createCrawler({ origin: site.origin, store, ratePerSecond: 1000 });
  stop = await startRecrawling({ bus, store, crawler, log: silentLogger(), consume: { retryDelayMs: 20, maxAttempts: 20 } });
});

after(async () => {
  await stop();
  await bus.close();
  await site.close();
});

const body = (key: string) => store.objects.get(key)?.body.toString();

test('a publish re-crawls the item\'s page and its parts', async () => {
  await store.put('mirror/keeping-bees.html', '<h1>Keeping bees</h1>', { contentType: 'text/html' });
  await publish('guide.major', {
    base_path: '/keeping-bees', schema_name: 'guide', document_type: 'guide',
    details: { parts: [{ slug: 'inspections', title: 'Inspections', body: '' }] },
  });
  await eventually(() => (body('mirror/keeping-bees.html')?.includes('revised') ? true : undefined), 5000, 'the re-crawled page');
  await eventually(() => body('mirror/keeping-bees/inspections.html'), 5000, 'the part');
});

test('a redirect item is saved as a meta-refresh page at its redirected path', async () => {
  await publish('redirect.unpublish', {
    base_path: '/old-scheme', schema_name: 'redirect', document_type: 'redirect',
    redirects: [{ path: '/old-scheme', type: 'exact', destination: '/new-scheme' }],
  });
  await eventually(() => (body('mirror/old-scheme.html')?.includes('url=/new-scheme') ? true : undefined), 5000, 'the redirect page');
});

test('a vanished or gone item loses its copies without asking the site', async () => {
  await store.put('mirror/retired.html', 'old', { contentType: 'text/html' });
  await store.put('mirror/withdrawn-guide.html', 'old', { contentType: 'text/html' });
  const before = site.requests.length;
  await publish('vanish.unpublish', { base_path: '/retired', schema_name: 'vanish', document_type: 'vanish' });
  await publish('gone.unpublish', { base_path: '/withdrawn-guide', schema_name: 'gone', document_type: 'gone', routes: [{ path: '/withdrawn-guide', type: 'exact' }] });
  await eventually(() => (!store.objects.has('mirror/retired.html') && !store.objects.has('mirror/withdrawn-guide.html') ? true : undefined), 5000, 'the copies to go');
  assert.equal(site.requests.length, before);
});

test('a page not routed yet is tried again until it is', async () => {
  await publish('answer.major', { base_path: '/brand-new', schema_name: 'answer', document_type: 'answer' });
  await eventually(() => (site.requests.filter((r) => r.target === '/brand-new').length >= 2 ? true : undefined), 5000, 'a retry');
  newPageReady = true;
  await eventually(() => body('mirror/brand-new.html'), 5000, 'the new page');
});

test('the paths of an event: base path, routes, redirects and parts, deduplicated', () => {
  assert.deepEqual(eventPaths({
    base_path: '/guide', schema_name: 'guide', routes: [{ path: '/guide', type: 'prefix' }, { path: '/guide.json', type: 'exact' }],
    details: { parts: [{ slug: 'a' }, { slug: '' }, { title: 'no slug' }] },
  }), { crawl: ['/guide', '/guide.json', '/guide/a'], remove: [], expectPage: ['/guide'] });
  assert.deepEqual(eventPaths({ base_path: '/x', document_type: 'vanish' }), { crawl: [], remove: ['/x'], expectPage: [] });
  assert.equal(eventPaths({ title: 'no base path' }), undefined);
  assert.equal(eventPaths('not an object'), undefined);
});
