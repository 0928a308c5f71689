import pg from 'pg';
import type { Logger } from '../log.ts';
import type { Db, NotifyHandler, Queryable, QueryResult } from './types.ts';
import { ident } from './types.ts';

export interface PostgresOptions {
  max?: number;
  log: Logger;
  /** First and longest wait between attempts to re-open the LISTEN connection. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as R[], affectedRows: result.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
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
    await client.connect();
    for (const channel of this.handlers.keys()) await client.query(`LISTEN ${ident(channel)}`);
    this.client = client;
    this.delay = this.opts.reconnectMinMs;
  }

  private schedule(): void {
    this.timer = setTimeout(async () => {
      try {
        await this.ensure();
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

/** PostgreSQL through node-postgres: a pool for statements and one connection for LISTEN. */
export async function openPostgres(url: string, opts: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  // An idle client whose server went away emits here; without a handler the process dies.
  pool.on('error', (err) => opts.log.warn({ err: err.message }, 'idle database connection lost'));
  const listener = new Listener(url, {
    log: opts.log,
    reconnectMinMs: opts.reconnectMinMs ?? 100,
    reconnectMaxMs: opts.reconnectMaxMs ?? 5000,
  });
  const base = wrap(pool);
  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    listen: (channel, handler) => listener.add(channel, handler),
    async notify(channel, payload = '') {
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}
