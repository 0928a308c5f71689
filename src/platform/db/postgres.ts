import pg from 'pg';
import type { Logger } from '../log.ts';
import type { Db, NotifyHandler, Queryable, QueryResult } from './types.ts';
import { ident } from './types.ts';
import { connectionLost } from './unavailable.ts';

export interface PostgresOptions {
  max?: number;
  log: Logger;
  /** First and longest wait between attempts to re-open the LISTEN connection. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

type Run = (sql: string, params?: unknown[]) => Promise<pg.QueryResult | pg.QueryResult[]>;

function wrap(run: Run): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = (await run(sql, params as unknown[])) as pg.QueryResult;
      return { rows: result.rows as R[], affectedRows: result.rowCount ?? 0 };
    },
    async exec(sql: string) {
      const result = await run(sql);
      // node-postgres answers a multi-statement string with an array, a single statement without one.
      return (Array.isArray(result) ? result : [result]).map((r) => ({ rows: r.rows, affectedRows: r.rowCount ?? 0 }));
    },
  };
}

/**
 * LISTEN needs a connection of its own that outlives any query. This one
 * re-opens itself with backoff when the server drops it, re-LISTENs every
 * channel, and tells each handler it may have missed notifications.
 */
class Listener {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly handlers = new Map<string, Set<NotifyHandler>>();
  private closed = false;
  private delay: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly opts: Required<Omit<PostgresOptions, 'max'>>,
  ) {
    this.delay = opts.reconnectMinMs;
  }

  async add(channel: string, handler: NotifyHandler): Promise<() => Promise<void>> {
    const quoted = ident(channel);
    let set = this.handlers.get(channel);
    const first = !set;
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
    await this.ensure();
    if (first) await this.client?.query(`LISTEN ${quoted}`);
    return async () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(channel) === set) {
        this.handlers.delete(channel);
        await this.client?.query(`UNLISTEN ${quoted}`).catch(() => undefined);
      }
    };
  }

  private ensure(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      for (const h of this.handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners('end');
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.opts.log.warn({ err: err?.message }, 'database listen connection lost; reconnecting');
      this.schedule();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${ident(channel)}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.delay = this.opts.reconnectMinMs;
  }

  private schedule(): void {
    this.timer = setTimeout(async () => {
      try {
        await this.ensure();
        if (this.closed) return;
        this.opts.log.info('database listen connection re-established');
        for (const set of this.handlers.values()) for (const h of set) h('');
      } catch (err) {
        this.delay = Math.min(this.delay * 2, this.opts.reconnectMaxMs);
        this.opts.log.warn({ err: (err as Error).message, retry_in_ms: this.delay }, 'database listen reconnect failed');
        if (!this.closed) this.schedule();
      }
    }, this.delay);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/**
 * PostgreSQL through node-postgres: a pool for statements and one connection for LISTEN.
 *
 * On connection loss (server restart, pg_terminate_backend, idle-session timeout,
 * a reset socket) what callers see is:
 * - Statements outside a transaction (query, exec, notify, ping): a pooled
 *   connection that had died while idle is dropped and the statement run on the
 *   next one, until it runs or fails on a connection opened for it. A statement
 *   that failed this way did not commit (a terminated backend rolls back what it
 *   was running), so running it again is safe; the one case that runs a
 *   statement twice is a network failure after the server committed it but
 *   before the reply arrived.
 * - transaction(): the same for its BEGIN. Once `fn` has run, a lost connection
 *   rejects the transaction (the server rolls it back) and it is not retried,
 *   since `fn` may have had effects of its own.
 * - Any other error is the caller's, never retried.
 * - LISTEN reconnects by itself with backoff; see `listen` for what handlers see.
 */
export async function openPostgres(url: string, opts: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  // An idle client whose server went away emits here; without a handler the process dies.
  pool.on('error', (err) => opts.log.warn({ err: err.message }, 'idle database connection lost'));
  const listener = new Listener(url, {
    log: opts.log,
    reconnectMinMs: opts.reconnectMinMs ?? 100,
    reconnectMaxMs: opts.reconnectMaxMs ?? 5000,
  });
  const used = new WeakSet<pg.PoolClient>();

  /**
   * Checks out a connection and runs `first` on it; see above for when it moves
   * on to another. `release` must be called once the caller is done with it.
   */
  async function checkout<T>(first: (client: pg.PoolClient) => Promise<T>) {
    for (;;) {
      const client = await pool.connect();
      const reused = used.has(client);
      used.add(client);
      // A checked-out client has no error listener of its own: if its server goes
      // away while no statement is running, the 'error' would kill the process.
      let broken: Error | undefined;
      const onError = (err: Error) => (broken ??= err);
      client.on('error', onError);
      // Released with an error, the pool closes the connection rather than reuse
      // it, as pool.query does: a failed exec may have left it inside a BEGIN.
      const release = (err?: Error) => {
        client.off('error', onError);
        client.release(err ?? broken);
      };
      try {
        return { client, release, value: await first(client) };
      } catch (err) {
        release(err as Error);
        if (!reused || !connectionLost(err)) throw err;
        opts.log.warn({ err: (err as Error).message }, 'pooled database connection had been lost; trying another');
      }
    }
  }

  const base = wrap(async (sql, params) => {
    const { release, value } = await checkout((client) => client.query(sql, params) as Promise<pg.QueryResult | pg.QueryResult[]>);
    release();
    return value;
  });
  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      const { client, release } = await checkout((c) => c.query('BEGIN'));
      let rollbackFailed: Error | undefined;
      try {
        const result = await fn(wrap((sql, params) => client.query(sql, params)));
        const commit = await client.query('COMMIT');
        // The server answers COMMIT of a transaction aborted by an error that `fn` caught with ROLLBACK, not an error.
        if (commit.command === 'ROLLBACK') throw new Error('transaction rolled back: a statement in it failed');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (rollbackFailed = e));
        throw err;
      } finally {
        release(rollbackFailed);
      }
    },
    listen: (channel, handler) => listener.add(channel, handler),
    async notify(channel, payload = '') {
      await base.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async ping() {
      await base.query('SELECT 1');
    },
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}
