import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffFields, diffLines } from './diff.ts';

test('a line diff keeps common lines and marks the rest as only saved or only yours', () => {
  assert.deepEqual(diffLines('a\nb\nc', 'a\nB\nc\nd'), [
    { kind: 'same', text: 'a' },
    { kind: 'removed', text: 'b' },
    { kind: 'added', text: 'B' },
    { kind: 'same', text: 'c' },
    { kind: 'added', text: 'd' },
  ]);
});

test('only fields that differ are listed; a field one side lacks compares with empty text', () => {
  const saved = [{ id: 'title', label: 'Title', value: 'Old' }, { id: 'body', label: 'Body', value: 'same' }];
  const yours = [{ id: 'title', label: 'Title', value: 'New' }, { id: 'body', label: 'Body', value: 'same' }, { id: 'part-1-title', label: 'Part 2 title', value: 'Extra' }];
  const diff = diffFields(saved, yours);
  assert.deepEqual(diff.map((d) => [d.id, d.saved, d.yours]), [['title', 'Old', 'New'], ['part-1-title', '', 'Extra']]);
});
