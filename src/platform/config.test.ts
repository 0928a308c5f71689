import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_PORTS, loadConfig, parseDuration, portVariable } from './config.ts';

test('defaults follow DESIGN.md', () => {
  const c = loadConfig({});
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.ports.www, 8080);
  assert.equal(c.ports['router-live'], 8084);
  assert.equal(c.ports['router-draft-admin'], 8185);
  assert.equal(c.databaseUrl, undefined);
  assert.match(c.dataDir, /\/data$/);
  assert.equal(c.router.backendConnectTimeoutMs, 1000);
  assert.equal(c.router.backendHeaderTimeoutMs, 20_000);
  assert.equal(c.router.reloadIntervalMs, 60_000);
});

test('every port can be overridden by its own variable', () => {
  const env = Object.fromEntries(Object.keys(DEFAULT_PORTS).map((n, i) => [portVariable(n as keyof typeof DEFAULT_PORTS), String(9000 + i)]));
  const c = loadConfig(env);
  assert.equal(c.ports.www, 9000);
  assert.equal(portVariable('router-live-admin'), 'PORTICO_PORT_ROUTER_LIVE_ADMIN');
});

test('durations accept Go-style units', () => {
  assert.equal(parseDuration('0.3s'), 300);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1m'), 60_000);
  assert.equal(parseDuration('1500'), 1500);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(loadConfig({ ROUTER_BACKEND_CONNECT_TIMEOUT: '0.3s' }).router.backendConnectTimeoutMs, 300);
});

test('every bad value is reported at once, naming the variable', () => {
  try {
    loadConfig({
      PORTICO_PORT_WWW: 'eighty',
      DATABASE_URL: 'mysql://x/y',
      AMQP_URL: 'not a url',
      ROUTER_ROUTE_RELOAD_INTERVAL: '-1s',
      LOG_LEVEL: 'loud',
      ROUTER_TLS_SKIP_VERIFY: 'maybe',
    });
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const vars = err.problems.map((p) => p.split(':')[0]);
    assert.deepEqual(
      new Set(vars),
      new Set(['PORTICO_PORT_WWW', 'ROUTER_ROUTE_RELOAD_INTERVAL', 'ROUTER_TLS_SKIP_VERIFY', 'LOG_LEVEL', 'DATABASE_URL', 'AMQP_URL']),
    );
    assert.equal(err.problems.length, 6);
  }
});

test('the frontends read the content stores and search API the platform names, and cache live pages for FRONTEND_MAX_AGE', () => {
  const c = loadConfig({});
  assert.deepEqual(c.frontend, {
    contentStoreUrls: { live: 'http://127.0.0.1:8091', draft: 'http://127.0.0.1:8092' },
    searchApiUrl: 'http://127.0.0.1:8095',
    maxAgeSeconds: 300,
  });
  const set = loadConfig({ FRONTEND_MAX_AGE: '1m', SEARCH_API_URL: 'http://search:9000', CONTENT_STORE_LIVE_URL: 'http://cs:1' });
  assert.equal(set.frontend.maxAgeSeconds, 60);
  assert.equal(set.frontend.searchApiUrl, 'http://search:9000');
  assert.equal(set.frontend.contentStoreUrls.live, 'http://cs:1');
  assert.throws(() => loadConfig({ FRONTEND_MAX_AGE: 'a while' }), /FRONTEND_MAX_AGE/);
});

test('the mirror crawls the live router on this host by default, and its settings are checked', () => {
  const c = loadConfig({});
  assert.equal(c.ports.mirror, 8101);
  assert.deepEqual(c.mirror, {
    origin: 'http://127.0.0.1:8084',
    concurrency: 4,
    ratePerSecond: 10,
    deny: ['/search'],
    crawlIntervalMs: 24 * 3_600_000,
    firstCrawlDelayMs: 60_000,
    queue: 'mirror_recrawl',
  });
  const set = loadConfig({ MIRROR_ORIGIN: 'https://origin.example/', MIRROR_RATE: '2.5', MIRROR_DENY: '/search, /api', MIRROR_CRAWL_INTERVAL: '6h' }).mirror;
  assert.equal(set.origin, 'https://origin.example');
  assert.equal(set.ratePerSecond, 2.5);
  assert.deepEqual(set.deny, ['/search', '/api']);
  assert.equal(set.crawlIntervalMs, 6 * 3_600_000);
  assert.throws(
    () => loadConfig({ MIRROR_RATE: '0', MIRROR_DENY: 'search', MIRROR_CONCURRENCY: '0', OBJECT_STORE_URL: 's3://x' }),
    (err: ConfigError) =>
      err.problems.some((p) => p.startsWith('MIRROR_RATE:')) &&
      err.problems.some((p) => p.startsWith('MIRROR_DENY:')) &&
      err.problems.some((p) => p.startsWith('MIRROR_CONCURRENCY:')) &&
      err.problems.some((p) => /^OBJECT_STORE_URL: bucket "x" is not a valid bucket name/.test(p)),
  );
});
