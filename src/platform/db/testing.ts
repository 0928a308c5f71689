import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { silentLogger } from '../log.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import type { Db } from './types.ts';

/** Which database the tests run on: PGlite for `npm test`, PostgreSQL for `npm run test:services`. */
export const TEST_DATABASE: 'pglite' | 'postgres' =
  process.env.PORTICO_TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite';

/** The server the PostgreSQL tests create their throwaway databases on. */
export const TEST_SERVER_URL = process.env.PORTICO_TEST_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDb {
  db: Db;
  /** For PostgreSQL, the URL of this test's own database (other processes can open it). */
  url: string | undefined;
  close(): Promise<void>;
}

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, empty PostgreSQL database on the test server, for tests that run a `portico` process against it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `portico_test_${randomBytes(6).toString('hex')}`;
  await onServer(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * A fresh, empty database for one test file: in-memory PGlite, or a new
 * PostgreSQL database dropped again on close, so test files never share state.
 */
export async function openTestDb(kind = TEST_DATABASE): Promise<TestDb> {
  if (kind === 'pglite') {
    const db = await openPglite();
    return { db, url: undefined, close: () => db.close() };
  }
  const created = await createTestDatabase();
  const db = await openPostgres(created.url, { log: silentLogger(), reconnectMinMs: 50, reconnectMaxMs: 500 });
  return {
    db,
    url: created.url,
    async close() {
      await db.close();
      await created.drop();
    },
  };
}
