import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/index.ts';
import { PUBLISHED_DOCUMENTS } from '../bus/types.ts';
import { shortString } from '../bus/types.ts';
import { outboxChannel, outboxTable } from './sql.ts';

export interface OutboxEvent {
  routingKey: string;
  body: unknown;
  headers?: Record<string, string>;
  /** `published_documents` unless said otherwise. */
  exchange?: string;
}

export interface WriteOptions {
  /** The channel the relay listens on (the schema's default), or false to send no NOTIFY. */
  notifyChannel?: string | false;
}

/**
 * The event as a row for jsonb_to_recordset, checked before anything is
 * written. The body is spliced in as serialised, not serialised again as part
 * of the record.
 */
function recordOf(event: OutboxEvent, id: string, n: number): string {
  const exchange = event.exchange ?? PUBLISHED_DOCUMENTS;
  shortString('exchange', exchange);
  shortString('routing key', event.routingKey);
  const body = JSON.stringify(event.body ?? null);
  if (body === undefined) throw new TypeError('an outbox event body must be JSON');
  return `{"body":${body},${JSON.stringify({ n, id, exchange, routing_key: event.routingKey, headers: event.headers ?? {} }).slice(1)}`;
}

/**
 * Records events in the caller's transaction, so they exist exactly when the
 * change they announce commits, and wakes the relay (the NOTIFY is delivered on
 * commit, and one per transaction however many events it writes). One INSERT
 * for all of them, relayed in the order given. Resolves to their ids, which are
 * also their bus message ids, in that order.
 */
export async function writeManyToOutbox(tx: Queryable, schema: string, events: readonly OutboxEvent[], opts: WriteOptions = {}): Promise<string[]> {
  if (events.length === 0) return [];
  const ids = events.map(() => randomUUID());
  const records = events.map((e, n) => recordOf(e, ids[n]!, n));
  // One JSON document rather than arrays: large bodies parse faster as jsonb
  // than as array elements, on PostgreSQL and PGlite alike. ORDER BY n: seq,
  // which the relay publishes by, is drawn in this order.
  await tx.query(
    `INSERT INTO ${outboxTable(schema)} (id, exchange, routing_key, body, headers)
     SELECT id, exchange, routing_key, body, headers
     FROM jsonb_to_recordset($1::jsonb) AS x(n integer, id uuid, exchange text, routing_key text, body jsonb, headers jsonb)
     ORDER BY n`,
    [`[${records.join(',')}]`],
  );
  const channel = opts.notifyChannel ?? outboxChannel(schema);
  if (channel !== false) await tx.query("SELECT pg_notify($1, '')", [channel]);
  return ids;
}

/** One event, as writeManyToOutbox writes it. Resolves to the event's id. */
export async function writeToOutbox(tx: Queryable, schema: string, event: OutboxEvent, opts: WriteOptions = {}): Promise<string> {
  const [id] = await writeManyToOutbox(tx, schema, [event], opts);
  return id!;
}
