import { createServer, type Server } from 'node:http';
import type { Bouncer } from '../bouncer/types.ts';
import type { MirrorReader } from '../mirror/types.ts';
import type { Bus } from '../platform/bus/index.ts';
import { drain, listen } from '../platform/http.ts';
import { silentLogger, type Logger } from '../platform/log.ts';
import { createEdgeHandler } from './handler.ts';
import { hostClassifier } from './hosts.ts';
import type { EdgeCounts } from './ops.ts';
import { createOrigin } from './origin.ts';
import { startPurgeConsumer } from './purge-consumer.ts';
import type { Purger } from './purge-types.ts';
import { CacheStore } from './store.ts';

export type { EdgeCounts } from './ops.ts';
export { OPS_PREFIX } from './ops.ts';

/** A mirror with no pages: what the edge reads when none is wired. */
export const NO_MIRROR: MirrorReader = { read: async () => undefined };

/** A bouncer serving no hosts: what the edge asks when none is wired. */
export const NO_BOUNCER: Bouncer = {
  servesHost: () => false,
  handle: async () => {
    throw new Error('no bouncer is wired');
  },
  close: async () => undefined,
};

/** Loopback names `npm start` is reached by; www unless hosts are configured. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export interface EdgeOptions {
  /** Origin: the live router (`http://127.0.0.1:8084` on one host). */
  originUrl: string;
  /** What `PURGE` must carry in `Portico-Purge-Token`. */
  purgeToken: string;
  /** Bytes of responses kept, least recently used evicted first (256 MiB). */
  cacheBytes?: number;
  /** Largest single response kept; bigger ones are served, not stored (an eighth of cacheBytes). */
  maxObjectBytes?: number;
  /** Freshness of a cacheable response that states none (3600 s). */
  defaultTtlMs?: number;
  /** How long past freshness a copy stands in for a failing origin, unless it says `stale-if-error` (24 h). */
  staleIfErrorMs?: number;
  /** How long a page served from the mirror is kept before origin is tried again (900 s, GOV.UK's); 0 keeps none. */
  mirrorTtlMs?: number;
  /** How long a key whose response was uncacheable skips request coalescing (120 s, as Varnish's hit-for-pass). */
  passTtlMs?: number;
  /** Hosts that serve the site (LOOPBACK_HOSTS). */
  wwwHosts?: readonly string[];
  /** Hosts redirected (301) to `wwwOrigin` with path and query kept. */
  apexHosts?: readonly string[];
  /** www's origin, where the apex redirects (`http://127.0.0.1:8080`). */
  wwwOrigin?: string;
  /** Read when origin fails and no stale copy is left (NO_MIRROR). */
  mirror?: MirrorReader;
  /** Answers the hosts of retired sites (NO_BOUNCER). */
  bouncer?: Bouncer;
  /** With a bus, every publishing event purges its item's paths here and at `purgePeers`. */
  bus?: Bus;
  /** CDNs in front of or beside this edge, purged with it on each event. */
  purgePeers?: readonly Purger[];
  /** Milliseconds to connect to origin (5 s) and to its response head (15 s). */
  originConnectTimeoutMs?: number;
  originHeadersTimeoutMs?: number;
  /** Milliseconds a stopping edge lets requests in flight finish (10 s). */
  shutdownTimeoutMs?: number;
  log?: Logger;
  /** Milliseconds since the epoch; injected by tests. */
  now?: () => number;
}

export interface Edge {
  readonly server: Server;
  readonly cache: CacheStore;
  readonly counts: EdgeCounts;
  /** This edge's cache as a Purger, for a purge consumer elsewhere in the process. */
  readonly purger: Purger;
  /** Listens (port 0: one the OS picks) and starts the purge consumer; resolves to the bound port. */
  start(port: number, host: string): Promise<number>;
  /** Drains requests in flight, stops consuming events, closes origin connections. */
  stop(): Promise<void>;
  /** Soft (stale, kept for failures) or hard (gone) purge of every copy under each path; resolves to copies reached. */
  purge(paths: readonly string[], options: { soft: boolean }): number;
  /** Resolves when no origin fetch, background refresh or mirror read is running. */
  idle(): Promise<void>;
}

/**
 * Portico's public entry (www): a caching reverse proxy in front of the live
 * router, with purge, failover to the mirror and per-host answers. See
 * handler.ts for what each request gets.
 */
export function createEdge(o: EdgeOptions): Edge {
  const log = (o.log ?? silentLogger()).child({ service: 'edge' });
  const cacheBytes = o.cacheBytes ?? 256 * 1024 * 1024;
  const cache = new CacheStore(cacheBytes, o.maxObjectBytes);
  const origin = createOrigin({ url: o.originUrl, connectTimeoutMs: o.originConnectTimeoutMs, headersTimeoutMs: o.originHeadersTimeoutMs });
  const bouncer = o.bouncer ?? NO_BOUNCER;
  let accepting = false;
  const handler = createEdgeHandler({
    store: cache,
    origin,
    mirror: o.mirror ?? NO_MIRROR,
    bouncer,
    classify: hostClassifier({ www: o.wwwHosts ?? LOOPBACK_HOSTS, apex: o.apexHosts ?? [], bouncer }),
    wwwOrigin: (o.wwwOrigin ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
    purgeToken: o.purgeToken,
    policy: { defaultTtlMs: o.defaultTtlMs ?? 3_600_000, staleIfErrorMs: o.staleIfErrorMs ?? 86_400_000 },
    mirrorTtlMs: o.mirrorTtlMs ?? 900_000,
    passTtlMs: o.passTtlMs ?? 120_000,
    now: o.now ?? Date.now,
    log,
    ready: () => accepting,
  });
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, handler.handle);
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy(err);
  });
  const purger: Purger = {
    name: 'edge',
    purge: async (paths, { soft }) => {
      handler.purge(paths, soft);
    },
  };
  let stopConsuming: (() => Promise<void>) | undefined;

  return {
    server,
    cache,
    counts: handler.counts,
    purger,
    async start(port, host) {
      if (!o.purgeToken) throw new Error('the edge needs a purge token');
      if (o.bus) stopConsuming = await startPurgeConsumer({ bus: o.bus, purgers: [purger, ...(o.purgePeers ?? [])], log });
      const bound = await listen(server, port, host);
      accepting = true;
      log.info({ port: bound, origin: o.originUrl, cache_bytes: cacheBytes }, 'edge listening');
      return bound;
    },
    async stop() {
      accepting = false;
      await stopConsuming?.();
      await drain(server, o.shutdownTimeoutMs ?? 10_000);
      await handler.idle();
      await origin.close();
    },
    purge: (paths, { soft }) => handler.purge(paths, soft),
    idle: handler.idle,
  };
}
