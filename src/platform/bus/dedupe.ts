import type { Db, Queryable } from '../db/index.ts';
import { ident } from '../db/index.ts';
import type { BusMessage } from './types.ts';

/**
 * Remembers which events a consumer has handled. Delivery is at least once (a
 * relay that dies between the broker's confirm and marking its row sends the
 * event again; a consumer that dies before its ack gets it again), so a consumer
 * that must act once per event puts its handler behind one of these.
 */
export interface DedupeStore<C = undefined> {
  /**
   * Runs `fn` unless `eventId` was handled before, and records it as handled
   * only if `fn` resolves (a failure leaves it to be retried). `fn` gets the
   * store's context: for the database store, the transaction the record is
   * written in, so the handler's own writes commit or roll back with it.
   */
  once(eventId: string, fn: (ctx: C) => Promise<void>): Promise<'handled' | 'duplicate'>;
}

/** Wraps a handler so each event id reaches it once (see DedupeStore for what "once" covers). */
export function dedupe<C>(
  handler: (msg: BusMessage, ctx: C) => Promise<void>,
  store: DedupeStore<C>,
  onDuplicate?: (msg: BusMessage) => void,
): (msg: BusMessage) => Promise<void> {
  return async (msg) => {
    const outcome = await store.once(msg.id, (ctx) => handler(msg, ctx));
    if (outcome === 'duplicate') onDuplicate?.(msg);
  };
}

/**
 * In memory, the last `max` ids (least recently seen dropped first): enough to
 * absorb the duplicates of a reconnect, not to survive a restart.
 */
export function memoryDedupeStore(max = 10_000): DedupeStore<undefined> {
  const seen = new Map<string, true>();
  const running = new Map<string, Promise<void>>();
  return {
    async once(eventId, fn) {
      // A duplicate that arrives while the first copy is being handled waits for its outcome.
      for (let inFlight = running.get(eventId); inFlight; inFlight = running.get(eventId)) await inFlight.catch(() => undefined);
      if (seen.has(eventId)) {
        seen.delete(eventId);
        seen.set(eventId, true);
        return 'duplicate';
      }
      const run = Promise.resolve().then(() => fn(undefined));
      running.set(eventId, run);
      try {
        await run;
      } finally {
        running.delete(eventId);
      }
      seen.set(eventId, true);
      if (seen.size > max) seen.delete(seen.keys().next().value!);
      return 'handled';
    },
  };
}

/** The table the database store keeps its records in, for the consuming service's migrations. Unqualified without a schema. */
export function processedEventsTableSql(schema?: string): string {
  const t = schema ? `${ident(schema)}.processed_events` : 'processed_events';
  return `CREATE TABLE IF NOT EXISTS ${t} (
  consumer text NOT NULL,
  event_id text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX IF NOT EXISTS processed_events_processed_at ON ${t} (processed_at);
`;
}

/**
 * In the consumer's database (`processed_events` in `schema`), so "once" holds
 * across restarts. The record is claimed, the handler run and the transaction
 * committed together: a handler that writes only through the given transaction
 * takes effect exactly once. Effects outside it (an HTTP call, a print) happen at
 * least once. A copy arriving while the first is in flight waits on the row lock,
 * then sees the record. On PGlite the handler must use only the transaction.
 */
export function dbDedupeStore(db: Db, schema: string, consumer: string): DedupeStore<Queryable> {
  const table = `${ident(schema)}.processed_events`;
  return {
    once(eventId, fn) {
      return db.transaction(async (tx) => {
        const claim = await tx.query(`INSERT INTO ${table} (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [consumer, eventId]);
        if (claim.affectedRows === 0) return 'duplicate';
        await fn(tx);
        return 'handled';
      });
    },
  };
}

/** Forgets records older than `days`: keep them longer than any event can take to arrive twice. */
export async function pruneProcessedEvents(db: Queryable, schema: string, days: number): Promise<number> {
  const { affectedRows } = await db.query(
    `DELETE FROM ${ident(schema)}.processed_events WHERE processed_at < now() - make_interval(days => $1::int)`,
    [days],
  );
  return affectedRows;
}
