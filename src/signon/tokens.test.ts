import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { migrateSignon } from './schema.ts';
import { createToken, listTokens, revokeToken, tokenAuthenticator, UnknownPermissionError } from './tokens.ts';
import { listUsers, setSuspended } from './users.ts';

let t: TestDb;
before(async () => {
  t = await openTestDb();
  await migrateSignon(t.db);
});
after(() => t.close());

test('a new token authenticates with its permissions, and only its hash is stored', async () => {
  const { id, token } = await createToken(t.db, 'whitehall', ['publishing-api.read']);
  const auth = tokenAuthenticator(t.db);
  assert.deepEqual(await auth(token), { tokenId: id, name: 'whitehall', permissions: ['publishing-api.read'] });
  const stored = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM signon.api_tokens WHERE id = $1', [id]);
  assert.notEqual(stored.rows[0]!.token_hash, token);
  assert.ok(!JSON.stringify(await listTokens(t.db)).includes(token));
});

test('the default grants full Publishing API access', async () => {
  const { token } = await createToken(t.db, 'publisher');
  assert.deepEqual((await tokenAuthenticator(t.db)(token))?.permissions, ['publishing-api.read', 'publishing-api.write']);
});

test('an unknown token is refused', async () => {
  assert.equal(await tokenAuthenticator(t.db)('portico_nope'), null);
});

test('an unknown permission is refused before anything is written', async () => {
  const before = (await listTokens(t.db)).length;
  await assert.rejects(createToken(t.db, 'x', ['publishing-api.admin']), UnknownPermissionError);
  assert.equal((await listTokens(t.db)).length, before);
});

test('a revoked token stops working once the cache entry expires', async () => {
  let clock = 0;
  const auth = tokenAuthenticator(t.db, { cacheMs: 1000, now: () => clock });
  const { id, token } = await createToken(t.db, 'to-revoke');
  assert.ok(await auth(token));
  assert.equal(await revokeToken(t.db, id), true);
  assert.ok(await auth(token), 'still cached');
  clock = 1001;
  assert.equal(await auth(token), null);
  assert.equal(await revokeToken(t.db, id), false, 'already revoked');
  assert.equal(await revokeToken(t.db, 'not-a-uuid'), false);
});

test('a token expires after its time to live, and lists with its API user and expiry', async () => {
  const made = new Date('2026-01-01T00:00:00Z');
  const { id, token, expiresAt } = await createToken(t.db, 'short-lived', undefined, { ttlMs: 60_000, now: made });
  assert.equal(expiresAt.toISOString(), '2026-01-01T00:01:00.000Z');
  assert.ok(await tokenAuthenticator(t.db, { now: () => made.getTime() + 59_000 })(token));
  assert.equal(await tokenAuthenticator(t.db, { now: () => made.getTime() + 60_000 })(token), null);
  const row = (await listTokens(t.db)).find((r) => r.id === id)!;
  assert.equal(row.api_user, 'short-lived');
  assert.equal(row.expires_at, '2026-01-01T00:01:00Z');
});

test('tokens belong to an API user; suspending the API user stops all of its tokens', async () => {
  const a = await createToken(t.db, 'feed-one', undefined, { apiUser: 'feeds' });
  const b = await createToken(t.db, 'feed-two', undefined, { apiUser: 'feeds' });
  const { rows } = await t.db.query<{ id: string }>("SELECT id FROM signon.users WHERE api_user AND name = 'feeds'");
  assert.equal(rows.length, 1);
  await setSuspended(t.db, rows[0]!.id, true);
  const auth = tokenAuthenticator(t.db);
  assert.equal(await auth(a.token), null);
  assert.equal(await auth(b.token), null);
  assert.ok(!(await listUsers(t.db)).some((u) => u.name === 'feeds'), 'API users are not listed with people');
});

test('a token for an unknown application is refused', async () => {
  await assert.rejects(createToken(t.db, 'x', undefined, { application: 'nope' }), UnknownPermissionError);
});

test('tokens a process makes for itself share one API user per role', async () => {
  await createToken(t.db, 'publishing-worker@web-1:4242');
  await createToken(t.db, 'publishing-worker@web-2:17');
  const rows = (await listTokens(t.db)).filter((r) => r.name.startsWith('publishing-worker@'));
  assert.deepEqual(rows.map((r) => r.api_user), ['publishing-worker', 'publishing-worker']);
});
