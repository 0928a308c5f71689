import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Trie } from './trie.ts';

test('get has exact semantics: a key does not make its children present', () => {
  const t = new Trie<string>();
  t.set(['foo'], 'a');
  assert.deepEqual(t.get(['foo']), { value: 'a' });
  assert.equal(t.get(['foo', 'bar']), undefined);
  assert.equal(t.get([]), undefined);
});

test('the root can hold an entry', () => {
  const t = new Trie<string>();
  t.set([], 'root');
  assert.deepEqual(t.get([]), { value: 'root' });
  assert.deepEqual(t.getLongestPrefix(['anything', 'at', 'all']), { value: 'root', depth: 0 });
});

test('an undefined value is stored and still found', () => {
  const t = new Trie<string | undefined>();
  t.set(['x'], undefined);
  assert.deepEqual(t.get(['x']), { value: undefined });
});

test('getLongestPrefix falls back to the deepest node that has an entry', () => {
  const t = new Trie<string | number>();
  t.set(['foo'], 'hello');
  t.set(['foo', 'bar', 'baz'], 123);
  assert.deepEqual(t.getLongestPrefix(['foo', 'bar']), { value: 'hello', depth: 1 });
  assert.deepEqual(t.getLongestPrefix(['foo', 'bar', 'baz', 'qux']), { value: 123, depth: 3 });
  assert.equal(t.getLongestPrefix(['other']), undefined);
  assert.equal(new Trie<string>().getLongestPrefix([]), undefined);
});

test('setting an existing key replaces it and does not count twice', () => {
  const t = new Trie<string>();
  t.set(['a'], '1');
  t.set(['a'], '2');
  t.set(['a', 'b'], '3');
  assert.equal(t.size, 2);
  assert.deepEqual(t.get(['a']), { value: '2' });
});

test('delete removes one entry, keeps the rest, and reports whether it found one', () => {
  const t = new Trie<string | number>();
  t.set(['foo'], 'hello');
  t.set(['foo', 'bar', 'baz'], 123);
  assert.equal(t.delete(['foo', 'bar', 'baz']), true);
  assert.equal(t.delete(['foo', 'bar', 'baz']), false);
  assert.equal(t.delete(['foo', 'bar']), false);
  assert.deepEqual(t.getLongestPrefix(['foo', 'bar', 'baz']), { value: 'hello', depth: 1 });
  assert.equal(t.size, 1);
});
