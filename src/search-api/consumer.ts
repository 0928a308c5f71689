import { dbDedupeStore, dedupe, pruneProcessedEvents, PUBLISHED_DOCUMENTS, type Bus, type ConsumeOptions } from '../platform/bus/index.ts';
import { startPruning } from '../platform/housekeeping.ts';
import type { Db } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import { actionFor } from './document.ts';
import { applyAction } from './indexer.ts';
import { SEARCH_SCHEMA } from './schema.ts';

/** The durable queue the search API reads publishing events from, unless configured otherwise. */
export const INDEX_QUEUE = 'search_api_index';
/** Every `<schema_name>.<update_type>`: the index follows every live change. */
export const INDEX_PATTERNS = ['*.*'];

/** Days an event id is remembered: twice as long as the live store keeps an event it might send again. */
export const PROCESSED_EVENTS_RETENTION_DAYS = 14;

export interface IndexingOptions {
  bus: Bus;
  db: Db;
  log: Logger;
  /** INDEX_QUEUE by default. */
  queue?: string;
  /** Retries, prefetch: the bus's defaults unless given. */
  consume?: ConsumeOptions;
}

/**
 * Consumes publishing events into the index. Each event is applied in the
 * transaction that records its id, so a redelivered copy changes nothing; a
 * failure rolls both back and the bus retries it, then dead-letters it to
 * `<queue>.dead`. Ids older than PROCESSED_EVENTS_RETENTION_DAYS are forgotten
 * hourly. Resolves, once bound, to a stop function.
 */
export async function startIndexing(o: IndexingOptions): Promise<() => Promise<void>> {
  const handler = dedupe(
    async (msg, tx) => {
      const action = actionFor(msg.routingKey, msg.body);
      const outcome = await applyAction(tx, action);
      const basePath = action.action === 'index' ? action.document.base_path : action.base_path;
      o.log.debug({ event_id: msg.id, routing_key: msg.routingKey, base_path: basePath, outcome }, 'publishing event applied to the search index');
    },
    dbDedupeStore(o.db, SEARCH_SCHEMA, 'search-api'),
    (msg) => o.log.debug({ event_id: msg.id }, 'duplicate publishing event skipped'),
  );
  const stopConsuming = await o.bus.consume(PUBLISHED_DOCUMENTS, o.queue ?? INDEX_QUEUE, INDEX_PATTERNS, handler, o.consume);
  const pruning = startPruning({
    what: 'processed event ids',
    prune: () => pruneProcessedEvents(o.db, SEARCH_SCHEMA, PROCESSED_EVENTS_RETENTION_DAYS),
    log: o.log,
  });
  return async () => {
    await pruning.stop();
    await stopConsuming();
  };
}
