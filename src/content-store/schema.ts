import { fileURLToPath } from 'node:url';
import type { Db } from '../platform/db/index.ts';
import { migrate } from '../platform/migrations.ts';

export type Stack = 'live' | 'draft';
export const STACKS: readonly Stack[] = ['live', 'draft'];

/** The schema holding one stack's content store and routes. */
export function contentStoreSchema(stack: Stack): string {
  return `content_store_${stack}`;
}

/** The channel the schema's route triggers NOTIFY on. */
export function routeChangesChannel(stack: Stack): string {
  return `${contentStoreSchema(stack)}_route_changes`;
}

const MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));

export async function migrateContentStore(db: Db, stack: Stack): Promise<string[]> {
  return migrate(db, { schema: contentStoreSchema(stack), dir: MIGRATIONS });
}
