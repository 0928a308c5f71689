import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Authenticate } from '../platform/auth.ts';
import type { Db } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import type { Bus } from '../platform/bus/index.ts';
import { startPruning } from '../platform/housekeeping.ts';
import { pruneOutbox, startOutboxRelay, type OutboxRelay } from '../platform/outbox/index.ts';
import { contentStoreSchema, type Stack } from './schema.ts';
import { createContentStoreApp } from './server.ts';

export interface ContentStoreDeps {
  stack: Stack;
  db: Db;
  log: Logger;
  authenticate: Authenticate;
  /** max-age of live answers in seconds (default 300); details.max_cache_time can only lower it. */
  defaultTtlSeconds?: number;
  /** Source of updated_at (default: the system clock). */
  clock?: () => Date;
  /** Largest accepted PUT body (default 16 MiB: expanded links make items large). */
  bodyLimitBytes?: number;
  /** How long stop() lets in-flight requests finish before cutting them (default 30 s). */
  shutdownTimeoutMs?: number;
  /**
   * The live store announces every write on this bus (`published_documents`),
   * through an outbox written in the write's transaction and relayed from here.
   */
  bus?: Bus;
}

export interface ContentStoreService {
  readonly stack: Stack;
  readonly app: FastifyInstance;
  /** This store's Prometheus registry, served at /metrics. */
  readonly metrics: Registry;
  /** Listens; resolves to the bound port (useful with port 0). */
  start(port: number, host: string): Promise<number>;
  /** Stops accepting and lets in-flight requests finish. */
  stop(): Promise<void>;
}

export const DEFAULT_TTL_SECONDS = 300;

/** Days a relayed event stays in the outbox: long enough to look into what was sent, short enough that a fan-out's 100,000 events do not pile up. */
export const OUTBOX_RETENTION_DAYS = 7;

/** A live or draft content store: the same code on a different schema and port. */
export function createContentStore(deps: ContentStoreDeps): ContentStoreService {
  const { stack, db, authenticate } = deps;
  const ttl = deps.defaultTtlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 0) throw new Error(`defaultTtlSeconds must be a whole number of seconds, got ${ttl}`);
  const log = deps.log.child({ service: `content-store-${stack}` });
  const { app, metrics } = createContentStoreApp({
    stack,
    db,
    log,
    authenticate,
    defaultTtlSeconds: ttl,
    clock: deps.clock ?? (() => new Date()),
    bodyLimitBytes: deps.bodyLimitBytes ?? 16 * 1024 * 1024,
    events: Boolean(deps.bus) && stack === 'live',
  });
  let relay: OutboxRelay | undefined;
  let pruning: { stop(): Promise<void> } | undefined;
  const shutdownTimeoutMs = deps.shutdownTimeoutMs ?? 30_000;

  return {
    stack,
    app,
    metrics,
    async start(port, host) {
      if (deps.bus && stack === 'live') {
        const schema = contentStoreSchema(stack);
        relay = await startOutboxRelay({ db, schema, bus: deps.bus, log });
        pruning = startPruning({ what: 'relayed outbox events', prune: () => pruneOutbox(db, schema, OUTBOX_RETENTION_DAYS), log });
      }
      await app.listen({ port, host });
      const bound = (app.server.address() as AddressInfo).port;
      log.info({ port: bound }, 'content store listening');
      return bound;
    },
    async stop() {
      // close() waits for in-flight requests; a stuck one must not hold shutdown forever.
      const timer = setTimeout(() => app.server.closeAllConnections(), shutdownTimeoutMs);
      timer.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
      // After the last write: whatever it announced is relayed now or by the next relay to start.
      await pruning?.stop();
      await relay?.stop();
    },
  };
}
