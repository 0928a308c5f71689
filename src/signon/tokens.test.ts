import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { migrateSignon } from './schema.ts';
import { createToken, listTokens, revokeToken, tokenAuthenticator, UnknownPermissionError } from './tokens.ts';

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
