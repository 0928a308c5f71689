import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestFields } from './request-fields.ts';

test('the fields the edge reads, whatever their case; repeated request ids joined', () => {
  const f = new RequestFields().read([
    'HOST', 'www.example.org',
    'accept-encoding', 'gzip, br',
    'Portico-Request-Id', 'a',
    'portico-request-id', 'b',
    'Portico-Purge-Token', 'secret',
    'Portico-Soft-Purge', '1',
    'If-None-Match', '"v1"',
    'Cookie', 'x=1',
  ]);
  assert.deepEqual(
    { host: f.host, ae: f.acceptEncoding, id: f.requestId, token: f.purgeToken, soft: f.softPurge, inm: f.ifNoneMatch },
    { host: 'www.example.org', ae: 'gzip, br', id: 'a, b', token: 'secret', soft: '1', inm: '"v1"' },
  );
});

test('reading again forgets the previous request', () => {
  const f = new RequestFields();
  f.read(['Host', 'a', 'Portico-Purge-Token', 't']);
  f.read(['Host', 'b']);
  assert.equal(f.host, 'b');
  assert.equal(f.purgeToken, undefined);
});
