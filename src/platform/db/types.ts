/** One row set, as both adapters return it. */
export interface QueryResult<R> {
  rows: R[];
  /** Rows written by INSERT/UPDATE/DELETE, where the driver reports it. */
  affectedRows: number;
}

/** What can run statements: the database itself, or one transaction on it. */
export interface Queryable {
  /** One statement, with `$1`-style parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Any number of statements separated by `;`, no parameters (migrations, DDL). Resolves to one result per statement. */
  exec(sql: string): Promise<QueryResult<Record<string, unknown>>[]>;
}

/** Called on each notification; `payload` is '' after a reconnect, since notifications may have been missed meanwhile. */
export type NotifyHandler = (payload: string) => void;

/**
 * The one database interface every service is given. Two adapters implement it:
 * PGlite (embedded, in-process) and PostgreSQL through `pg`. Both pass the contract
 * suite in `contract.ts`.
 */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `fn` in one transaction: committed if it resolves, rolled back if it throws.
   * Rejects, having rolled back, when a statement in it failed even if `fn` caught
   * that error. Inside `fn` use only `tx`: on PGlite a statement on the Db itself
   * waits for the transaction to end, so awaiting one there never returns.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTENs on `channel`. The handler also runs (with '') after the adapter
   * reconnects a dropped listening connection. Resolves to an unlisten function.
   */
  listen(channel: string, handler: NotifyHandler): Promise<() => Promise<void>>;
  /** Sends a NOTIFY (delivered on commit when called inside a transaction's statements). */
  notify(channel: string, payload?: string): Promise<void>;
  /** Throws unless the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Validates a schema or channel name that is interpolated into SQL, and quotes it. */
export function ident(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a safe SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}
