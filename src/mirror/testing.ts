import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from './clock.ts';
import type { ObjectStore, StoredObject } from '../platform/object-store/index.ts';
import { checkKey } from '../platform/object-store/keys.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A page of the test site: a status, a content type and a body, or a handler of its own. */
export type SitePage = Handler | { status?: number; type?: string; body?: string; headers?: Record<string, string> };

export interface TestSite {
  origin: string;
  /** Every request, in arrival order: the target (path and query) and its User-Agent. */
  requests: { target: string; userAgent: string | undefined }[];
  /** Requests being answered now, and the most there ever were at once. */
  inFlight: { now: number; max: number };
  pages: Map<string, SitePage>;
  close(): Promise<void>;
}

/** A small website on a port the OS picks; pages are looked up by path and query as requested. */
export async function startTestSite(pages: Record<string, SitePage>, delayMs = 0): Promise<TestSite> {
  const site: Omit<TestSite, 'origin' | 'close'> = { requests: [], inFlight: { now: 0, max: 0 }, pages: new Map(Object.entries(pages)) };
  const server = createServer(async (req, res) => {
    const target = req.url ?? '/';
    site.requests.push({ target, userAgent: req.headers['user-agent'] });
    site.inFlight.now++;
    site.inFlight.max = Math.max(site.inFlight.max, site.inFlight.now);
    res.on('close', () => site.inFlight.now--);
    // Simulated latency, so several requests overlap when concurrency allows.
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const page = site.pages.get(target);
    if (page === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('not found');
    }
    if (typeof page === 'function') return void (await page(req, res));
    res.writeHead(page.status ?? 200, { 'content-type': page.type ?? 'text/html; charset=utf-8', ...page.headers });
    res.end(page.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    ...site,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  } as TestSite;
}

/** A clock whose sleeps pass at once, moving its time on: every wait asked for is recorded. */
export function instantClock(start = Date.UTC(2026, 0, 1)): Clock & { sleeps: number[] } {
  let time = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    async sleep(ms) {
      sleeps.push(ms);
      time += Math.max(0, ms);
    },
  };
}

/** An object store in memory, keys checked as the real ones check them, for tests of what is written where. */
export function memoryObjectStore(): ObjectStore & { objects: Map<string, StoredObject> } {
  const objects = new Map<string, StoredObject>();
  return {
    kind: 'files',
    objects,
    async put(key, body, { contentType }) {
      objects.set(checkKey(key), { body: Buffer.from(body), contentType, lastModified: new Date() });
    },
    async get(key) {
      return objects.get(key);
    },
    async delete(key) {
      objects.delete(key);
    },
    async *list(prefix) {
      for (const key of objects.keys()) if (key.startsWith(prefix)) yield key;
    },
    async close() {},
  };
}

/** A clock that moves only when told: sleeps end when `advance` passes their time. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let time = start;
  const sleepers = new Set<{ at: number; wake: () => void }>();
  const clock: Clock & { advance(ms: number): void; sleeping(): number } = {
    now: () => time,
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const sleeper = {
          at: time + ms,
          wake: () => {
            sleepers.delete(sleeper);
            resolve();
          },
        };
        sleepers.add(sleeper);
        signal?.addEventListener('abort', sleeper.wake, { once: true });
      });
    },
    advance(ms) {
      time += ms;
      for (const s of [...sleepers]) if (s.at <= time) s.wake();
    },
    sleeping: () => sleepers.size,
  };
  return clock;
}
