import type { Logger } from '../platform/log.ts';
import type { Clock } from './clock.ts';

export interface ScheduleOptions {
  /** Milliseconds from one full crawl's start to the next one's. */
  everyMs: number;
  /** Milliseconds after start for the first crawl of a mirror never crawled: the site's own start settles first. */
  firstDelayMs: number;
  clock: Clock;
  /** When the last full crawl started, wherever it ran; undefined if never. */
  lastCrawl(): Promise<number | undefined>;
  crawl(signal: AbortSignal): Promise<void>;
  log: Logger;
}

/**
 * Runs a full crawl when one is due, judged from the last crawl's record
 * rather than from this process's start, so a restart neither skips a day
 * nor crawls twice. A failed crawl is tried again after an hour (or the
 * interval, if shorter). `stop` abandons a crawl in progress.
 */
export function startSchedule(o: ScheduleOptions): { stop(): Promise<void> } {
  const controller = new AbortController();
  const { signal } = controller;
  const startedAt = o.clock.now();
  const retryMs = Math.min(o.everyMs, 3_600_000);
  const loop = (async () => {
    while (!signal.aborted) {
      let last: number | undefined;
      try {
        last = await o.lastCrawl();
      } catch (err) {
        o.log.warn({ err: (err as Error).message }, 'mirror: cannot read when the last crawl ran; trying again later');
        await o.clock.sleep(retryMs, signal);
        continue;
      }
      const due = last === undefined ? startedAt + o.firstDelayMs : last + o.everyMs;
      const wait = due - o.clock.now();
      if (wait > 0) {
        await o.clock.sleep(wait, signal);
        continue;
      }
      try {
        await o.crawl(signal);
      } catch (err) {
        if (signal.aborted) return;
        o.log.error({ err: (err as Error).message }, 'mirror: the scheduled crawl failed; trying again later');
        await o.clock.sleep(retryMs, signal);
      }
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
