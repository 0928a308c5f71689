import { PGlite } from '@electric-sql/pglite';
import type { Db, NotifyHandler, Queryable, QueryResult } from './types.ts';

interface PgliteLike {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function wrap(target: PgliteLike): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await target.query<R>(sql, params as unknown[]);
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  };
}

/**
 * PGlite: PostgreSQL compiled to WASM, running inside this process. It has a
 * single connection, so statements are serialised and a transaction holds the
 * whole database; LISTEN/NOTIFY works only within this process.
 */
export async function openPglite(dataDir?: string): Promise<Db> {
  const pg = await PGlite.create(dataDir ? { dataDir } : {});
  const base = wrap(pg);
  return {
    kind: 'pglite',
    ...base,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async listen(channel: string, handler: NotifyHandler) {
      return pg.listen(channel, (payload) => handler(payload ?? ''));
    },
    async notify(channel, payload = '') {
      await pg.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async ping() {
      await pg.query('SELECT 1');
    },
    async close() {
      await pg.close();
    },
  };
}

