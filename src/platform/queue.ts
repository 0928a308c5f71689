import PgBoss from 'pg-boss';
import type { Db, Queryable } from './db/index.ts';
import type { Logger } from './log.ts';

export interface Job<T> {
  id: string;
  name: string;
  data: T;
}

export interface RetryOptions {
  /** Attempts after the first (2 unless set); 0 fails the job on its first error. */
  retryLimit?: number;
  /** Seconds between attempts. */
  retryDelay?: number;
  /** Doubles the delay after each attempt. */
  retryBackoff?: boolean;
}

export interface QueueOptions extends RetryOptions {
  /** Seconds a handler may run before its attempt counts as failed. */
  expireInSeconds?: number;
  /** A queue (created first) that receives a copy of each job that has failed its last attempt. */
  deadLetter?: string;
}

export interface SendOptions extends RetryOptions {
  /** Not before this time, or this many seconds from now. */
  startAfter?: Date | number;
  /**
   * Enqueue as part of this transaction: the job exists only if it commits. On
   * PGlite this is the only way to send from inside a transaction, as a send on
   * the Db itself would wait for the transaction to end.
   */
  tx?: Queryable;
}

export interface WorkOptions {
  /** How often an idle worker looks for jobs; at least 0.5 (pg-boss's floor), 2 by default. */
  pollingIntervalSeconds?: number;
}

/** Background jobs, stored in the service's own database. */
export interface Queue {
  /** Installs or upgrades the queue's tables if needed, and starts maintenance. */
  start(): Promise<void>;
  /**
   * Stops taking jobs, waits for handlers already running, and resolves once the
   * queue has no statement in flight, so the Db can be closed straight after.
   */
  stop(): Promise<void>;
  /** Creates the queue if it does not exist; the options of an existing queue are left as they are. */
  createQueue(name: string, options?: QueueOptions): Promise<void>;
  /** Resolves to the new job's id. */
  send(name: string, data: object, options?: SendOptions): Promise<string>;
  /**
   * Runs `handler` for each job, one at a time per worker. A job whose handler
   * throws is retried as its queue or send options say, then marked failed.
   * Resolves to the worker's id.
   */
  work<T extends object>(name: string, handler: (job: Job<T>) => Promise<void>, options?: WorkOptions): Promise<string>;
}

export interface CreateQueueOptions {
  /** The schema pg-boss keeps its tables in. */
  schema?: string;
  log: Logger;
}

/**
 * The job queue, on pg-boss over the service's Db (PGlite or PostgreSQL), so
 * jobs live next to the data they are about and can be sent in its transactions.
 */
export function createQueue(db: Db, opts: CreateQueueOptions): Queue {
  const inflight = new Set<Promise<unknown>>();
  function track<T>(promise: Promise<T>): Promise<T> {
    inflight.add(promise);
    const done = () => inflight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  function executor(q: Queryable): PgBoss.Db {
    return {
      // pg-boss sends its schema installs and maintenance as multi-statement SQL,
      // some in BEGIN ... COMMIT, without parameters: that is exec, which PGlite's
      // single-statement query refuses. The last statement's rows are the answer.
      async executeSql(text, values) {
        if (values && values.length > 0) return track(q.query(text, values));
        const results = await track(q.exec(text));
        return { rows: results.at(-1)?.rows ?? [] };
      },
    };
  }

  const boss = new PgBoss({
    db: executor(db),
    schema: opts.schema ?? 'pgboss',
    // Cron schedules are not offered here; without them pg-boss runs two fewer polling loops.
    schedule: false,
  });
  // pg-boss reports worker and maintenance failures as 'error' events; unheard, they would crash the process.
  boss.on('error', (err) => opts.log.error({ err }, 'job queue error'));

  return {
    async start() {
      await boss.start();
    },

    async stop() {
      await boss.stop({ graceful: true, wait: true });
      // pg-boss resolves once no handler is running, but a fetch already sent can
      // still start one, and it does not wait for the completion it records
      // after each. Those are all microtask continuations of work tracked here, so
      // by the next macrotask each has either finished or been tracked.
      while (inflight.size > 0) {
        await Promise.allSettled(inflight);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },

    async createQueue(name, options = {}) {
      await boss.createQueue(name, { name, ...options });
    },

    async send(name, data, options = {}) {
      const { tx, ...rest } = options;
      const id = await boss.send(name, data, tx ? { ...rest, db: executor(tx) } : rest);
      // pg-boss inserts the job joined to its queue's row: no row, no job, no error.
      if (id === null) throw new Error(`no job queue named ${JSON.stringify(name)}: create it first`);
      return id;
    },

    async work<T extends object>(name: string, handler: (job: Job<T>) => Promise<void>, options: WorkOptions = {}) {
      return boss.work<T>(name, { ...options, batchSize: 1 }, async (jobs) => {
        for (const { id, data } of jobs) {
          const run = track(handler({ id, name, data }));
          try {
            await run;
          } catch (err) {
            opts.log.warn({ err, queue: name, job_id: id }, 'job failed');
            throw err;
          }
        }
      });
    },
  };
}
