import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { BROTLI, chooseEncoding, compressVariants, GZIP, IDENTITY, isCompressible, type Encoding } from './encoding.ts';

const NEGOTIATION: [string | undefined, Encoding][] = [
  [undefined, IDENTITY],
  ['', IDENTITY],
  ['gzip', GZIP],
  ['gzip, deflate, br', BROTLI],
  ['gzip, deflate, br, zstd', BROTLI],
  ['br;q=0.5, gzip', GZIP],
  ['br;q=0, gzip;q=0', IDENTITY],
  ['deflate', IDENTITY],
  ['*', BROTLI],
  ['*;q=0.1, br;q=0', GZIP],
  ['identity', IDENTITY],
  ['GZIP', GZIP],
  ['x-gzip', GZIP],
  ['br;q=2', IDENTITY],
];

for (const [accept, expected] of NEGOTIATION) {
  test(`Accept-Encoding ${JSON.stringify(accept)} gets ${['identity', 'gzip', 'br'][expected]}`, () => {
    assert.equal(chooseEncoding(accept), expected);
    assert.equal(chooseEncoding(accept), expected, 'the memoised answer is the same');
  });
}

test('text types are compressed, binary ones are not', () => {
  for (const t of ['text/html; charset=utf-8', 'text/css', 'application/json', 'application/javascript', 'image/svg+xml', 'application/vnd.api+json', 'application/xml']) {
    assert.ok(isCompressible(t), t);
  }
  for (const t of [undefined, 'image/png', 'application/octet-stream', 'font/woff2', 'application/pdf', 'application/zip']) {
    assert.ok(!isCompressible(t), String(t));
  }
});

test('both variants decompress to the original and are smaller', async () => {
  const body = Buffer.from('<p>Keeping bees</p>\n'.repeat(200));
  const { gzip, br } = await compressVariants(body);
  assert.ok(gzip && gzip.length < body.length);
  assert.ok(br && br.length < body.length);
  assert.deepEqual(gunzipSync(gzip), body);
  assert.deepEqual(brotliDecompressSync(br), body);
});

test('a variant that would not be smaller is left out', async () => {
  const random = randomBytes(300);
  const { gzip } = await compressVariants(random);
  assert.equal(gzip, undefined);
});
