import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrawler, USER_AGENT, type CrawlOptions } from './crawler.ts';
import { instantClock, memoryObjectStore, startTestSite, type SitePage, type TestSite } from './testing.ts';

let site: TestSite | undefined;
afterEach(() => site?.close());

const html = (body: string) => `<!DOCTYPE html><html><head><title>t</title></head><body>${body}</body></html>`;

async function crawl(pages: Record<string, SitePage>, options: Partial<CrawlOptions> = {}, delayMs = 0) {
  site = await startTestSite(pages, delayMs);
  const store = memoryObjectStore();
  const clock = instantClock();
  const progress: number[] = [];
  const crawler = createCrawler({ origin: site.origin, store, clock, onProgress: (p) => progress.push(p.done), ...options });
  return { site, store, clock, crawler, progress };
}

const text = (store: ReturnType<typeof memoryObjectStore>, key: string) => store.objects.get(key)?.body.toString();

test('follows links of every kind on the site, saving each page under its mirror key with its content type', async () => {
  const { site, store, crawler } = await crawl({
    '/': { body: html(`
      <a href="/guidance/bees">Bees</a> <a href="guidance/hives#top">Hives</a>
      <a href="https://elsewhere.example/x">off site</a> <a href="mailto:x@example.org">mail</a>
      <link rel="stylesheet" href="/assets/site.css"> <script src="/assets/site.js"></script>
      <img src="/images/logo.png" alt=""> <a href="/news?utm_source=x&amp;page=2">news page 2</a>
      <a href="/search?q=bees">search</a> <a href="/search.json?q=x">api</a> <a href="/searching-for-work">jobs</a>`) },
    '/guidance/bees': { body: html('<a href="/">home</a><a href="/guidance/bees/">index</a>') },
    '/guidance/bees/': { body: html('a folder index') },
    '/guidance/hives': { body: html('hives') },
    '/assets/site.css': { type: 'text/css', body: 'body { background: url("../images/bg.svg") } @import "/assets/print.css";' },
    '/assets/print.css': { type: 'text/css', body: 'p { color: black }' },
    '/assets/site.js': { type: 'text/javascript', body: 'console.log(1)' },
    '/images/logo.png': { type: 'image/png', body: 'PNG' },
    '/images/bg.svg': { type: 'image/svg+xml', body: '<svg/>' },
    '/news?page=2': { body: html('<a href="/news/older">older</a>') },
    '/news/older': { body: html('older news') },
    '/searching-for-work': { body: html('jobs') },
  });
  const result = await crawler.crawlSite();
  assert.deepEqual([...store.objects.keys()].sort(), [
    'mirror/assets/print.css', 'mirror/assets/site.css', 'mirror/assets/site.js', 'mirror/guidance/bees.html', 'mirror/guidance/bees/index.html',
    'mirror/guidance/hives.html', 'mirror/images/bg.svg', 'mirror/images/logo.png', 'mirror/index.html', 'mirror/news/older.html',
    'mirror/searching-for-work.html',
  ]);
  assert.equal(store.objects.get('mirror/assets/site.css')?.contentType, 'text/css');
  assert.equal(store.objects.get('mirror/images/logo.png')?.contentType, 'image/png');
  assert.match(text(store, 'mirror/guidance/hives.html')!, /hives/);
  const targets = site.requests.map((r) => r.target);
  assert.ok(targets.includes('/news?page=2'), 'a paginated page is fetched for its links, though not saved');
  assert.ok(!targets.some((t) => t.startsWith('/search?') || t.startsWith('/search.json')), `denied paths are never fetched: ${targets}`);
  assert.equal(new Set(targets).size, targets.length, 'each target is fetched once');
  assert.ok(site.requests.every((r) => r.userAgent === USER_AGENT));
  assert.match(USER_AGENT, /^portico-mirror\/\d+\.\d+\.\d+$/);
  assert.equal(result.saved, 11);
  assert.equal(result.failed, 0);
  assert.equal(result.queued, 0);
});

test('starts from the sitemap index, newest lastmod first, reading pages named on the public origin', async () => {
  const www = 'https://www.example.gov';
  const { site, crawler } = await crawl(
    {
      '/sitemap.xml': { type: 'application/xml', body: `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sitemap><loc>${www}/sitemaps/sitemap_1.xml</loc></sitemap><sitemap><loc>${www}/sitemaps/sitemap_2.xml</loc></sitemap></sitemapindex>` },
      '/sitemaps/sitemap_1.xml': { type: 'application/xml', body: `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc>${www}/old</loc><lastmod>2019-01-01T00:00:00Z</lastmod></url>
        <url><loc>${www}/undated</loc></url>
        <url><loc>${www}/newest</loc><lastmod>2026-05-01T00:00:00Z</lastmod></url>
        <url><loc>https://elsewhere.example/not-ours</loc><lastmod>2027-01-01</lastmod></url></urlset>` },
      '/sitemaps/sitemap_2.xml': { type: 'application/xml', body: `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc>${www}/middle</loc><lastmod>2024-03-01</lastmod></url></urlset>` },
      '/old': { body: html('') }, '/undated': { body: html('') }, '/newest': { body: html('') }, '/middle': { body: html('') }, '/': { body: html('') },
    },
    { concurrency: 1, siteOrigins: [www] },
  );
  await crawler.crawlSite();
  assert.deepEqual(site.requests.map((r) => r.target), [
    '/sitemap.xml', '/sitemaps/sitemap_1.xml', '/sitemaps/sitemap_2.xml', '/newest', '/middle', '/old', '/undated', '/',
  ]);
});

test('a redirect is saved as a meta-refresh page, and only a target on the site is crawled', async () => {
  const { site, store, crawler } = await crawl({
    '/': { body: html('<a href="/moved">moved</a><a href="/away">away</a>') },
    '/moved': { status: 301, headers: { location: '/new-home?x=1' } },
    '/new-home': { body: html('the new home') },
    '/away': { status: 302, headers: { location: 'https://other.example/page?a=1&b=2' } },
  });
  const result = await crawler.crawlSite();
  const moved = text(store, 'mirror/moved.html')!;
  assert.match(moved, /<meta http-equiv="refresh" content="0; url=\/new-home\?x=1">/);
  assert.equal(store.objects.get('mirror/moved.html')?.contentType, 'text/html; charset=utf-8');
  assert.match(text(store, 'mirror/away.html')!, /url=https:\/\/other\.example\/page\?a=1&#38;b=2">/);
  assert.match(text(store, 'mirror/new-home.html')!, /the new home/);
  assert.ok(site.requests.some((r) => r.target === '/new-home'));
  assert.equal(result.redirects, 2);
});

test('a 429 pauses the crawl for Retry-After and tries again; a 5xx is retried four times, then counted failed', async () => {
  let busy = 2;
  let flaky = 2;
  const { site, store, clock, crawler } = await crawl({
    '/': { body: html('<a href="/busy">b</a><a href="/flaky">f</a><a href="/broken">x</a>') },
    '/busy': (_req, res) => {
      if (busy-- > 0) return void res.writeHead(429, { 'retry-after': '7' }).end();
      res.writeHead(200, { 'content-type': 'text/html' }).end('finally');
    },
    '/flaky': (_req, res) => {
      if (flaky-- > 0) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'text/html' }).end('recovered');
    },
    '/broken': { status: 500 },
  }, { concurrency: 1, retryDelayMs: 100 });
  const result = await crawler.crawlSite();
  assert.equal(text(store, 'mirror/busy.html'), 'finally');
  assert.equal(text(store, 'mirror/flaky.html'), 'recovered');
  assert.equal(site.requests.filter((r) => r.target === '/busy').length, 3);
  assert.equal(site.requests.filter((r) => r.target === '/broken').length, 5, 'the first try and four retries');
  assert.equal(store.objects.has('mirror/broken.html'), false);
  assert.equal(result.failed, 1);
  assert.ok(clock.sleeps.filter((ms) => ms >= 6900 && ms <= 7000).length >= 2, `waited out Retry-After: ${clock.sleeps}`);
  assert.deepEqual(clock.sleeps.filter((ms) => [100, 200, 400, 800].includes(ms)).slice(-4), [100, 200, 400, 800], 'the retry delay doubles');
});

test('a page that is gone deletes its old copy; other statuses are not saved', async () => {
  const { store, crawler } = await crawl({
    '/': { body: html('<a href="/retired">r</a><a href="/vanished">v</a><a href="/private">p</a>') },
    '/retired': { status: 410, body: 'gone' },
    '/private': { status: 403 },
  });
  await store.put('mirror/retired.html', 'old', { contentType: 'text/html' });
  await store.put('mirror/vanished.html', 'old', { contentType: 'text/html' });
  const result = await crawler.crawlSite();
  assert.equal(store.objects.has('mirror/retired.html'), false);
  assert.equal(store.objects.has('mirror/vanished.html'), false);
  assert.equal(store.objects.has('mirror/private.html'), false);
  assert.equal(result.gone, 2);
  assert.equal(result.failed, 1);
});

test('no more requests are in flight than the concurrency allows, and it is used', async () => {
  const pages: Record<string, SitePage> = { '/': { body: html(Array.from({ length: 12 }, (_, i) => `<a href="/p${i}">${i}</a>`).join('')) } };
  for (let i = 0; i < 12; i++) pages[`/p${i}`] = { body: html(`page ${i}`) };
  const { site, crawler, progress } = await crawl(pages, { concurrency: 3, ratePerSecond: 1000 }, 30);
  const result = await crawler.crawlSite();
  assert.equal(site.inFlight.max, 3);
  assert.equal(result.saved, 13);
  assert.deepEqual(progress, Array.from({ length: 13 }, (_, i) => i + 1), 'progress is reported after every page');
});

test('requests start no faster than the rate allows', async () => {
  const pages: Record<string, SitePage> = { '/': { body: html(Array.from({ length: 5 }, (_, i) => `<a href="/p${i}">${i}</a>`).join('')) } };
  for (let i = 0; i < 5; i++) pages[`/p${i}`] = { body: html('') };
  const { clock, crawler } = await crawl(pages, { concurrency: 4, ratePerSecond: 4 });
  const started = clock.now();
  const result = await crawler.crawlSite();
  // /sitemap.xml, /, and five pages: seven starts, 250 ms apart.
  assert.equal(clock.now() - started, 6 * 250);
  assert.equal(result.saved, 6);
});

test('crawlPaths fetches just the paths given, following no links', async () => {
  const { site, store, crawler } = await crawl({
    '/changed': { body: html('<a href="/linked">linked</a>') },
    '/linked': { body: html('') },
  });
  const result = await crawler.crawlPaths(['/changed', '/search', 'not-a-path']);
  assert.deepEqual(site.requests.map((r) => r.target), ['/changed']);
  assert.deepEqual([...store.objects.keys()], ['mirror/changed.html']);
  assert.equal(result.done, 1);
  assert.deepEqual([...result.outcomes], [['/changed', 'saved']]);
});
