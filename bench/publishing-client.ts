import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { sleep } from './procs.ts';
import type { StackProcess } from './publishing-process.ts';

/**
 * The editor's side of the publishing benchmark, run in the bench process on
 * the client CPU: PUT + publish through the Publishing API, and polling the
 * live router until a new path is served.
 */

const EXAMPLE = JSON.parse(readFileSync(new URL('../schemas/examples/answer.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** The example answer, moved to `basePath`. */
export function answerAt(basePath: string, n: number): Record<string, unknown> {
  return { ...EXAMPLE, base_path: basePath, title: `${String(EXAMPLE.title)} (${n})`, routes: [{ path: basePath, type: 'exact' }] };
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Clients {
  api: Pool;
  router: Pool;
  token: string;
  pollMs: number;
  close(): Promise<void>;
}

export function openClients(ports: { publishingApi: number; router: number }, token: string, pollMs: number, connections: number): Clients {
  // Keep-alive pools, as an editing app or a CDN would hold; the polls get their own.
  const api = new Pool(`http://127.0.0.1:${ports.publishingApi}`, { connections });
  const router = new Pool(`http://127.0.0.1:${ports.router}`, { connections: Math.max(2, connections) });
  return {
    api,
    router,
    token,
    pollMs,
    close: async () => void (await Promise.all([api.close(), router.close()])),
  };
}

async function call(c: Clients, method: 'PUT' | 'POST', path: string, body: unknown): Promise<void> {
  const res = await c.api.request({
    method,
    path,
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 400)}`);
}

/** The GET status of `path` through the live router. */
async function statusOf(c: Clients, path: string): Promise<number> {
  const res = await c.router.request({ method: 'GET', path });
  await res.body.dump();
  return res.statusCode;
}

/**
 * Polls the router every `pollMs` (from the start of one poll to the next)
 * until `path` answers 200; resolves to the time that answer arrived.
 */
export async function visibleAt(c: Clients, path: string, timeoutMs = 120_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const sent = performance.now();
    const status = await statusOf(c, path);
    const now = performance.now();
    if (status === 200) return now;
    // 404: not routed yet; 503: the table is still empty (the router's answer before any route).
    if (status !== 404 && status !== 503) throw new Error(`GET ${path} through the router answered ${status} while waiting for it to appear`);
    if (now > deadline) throw new Error(`${path} was not served by the router within ${timeoutMs} ms`);
    await sleep(Math.max(0, c.pollMs - (now - sent)));
  }
}

export interface PublishSample {
  /** PUT /v2/content/:id, start to response. */
  putMs: number;
  /** POST /v2/content/:id/publish, start to response. */
  publishMs: number;
  /** Start of the publish request to the first 200 from the router for the path. */
  visibleMs: number;
}

/** PUT and publish a new answer at `path`. */
export async function putAndPublish(c: Clients, path: string, n: number): Promise<{ putMs: number; publishStart: number; publishMs: number }> {
  const id = randomUUID();
  const started = performance.now();
  await call(c, 'PUT', `/v2/content/${id}`, answerAt(path, n));
  const publishStart = performance.now();
  await call(c, 'POST', `/v2/content/${id}/publish`, { update_type: 'major' });
  return { putMs: publishStart - started, publishStart, publishMs: performance.now() - publishStart };
}

/**
 * One latency sample: PUT, then publish while polling the router for the path.
 * The polling starts with the publish request, so a path served before the
 * publish response arrives is not missed.
 */
export async function publishSample(c: Clients, path: string, n: number): Promise<PublishSample> {
  const id = randomUUID();
  const started = performance.now();
  await call(c, 'PUT', `/v2/content/${id}`, answerAt(path, n));
  const publishStart = performance.now();
  let publishMs = NaN;
  const published = call(c, 'POST', `/v2/content/${id}/publish`, { update_type: 'major' }).then(() => (publishMs = performance.now() - publishStart));
  const [seen] = await Promise.all([visibleAt(c, path), published]);
  return { putMs: publishStart - started, publishMs, visibleMs: seen - publishStart };
}

/** The floor: one INSERT of the route straight into the live routes table, polled for the same way. */
export async function floorSample(c: Clients, stack: StackProcess, path: string): Promise<number> {
  const started = performance.now();
  const [seen] = await Promise.all([visibleAt(c, path), stack.call('insertRoute', { path })]);
  return seen - started;
}

export interface Burst {
  clients: number;
  docs: number;
  /** First PUT to last publish response. */
  apiSeconds: number;
  /** First PUT until every document is served by the router. */
  visibleSeconds: number;
  /** Each PUT + publish pair, start to publish response. */
  pairMs: number[];
}

/**
 * `docs` new documents PUT and published as fast as `clients` sequential
 * clients can go, then the time until the router serves all of them.
 */
export async function burst(c: Clients, tag: string, docs: number, clients: number): Promise<Burst> {
  const paths = Array.from({ length: docs }, (_, i) => `/bench-burst/${tag}/doc-${i}`);
  const pairMs: number[] = [];
  const lastOf: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, k) => {
      for (let i = next++; i < docs; i = next++) {
        const t = performance.now();
        await putAndPublish(c, paths[i]!, i);
        pairMs.push(performance.now() - t);
        lastOf[k] = paths[i]!;
      }
    }),
  );
  const apiDone = performance.now();
  // The last document of each client is among the last to reach the live store; poll those, then check every path.
  let last = apiDone;
  for (const p of lastOf) if (p) last = Math.max(last, await visibleAt(c, p));
  for (const p of paths) last = Math.max(last, (await statusOf(c, p)) === 200 ? 0 : await visibleAt(c, p));
  return { clients, docs, apiSeconds: (apiDone - started) / 1000, visibleSeconds: (last - started) / 1000, pairMs };
}
