import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { silentLogger } from '../log.ts';
import { createSso, RECHECK_MS, safeReturnTo, SsoUnavailableError, type Sso } from './client.ts';
import { registerSsoRoutes } from './fastify.ts';
import { handleAuthRoute } from './node.ts';
import { cookieHeader, signIn, startFakeSignon, type FakeSignon } from './testing.ts';

let signon: FakeSignon;
let clock = 1_700_000_000_000;
let sso: Sso;
let server: Server;
let appUrl: string;

before(async () => {
  signon = await startFakeSignon();
  server = createServer(async (req, res) => {
    if (await handleAuthRoute(sso, req, res)) return;
    try {
      const user = await sso.currentUser(req);
      res.writeHead(user ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ user }));
    } catch (err) {
      res.writeHead(err instanceof SsoUnavailableError ? 503 : 500).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.close();
  await signon.close();
});

beforeEach(() => {
  sso = createSso({ signonUrl: signon.url, clientId: 'draft-origin', clientSecret: signon.clientSecret, appUrl, log: silentLogger(), now: () => clock });
  signon.down = false;
  signon.users.clear();
  signon.users.set('u1', { uid: 'u1', name: 'Ada', organisation_slug: 'dra', permissions: { 'draft-origin': ['signin'], publisher: ['signin', 'editor'] } });
});

async function me(jar: Map<string, string>) {
  const res = await fetch(`${appUrl}/me`, { headers: { cookie: cookieHeader(jar) } });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as { user: { uid: string; permissions: string[] } | null } | undefined };
}

test('signing in: login, signon, callback; the session cookie is HttpOnly and SameSite=Lax, and the user carries this app’s permissions', async () => {
  const { jar, callback } = await signIn(appUrl, signon, 'u1', '/keeping-bees?x=1');
  assert.equal(callback.status, 302);
  assert.equal(callback.headers.get('location'), '/keeping-bees?x=1');
  const sessionCookie = callback.headers.getSetCookie().find((c) => c.startsWith('portico_draft_origin_session='))!;
  assert.match(sessionCookie, /HttpOnly/);
  assert.match(sessionCookie, /SameSite=Lax/);
  assert.equal(jar.has('portico_draft_origin_session_state'), false, 'the state cookie is cleared');
  const { status, body } = await me(jar);
  assert.equal(status, 200);
  assert.equal(body!.user!.uid, 'u1');
  assert.deepEqual(body!.user!.permissions, ['signin']);
});

test('the user is re-read from signon only once the copy is a minute old', async () => {
  const { jar } = await signIn(appUrl, signon, 'u1');
  const calls = signon.userJsonCalls;
  clock += RECHECK_MS - 1;
  signon.users.get('u1')!.permissions['draft-origin'] = ['signin', 'extra'];
  assert.deepEqual((await me(jar)).body!.user!.permissions, ['signin']);
  assert.equal(signon.userJsonCalls, calls);
  clock += 1;
  assert.deepEqual((await me(jar)).body!.user!.permissions, ['signin', 'extra']);
  assert.equal(signon.userJsonCalls, calls + 1);
});

test("the signed-in user's access token is handed on for calls made on their behalf, and only while they may sign in", async () => {
  const { jar } = await signIn(appUrl, signon, 'u1');
  const req = { headers: { cookie: cookieHeader(jar) } };
  const token = await sso.accessToken(req);
  assert.ok(token);
  assert.equal((await sso.bearerUser(token))?.uid, 'u1');
  assert.equal(await sso.accessToken({ headers: {} }), undefined);
  signon.users.get('u1')!.disabled = true;
  clock += RECHECK_MS;
  assert.equal(await sso.accessToken(req), undefined);
});

test('a suspended user is signed out at the next check, within a minute', async () => {
  const { jar } = await signIn(appUrl, signon, 'u1');
  signon.users.get('u1')!.disabled = true;
  assert.equal((await me(jar)).status, 200, 'still inside the minute');
  clock += RECHECK_MS;
  assert.equal((await me(jar)).status, 401);
  signon.users.get('u1')!.disabled = false;
  clock += RECHECK_MS;
  assert.equal((await me(jar)).status, 401, 'the session is gone, not merely hidden');
});

test('revoked tokens sign the user out; signon being down is a 503, not a sign-out', async () => {
  const { jar } = await signIn(appUrl, signon, 'u1');
  clock += RECHECK_MS;
  signon.down = true;
  assert.equal((await me(jar)).status, 503);
  signon.down = false;
  assert.equal((await me(jar)).status, 200);
  signon.revokeTokens('u1');
  clock += RECHECK_MS;
  assert.equal((await me(jar)).status, 401);
});

test('a callback without the browser’s state cookie is refused, and so is a user signon turns away', async () => {
  signon.signInAs('u1');
  const login = await fetch(`${appUrl}/auth/login`, { redirect: 'manual' });
  const authorize = await fetch(login.headers.get('location')!, { redirect: 'manual' });
  const stolen = await fetch(authorize.headers.get('location')!, { redirect: 'manual' });
  assert.equal(stolen.status, 400);
  assert.equal(stolen.headers.getSetCookie().some((c) => c.startsWith('portico_draft_origin_session=') && !/Max-Age=0/.test(c)), false);

  signon.users.set('u2', { uid: 'u2', permissions: { publisher: ['signin'] } });
  const { callback } = await signIn(appUrl, signon, 'u2');
  assert.equal(callback.status, 403);
});

test('the authorization request uses PKCE, state and nonce', async () => {
  const login = await fetch(`${appUrl}/auth/login`, { redirect: 'manual' });
  const q = new URL(login.headers.get('location')!).searchParams;
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.ok(q.get('code_challenge') && q.get('state') && q.get('nonce'));
  assert.equal(q.get('client_id'), 'draft-origin');
  assert.equal(q.get('redirect_uri'), `${appUrl}/auth/callback`);
});

test('return_to stays on this app', () => {
  assert.equal(safeReturnTo('//evil.example/x'), '/');
  assert.equal(safeReturnTo('/\\evil.example'), '/');
  assert.equal(safeReturnTo('https://evil.example'), '/');
  assert.equal(safeReturnTo('/ok?a=1'), '/ok?a=1');
});

test('signing out ends the session and goes on to signon’s end-session endpoint', async () => {
  const { jar } = await signIn(appUrl, signon, 'u1');
  const out = await fetch(`${appUrl}/auth/logout`, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
  assert.equal(out.status, 302);
  assert.ok(out.headers.get('location')!.startsWith(`${signon.url}/oauth/logout`));
  assert.equal((await me(jar)).status, 401);
});

test('bearer tokens: the holder’s permissions, cached for a minute; a suspended holder is nobody', async () => {
  const token = signon.issueToken('u1', 'publisher');
  assert.deepEqual((await sso.bearerUser(token))!.permissions, ['signin', 'editor']);
  const calls = signon.userJsonCalls;
  await sso.bearerUser(token);
  assert.equal(signon.userJsonCalls, calls);
  signon.users.get('u1')!.disabled = true;
  clock += RECHECK_MS;
  assert.equal(await sso.bearerUser(token), null);
  assert.equal(await sso.bearerUser('unknown'), null);
});

test('a Fastify app signs people in with the same client', async () => {
  const app = Fastify();
  let fastifySso: Sso | undefined;
  registerSsoRoutes(app, proxyTo(() => fastifySso!));
  app.get('/me', async (req) => ({ user: await fastifySso!.currentUser(req) }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    fastifySso = createSso({ signonUrl: signon.url, clientId: 'publisher', clientSecret: signon.clientSecret, appUrl: url, log: silentLogger() });
    const { jar, callback } = await signIn(url, signon, 'u1', '/documents');
    assert.equal(callback.status, 302);
    assert.equal(callback.headers.get('location'), '/documents');
    const res = await fetch(`${url}/me`, { headers: { cookie: cookieHeader(jar) } });
    assert.deepEqual(((await res.json()) as { user: { permissions: string[] } }).user.permissions, ['signin', 'editor']);
  } finally {
    await app.close();
  }
});

/** An Sso that defers to one made later, once the app's port (and so its callback URL) is known. */
function proxyTo(get: () => Sso): Sso {
  return {
    get cookieNames() {
      return get().cookieNames;
    },
    login: (r) => get().login(r),
    callback: (u, r) => get().callback(u, r),
    logout: (r) => get().logout(r),
    currentUser: (r) => get().currentUser(r),
    bearerUser: (t) => get().bearerUser(t),
    accessToken: (r) => get().accessToken(r),
  };
}
