import { fileURLToPath } from 'node:url';
import type { Db } from '../platform/db/index.ts';
import { migrate } from '../platform/migrations.ts';

export const TRANSITION_SCHEMA = 'transition';

/** Sent (with an empty payload) when a site, host, organisation or allow-listed host changes. */
export const TRANSITION_CHANGES_CHANNEL = 'transition_changes';

const MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));

export function migrateTransition(db: Db): Promise<string[]> {
  return migrate(db, { schema: TRANSITION_SCHEMA, dir: MIGRATIONS });
}
