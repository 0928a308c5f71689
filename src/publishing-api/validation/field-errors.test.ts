import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldName, mergeFieldErrors, pointerParts } from './field-errors.ts';

const NAMES: [string, string][] = [
  ['', 'payload'],
  ['/title', 'title'],
  ['/routes/0/path', 'routes[0].path'],
  ['/details/parts/12/body/0/content', 'details.parts[12].body[0].content'],
  ['/links/parent_taxons/1', 'links.parent_taxons[1]'],
  ['/details/odd key', 'details["odd key"]'],
  ['/details/a~1b', 'details["a/b"]'],
];

for (const [pointer, name] of NAMES) {
  test(`fieldName(${JSON.stringify(pointer)}) is ${name}`, () => assert.equal(fieldName(pointerParts(pointer)), name));
}

test('mergeFieldErrors keeps every message once and treats null as empty', () => {
  assert.equal(mergeFieldErrors(null, null), null);
  assert.deepEqual(mergeFieldErrors({ title: ['is required'] }, null), { title: ['is required'] });
  assert.deepEqual(
    mergeFieldErrors({ title: ['is required'] }, { title: ['is required', 'x'], routes: ['y'] }),
    { title: ['is required', 'x'], routes: ['y'] },
  );
});
