import type { Config } from './config.ts';
import { openDb, type Db } from './db/index.ts';
import { createLogger, type Logger } from './log.ts';
import { createQueue, type Queue } from './queue.ts';
import { openBus, type Bus } from './bus/index.ts';
import { openObjectStore, type ObjectStore } from './object-store/index.ts';
import { migrateContentStore, STACKS } from '../content-store/schema.ts';
import { migratePublishingApi } from '../publishing-api/schema.ts';
import { migrateSearch } from '../search-api/schema.ts';
import { migrateAuthenticatingProxy } from '../authenticating-proxy/schema.ts';
import { migrateSignon } from '../signon/schema.ts';
import { migrateTransition } from '../bouncer/schema.ts';

/** The collaborators every service is built from, chosen from configuration. */
export interface Platform {
  config: Config;
  log: Logger;
  db: Db;
  /** The job queue, started on first use (commands that need none never install or poll it). */
  queue(): Promise<Queue>;
  /** The event bus: RabbitMQ with AMQP_URL, else in-process; opened on first use. */
  bus(): Promise<Bus>;
  /** The object store: S3-compatible with OBJECT_STORE_URL, else files under `<dataDir>/objects`; opened on first use. */
  objectStore(): Promise<ObjectStore>;
  close(): Promise<void>;
}

/** Every service's schema, so any one process can start any target. */
export async function migrateAll(db: Db): Promise<void> {
  await migrateSignon(db);
  await migratePublishingApi(db);
  for (const stack of STACKS) await migrateContentStore(db, stack);
  await migrateSearch(db);
  await migrateAuthenticatingProxy(db);
  await migrateTransition(db);
}

export async function openPlatform(config: Config, log: Logger = createLogger({ level: config.logLevel })): Promise<Platform> {
  const db = await openDb(config, log);
  try {
    await migrateAll(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  let queue: Promise<Queue> | undefined;
  let bus: Promise<Bus> | undefined;
  let objectStore: Promise<ObjectStore> | undefined;
  return {
    config,
    log,
    db,
    queue() {
      queue ??= (async () => {
        const q = createQueue(db, { log });
        await q.start();
        return q;
      })();
      return queue;
    },
    bus() {
      bus ??= openBus(config, log);
      return bus;
    },
    objectStore() {
      objectStore ??= openObjectStore(config);
      return objectStore;
    },
    async close() {
      // The queue's last statements must finish before the database goes.
      if (queue) await (await queue).stop();
      if (bus) await (await bus).close();
      if (objectStore) await (await objectStore.catch(() => undefined))?.close();
      await db.close();
    },
  };
}
