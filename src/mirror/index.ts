import type { Bus } from '../platform/bus/index.ts';
import type { MirrorConfig } from '../platform/config.ts';
import type { Logger } from '../platform/log.ts';
import type { ObjectStore } from '../platform/object-store/index.ts';
import { systemClock, type Clock } from './clock.ts';
import { startRecrawling } from './consumer.ts';
import { createCrawler, type CrawlOptions, type CrawlProgress } from './crawler.ts';
import { startSchedule } from './schedule.ts';
import { createMirrorServer } from './server.ts';
import { lastFullCrawl, recordFullCrawl } from './state.ts';

export { createMirrorReader } from './reader.ts';
export { createCrawler, USER_AGENT, type CrawlProgress } from './crawler.ts';
export type { MirrorPage, MirrorReader } from './types.ts';

export interface MirrorServiceOptions {
  store: ObjectStore;
  /** Publishing events to re-crawl from; without one only the schedule keeps the mirror fresh. */
  bus: Bus | undefined;
  log: Logger;
  config: MirrorConfig;
  /** Origins that are the same site as `config.origin`: the public www origin. */
  siteOrigins: string[];
  clock?: Clock;
  shutdownTimeoutMs?: number;
}

/** The crawler a mirror configuration describes. */
export function crawlerFor(config: MirrorConfig, o: Pick<CrawlOptions, 'store' | 'siteOrigins' | 'log' | 'clock' | 'onProgress' | 'signal'>) {
  return createCrawler({ origin: config.origin, concurrency: config.concurrency, ratePerSecond: config.ratePerSecond, deny: config.deny, ...o });
}

/**
 * The mirror: a static copy of the live site in the object store, served on
 * its own port for a CDN's failover, refreshed by a full crawl on a schedule
 * and by re-crawling what each publishing event changed.
 */
export function createMirror(o: MirrorServiceOptions) {
  const clock = o.clock ?? systemClock;
  const server = createMirrorServer({ store: o.store, log: o.log, shutdownTimeoutMs: o.shutdownTimeoutMs });
  const events = crawlerFor(o.config, { store: o.store, siteOrigins: o.siteOrigins, log: o.log, clock });
  let stopConsuming: (() => Promise<void>) | undefined;
  let schedule: { stop(): Promise<void> } | undefined;

  /** A full crawl, recorded so the schedule knows when the next is due. */
  async function crawlAll(signal?: AbortSignal): Promise<CrawlProgress> {
    const started = clock.now();
    o.log.info({ origin: o.config.origin }, 'mirror: full crawl started');
    const result = await crawlerFor(o.config, { store: o.store, siteOrigins: o.siteOrigins, log: o.log, clock, signal }).crawlSite();
    if (signal?.aborted) return result;
    await recordFullCrawl(o.store, started, clock.now(), result);
    o.log.info({ ...result }, 'mirror: full crawl finished');
    return result;
  }

  return {
    crawlAll,
    async start(port: number, host: string): Promise<number> {
      const bound = await server.start(port, host);
      if (o.bus) stopConsuming = await startRecrawling({ bus: o.bus, store: o.store, crawler: events, log: o.log, queue: o.config.queue });
      schedule = startSchedule({
        everyMs: o.config.crawlIntervalMs,
        firstDelayMs: o.config.firstCrawlDelayMs,
        clock,
        log: o.log,
        lastCrawl: async () => {
          const last = await lastFullCrawl(o.store);
          return last && Date.parse(last.startedAt);
        },
        crawl: async (signal) => void (await crawlAll(signal)),
      });
      return bound;
    },
    async stop() {
      await schedule?.stop();
      await stopConsuming?.();
      await server.stop();
    },
  };
}
