import { PGlite, type Results } from '@electric-sql/pglite';
import type { Db, NotifyHandler, Queryable, QueryResult } from './types.ts';
import { ident } from './types.ts';

interface PgliteLike {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<Results[]>;
}

function results(list: Results[]): QueryResult<Record<string, unknown>>[] {
  return list.map((r) => ({ rows: r.rows as Record<string, unknown>[], affectedRows: r.affectedRows ?? 0 }));
}

function wrap(target: PgliteLike): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await target.query<R>(sql, params as unknown[]);
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    },
    async exec(sql: string) {
      return results(await target.exec(sql));
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
    // SQL with its own BEGIN that fails part-way would leave the one connection
    // in an aborted transaction, failing everyone's next statements. Run it
    // holding PGlite's transaction lock, which rolls back on error before letting
    // anyone else in; the COMMIT first ends PGlite's own BEGIN, so the SQL runs
    // exactly as it would on its own (VACUUM and the like included).
    async exec(sql) {
      return results(
        await pg.transaction(async (tx) => {
          await tx.exec('COMMIT');
          return tx.exec(sql);
        }),
      );
    },
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async listen(channel: string, handler: NotifyHandler) {
      // PGlite interpolates the channel into LISTEN unquoted.
      ident(channel);
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
