import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshness, parseCacheControl, type ResponseHeaders } from './cache-policy.ts';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const DEFAULTS = { defaultTtlMs: 3_600_000, staleIfErrorMs: 86_400_000 };

type Expect = { ttl: number; swr?: number; sie?: number } | string;

const CASES: [string, number, ResponseHeaders, Expect][] = [
  ['s-maxage wins over max-age', 200, { 'cache-control': 'public, max-age=60, s-maxage=600' }, { ttl: 600_000 }],
  ['max-age', 200, { 'cache-control': 'public, max-age=60' }, { ttl: 60_000 }],
  ['max-age wins over Expires', 200, { 'cache-control': 'max-age=60', expires: 'Thu, 26 Nov 2026 13:00:00 GMT' }, { ttl: 60_000 }],
  ['Expires against Date', 200, { expires: 'Thu, 26 Nov 2026 12:10:00 GMT', date: 'Thu, 26 Nov 2026 12:00:00 GMT' }, { ttl: 600_000 }],
  ['Expires against now without Date', 200, { expires: 'Thu, 26 Nov 2026 12:05:00 GMT' }, { ttl: 300_000 }],
  ['an unreadable Expires is already expired', 200, { expires: '0' }, 'no lifetime left'],
  ['none: the default TTL', 200, {}, { ttl: 3_600_000 }],
  ['public alone: the default TTL', 200, { 'cache-control': 'public' }, { ttl: 3_600_000 }],
  ['private passes', 200, { 'cache-control': 'private, max-age=60' }, 'private'],
  ['no-store passes', 200, { 'cache-control': 'no-store' }, 'no-store'],
  ['no-cache passes', 200, { 'cache-control': 'public, no-cache' }, 'no-cache'],
  ['directives are case-insensitive', 200, { 'cache-control': 'No-Store' }, 'no-store'],
  ['max-age=0 passes', 200, { 'cache-control': 'public, max-age=0' }, 'no lifetime left'],
  ['Set-Cookie passes', 200, { 'cache-control': 'public, max-age=60', 'set-cookie': ['a=1'] }, 'set-cookie'],
  ['Vary: * passes', 200, { vary: 'Accept, *' }, 'vary *'],
  ['Age counts against the lifetime', 200, { 'cache-control': 'max-age=60', age: '50' }, { ttl: 10_000 }],
  ['stale-while-revalidate and stale-if-error as given', 200, { 'cache-control': 'max-age=60, stale-while-revalidate=30, stale-if-error=120' }, { ttl: 60_000, swr: 30_000, sie: 120_000 }],
  ['stale-if-error defaults to 24 h, stale-while-revalidate to none', 200, { 'cache-control': 'max-age=60' }, { ttl: 60_000, swr: 0, sie: 86_400_000 }],
  ['a quoted value', 200, { 'cache-control': 'max-age="90"' }, { ttl: 90_000 }],
  ['301 with the default TTL', 301, {}, { ttl: 3_600_000 }],
  ['404 with the default TTL', 404, {}, { ttl: 3_600_000 }],
  ['410 with the default TTL', 410, { 'cache-control': 'max-age=30' }, { ttl: 30_000 }],
  ['302 only with a lifetime', 302, {}, 'status 302 without a lifetime'],
  ['302 with a lifetime', 302, { 'cache-control': 'max-age=30' }, { ttl: 30_000 }],
  ['500 never', 500, { 'cache-control': 'max-age=30' }, 'status 500'],
  ['503 never', 503, {}, 'status 503'],
  ['206 never', 206, {}, 'status 206'],
];

for (const [name, status, headers, expected] of CASES) {
  test(`freshness: ${name}`, () => {
    const got = freshness(status, headers, NOW, DEFAULTS);
    if (typeof expected === 'string') {
      assert.deepEqual(got, { store: false, reason: expected });
      return;
    }
    assert.equal(got.store, true, JSON.stringify(got));
    if (!got.store) return;
    assert.equal(got.ttlMs, expected.ttl);
    if (expected.swr !== undefined) assert.equal(got.staleWhileRevalidateMs, expected.swr);
    if (expected.sie !== undefined) assert.equal(got.staleIfErrorMs, expected.sie);
  });
}

test('the default TTL is the configured one', () => {
  const got = freshness(200, {}, NOW, { defaultTtlMs: 5000, staleIfErrorMs: 0 });
  assert.deepEqual(got, { store: true, ttlMs: 5000, staleWhileRevalidateMs: 0, staleIfErrorMs: 0 });
});

test('Cache-Control parsing keeps the first of a repeated directive', () => {
  assert.equal(parseCacheControl('max-age=10, max-age=20').get('max-age'), '10');
  assert.equal(parseCacheControl(' , public ,').get('public'), '');
});
