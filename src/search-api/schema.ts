import { fileURLToPath } from 'node:url';
import type { Db } from '../platform/db/index.ts';
import { processedEventsTableSql } from '../platform/bus/index.ts';
import { migrate } from '../platform/migrations.ts';

export const SEARCH_SCHEMA = 'search';

const MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));

/** The index tables, and the consumer's record of events handled (idempotent, like every migration). */
export async function migrateSearch(db: Db): Promise<void> {
  await migrate(db, { schema: SEARCH_SCHEMA, dir: MIGRATIONS });
  await db.exec(processedEventsTableSql(SEARCH_SCHEMA));
}
