import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAllCaps, splitPath, splitTarget } from './path.ts';

const SPLITS: [string, string[] | undefined][] = [
  ['', []],
  ['/', []],
  ['///foo/bar', ['foo', 'bar']],
  ['/foo//bar/', ['foo', 'bar']],
  ['/foo/////bar/', ['foo', 'bar']],
  ['/füßball', ['füßball']],
  ['/foo%20bar', ['foo bar']],
  ['/f%C3%BC%C3%9Fball', ['füßball']],
  // An encoded slash stays inside its segment (docs/decisions/002-encoded-slash.md).
  ['/foo%2Fbar', ['foo/bar']],
  ['/foo%2fbar/baz', ['foo/bar', 'baz']],
  ['/%zz', undefined],
  ['/foo%', undefined],
  ['/%C3', undefined],
  ['/a/../b', undefined],
  ['/a/./b', undefined],
  ['/a/%2E%2E/b', undefined],
  ['/a/...', ['a', '...']],
  ['/.well-known/x', ['.well-known', 'x']],
];

for (const [path, expected] of SPLITS) {
  test(`splitPath(${JSON.stringify(path)})`, () => assert.deepEqual(splitPath(path), expected));
}

const CAPS: [string, boolean][] = [
  ['/GOVERNMENT/GUIDANCE', true],
  ['/GUIDANCE/KEEPING-A-PET-PIG-OR-MICROPIG', true],
  ['/GOV.UK', true],
  ['/GoVeRnMeNt/gUiDaNcE', false],
  ['/government/guidance', false],
  ['/A', false],
  ['/GOV_UK', false],
  ['/1ABC', false],
  ['/', false],
];

for (const [path, expected] of CAPS) {
  test(`isAllCaps(${JSON.stringify(path)}) is ${expected}`, () => assert.equal(isAllCaps(path), expected));
}

test('splitTarget separates the query, keeping its ?', () => {
  assert.deepEqual(splitTarget('/a/b?x=1&y'), { path: '/a/b', query: '?x=1&y' });
  assert.deepEqual(splitTarget('/a/b'), { path: '/a/b', query: '' });
});
