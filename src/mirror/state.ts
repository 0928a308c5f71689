import type { ObjectStore } from '../platform/object-store/index.ts';
import type { CrawlProgress } from './crawler.ts';

/** Outside `mirror/`, so the mirror server never serves it. */
const LAST_CRAWL_KEY = 'mirror-state/last-full-crawl.json';

export interface CrawlRecord extends Omit<CrawlProgress, 'queued' | 'rate'> {
  startedAt: string;
  finishedAt: string;
}

/**
 * The last full crawl, kept beside the mirror, so a restarted process (or
 * another mirror process on the same store) knows when the next one is due.
 */
export async function lastFullCrawl(store: ObjectStore): Promise<CrawlRecord | undefined> {
  const object = await store.get(LAST_CRAWL_KEY);
  return object ? (JSON.parse(object.body.toString()) as CrawlRecord) : undefined;
}

export async function recordFullCrawl(store: ObjectStore, startedAt: number, finishedAt: number, result: CrawlProgress): Promise<void> {
  const { done, saved, redirects, gone, failed, elapsedMs } = result;
  const record: CrawlRecord = { startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(finishedAt).toISOString(), done, saved, redirects, gone, failed, elapsedMs };
  await store.put(LAST_CRAWL_KEY, JSON.stringify(record), { contentType: 'application/json' });
}
