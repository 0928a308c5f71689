import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalPath, pathAndAncestors } from './path.ts';

test('canonical paths: one spelling per path, as the router keys it', () => {
  const cases: [string, string][] = [
    ['', '/'],
    ['/', '/'],
    ['/foo', '/foo'],
    ['/foo/', '/foo'],
    ['//foo//bar', '/foo/bar'],
    ['/foo%20bar', '/foo%20bar'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/café', '/caf%C3%A9'],
    ['/a%2Fb', '/a%2Fb'],
    ['/%7Euser', '/~user'],
    ['/a:b@c;d=e,f+g$h&i', '/a:b@c;d=e,f+g$h&i'],
    ['/a%3Ab', '/a:b'],
    ['/100%25', '/100%25'],
    ['/.well-known/x', '/.well-known/x'],
  ];
  for (const [raw, expected] of cases) assert.equal(canonicalPath(raw), expected, raw);
});

test('paths refused with 400', () => {
  for (const raw of ['/foo%', '/foo%zz', '/foo%E0%A4%A', '/a/../b', '/a/./b', '/a/%2e%2e/b', '/%2E']) {
    assert.equal(canonicalPath(raw), undefined, raw);
  }
});

test('a path and its ancestors, root first', () => {
  assert.deepEqual(pathAndAncestors('/'), ['/']);
  assert.deepEqual(pathAndAncestors('/a'), ['/', '/a']);
  assert.deepEqual(pathAndAncestors('/a/b/c'), ['/', '/a', '/a/b', '/a/b/c']);
});
