import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { PUBLISHED_DOCUMENTS, type Bus, type ConsumeOptions } from '../platform/bus/index.ts';
import type { Logger } from '../platform/log.ts';
import type { Purger } from './purge-types.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pathsIn(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((r) => (isObject(r) && typeof r.path === 'string' ? [r.path] : []));
}

/** A path as a request target carries it: anything outside printable ASCII percent-encoded. */
function asTarget(path: string): string {
  return /[^\x21-\x7e]/.test(path) ? encodeURI(path) : path;
}

/**
 * Every public path a publishing event's item is seen at: its base path,
 * its routes and redirects when the event carries them, and a guide's
 * parts (`<base_path>/<slug>`, served under its prefix route). The live
 * content store's events are the item as readers get it, which has no
 * routes list: the base path and the parts are what it shows of them.
 */
export function pathsOfEvent(body: unknown): string[] {
  if (!isObject(body)) return [];
  const base = typeof body.base_path === 'string' && body.base_path.startsWith('/') ? body.base_path : undefined;
  const paths = new Set<string>();
  if (base) paths.add(base);
  for (const p of [...pathsIn(body.routes), ...pathsIn(body.redirects)]) if (p.startsWith('/')) paths.add(p);
  const details = body.details;
  if (base && isObject(details) && Array.isArray(details.parts)) {
    for (const part of details.parts) {
      if (isObject(part) && typeof part.slug === 'string' && /^[\w-]+$/.test(part.slug)) paths.add(`${base === '/' ? '' : base}/${part.slug}`);
    }
  }
  return [...paths].map(asTarget);
}

export interface PurgeConsumerOptions {
  bus: Bus;
  /** The edge's own cache first, then any CDN peers. */
  purgers: readonly Purger[];
  log: Logger;
  /** A queue of this process's own; by default a fresh exclusive one, so every edge process sees every event. */
  queue?: string;
  consume?: ConsumeOptions;
}

/**
 * Soft-purges every path of each published, unpublished or vanished item
 * through every purger, so the next request for it goes to origin while
 * the old copy still stands in should origin fail. A purger that fails
 * fails the event, and the bus tries the whole event again (purging twice
 * does no harm). Resolves, once bound, to a stop function.
 */
export async function startPurgeConsumer(o: PurgeConsumerOptions): Promise<() => Promise<void>> {
  const queue = o.queue ?? `edge_purge.${hostname()}.${process.pid}.${randomUUID().slice(0, 8)}`;
  return o.bus.consume(
    PUBLISHED_DOCUMENTS,
    queue,
    ['#'],
    async (msg) => {
      const paths = pathsOfEvent(msg.body);
      if (paths.length === 0) return;
      const results = await Promise.allSettled(o.purgers.map((p) => p.purge(paths, { soft: true })));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${o.purgers[i]!.name}: ${(r.reason as Error)?.message ?? String(r.reason)}`] : []));
      o.log.debug({ event_id: msg.id, routing_key: msg.routingKey, paths, failed }, 'publishing event purged');
      if (failed.length > 0) throw new Error(`purge failed at ${failed.join('; ')}`);
    },
    { exclusive: true, ...o.consume },
  );
}
