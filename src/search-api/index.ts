import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { pruneProcessedEvents, type Bus, type ConsumeOptions } from '../platform/bus/index.ts';
import type { Db } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import { startIndexing } from './consumer.ts';
import { migrateSearch, SEARCH_SCHEMA } from './schema.ts';
import { createSearchApp } from './server.ts';
import { SITEMAP_LIMIT } from './sitemap.ts';

export interface SearchApiDeps {
  db: Db;
  /** Where publishing events arrive: the in-process bus embedded, RabbitMQ in services mode. */
  bus: Bus;
  log: Logger;
  /** The durable queue to consume (`search_api_index` by default). */
  queue?: string;
  /** The public site's origin, for sitemap URLs. */
  publicOrigin: string;
  sitemapPageSize?: number;
  /** Retry and prefetch settings of the index consumer (the bus's defaults otherwise). */
  consume?: ConsumeOptions;
  /** How long stop() lets in-flight requests finish before cutting them (default 30 s). */
  shutdownTimeoutMs?: number;
}

export interface SearchApiService {
  readonly app: FastifyInstance;
  readonly metrics: Registry;
  /** Migrates, starts consuming publishing events, listens; resolves to the bound port. */
  start(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

/** How long a handled event id is remembered: far longer than any redelivery takes. */
const DEDUPE_RETENTION_DAYS = 7;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** The search API: indexes the publishing events and answers searches and sitemaps. */
export function createSearchApi(deps: SearchApiDeps): SearchApiService {
  const { db } = deps;
  const log = deps.log.child({ service: 'search-api' });
  const { app, metrics } = createSearchApp({ db, log, publicOrigin: deps.publicOrigin, sitemapPageSize: deps.sitemapPageSize ?? SITEMAP_LIMIT });
  const shutdownTimeoutMs = deps.shutdownTimeoutMs ?? 30_000;
  let stopIndexing: (() => Promise<void>) | undefined;
  let pruner: NodeJS.Timeout | undefined;

  const prune = () =>
    pruneProcessedEvents(db, SEARCH_SCHEMA, DEDUPE_RETENTION_DAYS).catch((err) => log.warn({ err }, 'could not prune the processed events'));

  return {
    app,
    metrics,
    async start(port, host) {
      await migrateSearch(db);
      stopIndexing = await startIndexing({ bus: deps.bus, db, log, queue: deps.queue, consume: deps.consume });
      pruner = setInterval(prune, PRUNE_EVERY_MS);
      pruner.unref();
      await app.listen({ port, host });
      const bound = (app.server.address() as AddressInfo).port;
      log.info({ port: bound }, 'search API listening');
      return bound;
    },
    async stop() {
      clearInterval(pruner);
      // Events stop first: an unacknowledged one goes back to the queue for the next consumer.
      await stopIndexing?.();
      const timer = setTimeout(() => app.server.closeAllConnections(), shutdownTimeoutMs);
      timer.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
