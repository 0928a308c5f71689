import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Upstream, UpstreamRegistry, type ProxyObserver, type ProxyOptions } from './proxy.ts';

// ---- harness -------------------------------------------------------------

interface Call {
  type: 'response' | 'failure';
  backendId: string;
  method?: string;
  status?: number;
  seconds?: number;
  kind?: string;
  err?: Error;
  requestId?: string;
}

class Recorder implements ProxyObserver {
  calls: Call[] = [];
  response(backendId: string, method: string, status: number, seconds: number): void {
    this.calls.push({ type: 'response', backendId, method, status, seconds });
  }
  failure(backendId: string, kind: string, err: Error, requestId: string): void {
    this.calls.push({ type: 'failure', backendId, kind, err, requestId });
  }
  failures(): string[] {
    return this.calls.filter((c) => c.type === 'failure').map((c) => c.kind!);
  }
}

async function listen(server: net.Server, t: TestContext): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    (server as http.Server).closeAllConnections?.();
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

interface Backend {
  port: number;
  url: string;
  /** TCP connections the backend has accepted so far. */
  connections(): number;
}

async function httpBackend(t: TestContext, handler: http.RequestListener): Promise<Backend> {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  const port = await listen(server, t);
  return { port, url: `http://127.0.0.1:${port}`, connections: () => connections };
}

/** A backend that speaks raw TCP, for responses node:http would refuse to produce. */
async function rawBackend(t: TestContext, onConnection: (socket: net.Socket, index: number) => void): Promise<Backend> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket, connections++);
  });
  t.after(() => {
    for (const s of sockets) s.destroy();
  });
  const port = await listen(server, t);
  return { port, url: `http://127.0.0.1:${port}`, connections: () => connections };
}

/** Calls `onRequest` with each request head (requests without bodies) on a raw connection. */
function eachRequest(socket: net.Socket, onRequest: (head: string, n: number) => void): void {
  let buffered = '';
  let n = 0;
  socket.setEncoding('latin1');
  socket.on('data', (data: string) => {
    buffered += data;
    let end: number;
    while ((end = buffered.indexOf('\r\n\r\n')) !== -1) {
      const head = buffered.slice(0, end);
      buffered = buffered.slice(end + 4);
      onRequest(head, n++);
    }
  });
}

const defaults: ProxyOptions = { connectTimeoutMs: 1000, headerTimeoutMs: 20_000, tlsSkipVerify: false };

interface Front {
  port: number;
  upstream: Upstream;
  observer: Recorder;
}

async function front(t: TestContext, backendUrl: string, opts: Partial<ProxyOptions> = {}): Promise<Front> {
  const observer = new Recorder();
  const upstream = new Upstream('test-backend', backendUrl, { ...defaults, observer, ...opts });
  t.after(() => upstream.close());
  const server = http.createServer((req, res) => upstream.forward(req, res, 'test-id'));
  const port = await listen(server, t);
  return { port, upstream, observer };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  complete: boolean;
}

interface RequestOptions {
  method?: string;
  path?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string | Buffer;
}

/** One request on a fresh client connection; resolves with whatever arrived, even if the body was cut short. */
function request(port: number, opts: RequestOptions = {}): Promise<Reply> {
  const headers = { ...opts.headers };
  // node:http would send a DELETE body unframed without this.
  if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => {});
        res.on('close', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
            complete: res.complete,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Sends raw bytes and collects everything until the server closes (so the request must ask it to). */
async function rawExchange(port: number, text: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  // Not end(): node:http aborts a request whose client half-closes.
  socket.write(text, 'latin1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('latin1');
}

/** What the backend saw, echoed back as JSON. */
interface Seen {
  method: string;
  url: string;
  httpVersion: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

function echo(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const seen: Seen = {
      method: req.method!,
      url: req.url!,
      httpVersion: req.httpVersion,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: Buffer.concat(chunks).toString('latin1'),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(seen));
  });
}

async function seen(port: number, opts: RequestOptions = {}): Promise<Seen> {
  const reply = await request(port, opts);
  assert.equal(reply.status, 200, reply.body.toString());
  return JSON.parse(reply.body.toString()) as Seen;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Holds the event loop, as a long synchronous job elsewhere in the process would. */
function blockEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

// ---- tests ---------------------------------------------------------------

describe('forwarding', () => {
  test('method, raw path, query and body arrive unmodified', async (t) => {
    const backend = await httpBackend(t, echo);
    const { port } = await front(t, backend.url);

    const post = await seen(port, { method: 'POST', path: '/foo', body: 'I am the request body.  Woohoo!' });
    assert.equal(post.method, 'POST');
    assert.equal(post.url, '/foo');
    assert.equal(post.body, 'I am the request body.  Woohoo!');
    assert.equal(post.httpVersion, '1.1');

    const del = await seen(port, { method: 'DELETE', path: '/foo/bar/baz.json', body: 'gone' });
    assert.equal(del.method, 'DELETE');
    assert.equal(del.url, '/foo/bar/baz.json');
    assert.equal(del.body, 'gone');

    const get = await seen(port, { path: '/foo/bar?baz=qux' });
    assert.equal(get.method, 'GET');
    assert.equal(get.url, '/foo/bar?baz=qux');
    assert.equal(get.body, '');

    assert.equal((await seen(port, { path: '/foo//bar' })).url, '/foo//bar');
    assert.equal((await seen(port, { path: '/foo/bar/baz//qux' })).url, '/foo/bar/baz//qux');
    assert.equal((await seen(port, { path: '/foo%20bar' })).url, '/foo%20bar');
  });

  test('binary bodies are byte-identical, including an empty POST', async (t) => {
    const backend = await httpBackend(t, echo);
    const { port } = await front(t, backend.url);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const reply = await seen(port, { method: 'PUT', path: '/bin', body: bytes });
    assert.deepEqual(Buffer.from(reply.body, 'latin1'), bytes);
    const empty = await seen(port, { method: 'POST', path: '/empty', headers: { 'content-length': '0' } });
    assert.equal(empty.headers['content-length'], '0');
    assert.equal(empty.body, '');
  });

  test('large bodies stream both ways (5 MB up with Content-Length, 5 MB down chunked)', async (t) => {
    const backend = await httpBackend(t, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
    });
    const { port } = await front(t, backend.url);
    const payload = randomBytes(5 * 1024 * 1024);
    const reply = await request(port, { method: 'POST', path: '/echo', body: payload });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['transfer-encoding'], 'chunked');
    assert.equal(reply.body.length, payload.length);
    assert.equal(sha(reply.body), sha(payload));
  });

  test('a chunked upload is forwarded chunked', async (t) => {
    let sawTe: string | undefined;
    const backend = await httpBackend(t, (req, res) => {
      sawTe = req.headers['transfer-encoding'];
      const hash = createHash('sha256');
      let length = 0;
      req.on('data', (c: Buffer) => {
        hash.update(c);
        length += c.length;
      });
      req.on('end', () => res.end(`${length} ${hash.digest('hex')}`));
    });
    const { port } = await front(t, backend.url);
    const payload = randomBytes(5 * 1024 * 1024 + 7);
    const reply = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/up', agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      });
      req.on('error', reject);
      // No Content-Length, several writes: node:http sends this chunked.
      for (let off = 0; off < payload.length; off += 1 << 20) req.write(payload.subarray(off, off + (1 << 20)));
      req.end();
    });
    assert.equal(sawTe, 'chunked');
    assert.equal(reply, `${payload.length} ${sha(payload)}`);
  });

  test('bodies are streamed, not buffered whole', async (t) => {
    // The backend holds the rest of its response until the client has seen
    // the first part, and holds its response until it has seen the first part
    // of the upload: a buffering proxy would deadlock here.
    let releaseResponse!: () => void;
    const responseReleased = new Promise<void>((r) => (releaseResponse = r));
    let firstUploadChunk!: () => void;
    const uploadStarted = new Promise<void>((r) => (firstUploadChunk = r));
    const backend = await httpBackend(t, (req, res) => {
      if (req.url === '/down') {
        res.writeHead(200);
        res.write('first part,');
        void responseReleased.then(() => res.end('second part'));
        return;
      }
      req.once('data', () => firstUploadChunk());
      req.resume();
      req.on('end', () => res.end('uploaded'));
    });
    const { port } = await front(t, backend.url);

    const body = await new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/down', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
          if (text === 'first part,') releaseResponse();
        });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
    });
    assert.equal(body, 'first part,second part');

    const upload = new Promise<string>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/up', agent: false, headers: { 'content-length': '20' } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.write('0123456789');
      void uploadStarted.then(() => req.end('abcdefghij'));
    });
    assert.equal(await upload, 'uploaded');
  });

  test('Content-Length responses keep their length', async (t) => {
    const backend = await httpBackend(t, (_req, res) => {
      res.writeHead(200, { 'content-length': '11' });
      res.end('hello world');
    });
    const { port } = await front(t, backend.url);
    const reply = await request(port);
    assert.equal(reply.headers['content-length'], '11');
    assert.equal(reply.headers['transfer-encoding'], undefined);
    assert.equal(reply.body.toString(), 'hello world');
  });

  test('chunked responses are decoded and re-chunked, extensions and trailers included', async (t) => {
    const backend = await rawBackend(t, (socket) =>
      eachRequest(socket, () => {
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n');
        socket.write('5\r\nhello\r\n');
        // Split mid-frame and with an extension, to exercise the decoder's states.
        socket.write('7;ext=1\r\n, w');
        setTimeout(() => socket.write('orld\r\n0\r\nX-Trailer: t\r\n\r\n'), 20);
      }),
    );
    const { port } = await front(t, backend.url);
    const first = await request(port);
    assert.equal(first.status, 200);
    assert.equal(first.headers['transfer-encoding'], 'chunked');
    assert.equal(first.body.toString(), 'hello, world');
    const second = await request(port);
    assert.equal(second.body.toString(), 'hello, world');
    assert.equal(backend.connections(), 1, 'the connection is reused after a chunked body');
  });

  test('a response with neither length nor chunking is read until the backend closes', async (t) => {
    const backend = await rawBackend(t, (socket) =>
      eachRequest(socket, () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ');
        setTimeout(() => socket.end('close'), 20);
      }),
    );
    const { port, observer } = await front(t, backend.url);
    assert.equal((await request(port)).body.toString(), 'until close');
    assert.equal((await request(port)).body.toString(), 'until close');
    assert.equal(backend.connections(), 2, 'a close-delimited connection is not reused');
    assert.deepEqual(observer.failures(), []);
  });

  test('HEAD, 204 and 304 responses have no body and leave the connection reusable', async (t) => {
    const backend = await httpBackend(t, (req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'content-length': '100', 'content-type': 'text/plain' });
        res.end();
      } else if (req.url === '/204') {
        res.writeHead(204, { 'x-kind': 'no-content' });
        res.end();
      } else if (req.url === '/304') {
        res.writeHead(304, { etag: '"abc"' });
        res.end();
      } else {
        res.end('after');
      }
    });
    const { port } = await front(t, backend.url);

    const head = await request(port, { method: 'HEAD', path: '/thing' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '100');
    assert.equal(head.body.length, 0);

    const noContent = await request(port, { path: '/204' });
    assert.equal(noContent.status, 204);
    assert.equal(noContent.headers['x-kind'], 'no-content');
    assert.equal(noContent.body.length, 0);

    const notModified = await request(port, { path: '/304', headers: { 'if-none-match': '"abc"' } });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.etag, '"abc"');
    assert.equal(notModified.body.length, 0);

    assert.equal((await request(port, { path: '/after' })).body.toString(), 'after');
    assert.equal(backend.connections(), 1);
  });

  test('duplicate Set-Cookie headers are preserved', async (t) => {
    const backend = await httpBackend(t, (_req, res) => {
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.end('ok');
    });
    const { port } = await front(t, backend.url);
    const reply = await request(port);
    assert.deepEqual(reply.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
  });

  test('interim 1xx responses are skipped', async (t) => {
    const backend = await httpBackend(t, (_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.end('final');
    });
    const { port } = await front(t, backend.url);
    const reply = await request(port);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), 'final');
  });

  test('a response head split across many reads is reassembled', async (t) => {
    const head = 'HTTP/1.1 200 OK\r\nX-Split: yes\r\nContent-Length: 4\r\n\r\nbody';
    const backend = await rawBackend(t, (socket) =>
      eachRequest(socket, async () => {
        for (const ch of head) {
          socket.write(ch);
          await sleep(1);
        }
      }),
    );
    const { port } = await front(t, backend.url);
    const reply = await request(port);
    assert.equal(reply.headers['x-split'], 'yes');
    assert.equal(reply.body.toString(), 'body');
  });

  test('the observer hears of each response with its status and timing', async (t) => {
    const backend = await httpBackend(t, (_req, res) => {
      res.statusCode = 201;
      res.end();
    });
    const { port, observer } = await front(t, backend.url);
    await request(port, { method: 'PUT', path: '/x' });
    assert.equal(observer.calls.length, 1);
    const [call] = observer.calls;
    assert.equal(call!.type, 'response');
    assert.equal(call!.backendId, 'test-backend');
    assert.equal(call!.method, 'PUT');
    assert.equal(call!.status, 201);
    assert.ok(call!.seconds! >= 0 && call!.seconds! < 5);
  });
});

describe('headers', () => {
  test('Host is the backend host:port; other headers pass through; User-Agent only if sent', async (t) => {
    const backend = await httpBackend(t, echo);
    const { port } = await front(t, backend.url);

    const plain = await seen(port, { headers: { host: 'www.example.com', foo: 'bar' } });
    assert.equal(plain.headers.host, `127.0.0.1:${backend.port}`);
    assert.equal(plain.headers.foo, 'bar');
    assert.equal(plain.headers['user-agent'], undefined);
    assert.equal(plain.headers['x-forwarded-host'], undefined);
    assert.equal(plain.headers['x-forwarded-proto'], undefined);
    assert.equal(plain.headers['x-forwarded-port'], undefined);
    assert.equal(plain.headers.forwarded, undefined);

    const withUa = await seen(port, {
      headers: {
        'user-agent': 'Router test suite 2.7182',
        'x-forwarded-host': 'example.org',
        'x-forwarded-proto': 'https',
        'x-forwarded-port': '8080',
      },
    });
    assert.equal(withUa.headers['user-agent'], 'Router test suite 2.7182');
    assert.equal(withUa.headers['x-forwarded-host'], 'example.org');
    assert.equal(withUa.headers['x-forwarded-proto'], 'https');
    assert.equal(withUa.headers['x-forwarded-port'], '8080');
  });

  test('X-Forwarded-For gets the client address appended', async (t) => {
    const backend = await httpBackend(t, echo);
    const { port } = await front(t, backend.url);
    assert.equal((await seen(port)).headers['x-forwarded-for'], '127.0.0.1');
    assert.equal((await seen(port, { headers: { 'x-forwarded-for': '10.9.8.7' } })).headers['x-forwarded-for'], '10.9.8.7, 127.0.0.1');
  });

  test('Via is appended on the request and on the response', async (t) => {
    const backend = await httpBackend(t, (req, res) => {
      if (req.url === '/via') res.setHeader('via', '1.0 fred, 1.1 barney');
      echo(req, res);
    });
    const { port } = await front(t, backend.url);

    const reply = await request(port);
    assert.equal(reply.headers.via, '1.1 router');
    assert.equal((JSON.parse(reply.body.toString()) as Seen).headers.via, '1.1 router');

    const chained = await request(port, { path: '/via', headers: { via: '1.0 fred, 1.1 barney' } });
    assert.equal(chained.headers.via, '1.0 fred, 1.1 barney, 1.1 router');
    assert.equal((JSON.parse(chained.body.toString()) as Seen).headers.via, '1.0 fred, 1.1 barney, 1.1 router');
  });

  test('an HTTP/1.0 client without Host works; the backend still gets HTTP/1.1', async (t) => {
    const backend = await httpBackend(t, echo);
    const { port } = await front(t, backend.url);

    const raw = await rawExchange(port, 'GET /foo HTTP/1.0\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 200 /);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Seen;
    assert.equal(body.url, '/foo');
    assert.equal(body.httpVersion, '1.1');
    assert.equal(body.headers.host, `127.0.0.1:${backend.port}`);
    assert.equal(body.headers.via, '1.0 router');

    const chained = await rawExchange(port, 'GET /foo HTTP/1.0\r\nVia: 1.0 fred, 1.1 barney\r\n\r\n');
    assert.equal((JSON.parse(chained.slice(chained.indexOf('\r\n\r\n') + 4)) as Seen).headers.via, '1.0 fred, 1.1 barney, 1.0 router');
  });

  test('hop-by-hop headers are removed in both directions, including those named in Connection', async (t) => {
    let requestHead = '';
    const backend = await rawBackend(t, (socket) =>
      eachRequest(socket, (head) => {
        requestHead = head;
        socket.write(
          'HTTP/1.1 200 OK\r\n' +
            'Connection: keep-alive, X-Backend-Hop\r\n' +
            'X-Backend-Hop: secret\r\n' +
            'Keep-Alive: timeout=99\r\n' +
            'Proxy-Authenticate: Basic\r\n' +
            'Proxy-Connection: keep-alive\r\n' +
            'Upgrade: h2c\r\n' +
            'Trailer: X-Later\r\n' +
            'TE: trailers\r\n' +
            'X-End-To-End: kept\r\n' +
            'Content-Length: 2\r\n\r\nok',
        );
      }),
    );
    const { port } = await front(t, backend.url);
    // Raw, because node:http refuses to send some of these.
    const raw = await rawExchange(
      port,
      'GET / HTTP/1.1\r\nHost: x\r\n' +
        'Connection: close, X-Client-Hop\r\n' +
        'X-Client-Hop: secret\r\n' +
        'Keep-Alive: timeout=300\r\n' +
        'TE: trailers\r\n' +
        'Trailer: X-Later\r\n' +
        'Upgrade: websocket\r\n' +
        'Proxy-Authorization: Basic Zm9vOmJhcg==\r\n' +
        'Proxy-Connection: keep-alive\r\n' +
        'X-End-To-End: kept\r\n\r\n',
    );
    const end = raw.indexOf('\r\n\r\n');
    assert.equal(raw.slice(end + 4), 'ok');
    const received = raw.slice(0, end + 2).toLowerCase();
    const sent = requestHead.toLowerCase();
    for (const name of ['x-client-hop', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-connection', 'connection', 'transfer-encoding']) {
      assert.ok(!sent.includes(`\r\n${name}:`), `${name} reached the backend:\n${requestHead}`);
    }
    assert.ok(sent.includes('\r\nx-end-to-end: kept'));

    for (const name of ['x-backend-hop', 'keep-alive', 'proxy-authenticate', 'proxy-connection', 'upgrade', 'trailer', 'te']) {
      assert.ok(!received.includes(`\r\n${name}:`), `${name} reached the client:\n${received}`);
    }
    // Node's server writes its own Connection; the backend's must not leak.
    assert.ok(received.includes('\r\nconnection: close\r\n'));
    assert.ok(!received.includes('x-backend-hop'));
    assert.ok(received.includes('\r\nx-end-to-end: kept\r\n'));
  });

  test('portico-request-id is set, replacing any the client sent', async (t) => {
    const backend = await httpBackend(t, echo);
    const { port } = await front(t, backend.url);
    assert.equal((await seen(port)).headers['portico-request-id'], 'test-id');
    const spoofed = await seen(port, { headers: { 'portico-request-id': 'spoofed' } });
    assert.equal(spoofed.headers['portico-request-id'], 'test-id');
  });
});

describe('backend URL', () => {
  test('a backend path is joined to the request path with a single slash', async (t) => {
    const backend = await httpBackend(t, echo);
    const { port } = await front(t, `${backend.url}/something`);
    assert.equal((await seen(port, { path: '/foo/bar' })).url, '/something/foo/bar');
    assert.equal((await seen(port, { path: '/foo/bar?baz=qux' })).url, '/something/foo/bar?baz=qux');

    const { port: slashPort } = await front(t, `${backend.url}/something/`);
    assert.equal((await seen(slashPort, { path: '/foo' })).url, '/something/foo');
  });

  test("the backend URL's query is joined to the request's with &", async (t) => {
    const backend = await httpBackend(t, echo);
    const { port } = await front(t, `${backend.url}/something?a=1`);
    assert.equal((await seen(port, { path: '/foo?baz=qux' })).url, '/something/foo?a=1&baz=qux');
    assert.equal((await seen(port, { path: '/foo' })).url, '/something/foo?a=1');
  });
});

describe('errors', () => {
  test('connection refused gives 502 with an empty body and no Via', async (t) => {
    const { port, observer } = await front(t, `http://127.0.0.1:${await closedPort()}`);
    const reply = await request(port);
    assert.equal(reply.status, 502);
    assert.equal(reply.body.length, 0);
    assert.equal(reply.headers.via, undefined);
    assert.deepEqual(observer.failures(), ['refused']);
    const failure = observer.calls.find((c) => c.type === 'failure')!;
    assert.equal(failure.requestId, 'test-id');
    assert.equal(observer.calls.find((c) => c.type === 'response')!.status, 502);
  });

  test('a connect timeout gives 504', async (t) => {
    // A listener whose process is stopped never accepts; once its backlog is
    // full the kernel drops further SYNs, so a connect genuinely hangs.
    const child = spawn(
      process.execPath,
      ['-e', "require('net').createServer().listen({port:0,host:'127.0.0.1',backlog:1},function(){console.log(this.address().port)})"],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const fillers: net.Socket[] = [];
    t.after(() => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    });
    const [data] = (await once(child.stdout!, 'data')) as [Buffer];
    const blackhole = Number(String(data).trim());
    child.kill('SIGSTOP');
    for (let i = 0; i < 64; i++) {
      const s = net.connect(blackhole, '127.0.0.1');
      s.on('error', () => {});
      fillers.push(s);
      const connected = await Promise.race([once(s, 'connect').then(() => true), sleep(200).then(() => false)]);
      if (!connected) break;
    }

    const { port, observer } = await front(t, `http://127.0.0.1:${blackhole}`, { connectTimeoutMs: 300 });
    const started = Date.now();
    const reply = await request(port);
    const elapsed = Date.now() - started;
    assert.equal(reply.status, 504);
    assert.equal(reply.body.length, 0);
    assert.ok(elapsed >= 280 && elapsed < 1500, `took ${elapsed} ms`);
    assert.deepEqual(observer.failures(), ['timeout']);
  });

  test('no response head within the header timeout gives 504', async (t) => {
    const backend = await httpBackend(t, (_req, res) => {
      setTimeout(() => res.end('too late'), 1000);
    });
    const { port, observer } = await front(t, backend.url, { headerTimeoutMs: 300 });
    const started = Date.now();
    const reply = await request(port);
    const elapsed = Date.now() - started;
    assert.equal(reply.status, 504);
    assert.equal(reply.body.length, 0);
    assert.equal(reply.headers.via, undefined);
    assert.ok(elapsed >= 280 && elapsed < 900, `took ${elapsed} ms`);
    assert.deepEqual(observer.failures(), ['timeout']);
  });

  // Something else holding the event loop (a large route reload, say) must not
  // turn a backend that answered in time into a 504. When the loop comes back,
  // expired timers run before the I/O that happened meanwhile is read.
  test('a connect that completes while the event loop is blocked past the connect timeout is not a 504', async (t) => {
    const backend = await httpBackend(t, (_req, res) => res.end('ok'));
    const observer = new Recorder();
    const upstream = new Upstream('test-backend', backend.url, { ...defaults, connectTimeoutMs: 100, observer });
    t.after(() => upstream.close());
    const server = http.createServer((req, res) => {
      // The backend socket is connecting now; the kernel completes the
      // handshake at once, but this process does not look until the block ends.
      upstream.forward(req, res, 'test-id');
      blockEventLoop(400);
    });
    const port = await listen(server, t);
    const reply = await request(port);
    assert.equal(reply.status, 200, reply.body.toString());
    assert.equal(reply.body.toString(), 'ok');
    assert.deepEqual(observer.failures(), []);
    assert.equal(backend.connections(), 1);
  });

  test('a response head that arrives while the event loop is blocked past the header timeout is not a 504', async (t) => {
    // The backend must answer while this process is blocked, so it runs in a process of its own.
    const child = spawn(
      process.execPath,
      [
        '-e',
        "require('http').createServer((q,s)=>s.end('ok')).listen(0,'127.0.0.1',function(){console.log(this.address().port)})",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    t.after(() => child.kill('SIGKILL'));
    const [data] = (await once(child.stdout!, 'data')) as [Buffer];
    const observer = new Recorder();
    const upstream = new Upstream('test-backend', `http://127.0.0.1:${String(data).trim()}`, {
      ...defaults,
      headerTimeoutMs: 100,
      observer,
    });
    t.after(() => upstream.close());
    const server = http.createServer((req, res) => {
      upstream.forward(req, res, 'test-id');
      if (req.url === '/block') blockEventLoop(400);
    });
    const port = await listen(server, t);
    // The first request leaves a pooled, connected socket, so the second is
    // written to the backend at once and its header timeout starts before the block.
    assert.equal((await request(port)).status, 200);
    const reply = await request(port, { path: '/block' });
    assert.equal(reply.status, 200, reply.body.toString());
    assert.equal(reply.body.toString(), 'ok');
    assert.deepEqual(observer.failures(), []);
  });

  test('a connect still pending after a blocked event loop times out all the same', async (t) => {
    // A listener that never accepts and whose backlog is full: SYNs are dropped.
    const child = spawn(
      process.execPath,
      ['-e', "require('net').createServer().listen({port:0,host:'127.0.0.1',backlog:1},function(){console.log(this.address().port)})"],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const fillers: net.Socket[] = [];
    t.after(() => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    });
    const [data] = (await once(child.stdout!, 'data')) as [Buffer];
    const blackhole = Number(String(data).trim());
    child.kill('SIGSTOP');
    for (let i = 0; i < 64; i++) {
      const s = net.connect(blackhole, '127.0.0.1');
      s.on('error', () => {});
      fillers.push(s);
      const connected = await Promise.race([once(s, 'connect').then(() => true), sleep(200).then(() => false)]);
      if (!connected) break;
    }
    const observer = new Recorder();
    const upstream = new Upstream('test-backend', `http://127.0.0.1:${blackhole}`, { ...defaults, connectTimeoutMs: 200, observer });
    t.after(() => upstream.close());
    const server = http.createServer((req, res) => {
      upstream.forward(req, res, 'test-id');
      blockEventLoop(300);
    });
    const port = await listen(server, t);
    const started = Date.now();
    const reply = await request(port);
    const elapsed = Date.now() - started;
    assert.equal(reply.status, 504);
    // The deadline passed during the block; the connect gets one more period once the loop is back.
    assert.ok(elapsed >= 280 && elapsed < 2000, `took ${elapsed} ms`);
    assert.deepEqual(observer.failures(), ['timeout']);
  });

  test('a slow body after timely headers still streams through', async (t) => {
    const backend = await httpBackend(t, (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.flushHeaders();
        setTimeout(() => res.end('Tarpit\n'), 500);
      }, 100);
    });
    const { port, observer } = await front(t, backend.url, { headerTimeoutMs: 300 });
    const reply = await request(port);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), 'Tarpit\n');
    assert.deepEqual(observer.failures(), []);
  });

  test('a backend dying mid-body truncates the client response without crashing', async (t) => {
    const backend = await httpBackend(t, (req, res) => {
      if (req.url === '/ok') {
        res.end('still alive');
        return;
      }
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000, 'x'), () => setTimeout(() => req.socket.destroy(), 20));
    });
    const { port, observer } = await front(t, backend.url);
    const reply = await request(port);
    assert.equal(reply.status, 200);
    assert.equal(reply.complete, false);
    assert.ok(reply.body.length < 100000);
    assert.deepEqual(observer.failures(), ['aborted']);
    assert.equal((await request(port, { path: '/ok' })).body.toString(), 'still alive');
  });

  test('a chunked body cut short is also seen as truncated', async (t) => {
    const backend = await rawBackend(t, (socket) =>
      eachRequest(socket, () => {
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
        setTimeout(() => socket.destroy(), 20);
      }),
    );
    const { port, observer } = await front(t, backend.url);
    const reply = await request(port);
    assert.equal(reply.status, 200);
    assert.equal(reply.complete, false);
    assert.deepEqual(observer.failures(), ['aborted']);
  });

  test('a malformed response head gives 502', async (t) => {
    const heads: Record<string, string> = {
      '/status-line': 'SPDY/9 banana\r\n\r\n',
      '/bad-status': 'HTTP/1.1 2x0 OK\r\n\r\n',
      // node:http refuses to send this name, which must not escape as an exception.
      '/bad-name': 'HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 0\r\n\r\n',
      '/no-colon': 'HTTP/1.1 200 OK\r\nNoColon\r\n\r\n',
      '/folded': 'HTTP/1.1 200 OK\r\nX-A: 1\r\n continued\r\n\r\n',
      '/two-lengths': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok',
      '/bad-length': 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      '/switching': 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n',
    };
    const backend = await rawBackend(t, (socket) =>
      eachRequest(socket, (head) => socket.write(heads[head.split(' ')[1]!]!)),
    );
    const { port, observer } = await front(t, backend.url);
    for (const path of Object.keys(heads)) {
      const reply = await request(port, { path });
      assert.equal(reply.status, 502, path);
      assert.equal(reply.body.length, 0, path);
    }
    assert.deepEqual(observer.failures(), Object.keys(heads).map(() => 'error'));
  });

  test('malformed chunked framing truncates the response', async (t) => {
    const backend = await rawBackend(t, (socket) =>
      eachRequest(socket, () => socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n')),
    );
    const { port, observer } = await front(t, backend.url);
    const reply = await request(port);
    assert.equal(reply.status, 200);
    assert.equal(reply.complete, false);
    assert.deepEqual(observer.failures(), ['aborted']);
  });

  test('a backend closing before any response gives 502', async (t) => {
    const backend = await rawBackend(t, (socket) => eachRequest(socket, () => socket.destroy()));
    const { port, observer } = await front(t, backend.url);
    assert.equal((await request(port)).status, 502);
    assert.deepEqual(observer.failures(), ['error']);
  });
});

describe('https backends', () => {
  test('self-signed certificates are accepted only with tlsSkipVerify', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-proxy-tls-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
          '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
        { stdio: 'ignore' },
      );
    } catch {
      t.skip('openssl is not available to make a self-signed certificate');
      return;
    }
    const server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, echo);
    let connections = 0;
    server.on('secureConnection', () => connections++);
    const backendPort = await listen(server, t);
    const url = `https://127.0.0.1:${backendPort}`;

    const { port } = await front(t, url, { tlsSkipVerify: true });
    const first = await seen(port, { path: '/foo' });
    assert.equal(first.url, '/foo');
    assert.equal(first.httpVersion, '1.1');
    assert.equal(first.headers.host, `127.0.0.1:${backendPort}`);
    await seen(port, { path: '/bar' });
    assert.equal(connections, 1, 'TLS connections are pooled too');

    const { port: strictPort, observer } = await front(t, url, { tlsSkipVerify: false });
    assert.equal((await request(strictPort, { path: '/foo' })).status, 502);
    assert.deepEqual(observer.failures(), ['error']);
  });
});

describe('connection reuse', () => {
  test('sequential requests share one keep-alive connection', async (t) => {
    const backend = await httpBackend(t, (_req, res) => res.end('ok'));
    const { port } = await front(t, backend.url);
    for (let i = 0; i < 20; i++) assert.equal((await request(port, { path: `/${i}` })).body.toString(), 'ok');
    assert.equal(backend.connections(), 1);
  });

  test('concurrent requests open more connections, and those are reused afterwards', async (t) => {
    const backend = await httpBackend(t, (_req, res) => setTimeout(() => res.end('ok'), 20));
    const { port } = await front(t, backend.url);
    const batch = async () => (await Promise.all(Array.from({ length: 5 }, () => request(port)))).map((r) => r.body.toString());
    assert.deepEqual(await batch(), ['ok', 'ok', 'ok', 'ok', 'ok']);
    assert.equal(backend.connections(), 5);
    assert.deepEqual(await batch(), ['ok', 'ok', 'ok', 'ok', 'ok']);
    assert.equal(backend.connections(), 5);
  });

  test('Connection: close from the backend is honoured', async (t) => {
    const backend = await httpBackend(t, (_req, res) => {
      res.setHeader('connection', 'close');
      res.end('bye');
    });
    const { port } = await front(t, backend.url);
    assert.equal((await request(port)).body.toString(), 'bye');
    assert.equal((await request(port)).body.toString(), 'bye');
    assert.equal(backend.connections(), 2);
  });

  test('a pooled socket the backend closed as it was reused is retried on a fresh one', async (t) => {
    // The second request on any connection is met with a close and no
    // response: what a request written just as the backend's idle timeout
    // fires looks like.
    const backend = await rawBackend(t, (socket) =>
      eachRequest(socket, (_head, n) => {
        if (n === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        else socket.destroy();
      }),
    );
    const { port, observer } = await front(t, backend.url);
    assert.equal((await request(port)).body.toString(), 'ok');
    const second = await request(port);
    assert.equal(second.status, 200);
    assert.equal(second.body.toString(), 'ok');
    assert.equal(backend.connections(), 2);
    assert.deepEqual(observer.failures(), []);
  });

  test('a request whose body was already sent is not replayed', async (t) => {
    const backend = await rawBackend(t, (socket) => {
      let served = false;
      socket.on('data', () => {
        if (served) socket.destroy();
        else {
          served = true;
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        }
      });
    });
    const { port, observer } = await front(t, backend.url);
    assert.equal((await request(port)).body.toString(), 'ok');
    const post = await request(port, { method: 'POST', body: 'not idempotent' });
    assert.equal(post.status, 502);
    assert.equal(backend.connections(), 1);
    assert.deepEqual(observer.failures(), ['error']);
  });

  test('a pooled socket the backend closes while idle is dropped', async (t) => {
    const server = http.createServer((_req, res) => res.end('ok'));
    server.keepAliveTimeout = 50;
    let connections = 0;
    server.on('connection', () => connections++);
    const backendPort = await listen(server, t);
    const { port, observer } = await front(t, `http://127.0.0.1:${backendPort}`);
    assert.equal((await request(port)).body.toString(), 'ok');
    await sleep(200);
    assert.equal((await request(port)).body.toString(), 'ok');
    assert.equal(connections, 2);
    assert.deepEqual(observer.failures(), []);
  });
});

describe('client aborts', () => {
  test('a client aborting mid-upload aborts the backend request', async (t) => {
    let backendReq: http.IncomingMessage | undefined;
    const backend = await httpBackend(t, (req) => {
      backendReq = req;
      req.resume();
    });
    const { port, observer } = await front(t, backend.url);
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => {});
    client.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n' + 'x'.repeat(1000));
    await until(() => backendReq !== undefined, 'the backend to see the request');
    // Not once(): the backend request also emits the 'aborted' error this test expects.
    backendReq!.on('error', () => {});
    const closed = new Promise((resolve) => backendReq!.on('close', resolve));
    client.destroy();
    await closed;
    assert.equal(backendReq!.complete, false);
    await until(() => observer.failures().length > 0, 'the abort to be reported');
    assert.deepEqual(observer.failures(), ['aborted']);
  });

  test('a client giving up while waiting closes the backend request', async (t) => {
    let backendRes: http.ServerResponse | undefined;
    const backend = await httpBackend(t, (_req, res) => {
      backendRes = res;
    });
    const { port, observer } = await front(t, backend.url);
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => {});
    client.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => backendRes !== undefined, 'the backend to see the request');
    const closed = once(backendRes!, 'close');
    client.destroy();
    await closed;
    assert.equal(backendRes!.writableEnded, false);
    // Nobody was cut short, so this is not a backend failure.
    assert.deepEqual(observer.failures(), []);
  });
});

describe('UpstreamRegistry', () => {
  test('keeps an upstream (and its pool) while the URL is unchanged, and replaces or closes it otherwise', async (t) => {
    const closes: string[] = [];
    const server = http.createServer((_req, res) => res.end('ok'));
    server.on('connection', (socket) => socket.on('close', () => closes.push('closed')));
    const backendPort = await listen(server, t);
    const url = `http://127.0.0.1:${backendPort}`;
    const registry = new UpstreamRegistry(defaults);
    t.after(() => registry.closeAll());

    const first = registry.get('b1', url);
    assert.equal(registry.get('b1', url), first);
    const frontServer = http.createServer((req, res) => registry.get('b1', url).forward(req, res, 'id'));
    const port = await listen(frontServer, t);
    await request(port);
    await request(port);
    assert.equal(closes.length, 0, 'the pooled connection survives a repeated get');

    const other = registry.get('b2', url);
    const moved = registry.get('b1', `${url}/moved`);
    assert.notEqual(moved, first);
    await until(() => closes.length === 1, "the replaced upstream's idle connection to close");

    await registry.retain(new Set(['b1']));
    assert.equal(registry.get('b1', `${url}/moved`), moved);
    assert.notEqual(registry.get('b2', url), other, 'b2 was closed and dropped, so it is made afresh');
  });

  test('close waits for requests in flight', async (t) => {
    let finish!: () => void;
    const backend = await httpBackend(t, (_req, res) => {
      finish = () => res.end('done');
    });
    const { port, upstream } = await front(t, backend.url);
    const reply = request(port);
    await until(() => finish !== undefined, 'the backend to see the request');
    let closed = false;
    const closing = upstream.close().then(() => (closed = true));
    await sleep(50);
    assert.equal(closed, false);
    finish();
    assert.equal((await reply).body.toString(), 'done');
    await closing;
    assert.equal(closed, true);
  });
});
