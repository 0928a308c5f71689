import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Bouncer } from '../bouncer/types.ts';
import type { MirrorReader } from '../mirror/types.ts';
import { createEdge, type Edge, type EdgeOptions } from './index.ts';
import { PURGE_TOKEN_HEADER, SOFT_PURGE_HEADER } from './purge-types.ts';
import { ask, startFakeOrigin, type FakeOrigin } from './testing.ts';

const TOKEN = 'purge-token-for-tests';
const HTML = '<!DOCTYPE html><title>Keeping bees</title>' + '<p>Register your hives with the bee unit.</p>'.repeat(20);

interface Setup {
  origin: FakeOrigin;
  edge: Edge;
  port: number;
  advance(ms: number): void;
  get(path: string, headers?: Record<string, string>): ReturnType<typeof ask>;
}

async function setup(t: TestContext, o: Partial<EdgeOptions> = {}): Promise<Setup> {
  const origin = await startFakeOrigin();
  let clock = Date.parse('2026-11-26T12:00:00Z');
  const edge = createEdge({ originUrl: origin.url, purgeToken: TOKEN, now: () => clock, ...o });
  const port = await edge.start(0, '127.0.0.1');
  t.after(async () => {
    await edge.stop();
    await origin.kill().catch(() => undefined);
  });
  return { origin, edge, port, advance: (ms) => (clock += ms), get: (path, headers) => ask(port, path, { headers }) };
}

const page = (cacheControl?: string, body = 'a page', extra: Record<string, string | string[]> = {}) => ({
  headers: { ...(cacheControl === undefined ? {} : { 'cache-control': cacheControl }), ...extra },
  body,
});

test('a page is fetched once (MISS), then answered from memory (HIT), with Age, Server-Timing and the request id', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/keeping-bees', page('public, max-age=60', 'bees'));
  const first = await s.get('/keeping-bees', { 'portico-request-id': 'req-1' });
  assert.equal(first.status, 200);
  assert.equal(first.text, 'bees');
  assert.equal(first.headers['x-cache'], 'MISS');
  assert.match(String(first.headers['server-timing']), /^cacheMiss;dur=\d+(\.\d)?$/);
  assert.equal(first.headers['portico-request-id'], 'req-1');
  assert.equal(s.origin.seen[0]!.headers['portico-request-id'], 'req-1', 'origin gets the request id');
  s.advance(5000);
  const second = await s.get('/keeping-bees');
  assert.equal(second.headers['x-cache'], 'HIT');
  assert.equal(second.headers['server-timing'], 'cacheHit;dur=0');
  assert.equal(second.headers.age, '5');
  assert.equal(second.text, 'bees');
  assert.match(String(second.headers['portico-request-id']), /^[0-9a-f-]{36}$/, 'a request id is made when the client sent none');
  assert.equal(s.origin.count('/keeping-bees'), 1);
});

const POLICY: [string, Record<string, string | string[]>, boolean][] = [
  ['s-maxage', { 'cache-control': 'public, s-maxage=600, max-age=10' }, true],
  ['max-age', { 'cache-control': 'public, max-age=600' }, true],
  ['Expires', { expires: 'Thu, 26 Nov 2026 13:00:00 GMT', date: 'Thu, 26 Nov 2026 12:00:00 GMT' }, true],
  ['none (the default TTL)', {}, true],
  ['private', { 'cache-control': 'private, max-age=600' }, false],
  ['no-store', { 'cache-control': 'no-store' }, false],
  ['no-cache', { 'cache-control': 'no-cache' }, false],
  ['Set-Cookie', { 'cache-control': 'public, max-age=600', 'set-cookie': 'session=abc; HttpOnly' }, false],
];

for (const [name, headers, cached] of POLICY) {
  test(`Cache-Control: ${name} is ${cached ? 'cached' : 'passed through uncached'}`, async (t) => {
    const s = await setup(t);
    s.origin.replies.set('/p', { headers, body: 'p' });
    const first = await s.get('/p');
    const second = await s.get('/p');
    assert.equal(second.text, 'p');
    assert.equal(s.origin.count('/p'), cached ? 1 : 2);
    assert.equal(first.headers['x-cache'], cached ? 'MISS' : 'PASS');
    assert.equal(second.headers['x-cache'], cached ? 'HIT' : 'PASS');
    if (headers['set-cookie']) assert.deepEqual(first.headers['set-cookie'], [headers['set-cookie']], 'a passed response keeps its cookie');
  });
}

test('lifetimes: s-maxage beats max-age; the default TTL applies where none is given, and is configurable', async (t) => {
  const s = await setup(t, { defaultTtlMs: 30_000 });
  s.origin.replies.set('/s', page('s-maxage=100, max-age=10'));
  s.origin.replies.set('/none', page());
  await s.get('/s');
  await s.get('/none');
  s.advance(29_000);
  assert.equal((await s.get('/s')).headers['x-cache'], 'HIT');
  assert.equal((await s.get('/none')).headers['x-cache'], 'HIT');
  s.advance(2_000);
  assert.equal((await s.get('/none')).headers['x-cache'], 'MISS', 'past the default TTL');
  s.advance(70_000);
  assert.equal((await s.get('/s')).headers['x-cache'], 'MISS', 'past s-maxage');
});

test('the key: query string sorted, utm_ dropped, and origin asked for the normalised URL', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/search?order=recent&q=bees', page('max-age=60', 'results'));
  assert.equal((await s.get('/search?q=bees&utm_source=newsletter&order=recent')).headers['x-cache'], 'MISS');
  const again = await s.get('/search?order=recent&q=bees');
  assert.equal(again.headers['x-cache'], 'HIT');
  assert.equal(again.text, 'results');
  assert.deepEqual(s.origin.seen.map((r) => r.target), ['/search?order=recent&q=bees']);
  assert.equal((await s.get('/search?q=wasps')).headers['x-cache'], 'MISS', 'another query is another page');
});

test('Vary: each value of the named request field is its own copy', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/hello', (req) => page('max-age=60', `hello in ${req.headers['accept-language']}`, { vary: 'Accept-Language' }));
  const en = await s.get('/hello', { 'accept-language': 'en' });
  const fr = await s.get('/hello', { 'accept-language': 'fr' });
  assert.equal(en.text, 'hello in en');
  assert.equal(fr.text, 'hello in fr');
  assert.equal(fr.headers['x-cache'], 'MISS');
  const enAgain = await s.get('/hello', { 'accept-language': 'en' });
  assert.equal(enAgain.headers['x-cache'], 'HIT');
  assert.equal(enAgain.text, 'hello in en');
  assert.equal(enAgain.headers.vary, 'Accept-Language');
  assert.equal(s.origin.count('/hello'), 2);
});

test('memory is bounded by bytes: the least recently used page is evicted', async (t) => {
  const body = 'x'.repeat(10_000);
  const s = await setup(t, { cacheBytes: 25_000, maxObjectBytes: 25_000 });
  for (const p of ['/a', '/b', '/c']) s.origin.replies.set(p, { headers: { 'content-type': 'image/png' }, body });
  await s.get('/a');
  await s.get('/b');
  await s.get('/a');
  await s.get('/c');
  assert.ok(s.edge.cache.bytes <= 25_000);
  assert.equal((await s.get('/a')).headers['x-cache'], 'HIT', 'used recently: kept');
  assert.equal((await s.get('/b')).headers['x-cache'], 'MISS', 'least recently used: evicted');
});

test('coalescing: concurrent misses for one page make one origin request', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/busy', page('max-age=60', 'busy page'));
  const release = s.origin.hold();
  const answers = Promise.all(Array.from({ length: 20 }, () => s.get('/busy')));
  await waitFor(() => s.origin.count('/busy') === 1);
  release();
  const all = await answers;
  assert.ok(all.every((a) => a.status === 200 && a.text === 'busy page'));
  assert.equal(s.origin.count('/busy'), 1);
});

test('coalesced askers of an uncacheable page each get their own answer', async (t) => {
  const s = await setup(t);
  let n = 0;
  s.origin.replies.set('/mine', () => page('private', `for visitor ${++n}`));
  const release = s.origin.hold();
  const answers = Promise.all([s.get('/mine'), s.get('/mine'), s.get('/mine')]);
  await waitFor(() => s.origin.count('/mine') === 1);
  release();
  const texts = (await answers).map((a) => a.text).sort();
  assert.deepEqual(texts, ['for visitor 1', 'for visitor 2', 'for visitor 3']);
});

test('stale-while-revalidate: the stale copy is answered at once and refreshed behind it', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/news', page('max-age=10, stale-while-revalidate=60', 'old news'));
  await s.get('/news');
  s.origin.replies.set('/news', page('max-age=10, stale-while-revalidate=60', 'new news'));
  s.advance(20_000);
  const stale = await s.get('/news');
  assert.equal(stale.headers['x-cache'], 'STALE');
  assert.equal(stale.text, 'old news');
  await s.edge.idle();
  const fresh = await s.get('/news');
  assert.equal(fresh.headers['x-cache'], 'HIT');
  assert.equal(fresh.text, 'new news');
  s.advance(80_000);
  assert.equal((await s.get('/news')).headers['x-cache'], 'MISS', 'beyond the window: fetched before answering');
});

test('stale-if-error: origin 5xx or unreachable gets the stale copy, for 24 hours by default', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/guide', page('max-age=10', 'the guide'));
  await s.get('/guide');
  s.advance(60_000);
  s.origin.replies.set('/guide', { status: 500, body: 'boom' });
  const on500 = await s.get('/guide');
  assert.equal(on500.status, 200);
  assert.equal(on500.headers['x-cache'], 'STALE');
  assert.equal(on500.text, 'the guide');
  await s.origin.kill();
  s.advance(23 * 3_600_000);
  const onDown = await s.get('/guide');
  assert.equal(onDown.headers['x-cache'], 'STALE');
  assert.equal(onDown.text, 'the guide');
  s.advance(2 * 3_600_000);
  assert.equal((await s.get('/guide')).status, 503, 'past 24 hours the copy is no longer served');
});

test('stale-if-error as the response gives it', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/short', page('max-age=10, stale-if-error=30'));
  await s.get('/short');
  await s.origin.kill();
  s.advance(35_000);
  assert.equal((await s.get('/short')).headers['x-cache'], 'STALE');
  s.advance(10_000);
  assert.equal((await s.get('/short')).status, 503);
});

test('compression: text is stored gzipped and brotli-compressed, each client gets what it takes', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/page', page('max-age=60', HTML, { 'content-type': 'text/html; charset=utf-8' }));
  s.origin.replies.set('/logo.png', page('max-age=60', HTML, { 'content-type': 'image/png' }));
  const br = await s.get('/page', { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers.vary, 'Accept-Encoding');
  assert.equal(brotliDecompressSync(br.body).toString(), HTML);
  assert.equal(Number(br.headers['content-length']), br.body.length);
  const gz = await s.get('/page', { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.body).toString(), HTML);
  assert.equal(gz.headers['x-cache'], 'HIT', 'one stored object, several encodings');
  const plain = await s.get('/page');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.text, HTML);
  assert.equal(s.origin.seen[0]!.headers['accept-encoding'], undefined, 'origin is asked for the plain body');
  const png = await s.get('/logo.png', { 'accept-encoding': 'br' });
  assert.equal(png.headers['content-encoding'], undefined, 'binary types are not compressed');
});

test('a browser revalidating a cached page gets 304 without the body', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/tagged', page('max-age=60', HTML, { 'content-type': 'text/html', etag: '"v1"' }));
  await s.get('/tagged');
  const same = await s.get('/tagged', { 'if-none-match': '"v1"' });
  assert.equal(same.status, 304);
  assert.equal(same.body.length, 0);
  assert.equal(same.headers.etag, '"v1"');
  assert.equal(same.headers['x-cache'], 'HIT');
  const gzipped = await s.get('/tagged', { 'if-none-match': 'W/"v1"', 'accept-encoding': 'gzip' });
  assert.equal(gzipped.status, 304);
  assert.equal(gzipped.headers.etag, 'W/"v1"');
  const changed = await s.get('/tagged', { 'if-none-match': '"v0"' });
  assert.equal(changed.status, 200);
  assert.equal(changed.text, HTML);
  assert.equal(s.origin.count('/tagged'), 1);
});

test('PURGE needs the token: missing 401, wrong 403, each a JSON error', async (t) => {
  const s = await setup(t);
  const missing = await ask(s.port, '/p', { method: 'PURGE' });
  assert.equal(missing.status, 401);
  assert.equal(JSON.parse(missing.text).error.code, 'purge_token_missing');
  const wrong = await ask(s.port, '/p', { method: 'PURGE', headers: { [PURGE_TOKEN_HEADER]: 'guess' } });
  assert.equal(wrong.status, 403);
  assert.equal(JSON.parse(wrong.text).error.code, 'purge_token_invalid');
  assert.match(String(wrong.headers['content-type']), /application\/json/);
  const right = await ask(s.port, '/p', { method: 'PURGE', headers: { [PURGE_TOKEN_HEADER]: TOKEN } });
  assert.equal(right.status, 200);
  assert.deepEqual(JSON.parse(right.text), { status: 'ok', path: '/p', soft: false, purged: 0 });
});

test('soft purge marks stale (refetched, but kept for failures); hard purge deletes', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/fees', page('max-age=600', 'fees v1'));
  s.origin.replies.set('/fees?year=2026', page('max-age=600', 'fees 2026 v1'));
  await s.get('/fees');
  await s.get('/fees?year=2026');
  s.origin.replies.set('/fees', page('max-age=600', 'fees v2'));
  const soft = await ask(s.port, '/fees', { method: 'PURGE', headers: { [PURGE_TOKEN_HEADER]: TOKEN, [SOFT_PURGE_HEADER]: '1' } });
  assert.deepEqual(JSON.parse(soft.text), { status: 'ok', path: '/fees', soft: true, purged: 2 });
  const after = await s.get('/fees');
  assert.equal(after.headers['x-cache'], 'MISS');
  assert.equal(after.text, 'fees v2');

  await s.origin.kill();
  const kept = await s.get('/fees?year=2026');
  assert.equal(kept.headers['x-cache'], 'STALE', 'soft-purged, origin down: the old copy still serves');
  assert.equal(kept.text, 'fees 2026 v1');

  await ask(s.port, '/fees', { method: 'PURGE', headers: { [PURGE_TOKEN_HEADER]: TOKEN } });
  assert.equal((await s.get('/fees?year=2026')).status, 503, 'hard-purged: nothing left to serve');
});

test('a response fetched across a purge is served to its askers but not kept as fresh', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/race', page('max-age=600', 'before publish'));
  const release = s.origin.hold();
  const inFlight = s.get('/race');
  await waitFor(() => s.origin.count('/race') === 1);
  s.edge.purge(['/race'], { soft: true });
  s.origin.replies.set('/race', page('max-age=600', 'after publish'));
  release();
  assert.equal((await inFlight).text, 'before publish');
  assert.equal((await s.get('/race')).text, 'after publish');
});

test('hosts: the apex redirects to www with path and query; unknown hosts 404; retired sites go to the bouncer', async (t) => {
  const handled: string[] = [];
  const bouncer: Bouncer = {
    servesHost: (h) => h === 'old-agency.example.org',
    async handle(req, res) {
      handled.push(`${req.headers.host}${req.url}`);
      res.writeHead(301, { location: 'https://www.example.org/new' });
      res.end();
    },
    close: async () => undefined,
  };
  const s = await setup(t, { wwwHosts: ['www.example.org'], apexHosts: ['example.org'], wwwOrigin: 'https://www.example.org', bouncer });
  s.origin.replies.set('/x', page('max-age=60', 'www page'));
  assert.equal((await s.get('/x', { host: 'www.example.org' })).text, 'www page');
  const apex = await s.get('/guidance/x?a=1&b=2', { host: 'example.org' });
  assert.equal(apex.status, 301);
  assert.equal(apex.headers.location, 'https://www.example.org/guidance/x?a=1&b=2');
  const unknown = await s.get('/x', { host: 'elsewhere.example.com' });
  assert.equal(unknown.status, 404);
  const retired = await s.get('/old/page', { host: 'old-agency.example.org' });
  assert.equal(retired.status, 301);
  assert.deepEqual(handled, ['old-agency.example.org/old/page']);
  assert.equal(s.origin.count('/x'), 1, 'only www reached origin');
});

test('the default hosts: localhost and 127.0.0.1 are www', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/', page('max-age=60', 'home'));
  assert.equal((await s.get('/', { host: 'localhost:8080' })).text, 'home');
  assert.equal((await s.get('/', { host: '127.0.0.1:8080' })).text, 'home');
});

test('failover: stale copy, else the mirror (kept briefly), else a 503 page', async (t) => {
  const mirrored: string[] = [];
  const mirror: MirrorReader = {
    async read(path) {
      mirrored.push(path);
      return path === '/only-in-mirror' ? { body: Buffer.from('<p>mirror copy</p>'), contentType: 'text/html; charset=utf-8', savedAt: new Date('2026-11-26T03:00:00Z') } : undefined;
    },
  };
  const s = await setup(t, { mirror, mirrorTtlMs: 60_000 });
  s.origin.replies.set('/cached', page('max-age=10', 'cached page'));
  await s.get('/cached');
  s.advance(20_000);
  await s.origin.kill();
  const stale = await s.get('/cached');
  assert.equal(stale.headers['x-cache'], 'STALE');
  assert.equal(stale.text, 'cached page');
  const fromMirror = await s.get('/only-in-mirror?utm_source=x');
  assert.equal(fromMirror.status, 200);
  assert.equal(fromMirror.headers['x-cache'], 'MIRROR');
  assert.equal(fromMirror.text, '<p>mirror copy</p>');
  assert.equal(fromMirror.headers['cache-control'], 'max-age=60');
  assert.equal((await s.get('/only-in-mirror')).headers['x-cache'], 'MIRROR', 'kept for the mirror TTL');
  assert.deepEqual(mirrored, ['/only-in-mirror'], 'read once while kept');
  const none = await s.get('/neither');
  assert.equal(none.status, 503);
  assert.equal(none.headers['x-cache'], 'ERROR');
  assert.match(none.text, /Sorry, there is a problem with the service/);
  assert.equal(none.headers['cache-control'], 'no-store');

  await s.origin.revive();
  s.origin.replies.set('/only-in-mirror', page('max-age=60', 'origin again'));
  s.advance(61_000);
  assert.equal((await s.get('/only-in-mirror')).text, 'origin again', 'after the mirror TTL origin is asked again');
});

test('origin 5xx with neither a stale copy nor a mirror page: 503', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/broken', { status: 502, body: 'bad gateway' });
  const r = await s.get('/broken');
  assert.equal(r.status, 503);
  assert.equal(s.edge.cache.size, 0, 'a 5xx is never cached');
});

test('POST and other methods pass straight through, body and all, uncached', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/form', (req, body) => ({ status: 201, headers: { 'cache-control': 'max-age=600' }, body: `${req.method} got ${body}` }));
  const r = await ask(s.port, '/form', { method: 'POST', body: 'name=bees', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'session=1' } });
  assert.equal(r.status, 201);
  assert.equal(r.text, 'POST got name=bees');
  assert.equal(r.headers['x-cache'], 'PASS');
  assert.equal(s.origin.seen[0]!.headers.cookie, 'session=1', 'a passed request keeps its cookie');
  await ask(s.port, '/form', { method: 'POST', body: 'again' });
  assert.equal(s.origin.count('/form'), 2);
  assert.equal(s.edge.cache.size, 0);
});

test('a cached GET is sent without the client cookie; HEAD is answered from the same copy', async (t) => {
  const s = await setup(t);
  s.origin.replies.set('/h', page('max-age=60', 'body for head'));
  const head = await ask(s.port, '/h', { method: 'HEAD', headers: { cookie: 'tracking=1' } });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], String('body for head'.length));
  assert.equal(s.origin.seen[0]!.method, 'GET', 'HEAD is fetched as GET so the copy has a body');
  assert.equal(s.origin.seen[0]!.headers.cookie, undefined);
  const get = await s.get('/h');
  assert.equal(get.headers['x-cache'], 'HIT');
  assert.equal(get.text, 'body for head');
});

test('health and metrics on the reserved /__edge/ paths, never sent to origin', async (t) => {
  const s = await setup(t);
  assert.equal((await s.get('/__edge/healthcheck/live')).status, 200);
  const ready = await s.get('/__edge/healthcheck/ready');
  assert.equal(ready.status, 200);
  assert.equal(JSON.parse(ready.text).status, 'ok');
  s.origin.replies.set('/m', page('max-age=60'));
  await s.get('/m');
  await s.get('/m');
  const metrics = await s.get('/__edge/metrics');
  assert.match(metrics.text, /edge_responses_total\{kind="hit"\} 1/);
  assert.match(metrics.text, /edge_responses_total\{kind="miss"\} 1/);
  assert.equal((await s.get('/healthcheck/live')).text, 'origin: not found', "the site's own paths still go to origin");
});

async function waitFor(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
