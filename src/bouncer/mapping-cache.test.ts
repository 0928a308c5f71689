import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MappingCache } from './mapping-cache.ts';
import type { Mapping } from './mappings.ts';

const m = (newUrl: string): Mapping => ({ type: 'redirect', newUrl, suggestedUrl: undefined, archiveUrl: undefined });

test('a mapping, and the lack of one, is read once until the cache is cleared', async () => {
  const cache = new MappingCache(10);
  let reads = 0;
  const load = (v: Mapping | undefined) => async () => {
    reads++;
    return v;
  };
  assert.deepEqual(await cache.lookup(1, '/a', load(m('https://www.gov.uk/a'))), m('https://www.gov.uk/a'));
  assert.deepEqual(await cache.lookup(1, '/a', load(m('https://www.gov.uk/other'))), m('https://www.gov.uk/a'));
  assert.equal(await cache.lookup(1, '/none', load(undefined)), undefined);
  assert.equal(await cache.lookup(1, '/none', load(m('https://www.gov.uk/x'))), undefined);
  assert.equal(await cache.lookup(2, '/a', load(undefined)), undefined, 'another site has its own entries');
  assert.equal(reads, 3);
  cache.clear();
  assert.deepEqual(await cache.lookup(1, '/a', load(m('https://www.gov.uk/b'))), m('https://www.gov.uk/b'));
});

test('the least recently used entry goes first when full', async () => {
  const cache = new MappingCache(2);
  await cache.lookup(1, '/a', async () => m('a'));
  await cache.lookup(1, '/b', async () => m('b'));
  cache.get(1, '/a');
  await cache.lookup(1, '/c', async () => m('c'));
  assert.equal(cache.size, 2);
  assert.equal(cache.get(1, '/b'), undefined);
  assert.deepEqual(cache.get(1, '/a'), m('a'));
});

test('a lookup under way when the cache is cleared is not kept', async () => {
  const cache = new MappingCache(10);
  let release!: () => void;
  const pending = cache.lookup(1, '/a', () => new Promise((resolve) => (release = () => resolve(m('old')))));
  cache.clear();
  release();
  assert.deepEqual(await pending, m('old'));
  assert.equal(cache.get(1, '/a'), undefined);
});
