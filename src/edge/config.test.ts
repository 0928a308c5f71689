import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../platform/config.ts';

test('edge defaults: the live router as origin, 256 MiB, 3600 s, 24 h, mirror pages 900 s, loopback names as www', () => {
  const { edge } = loadConfig({});
  assert.equal(edge.originUrl, 'http://127.0.0.1:8084');
  assert.equal(edge.purgeToken, undefined);
  assert.equal(edge.cacheBytes, 256 * 1024 * 1024);
  assert.equal(edge.defaultTtlMs, 3_600_000);
  assert.equal(edge.staleIfErrorMs, 86_400_000);
  assert.equal(edge.mirrorTtlMs, 900_000);
  assert.ok(edge.wwwHosts.includes('localhost') && edge.wwwHosts.includes('127.0.0.1'));
  assert.deepEqual(edge.apexHosts, []);
  assert.equal(edge.wwwOrigin, 'http://127.0.0.1:8080');
  assert.deepEqual(edge.purgePeers, []);
});

test('edge settings from the environment', () => {
  const { edge } = loadConfig({
    EDGE_ORIGIN_URL: 'http://10.0.0.4:8084/',
    EDGE_PURGE_TOKEN: 'a-long-enough-purge-token',
    EDGE_CACHE_SIZE: '2GB',
    EDGE_DEFAULT_TTL: '5m',
    EDGE_MIRROR_TTL: '0',
    EDGE_WWW_HOST: 'www.example.org, WWW2.example.org',
    EDGE_APEX_HOST: 'example.org',
    PORTICO_PUBLIC_ORIGIN: 'https://www.example.org',
    EDGE_PURGE_PEERS: 'http://10.0.0.5:8080,http://10.0.0.6:6081',
  });
  assert.equal(edge.originUrl, 'http://10.0.0.4:8084');
  assert.equal(edge.cacheBytes, 2 * 1024 ** 3);
  assert.equal(edge.defaultTtlMs, 300_000);
  assert.equal(edge.mirrorTtlMs, 0);
  assert.deepEqual(edge.wwwHosts, ['www.example.org', 'www2.example.org']);
  assert.deepEqual(edge.apexHosts, ['example.org']);
  assert.equal(edge.wwwOrigin, 'https://www.example.org');
  assert.deepEqual(edge.purgePeers, ['http://10.0.0.5:8080', 'http://10.0.0.6:6081']);
});

test('bad edge settings are each reported', () => {
  assert.throws(
    () => loadConfig({ EDGE_CACHE_SIZE: 'lots', EDGE_PURGE_TOKEN: 'short', EDGE_ORIGIN_URL: 'http://x:1/path', EDGE_WWW_HOST: 'https://www.example.org', EDGE_PURGE_PEERS: 'varnish:6081' }),
    (err: ConfigError) => {
      for (const v of ['EDGE_CACHE_SIZE', 'EDGE_PURGE_TOKEN', 'EDGE_ORIGIN_URL', 'EDGE_WWW_HOST', 'EDGE_PURGE_PEERS']) {
        assert.ok(err.problems.some((p) => p.startsWith(v)), `${v} reported: ${err.problems.join('; ')}`);
      }
      return true;
    },
  );
});
