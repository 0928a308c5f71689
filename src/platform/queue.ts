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
  /** Waiting jobs of a higher priority are taken first (0 by default); among equals, the oldest first. */
  priority?: number;
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
  /**
   * How often an idle worker looks for jobs, 2 by default. A send wakes idle
   * workers at once through NOTIFY, so this is only the safety net for a
   * notification missed across a reconnect, and for retries coming due.
   */
  pollingIntervalSeconds?: number;
  /** Jobs fetched at a time (each handled in turn), 1 by default. */
  batchSize?: number;
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
  /** Many jobs in one statement (a fan-out of thousands), with the queue's own retry policy. */
  sendMany(name: string, data: object[], options?: Pick<SendOptions, 'tx' | 'priority'>): Promise<void>;
  /**
   * Runs `handler` for each job, one at a time per worker. A job whose handler
   * throws is retried as its queue or send options say, then marked failed.
   * Several workers on one queue (in one process or many) share its jobs.
   * Resolves to a function that stops this worker once its current job is done.
   */
  work<T extends object>(name: string, handler: (job: Job<T>) => Promise<void>, options?: WorkOptions): Promise<() => Promise<void>>;
  /** Jobs in a queue in a state before `before`: by default waiting or due for retry; 'completed' counts running ones too. */
  size(name: string, before?: 'active' | 'completed'): Promise<number>;
}

export interface CreateQueueOptions {
  /** The schema pg-boss keeps its tables in. */
  schema?: string;
  log: Logger;
}

/** The channel a send NOTIFYs so idle workers fetch at once instead of at their next poll. */
export function jobsChannel(schema = 'pgboss'): string {
  return `${schema}_jobs`;
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

  const schema = opts.schema ?? 'pgboss';
  const channel = jobsChannel(schema);
  const boss = new PgBoss({
    db: executor(db),
    schema,
    // Cron schedules are not offered here; without them pg-boss runs two fewer polling loops.
    schedule: false,
  });
  // pg-boss reports maintenance failures as 'error' events; unheard, they would crash the process.
  boss.on('error', (err) => opts.log.error({ err }, 'job queue error'));

  let stopping = false;
  let unlisten: (() => Promise<void>) | undefined;
  const loops = new Set<Promise<void>>();
  // Idle workers, by queue name, each waiting for a wake-up or its poll interval.
  const idle = new Map<string, Set<() => void>>();
  const wake = (name?: string) => {
    for (const [queue, waiters] of idle) {
      if (name && queue !== name) continue;
      for (const w of waiters) w();
      waiters.clear();
    }
  };
  const pause = (name: string, ms: number) =>
    new Promise<void>((resolve) => {
      const waiters = idle.get(name) ?? new Set();
      idle.set(name, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });

  async function loop<T extends object>(name: string, handler: (job: Job<T>) => Promise<void>, options: WorkOptions, halted: () => boolean) {
    const pollMs = (options.pollingIntervalSeconds ?? 2) * 1000;
    while (!stopping && !halted()) {
      let jobs: PgBoss.Job<T>[];
      try {
        jobs = await track(boss.fetch<T>(name, { batchSize: options.batchSize ?? 1 }));
      } catch (err) {
        opts.log.error({ err, queue: name }, 'fetching jobs failed');
        await pause(name, pollMs);
        continue;
      }
      if (jobs.length === 0) {
        await pause(name, pollMs);
        continue;
      }
      for (const { id, data } of jobs) {
        try {
          await track(handler({ id, name, data }));
          await track(boss.complete(name, id));
        } catch (err) {
          opts.log.warn({ err, queue: name, job_id: id }, 'job failed');
          await track(boss.fail(name, id, { message: (err as Error).message })).catch((e) =>
            opts.log.error({ err: e, queue: name, job_id: id }, 'recording a job failure failed; it will expire and retry'),
          );
        }
      }
    }
  }

  return {
    async start() {
      await boss.start();
      unlisten = await db.listen(channel, (payload) => wake(payload || undefined));
    },

    async stop() {
      stopping = true;
      wake();
      await Promise.allSettled(loops);
      await unlisten?.();
      await boss.stop({ graceful: true, wait: true });
      // A completion recorded after a handler is a microtask continuation of
      // work tracked here, so by the next macrotask each has finished or been tracked.
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
      // In a transaction the notification goes out at commit, when the job becomes visible.
      await (tx ?? db).query('SELECT pg_notify($1, $2)', [channel, name]);
      return id;
    },

    async sendMany(name, data, options = {}) {
      if (data.length === 0) return;
      const { tx, priority } = options;
      const connection = tx ? { db: executor(tx) } : {};
      for (let i = 0; i < data.length; i += 5000) {
        await boss.insert(data.slice(i, i + 5000).map((d) => ({ name, data: d, priority })), connection);
      }
      await (tx ?? db).query('SELECT pg_notify($1, $2)', [channel, name]);
    },

    async work<T extends object>(name: string, handler: (job: Job<T>) => Promise<void>, options: WorkOptions = {}) {
      let halted = false;
      const running: Promise<void> = loop(name, handler, options, () => halted).finally(() => loops.delete(running));
      loops.add(running);
      return async () => {
        halted = true;
        wake(name);
        await running;
      };
    },

    size: (name, before) => boss.getQueueSize(name, before ? { before } : undefined),
  };
}
