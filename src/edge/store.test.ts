import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Entry, Head } from './entry.ts';
import { CacheStore, variantId } from './store.ts';

function entry(id: string, bodyBytes: number, path = id.split(/[?\n]/)[0]!): Entry {
  const body = Buffer.alloc(bodyBytes, 'x');
  return new Entry(id, path, 200, [new Head(['content-length', String(bodyBytes)]), undefined, undefined], [body, undefined, undefined], 0, 1000, 1000, 2000, 'origin');
}

test('memory is bounded by bytes: the least recently used goes first', () => {
  const size = entry('/a', 1000).bytes;
  const store = new CacheStore(size * 3, size * 3);
  store.put('/a', entry('/a', 1000));
  store.put('/b', entry('/b', 1000));
  store.put('/c', entry('/c', 1000));
  store.touch(store.get('/a')!);
  store.put('/d', entry('/d', 1000));
  assert.ok(store.bytes <= store.maxBytes);
  assert.deepEqual(['/a', '/b', '/c', '/d'].map((k) => store.get(k) !== undefined), [true, false, true, true], '/b was the least recently used');
  store.put('/big', entry('/big', 1800));
  assert.deepEqual(['/a', '/c', '/d', '/big'].map((k) => store.get(k) !== undefined), [false, false, true, true], 'one large entry evicts as many as it needs');
});

test('an entry over the object limit is not kept', () => {
  const store = new CacheStore(1_000_000, 2000);
  assert.equal(store.put('/huge', entry('/huge', 5000)), false);
  assert.equal(store.get('/huge'), undefined);
  assert.equal(store.bytes, 0);
});

test('replacing an entry keeps the byte count right', () => {
  const store = new CacheStore(1_000_000);
  store.put('/a', entry('/a', 1000));
  store.put('/a', entry('/a', 10));
  assert.equal(store.bytes, entry('/a', 10).bytes);
  assert.equal(store.size, 1);
});

test('a purge reaches every query-string and Vary variant of the path; soft keeps them stale, hard drops them', () => {
  const store = new CacheStore(1_000_000);
  store.put('/s', entry('/s', 10));
  store.put('/s?q=1', entry('/s?q=1', 10));
  store.put('/s?q=2', entry(variantId('/s?q=2', ['fr']), 10, '/s'), ['accept-language']);
  store.put('/other', entry('/other', 10));
  assert.equal(store.purge('/s', true, 500), 3);
  for (const id of ['/s', '/s?q=1', variantId('/s?q=2', ['fr'])]) {
    const e = store.get(id)!;
    assert.ok(e.purged && e.freshUntil === 500 && e.revalidateUntil === 500 && e.errorUntil === 2000, id);
  }
  assert.equal(store.get('/other')!.purged, false);
  assert.equal(store.purge('/s', false, 600), 3);
  assert.equal(store.size, 1);
  assert.equal(store.bytes, entry('/other', 10).bytes);
});

test('a fetch can tell whether its path was purged since it started', () => {
  const store = new CacheStore(1000);
  const seq = store.purgeSeq;
  assert.equal(store.purgedSince('/a', seq), false);
  store.purge('/b', true, 0);
  assert.equal(store.purgedSince('/a', seq), false);
  store.purge('/a', true, 0);
  assert.equal(store.purgedSince('/a', seq), true);
  assert.equal(store.purgedSince('/a', store.purgeSeq), false);
});
