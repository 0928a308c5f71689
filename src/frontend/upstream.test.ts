import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUpstream } from './upstream.ts';

test('a failed call says whether it timed out or could not connect', async () => {
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const upstream = createUpstream(200);
  try {
    const slow = await upstream.get(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`);
    assert.equal(slow.status, 0);
    assert.match(slow.error!, /^timeout \(UND_ERR_HEADERS_TIMEOUT\): /);
    const refused = await upstream.get(`http://127.0.0.1:${closedPort}/`);
    assert.equal(refused.status, 0);
    assert.match(refused.error!, /^connection failed \(ECONNREFUSED\): /);
  } finally {
    await upstream.close();
    silent.closeAllConnections();
    silent.close();
  }
});
