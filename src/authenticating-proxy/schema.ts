import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Db, Queryable } from '../platform/db/index.ts';
import { migrate } from '../platform/migrations.ts';

export const AUTHENTICATING_PROXY_SCHEMA = 'authenticating_proxy';

const MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));

export function migrateAuthenticatingProxy(db: Db): Promise<string[]> {
  return migrate(db, { schema: AUTHENTICATING_PROXY_SCHEMA, dir: MIGRATIONS });
}

/** The preview-token key this database's proxies share: made by the first to ask, read by the rest. */
export async function generatedPreviewSecret(db: Queryable): Promise<string> {
  await db.query(
    `INSERT INTO authenticating_proxy.generated_secrets (name, value) VALUES ('preview_token', $1) ON CONFLICT (name) DO NOTHING`,
    [randomBytes(32).toString('base64url')],
  );
  const { rows } = await db.query<{ value: string }>(`SELECT value FROM authenticating_proxy.generated_secrets WHERE name = 'preview_token'`);
  return rows[0]!.value;
}
