import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BROTLI, GZIP, IDENTITY } from './encoding.ts';
import { passedFields, storedResponse } from './stored-response.ts';

const LIFE = { ttlMs: 60_000, staleWhileRevalidateMs: 10_000, staleIfErrorMs: 86_400_000 };
const HTML = '<p>Inspections</p>'.repeat(50);

function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

test('text is stored in three encodings, each head with its own length and encoding, varying on Accept-Encoding', async () => {
  const { entry, varyFields } = await storedResponse({
    key: '/guide?lang=cy',
    path: '/guide',
    varyValues: (f) => f.map(() => 'cy'),
    status: 200,
    headers: { 'content-type': 'text/html', vary: 'Accept-Language', connection: 'keep-alive', 'transfer-encoding': 'chunked', etag: '"v1"' },
    body: Buffer.from(HTML),
    now: 1000,
    life: LIFE,
    source: 'origin',
  });
  assert.deepEqual(varyFields, ['accept-language']);
  assert.equal(entry.id, '/guide?lang=cy\ncy');
  assert.deepEqual([entry.freshUntil, entry.revalidateUntil, entry.errorUntil], [61_000, 71_000, 61_000 + 86_400_000]);
  for (const [v, encoding] of [[IDENTITY, undefined], [GZIP, 'gzip'], [BROTLI, 'br']] as const) {
    const fields = entry.heads[v]!.fields;
    assert.equal(field(fields, 'content-encoding'), encoding);
    assert.equal(field(fields, 'content-length'), String(entry.bodies[v]!.length));
    assert.equal(field(fields, 'vary'), 'Accept-Language, Accept-Encoding');
    assert.equal(field(fields, 'connection'), undefined);
    assert.equal(field(fields, 'transfer-encoding'), undefined);
  }
});

test("origin's own Vary: Accept-Encoding does not split copies: origin is never sent it", async () => {
  const { entry, varyFields } = await storedResponse({
    key: '/logo.png',
    path: '/logo.png',
    varyValues: () => [],
    status: 200,
    headers: { 'content-type': 'image/png', vary: 'Accept-Encoding' },
    body: Buffer.alloc(1000),
    now: 0,
    life: LIFE,
    source: 'origin',
  });
  assert.deepEqual(varyFields, []);
  assert.equal(entry.id, '/logo.png');
  assert.equal(entry.bodies[GZIP], undefined, 'binary: not compressed');
  assert.equal(field(entry.heads[IDENTITY].fields, 'vary'), 'Accept-Encoding', "origin's Vary is still sent on");
});

test('a passed response keeps its cookies and Vary; the fields the edge sets itself are dropped', () => {
  assert.deepEqual(
    passedFields({ 'set-cookie': ['a=1', 'b=2'], vary: 'Cookie', 'x-cache': 'HIT', age: '3', 'portico-request-id': 'x', 'content-type': 'text/plain' }),
    ['set-cookie', 'a=1', 'set-cookie', 'b=2', 'vary', 'Cookie', 'content-type', 'text/plain'],
  );
});

test('an ETag is kept on the plain body and weakened on the compressed ones; each has a 304 head', async () => {
  const { entry } = await storedResponse({
    key: '/p',
    path: '/p',
    varyValues: () => [],
    status: 200,
    headers: { 'content-type': 'text/html', etag: '"abc"', 'cache-control': 'max-age=60', 'x-other': '1' },
    body: Buffer.from(HTML),
    now: 0,
    life: LIFE,
    source: 'origin',
  });
  assert.equal(field(entry.heads[IDENTITY].fields, 'etag'), '"abc"');
  assert.equal(field(entry.heads[GZIP]!.fields, 'etag'), 'W/"abc"');
  const nm = entry.notModified[BROTLI]!.fields;
  assert.equal(field(nm, 'etag'), 'W/"abc"');
  assert.equal(field(nm, 'cache-control'), 'max-age=60');
  assert.equal(field(nm, 'x-other'), undefined);
  assert.equal(field(nm, 'content-length'), undefined);
  assert.ok(entry.matches('"abc"'));
  assert.ok(entry.matches('W/"abc"'));
  assert.ok(entry.matches('"x", W/"abc"'));
  assert.ok(entry.matches('*'));
  assert.ok(!entry.matches('"abcd"'));
});
