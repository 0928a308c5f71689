import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpPurger, PurgeRefusedError } from './http-purger.ts';

interface Seen {
  method: string;
  url: string;
  host: string | undefined;
  token: string | undefined;
  soft: string | undefined;
}

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

/** A peer answering each PURGE with `answer`'s status, or cutting the connection when it returns 'drop'. */
async function peer(answer: (n: number) => number | 'drop' | 'hang'): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({
      method: req.method!,
      url: req.url!,
      host: req.headers.host,
      token: req.headers['portico-purge-token'] as string | undefined,
      soft: req.headers['portico-soft-purge'] as string | undefined,
    });
    const a = answer(seen.length);
    if (a === 'drop') req.socket.destroy();
    else if (a !== 'hang') res.writeHead(a).end();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const FAST = { retryDelayMs: 1, timeoutMs: 300 };

test('sends PURGE for each path with the token, and the soft header only for a soft purge', async () => {
  const p = await peer(() => 200);
  const purger = httpPurger(p.url, 'secret-token', { ...FAST, host: 'www.example.gov' });
  await purger.purge(['/a', '/b?x=1'], { soft: false });
  await purger.purge(['/c'], { soft: true });
  assert.deepEqual(
    p.seen.sort((x, y) => x.url.localeCompare(y.url)),
    [
      { method: 'PURGE', url: '/a', host: 'www.example.gov', token: 'secret-token', soft: undefined },
      { method: 'PURGE', url: '/b?x=1', host: 'www.example.gov', token: 'secret-token', soft: undefined },
      { method: 'PURGE', url: '/c', host: 'www.example.gov', token: 'secret-token', soft: '1' },
    ],
  );
  assert.equal(purger.name, `http ${p.url}`);
});

test('a 404 (nothing cached) counts as purged', async () => {
  const p = await peer(() => 404);
  await httpPurger(p.url, 't', FAST).purge(['/nothing-here'], { soft: true });
  assert.equal(p.seen.length, 1);
});

for (const status of [401, 403]) {
  test(`a ${status} is a refused token: a clear error at once, no retry`, async () => {
    const p = await peer(() => status);
    await assert.rejects(httpPurger(p.url, 'wrong', FAST).purge(['/a'], { soft: false }), (err: unknown) => {
      assert.ok(err instanceof PurgeRefusedError);
      assert.equal(err.status, status);
      assert.match(err.message, /refused the purge token/);
      return true;
    });
    assert.equal(p.seen.length, 1);
  });
}

test('a dropped connection or a 5xx is retried until the peer answers', async () => {
  const p = await peer((n) => (n === 1 ? 'drop' : n === 2 ? 503 : 200));
  await httpPurger(p.url, 't', { ...FAST, retries: 3 }).purge(['/a'], { soft: false });
  assert.equal(p.seen.length, 3);
});

test('gives up after the retries, naming the path', async () => {
  const p = await peer(() => 'drop');
  await assert.rejects(httpPurger(p.url, 't', { ...FAST, retries: 2 }).purge(['/guidance/x'], { soft: false }), /PURGE \/guidance\/x failed after 3 attempt\(s\)/);
  assert.equal(p.seen.length, 3);
});

test('a peer that never answers times out and is retried', async () => {
  const p = await peer(() => 'hang');
  await assert.rejects(httpPurger(p.url, 't', { retryDelayMs: 1, timeoutMs: 100, retries: 1 }).purge(['/slow'], { soft: false }), /PURGE \/slow failed after 2 attempt\(s\)/);
  assert.equal(p.seen.length, 2);
});

test('a peer nobody listens on fails with the connection error', async () => {
  const p = await peer(() => 200);
  await new Promise((r) => servers.pop()!.close(r));
  await assert.rejects(httpPurger(p.url, 't', { ...FAST, retries: 1 }).purge(['/a'], { soft: false }), /ECONNREFUSED/);
});

test('bad settings and paths are refused before anything is sent', async () => {
  assert.throws(() => httpPurger('ftp://cdn', 't'), /must be an http\(s\) URL/);
  assert.throws(() => httpPurger('http://cdn', ''), /purge token is empty/);
  const p = await peer(() => 200);
  await assert.rejects(httpPurger(p.url, 't', FAST).purge(['guidance'], { soft: false }), /a path starts with \//);
  assert.equal(p.seen.length, 0);
});
