import type { Queryable } from '../db/index.ts';
import { ident } from '../db/index.ts';

/** `schema.outbox`, quoted; the bare name when no schema is given (a migration runs with its schema on the search_path). */
export function outboxTable(schema?: string): string {
  return schema ? `${ident(schema)}.outbox` : 'outbox';
}

/**
 * The outbox table, for the calling service's migrations: events written in the
 * same transaction as the change they announce, waiting for the relay.
 * `seq` orders them as written (created_at alone ties within a transaction).
 */
export function outboxTableSql(schema?: string): string {
  const t = outboxTable(schema);
  return `CREATE TABLE IF NOT EXISTS ${t} (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  exchange text NOT NULL,
  routing_key text NOT NULL,
  body jsonb NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON ${t} (seq) WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_published_at ON ${t} (published_at) WHERE published_at IS NOT NULL;
`;
}

/** The NOTIFY channel writers wake the relay on, unless both are told another. */
export function outboxChannel(schema: string): string {
  ident(schema);
  return `${schema}_outbox`;
}

/** Deletes events published more than `days` ago; unpublished ones are never touched. Resolves to how many went. */
export async function pruneOutbox(db: Queryable, schema: string, days: number): Promise<number> {
  const { affectedRows } = await db.query(
    `DELETE FROM ${outboxTable(schema)} WHERE published_at < now() - make_interval(days => $1::int)`,
    [days],
  );
  return affectedRows;
}

/** How far behind the relay is: for health checks and metrics. */
export async function outboxBacklog(db: Queryable, schema: string): Promise<{ unpublished: number; oldest: Date | null }> {
  const { rows } = await db.query<{ n: number; oldest: Date | null }>(
    `SELECT count(*)::int AS n, min(created_at) AS oldest FROM ${outboxTable(schema)} WHERE published_at IS NULL`,
  );
  return { unpublished: rows[0]!.n, oldest: rows[0]!.oldest };
}
