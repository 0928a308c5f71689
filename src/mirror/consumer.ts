import { PUBLISHED_DOCUMENTS, type Bus, type BusMessage, type ConsumeOptions } from '../platform/bus/index.ts';
import type { Logger } from '../platform/log.ts';
import type { ObjectStore } from '../platform/object-store/index.ts';
import type { createCrawler } from './crawler.ts';
import { mirrorKey } from './layout.ts';

/** The durable queue the mirror reads publishing events from, unless configured otherwise. */
export const RECRAWL_QUEUE = 'mirror_recrawl';

/** Items whose paths answer 404 or 410 from now on: their copies go without asking the site. */
const REMOVED_TYPES = new Set(['vanish', 'gone']);

export interface EventPaths {
  /** Paths to fetch again. */
  crawl: string[];
  /** Paths whose copies to delete. */
  remove: string[];
  /** Paths that must answer with a page now (a 404 means the router has not caught up yet). */
  expectPage: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const pathsIn = (list: unknown): string[] =>
  Array.isArray(list) ? list.flatMap((entry) => (isObject(entry) && typeof entry.path === 'string' ? [entry.path] : [])) : [];

/**
 * The public paths a publishing event touches: the item's base path, its
 * routes and redirects, and a guide's parts (`/base/slug`), which the site
 * serves as pages of their own.
 */
export function eventPaths(body: unknown): EventPaths | undefined {
  if (!isObject(body) || typeof body.base_path !== 'string' || !body.base_path.startsWith('/')) return undefined;
  const base = body.base_path;
  const parts = isObject(body.details) && Array.isArray(body.details.parts)
    ? body.details.parts.flatMap((p) => (isObject(p) && typeof p.slug === 'string' && p.slug ? [`${base}/${p.slug}`] : []))
    : [];
  const all = [...new Set([base, ...pathsIn(body.routes), ...pathsIn(body.redirects), ...parts])].filter((p) => p.startsWith('/'));
  const type = String(body.document_type ?? body.schema_name ?? '');
  if (REMOVED_TYPES.has(type) || REMOVED_TYPES.has(String(body.schema_name ?? ''))) return { crawl: [], remove: all, expectPage: [] };
  const isRedirect = body.schema_name === 'redirect' || type === 'redirect';
  return { crawl: all, remove: [], expectPage: isRedirect ? [] : [base] };
}

export interface RecrawlOptions {
  bus: Bus;
  store: ObjectStore;
  crawler: ReturnType<typeof createCrawler>;
  log: Logger;
  /** RECRAWL_QUEUE by default. */
  queue?: string;
  consume?: ConsumeOptions;
}

/**
 * Keeps the mirror as fresh as the site: every publishing event re-crawls the
 * paths of the changed item, and an item gone or vanished loses its copies.
 * An event whose page cannot be fetched yet (the router still reloading, the
 * site down) fails, so the bus tries it again after its retry delay.
 */
export async function startRecrawling(o: RecrawlOptions): Promise<() => Promise<void>> {
  const handle = async (msg: BusMessage) => {
    const paths = eventPaths(msg.body);
    if (!paths) {
      o.log.warn({ event_id: msg.id, routing_key: msg.routingKey }, 'mirror: publishing event without a base_path ignored');
      return;
    }
    for (const path of paths.remove) {
      const key = mirrorKey(path);
      if (key) await o.store.delete(key);
    }
    if (paths.crawl.length === 0) {
      o.log.debug({ event_id: msg.id, removed: paths.remove }, 'mirror: copies removed');
      return;
    }
    const result = await o.crawler.crawlPaths(paths.crawl);
    const notYet = paths.expectPage.filter((p) => result.outcomes.get(p) === 'gone');
    if (result.failed > 0 || notYet.length > 0) {
      throw new Error(`mirror: re-crawl of ${paths.crawl.join(', ')} incomplete (${result.failed} failed${notYet.length ? `, ${notYet.join(', ')} not found yet` : ''})`);
    }
    o.log.debug({ event_id: msg.id, paths: paths.crawl, saved: result.saved }, 'mirror: re-crawled');
  };
  return o.bus.consume(PUBLISHED_DOCUMENTS, o.queue ?? RECRAWL_QUEUE, ['#'], handle, o.consume);
}
