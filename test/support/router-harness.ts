// End-to-end harness for the router: a real router (createRouter) on a fresh
// test database, real loopback backends, and helpers to replace the routing
// table and to send requests the way the reference's integration tests do
// (no redirect following, no User-Agent, raw HTTP/1.0 when needed).
//
//   const h = await RouterHarness.open({ headerTimeoutMs: 300 });
//   await h.useRoutes([exact('/foo', 'backend-1')]);   // written, reloaded, checked
//   const res = await h.send({ path: '/foo' });
//   await h.run(aCase);                                // a data-driven Case
import assert from 'node:assert/strict';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { upsertRoutes } from '../../src/content-store/routes.ts';
import { contentStoreSchema, migrateContentStore, type Stack } from '../../src/content-store/schema.ts';
import type { RouterConfig } from '../../src/platform/config.ts';
import { ident, type Db } from '../../src/platform/db/index.ts';
import { openTestDb, type TestDb } from '../../src/platform/db/testing.ts';
import { createLogger, REQUEST_ID_HEADER, silentLogger } from '../../src/platform/log.ts';
import { createRouter, type RouterService } from '../../src/router/index.ts';
import type { RouteTable } from '../../src/router/route-table.ts';
import type { BackendRecord, RouteRecord } from '../../src/router/routes.ts';
import type { Forwarder } from '../../src/router/server.ts';
import { eventually } from './ports.ts';
import { TLS_CERT, TLS_KEY } from './tls-fixture.ts';

export { eventually };

// ---------------------------------------------------------------------------
// Route rows, written the way the reference's acceptance tables read.

export const exact = (incoming_path: string, backend_id: string): RouteRecord => ({
  incoming_path,
  route_type: 'exact',
  handler: 'backend',
  backend_id,
});

export const prefix = (incoming_path: string, backend_id: string): RouteRecord => ({
  incoming_path,
  route_type: 'prefix',
  handler: 'backend',
  backend_id,
});

export const redirect = (
  route_type: 'exact' | 'prefix',
  incoming_path: string,
  redirect_to: string,
  opts: Pick<RouteRecord, 'segments_mode' | 'redirect_type'> = {},
): RouteRecord => ({ incoming_path, route_type, handler: 'redirect', redirect_to, ...opts });

export const gone = (route_type: 'exact' | 'prefix', incoming_path: string): RouteRecord => ({
  incoming_path,
  route_type,
  handler: 'gone',
});

// ---------------------------------------------------------------------------
// Loopback backends.

/** One request as a recording backend received it. */
export interface Recorded {
  /** Which recording backend got it. */
  server: string;
  method: string;
  url: string;
  httpVersion: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

export interface TestBackend {
  readonly id: string;
  /** The URL to store as backend_url. */
  readonly url: string;
  readonly port: number;
  /** Requests that have reached it (counted on arrival, before any delay). */
  hits: number;
  close(): Promise<void>;
}

/** Runs `fn` after `ms` unless the backend has been closed by then. */
type Later = (ms: number, fn: () => void) => void;
type Handler = (req: IncomingMessage, res: ServerResponse, later: Later) => void;

async function serve(id: string, handler: Handler, tls = false): Promise<TestBackend> {
  const timers = new Set<NodeJS.Timeout>();
  const later: Later = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    backend.hits++;
    handler(req, res, later);
  };
  const server: Server = tls ? createHttpsServer({ key: TLS_KEY, cert: TLS_CERT }, onRequest) : createHttpServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const backend: TestBackend = {
    id,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    hits: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return backend;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers 200 with its id (or, with `echo`, its id and the request target it saw), plus any extra headers. */
export function startSimpleBackend(id: string, opts: { headers?: Record<string, string>; echo?: boolean } = {}): Promise<TestBackend> {
  return serve(id, (req, res) => {
    req.resume();
    req.on('end', () => {
      const body = opts.echo ? `${id} ${req.url}` : id;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), ...opts.headers });
      res.end(body);
    });
  });
}

/** Records every request into `log` and answers 200 with its id. */
export function startRecorder(id: string, log: Recorded[], opts: { tls?: boolean } = {}): Promise<TestBackend> {
  return serve(
    id,
    (req, res) => {
      void readBody(req).then((body) => {
        log.push({
          server: id,
          method: req.method ?? '',
          url: req.url ?? '',
          httpVersion: req.httpVersion,
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body,
        });
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(id) });
        res.end(id);
      });
    },
    opts.tls,
  );
}

/** Sends its response head after `headerDelayMs` and the body `Tarpit\n` after a further `bodyDelayMs`. */
export function startTarpit(id: string, headerDelayMs: number, bodyDelayMs = 0): Promise<TestBackend> {
  return serve(id, (req, res, later) => {
    req.resume();
    later(headerDelayMs, () => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 7 });
      res.flushHeaders();
      later(bodyDelayMs, () => {
        if (!res.destroyed) res.end('Tarpit\n');
      });
    });
  });
}

/** The URL of a loopback port nothing listens on (it was free a moment ago). */
export async function closedPortUrl(): Promise<string> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return `http://127.0.0.1:${port}`;
}

// The worker listens with the smallest backlog and then blocks its event loop,
// so it never accepts: once its accept queue is full the kernel drops further
// SYNs and a connect hangs until the client gives up.
const BLACKHOLE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const flag = new Int32Array(workerData);
const server = net.createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  setImmediate(() => {
    Atomics.wait(flag, 0, 0);
    server.close();
  });
});
`;

/**
 * A backend whose connections never complete, for the connect timeout. The
 * reference uses 240.0.0.0, but where outbound TCP is intercepted (as in some
 * sandboxes) that connects at once; a full accept queue on loopback hangs
 * everywhere.
 */
export async function startBlackhole(): Promise<{ url: string; close(): Promise<void> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(BLACKHOLE_WORKER, { eval: true, workerData: flag.buffer });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const fillers: net.Socket[] = [];
  const close = async () => {
    for (const s of fillers) s.destroy();
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    await worker.terminate();
  };
  for (let i = 0; i < 16; i++) {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('error', () => undefined);
    fillers.push(s);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 200);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) return { url: `http://127.0.0.1:${port}`, close };
  }
  await close();
  throw new Error('could not fill the blackhole listener backlog: connects to it never hang');
}

// ---------------------------------------------------------------------------
// HTTP client: never follows redirects, sends no User-Agent.

export interface HttpRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Bytes written as they are, for HTTP/1.0 and requests without Host. */
export interface RawRequest {
  raw: string;
}

export type Req = HttpRequest | RawRequest;

export interface HttpResponse {
  status: number;
  httpVersion: string;
  /** Lower-cased names; repeated fields joined with ', '. */
  headers: Record<string, string>;
  body: string;
  ms: number;
}

function joinHeaders(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    out[name] = out[name] === undefined ? raw[i + 1]! : `${out[name]}, ${raw[i + 1]!}`;
  }
  return out;
}

/** One request on a fresh connection (or on `agent`'s), with the whole response read. */
export function send(port: number, req: Req, agent?: Agent): Promise<HttpResponse> {
  if ('raw' in req) return sendRaw(port, req.raw);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers: req.headers, agent: agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            httpVersion: res.httpVersion,
            headers: joinHeaders(res.rawHeaders),
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
      },
    );
    r.setTimeout(15_000, () => r.destroy(new Error(`no response to ${req.method ?? 'GET'} ${req.path} within 15 s`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Writes `text` to a new connection and parses whatever comes back before the server closes it. */
export function sendRaw(port: number, text: string): Promise<HttpResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error('no complete raw response within 15 s')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks).toString('latin1');
      const split = all.indexOf('\r\n\r\n');
      if (split === -1) return reject(new Error(`no response head in ${JSON.stringify(all)}`));
      const lines = all.slice(0, split).split('\r\n');
      const m = /^HTTP\/(\d\.\d) (\d{3})/.exec(lines[0] ?? '');
      if (!m) return reject(new Error(`bad status line ${JSON.stringify(lines[0])}`));
      const raw: string[] = [];
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        raw.push(line.slice(0, colon), line.slice(colon + 1).trim());
      }
      resolve({
        status: Number(m[2]),
        httpVersion: m[1]!,
        headers: joinHeaders(raw),
        body: Buffer.from(all.slice(split + 4), 'latin1').toString('utf8'),
        ms: performance.now() - started,
      });
      socket.destroy();
    });
    // Not end(): Node's server gives up on a request whose client half-closes
    // before the answer, and an HTTP/1.0 server closes when it has answered.
    socket.write(text);
  });
}

/** GET or POST on an admin port. */
export function adminRequest(port: number, method: string, path: string): Promise<HttpResponse> {
  return send(port, { method, path });
}

/** A sample of a Prometheus counter or gauge from `/metrics` text (0 when absent). */
export function metricSample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Routers.

export interface RouterOptions {
  stack?: Stack;
  connectTimeoutMs?: number;
  headerTimeoutMs?: number;
  /** Long by default, so a test that sees a change sees it through NOTIFY or an explicit reload. */
  reloadIntervalMs?: number;
  shutdownTimeoutMs?: number;
  tlsSkipVerify?: boolean;
}

export interface RunningRouter {
  readonly service: RouterService;
  readonly stack: Stack;
  readonly port: number;
  readonly adminPort: number;
  stopped: boolean;
  stop(): Promise<void>;
}

function routerConfig(o: RouterOptions): RouterConfig {
  return {
    backendConnectTimeoutMs: o.connectTimeoutMs ?? 1000,
    backendHeaderTimeoutMs: o.headerTimeoutMs ?? 5000,
    reloadIntervalMs: o.reloadIntervalMs ?? 60_000,
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? 5000,
    tlsSkipVerify: o.tlsSkipVerify ?? false,
  };
}

async function reloadCount(service: RouterService, result: 'success' | 'error'): Promise<number> {
  const metric = await service.metrics.reloads.get();
  return metric.values.find((v) => v.labels.result === result)?.value ?? 0;
}

// ---------------------------------------------------------------------------
// Data-driven cases.

/** A string is matched exactly, a RegExp by match, null means the header must be absent; a function is resolved against the harness first. */
export type Check = string | RegExp | null | ((h: RouterHarness) => string | RegExp | null);

/** What a recording backend must have received. */
export interface Forwarded {
  server?: string;
  method?: string;
  url?: string;
  httpVersion?: string;
  body?: string;
  headers?: Record<string, Check>;
}

export interface Expect {
  status: number;
  body?: string | RegExp;
  headers?: Record<string, Check>;
  location?: string;
  /** The redirect cache headers: `Cache-Control: public, max-age=1800` and Expires about 30 minutes on. */
  cached?: boolean;
  /** What a recording backend received: exactly one request, or 'none' for requests that must not be forwarded at all. */
  backend?: 'none' | Forwarded;
  /** Fields of a JSON body, each compared deeply. */
  json?: Record<string, unknown>;
  /** Bounds on the response time in milliseconds. */
  ms?: [number, number];
}

export interface Case {
  name: string;
  routes: RouteRecord[];
  /** Backend rows beyond the harness's own. */
  backends?: BackendRecord[];
  request: Req;
  /** Which of the router's ports gets the request (the public one by default). */
  port?: 'public' | 'admin';
  expect: Expect;
  /** Marks a known router bug: the case still runs and reports, but does not fail the run. */
  todo?: string;
}

const describeReq = (r: Req) => ('raw' in r ? JSON.stringify(r.raw) : `${r.method ?? 'GET'} ${r.path}`);

function checkValue(h: RouterHarness, what: string, actual: string | undefined, expected: Check): void {
  const want = typeof expected === 'function' ? expected(h) : expected;
  if (want === null) assert.equal(actual, undefined, `${what} should be absent`);
  else if (want instanceof RegExp) assert.match(actual ?? '', want, `${what}: ${JSON.stringify(actual)}`);
  else assert.equal(actual, want, what);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Asserts the redirect cache headers: max-age 30 minutes, and Expires within a few seconds of now + 30 minutes. */
export function assertRedirectCaching(res: HttpResponse): void {
  assert.equal(res.headers['cache-control'], 'public, max-age=1800');
  const expires = Date.parse(res.headers.expires ?? '');
  assert.ok(Number.isFinite(expires), `Expires parses as an HTTP date: ${res.headers.expires}`);
  assert.match(res.headers.expires ?? '', /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  const skew = Math.abs(expires - (Date.now() + 1800_000));
  assert.ok(skew <= 3000, `Expires ${res.headers.expires} should be about now + 30 minutes (off by ${skew} ms)`);
}

// ---------------------------------------------------------------------------

/**
 * One database (PGlite starts in seconds and takes hundreds of MB, so one per
 * test file), the content store schema for a stack, a full set of loopback
 * backends, and one or more real routers listening on loopback port 0.
 */
export class RouterHarness {
  readonly recorded: Recorded[] = [];
  readonly backends = new Map<string, TestBackend>();
  readonly routers: RunningRouter[] = [];
  router!: RunningRouter;
  blackholeUrl = '';
  notRunningUrl = '';
  private blackhole: { close(): Promise<void> } | undefined;
  private loaded: { routes: RouteRecord[]; backends: BackendRecord[] | undefined; tables: RouteTable<Forwarder>[] } | undefined;

  private constructor(readonly testDb: TestDb) {}

  get db(): Db {
    return this.testDb.db;
  }

  static async open(opts: RouterOptions = {}): Promise<RouterHarness> {
    const h = new RouterHarness(await openTestDb());
    try {
      await migrateContentStore(h.db, opts.stack ?? 'live');
      await h.startBackends();
      h.router = await h.startRouter(opts);
      return h;
    } catch (err) {
      await h.close();
      throw err;
    }
  }

  private async startBackends(): Promise<void> {
    const add = (b: TestBackend) => this.backends.set(b.id, b);
    for (const id of ['backend-1', 'backend-2', 'outer', 'inner', 'innerer', 'root', 'other', 'fallthrough', 'echo-a', 'echo-b']) {
      add(await startSimpleBackend(id, { echo: id.startsWith('echo-') }));
    }
    add(await startSimpleBackend('via-backend', { headers: { via: '1.0 fred, 1.1 barney' } }));
    add(await startRecorder('recorder', this.recorded));
    add(await startRecorder('tls-backend', this.recorded, { tls: true }));
    // The reference's tarpits: one too slow for a 0.3 s header timeout, one
    // whose head is quick and whose body is slow.
    add(await startTarpit('tarpit-1', 1000));
    add(await startTarpit('tarpit-2', 100, 500));
    this.notRunningUrl = await closedPortUrl();
    const blackhole = await startBlackhole();
    this.blackhole = blackhole;
    this.blackholeUrl = blackhole.url;
  }

  backend(id: string): TestBackend {
    const b = this.backends.get(id);
    if (!b) throw new Error(`no test backend ${id}`);
    return b;
  }

  /** The backend rows every table gets: each test backend by id, plus ones that cannot be reached. */
  backendRows(): BackendRecord[] {
    const rows = [...this.backends.values()].map((b) => ({ backend_id: b.id, backend_url: `${b.url}/` }));
    rows.push({ backend_id: 'with-path', backend_url: `${this.backend('recorder').url}/something` });
    rows.push({ backend_id: 'not-running', backend_url: `${this.notRunningUrl}/` });
    rows.push({ backend_id: 'blackhole', backend_url: `${this.blackholeUrl}/` });
    return rows;
  }

  async startRouter(opts: RouterOptions = {}): Promise<RunningRouter> {
    const stack = opts.stack ?? 'live';
    const log = process.env.ROUTER_TEST_LOG ? createLogger({ level: process.env.ROUTER_TEST_LOG }) : silentLogger();
    const service = createRouter({ stack, db: this.db, config: routerConfig(opts), log });
    const { port, adminPort } = await service.start(0, 0, '127.0.0.1');
    const running: RunningRouter = {
      service,
      stack,
      port,
      adminPort,
      stopped: false,
      async stop() {
        if (running.stopped) return;
        running.stopped = true;
        await service.stop();
      },
    };
    this.routers.push(running);
    return running;
  }

  /** Replaces a stack's whole routing table in one transaction (the triggers notify at commit); does not wait for routers. */
  async writeRoutes(routes: RouteRecord[], extraBackends: BackendRecord[] = [], stack: Stack = 'live'): Promise<void> {
    this.loaded = undefined;
    const s = ident(contentStoreSchema(stack));
    await this.db.transaction(async (tx) => {
      await tx.query(`TRUNCATE ${s}.routes, ${s}.backends`);
      await upsertRoutes(tx, stack, [...this.backendRows(), ...extraBackends], routes);
    });
  }

  /**
   * Makes every running router of the stack reload and checks that each one
   * swapped in a table built after this call, without a failed reload.
   */
  async reloadAll(stack: Stack = 'live'): Promise<void> {
    for (const r of this.routers) {
      if (r.stopped || r.stack !== stack) continue;
      const before = r.service.mux.current;
      const errors = await reloadCount(r.service, 'error');
      // A reload already running may have read the old rows; request() then
      // queues one more, and idle() waits for that one too.
      r.service.reloader.request();
      await r.service.reloader.idle();
      const failed = (await reloadCount(r.service, 'error')) - errors;
      assert.equal(failed, 0, `router on :${r.port} failed to reload the routing table`);
      assert.notEqual(r.service.mux.current, before, `router on :${r.port} did not swap in a new table`);
    }
  }

  /** Puts this table in service on every running router; a no-op when it is already (the same arrays, untouched since). */
  async useRoutes(routes: RouteRecord[], extraBackends?: BackendRecord[]): Promise<void> {
    const live = this.routers.filter((r) => !r.stopped && r.stack === 'live');
    const l = this.loaded;
    if (l && l.routes === routes && l.backends === extraBackends && live.every((r, i) => r.service.mux.current === l.tables[i])) return;
    await this.writeRoutes(routes, extraBackends);
    await this.reloadAll();
    this.loaded = { routes, backends: extraBackends, tables: live.map((r) => r.service.mux.current) };
  }

  /** Forgets which table is loaded, after a test changed the tables by hand. */
  forget(): void {
    this.loaded = undefined;
  }

  send(req: Req, router: RunningRouter = this.router, agent?: Agent): Promise<HttpResponse> {
    return send(router.port, req, agent);
  }

  admin(method: string, path: string, router: RunningRouter = this.router): Promise<HttpResponse> {
    return adminRequest(router.adminPort, method, path);
  }

  async metrics(router: RunningRouter = this.router): Promise<string> {
    const res = await this.admin('GET', '/metrics', router);
    assert.equal(res.status, 200);
    return res.body;
  }

  /** Loads the case's table, sends its request and checks every expectation. */
  async run(c: Case, router: RunningRouter = this.router): Promise<HttpResponse> {
    await this.useRoutes(c.routes, c.backends);
    this.recorded.length = 0;
    const res = await send(c.port === 'admin' ? router.adminPort : router.port, c.request);
    this.check(c, res);
    return res;
  }

  check(c: Case, res: HttpResponse): void {
    const e = c.expect;
    const what = describeReq(c.request);
    assert.equal(res.status, e.status, `${what}: status (body ${JSON.stringify(res.body.slice(0, 200))})`);
    // Every public answer, whoever made it, can be traced by its request id.
    if (c.port !== 'admin') assert.ok(res.headers[REQUEST_ID_HEADER], `${what}: a ${REQUEST_ID_HEADER} header`);
    if (e.body !== undefined) {
      if (e.body instanceof RegExp) assert.match(res.body, e.body, `${what}: body`);
      else assert.equal(res.body, e.body, `${what}: body`);
    }
    if (e.json) {
      const body = JSON.parse(res.body) as Record<string, unknown>;
      for (const [k, v] of Object.entries(e.json)) assert.deepEqual(body[k], v, `${what}: JSON ${k}`);
    }
    if (e.location !== undefined) assert.equal(res.headers.location, e.location, `${what}: Location`);
    if (e.cached) assertRedirectCaching(res);
    for (const [name, check] of Object.entries(e.headers ?? {})) checkValue(this, `${what}: response ${name}`, res.headers[name], check);
    if (e.ms) {
      assert.ok(res.ms >= e.ms[0] && res.ms <= e.ms[1], `${what}: took ${res.ms.toFixed(0)} ms, expected ${e.ms[0]}-${e.ms[1]} ms`);
    }
    if (e.backend === 'none') {
      assert.deepEqual(this.recorded.map((r) => `${r.method} ${r.url}`), [], `${what}: nothing forwarded`);
    } else if (e.backend) {
      assert.equal(this.recorded.length, 1, `${what}: exactly one request forwarded, saw ${this.recorded.length}`);
      const got = this.recorded[0]!;
      const b = e.backend;
      if (b.server !== undefined) assert.equal(got.server, b.server, `${what}: forwarded to`);
      if (b.method !== undefined) assert.equal(got.method, b.method, `${what}: forwarded method`);
      if (b.url !== undefined) assert.equal(got.url, b.url, `${what}: forwarded request target`);
      if (b.httpVersion !== undefined) assert.equal(got.httpVersion, b.httpVersion, `${what}: forwarded HTTP version`);
      if (b.body !== undefined) assert.equal(got.body, b.body, `${what}: forwarded body`);
      const headers = joinHeaders(got.rawHeaders);
      for (const [name, check] of Object.entries(b.headers ?? {})) checkValue(this, `${what}: forwarded ${name}`, headers[name], check);
    }
  }

  async close(): Promise<void> {
    for (const r of this.routers) await r.stop().catch(() => undefined);
    for (const b of this.backends.values()) await b.close();
    await this.blackhole?.close();
    await this.testDb.close();
  }
}

/** Polls the admin `/routes` until its count is `n` (how a test proves a change arrived without asking for a reload). */
export function waitForRouteCount(h: RouterHarness, n: number, router: RunningRouter = h.router, ms = 5000): Promise<true> {
  return eventually(async () => {
    const res = await h.admin('GET', '/routes', router);
    return (JSON.parse(res.body) as { count: number }).count === n ? true : undefined;
  }, ms, `the router to load ${n} routes`);
}
