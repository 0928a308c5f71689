import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createToken } from './tokens.ts';
import { APP_URL, Browser, discover, PASSWORD, REDIRECT_URI, signInThroughProvider, startTestSignon, type TestSignon } from './testing.ts';
import { createUser, grantPermissions, revokePermissions, setSuspended, type User } from './users.ts';

let s: TestSignon;
let editor: User;
before(async () => {
  s = await startTestSignon();
  editor = await createUser(s.t.db, {
    name: 'Edith Editor',
    email: 'edith@example.org',
    organisationSlug: 'department-for-rural-affairs',
    password: PASSWORD,
    permissions: [{ application: 'publisher', permission: 'signin' }, { application: 'publisher', permission: 'editor' }, { application: 'draft-origin', permission: 'signin' }],
  });
});
after(() => s.close());

async function userJson(accessToken: string, query = '') {
  const res = await fetch(`${s.url}/user.json${query}`, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: res.status, body: (await res.json()) as { user: Record<string, unknown> } };
}

test('discovery names the GOV.UK-style endpoints and S256 PKCE', async () => {
  const meta = (await discover(s)).serverMetadata();
  assert.equal(meta.issuer, s.url);
  assert.equal(meta.authorization_endpoint, `${s.url}/oauth/authorize`);
  assert.equal(meta.token_endpoint, `${s.url}/oauth/token`);
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
});

test('authorization code flow end to end: authorize, sign in, callback, token, /user.json', async () => {
  const config = await discover(s);
  const { callback, verifier, state } = await signInThroughProvider(s, 'edith@example.org', config);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  assert.equal(tokens.claims()?.sub, editor.id);
  assert.ok(tokens.refresh_token, 'a refresh token for the once-a-minute re-check to renew with');
  const me = await userJson(tokens.access_token);
  assert.equal(me.status, 200);
  assert.deepEqual(me.body, {
    user: { uid: editor.id, name: 'Edith Editor', email: 'edith@example.org', organisation_slug: 'department-for-rural-affairs', permissions: ['editor', 'signin'], disabled: false },
  });
  assert.equal((await userJson(tokens.access_token, '?client_id=publisher')).status, 200);
  assert.equal((await userJson(tokens.access_token, '?client_id=draft-origin')).status, 401, 'a token answers only for the app it was issued to');
});

test('an authorization request without PKCE is refused', async () => {
  const config = await discover(s);
  const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', state: client.randomState() });
  const answer = await new Browser(s.url).get(url.href);
  assert.equal(answer.status, 303);
  assert.match(answer.location!, /error=invalid_request/);
});

test('a user without signin for the app is stopped at signon', async () => {
  await createUser(s.t.db, { name: 'No Access', email: 'none@example.org', password: PASSWORD, permissions: [{ application: 'draft-origin', permission: 'signin' }] });
  const config = await discover(s);
  const verifier = client.randomPKCECodeVerifier();
  const authorize = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: client.randomState(),
  });
  const browser = new Browser(s.url);
  const interaction = (await browser.get(authorize.href)).location!;
  const signIn = (await browser.get(interaction)).location!;
  const signedIn = await browser.submit(signIn, '/users/sign_in', { email: 'none@example.org', password: PASSWORD });
  const refused = await browser.get(signedIn.location!);
  assert.equal(refused.status, 403);
  assert.match(refused.body, /does not have permission to sign in to Publisher/);
});

test('revoking a permission shows on the next /user.json; suspending refuses the tokens at once', async () => {
  const config = await discover(s);
  const { callback, verifier, state, browser } = await signInThroughProvider(s, 'edith@example.org', config);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });

  await revokePermissions(s.t.db, editor.id, [{ application: 'publisher', permission: 'signin' }]);
  assert.deepEqual((await userJson(tokens.access_token)).body.user.permissions, ['editor']);
  await grantPermissions(s.t.db, editor.id, [{ application: 'publisher', permission: 'signin' }]);

  await setSuspended(s.t.db, editor.id, true);
  try {
    assert.equal((await userJson(tokens.access_token)).status, 401);
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), 'no refresh for a suspended user');
    const home = await browser.get('/');
    assert.equal(home.status, 303, 'the signon session ended too');
    assert.match(home.location!, /\/users\/sign_in$/);
  } finally {
    await setSuspended(s.t.db, editor.id, false);
  }
});

test('/user.json without a token, or with an unknown one, is 401', async () => {
  assert.equal((await fetch(`${s.url}/user.json`)).status, 401);
  assert.equal((await userJson('not-a-token')).status, 401);
});

test('/user.json takes an API user\'s token and reports its application\'s permissions', async () => {
  const { token } = await createToken(s.t.db, 'preview-tool', [], { application: 'publisher' });
  const { rows } = await s.t.db.query<{ id: string }>("SELECT id FROM signon.users WHERE api_user AND name = 'preview-tool'");
  await grantPermissions(s.t.db, rows[0]!.id, [{ application: 'publisher', permission: 'signin' }, { application: 'publisher', permission: 'editor' }]);
  const me = await userJson(token);
  assert.equal(me.status, 200);
  assert.deepEqual(me.body.user.permissions, ['editor', 'signin']);
  assert.equal(me.body.user.uid, rows[0]!.id);
  assert.equal((await userJson(token, '?client_id=draft-origin')).status, 401);
  await setSuspended(s.t.db, rows[0]!.id, true);
  assert.equal((await userJson(token)).status, 401);
});

test('signing out through the provider (RP-initiated logout) ends the signon session too', async () => {
  const config = await discover(s);
  const { callback, verifier, state, browser } = await signInThroughProvider(s, 'edith@example.org', config);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  assert.equal((await browser.get('/')).status, 200);
  const logout = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${APP_URL}/` });
  const confirm = await browser.get(logout.href);
  assert.equal(confirm.status, 200);
  const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)![1]!;
  const fields = [...confirm.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as [string, string]);
  const done = await browser.request(action, { form: [...fields, ['logout', 'yes']] });
  assert.equal(done.status, 303);
  assert.equal(done.location, `${APP_URL}/`);
  assert.equal((await browser.get('/')).status, 303, 'signed out of signon');
});
