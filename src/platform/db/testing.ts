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

/**
 * A fresh, empty database for one test file: in-memory PGlite, or a new
 * PostgreSQL database dropped again on close, so test files never share state.
 */
export async function openTestDb(kind = TEST_DATABASE): Promise<TestDb> {
  if (kind === 'pglite') {
    const db = await openPglite();
    return { db, url: undefined, close: () => db.close() };
  }
  const name = `portico_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.href, { log: silentLogger(), reconnectMinMs: 50, reconnectMaxMs: 500 });
  return {
    db,
    url: url.href,
    async close() {
      await db.close();
      const again = new pg.Client({ connectionString: TEST_SERVER_URL });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}
