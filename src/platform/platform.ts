import type { Config } from './config.ts';
import { openDb, type Db } from './db/index.ts';
import { createLogger, type Logger } from './log.ts';
import { migrateContentStore, STACKS } from '../content-store/schema.ts';
import { migratePublishingApi } from '../publishing-api/schema.ts';
import { migrateSignon } from '../signon/schema.ts';

/** The collaborators every service is built from, chosen from configuration. */
export interface Platform {
  config: Config;
  log: Logger;
  db: Db;
  close(): Promise<void>;
}

/** Every service's schema, so any one process can start any target. */
export async function migrateAll(db: Db): Promise<void> {
  await migrateSignon(db);
  await migratePublishingApi(db);
  for (const stack of STACKS) await migrateContentStore(db, stack);
}

export async function openPlatform(config: Config, log: Logger = createLogger({ level: config.logLevel })): Promise<Platform> {
  const db = await openDb(config, log);
  try {
    await migrateAll(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return { config, log, db, close: () => db.close() };
}
