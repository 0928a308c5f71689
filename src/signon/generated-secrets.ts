import type { Queryable } from '../platform/db/index.ts';

/**
 * The value kept under `name`, made by `make` on first use. Every signon
 * process on the database gets the same one, so a key made by one process
 * verifies in the others and survives restarts. Concurrent first uses agree:
 * the first insert wins and the others read it back.
 */
export async function generatedSecret<T>(db: Queryable, name: string, make: () => T | Promise<T>): Promise<T> {
  const existing = await db.query<{ value: T }>('SELECT value FROM signon.generated_secrets WHERE name = $1', [name]);
  if (existing.rows[0]) return existing.rows[0].value;
  await db.query('INSERT INTO signon.generated_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, JSON.stringify(await make())]);
  const { rows } = await db.query<{ value: T }>('SELECT value FROM signon.generated_secrets WHERE name = $1', [name]);
  return rows[0]!.value;
}
