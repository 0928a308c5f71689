import { fileURLToPath } from 'node:url';
import type { Db } from '../platform/db/index.ts';
import { migrate } from '../platform/migrations.ts';

export const PUBLISHING_API_SCHEMA = 'publishing_api';

const MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));

export function migratePublishingApi(db: Db): Promise<string[]> {
  return migrate(db, { schema: PUBLISHING_API_SCHEMA, dir: MIGRATIONS });
}
