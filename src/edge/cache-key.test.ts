import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheKey, pathOf } from './cache-key.ts';

const CASES: [string, string, string][] = [
  ['no query string is its own key', '/keeping-bees', '/keeping-bees'],
  ['parameters sorted by name', '/search?q=bees&order=recent&page=2', '/search?order=recent&page=2&q=bees'],
  ['utm_ parameters dropped', '/news?utm_source=mail&id=4&utm_campaign=x', '/news?id=4'],
  ['only utm_ parameters: the bare path', '/news?utm_source=mail', '/news'],
  ['an empty query string: the bare path', '/news?', '/news'],
  ['empty pairs dropped', '/news?&a=1&&', '/news?a=1'],
  ['repeated names keep a stable order', '/f?b=2&a=9&a=1', '/f?a=1&a=9&b=2'],
  ['a name without a value', '/f?flag&a=1', '/f?a=1&flag'],
  ['parameter names are case-sensitive: UTM_ is kept', '/f?UTM_source=x', '/f?UTM_source=x'],
  ['encoded values are kept as sent', '/search?q=a%20b&x=%2F', '/search?q=a%20b&x=%2F'],
];

for (const [name, target, key] of CASES) {
  test(`cache key: ${name}`, () => assert.equal(cacheKey(target), key));
}

test('the same page asked in two orders, with and without tracking, is one key', () => {
  assert.equal(cacheKey('/s?b=1&a=2&utm_medium=email'), cacheKey('/s?a=2&b=1'));
});

test('the path of a key is what precedes its query string', () => {
  assert.equal(pathOf('/search?a=1'), '/search');
  assert.equal(pathOf('/search'), '/search');
});
