import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { discover, PASSWORD, signInThroughProvider, startTestSignon, type TestSignon } from './testing.ts';
import { createUser, parsePermissionList, setSuspended } from './users.ts';

// Signon as services mode runs it: sessions and the provider's codes, grants and tokens in Redis.
const TEST_REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let s: TestSignon;
before(async () => {
  s = await startTestSignon({}, TEST_REDIS_URL);
  await createUser(s.t.db, { name: 'Rae', email: 'rae@example.org', password: PASSWORD, permissions: parsePermissionList('publisher:signin') });
});
after(() => s.close());

test('the authorization code flow, refresh and suspension work with Redis holding the state', async () => {
  const config = await discover(s);
  const { callback, verifier, state } = await signInThroughProvider(s, 'rae@example.org', config);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  const me = await fetch(`${s.url}/user.json`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(me.status, 200);
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
  assert.ok(refreshed.access_token);
  await assert.rejects(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }), 'a code works once');
  const { rows } = await s.t.db.query<{ id: string }>("SELECT id FROM signon.users WHERE email = 'rae@example.org'");
  await setSuspended(s.t.db, rows[0]!.id, true);
  assert.equal((await fetch(`${s.url}/user.json`, { headers: { authorization: `Bearer ${refreshed.access_token}` } })).status, 401);
});
