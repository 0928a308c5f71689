import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { migrate } from '../platform/migrations.ts';
import { migrateSignon, SIGNON_SCHEMA } from './schema.ts';
import { listTokens } from './tokens.ts';

const MIGRATIONS = fileURLToPath(new URL('./migrations/', import.meta.url));
let t: TestDb;
let first: string;
before(async () => {
  t = await openTestDb();
  first = mkdtempSync(join(tmpdir(), 'signon-migrations-'));
  copyFileSync(join(MIGRATIONS, '001-api-tokens.sql'), join(first, '001-api-tokens.sql'));
});
after(async () => {
  rmSync(first, { recursive: true, force: true });
  await t.close();
});

test('tokens made before API users each join an API user named after them, expiring a year after they were made', async () => {
  await migrate(t.db, { schema: SIGNON_SCHEMA, dir: first });
  await t.db.query("INSERT INTO signon.api_tokens (name, token_hash, permissions, created_at) VALUES ('whitehall', 'h1', '{publishing-api.read}', '2026-03-01T00:00:00Z'), ('whitehall', 'h2', '{}', '2026-04-01T00:00:00Z'), ('feeds', 'h3', '{}', '2026-05-01T00:00:00Z')");
  await migrateSignon(t.db);
  const tokens = await listTokens(t.db);
  assert.deepEqual(tokens.map((r) => [r.name, r.api_user, r.expires_at]), [
    ['whitehall', 'whitehall', '2027-03-01T00:00:00Z'],
    ['whitehall', 'whitehall', '2027-04-01T00:00:00Z'],
    ['feeds', 'feeds', '2027-05-01T00:00:00Z'],
  ]);
  const users = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM signon.users WHERE api_user');
  assert.equal(users.rows[0]!.n, 2);
});
