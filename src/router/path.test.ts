import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAllCaps, keyDepth, pathKey, segmentsKey, splitPath, splitTarget } from './path.ts';

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

// pathKey is splitPath's verdict, as one string: the path itself when that is already canonical.
for (const [path, expected] of SPLITS) {
  if (!path.startsWith('/')) continue;
  test(`pathKey(${JSON.stringify(path)}) agrees with splitPath`, () => {
    assert.equal(pathKey(path), expected === undefined ? undefined : segmentsKey(expected));
  });
}

const KEYS: [string, string | undefined][] = [
  ['/', '/'],
  ['/foo/bar', '/foo/bar'],
  ['/foo/bar/', '/foo/bar'],
  ['//foo', '/foo'],
  ['/%66oo', '/foo'],
  ['/foo%2Fbar', '/foo%2Fbar'],
  ['/foo%2fbar', '/foo%2Fbar'],
  ['/100%25', '/100%25'],
  ['/a/.b/..c/...', '/a/.b/..c/...'],
  ['/a/..', undefined],
  ['/.', undefined],
  ['/a/%2e', undefined],
];

for (const [path, expected] of KEYS) {
  test(`pathKey(${JSON.stringify(path)}) is ${JSON.stringify(expected)}`, () => assert.equal(pathKey(path), expected));
}

test('a canonical path is its own key, the same string', () => {
  const path = '/government/organisations/hm-revenue-customs';
  assert.equal(pathKey(path), path);
});

test('keyDepth counts segments', () => {
  assert.equal(keyDepth('/'), 0);
  assert.equal(keyDepth('/a'), 1);
  assert.equal(keyDepth('/a/b%2Fc/d'), 3);
});

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
