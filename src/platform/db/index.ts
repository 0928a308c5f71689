import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import type { Db } from './types.ts';

export type { Db, Queryable, QueryResult, NotifyHandler } from './types.ts';
export { ident } from './types.ts';
export { isDatabaseUnavailable } from './unavailable.ts';

/** PostgreSQL when `DATABASE_URL` is set, otherwise PGlite under the data directory. */
export function openDb(config: Pick<Config, 'databaseUrl' | 'dataDir'>, log: Logger): Promise<Db> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, { log });
  mkdirSync(config.dataDir, { recursive: true });
  return openPglite(join(config.dataDir, 'pglite'));
}
