import { fileURLToPath } from 'node:url';
import type { Db } from '../platform/db/index.ts';
import { migrate } from '../platform/migrations.ts';

export const SIGNON_SCHEMA = 'signon';

const MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));

export function migrateSignon(db: Db): Promise<string[]> {
  return migrate(db, { schema: SIGNON_SCHEMA, dir: MIGRATIONS });
}
