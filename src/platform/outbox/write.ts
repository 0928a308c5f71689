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
 * Records an event in the caller's transaction, so it exists exactly when the
 * change it announces commits, and wakes the relay (the NOTIFY is delivered on
 * commit, and one per transaction however many events it writes). Resolves to
 * the event's id, which is also its bus message id.
 */
export async function writeToOutbox(tx: Queryable, schema: string, event: OutboxEvent, opts: WriteOptions = {}): Promise<string> {
  const exchange = event.exchange ?? PUBLISHED_DOCUMENTS;
  shortString('exchange', exchange);
  shortString('routing key', event.routingKey);
  const body = JSON.stringify(event.body ?? null);
  if (body === undefined) throw new TypeError('an outbox event body must be JSON');
  const id = randomUUID();
  await tx.query(
    `INSERT INTO ${outboxTable(schema)} (id, exchange, routing_key, body, headers) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)`,
    [id, exchange, event.routingKey, body, JSON.stringify(event.headers ?? {})],
  );
  const channel = opts.notifyChannel ?? outboxChannel(schema);
  if (channel !== false) await tx.query("SELECT pg_notify($1, '')", [channel]);
  return id;
}
