import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db/index.ts';
import { ident } from './db/index.ts';

export interface MigrationSet {
  /** The schema the files are applied in (their unqualified names land there). */
  schema: string;
  /** A folder of `NNN-name.sql` files, applied in name order. */
  dir: string;
}

const LEDGER = `CREATE TABLE IF NOT EXISTS public.portico_migrations (
  schema_name text NOT NULL,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schema_name, name)
)`;

/**
 * Applies every migration file not yet recorded for the schema, each in its own
 * transaction with the schema first on the search_path, and records it there.
 * Safe to run from several processes at once: an advisory lock serialises them
 * and each re-checks the ledger under it.
 */
export async function migrate(db: Db, set: MigrationSet): Promise<string[]> {
  const schema = ident(set.schema);
  const files = readdirSync(set.dir).filter((f) => f.endsWith('.sql')).sort();
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('portico_migrations'))");
    await tx.exec(`${LEDGER}; CREATE SCHEMA IF NOT EXISTS ${schema}`);
  });
  for (const name of files) {
    const sql = readFileSync(join(set.dir, name), 'utf8');
    await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('portico_migrations'))");
      const done = await tx.query('SELECT 1 FROM public.portico_migrations WHERE schema_name = $1 AND name = $2', [set.schema, name]);
      if (done.rows.length > 0) return;
      await tx.exec(`SET LOCAL search_path TO ${schema}, public`);
      await tx.exec(sql);
      await tx.query('INSERT INTO public.portico_migrations (schema_name, name) VALUES ($1, $2)', [set.schema, name]);
      applied.push(name);
    });
  }
  return applied;
}
