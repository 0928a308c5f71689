// The authenticating proxy's rules, against a fake signon, a fake draft
// content store and an upstream that echoes what it was sent.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { createAuthenticatingProxy, type AuthenticatingProxyService } from '../src/authenticating-proxy/index.ts';
import { migrateAuthenticatingProxy } from '../src/authenticating-proxy/schema.ts';
import { openTestDb, type TestDb } from '../src/platform/db/testing.ts';
import { silentLogger } from '../src/platform/log.ts';
import { createSso, RECHECK_MS } from '../src/platform/sso/client.ts';
import { cookieHeader, cookiesFrom, signIn, startFakeSignon, type FakeSignon } from '../src/platform/sso/testing.ts';

const SECRET = 'a-test-preview-secret-of-at-least-32-bytes';
const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const DOC_A = 'c0000000-0000-4000-8000-00000000000a';
const TTL_SECONDS = 3600;

let t: TestDb;
let signon: FakeSignon;
let store: Server;
let upstream: Server;
let proxy: AuthenticatingProxyService;
let url: string;
let clock = Date.now();
let seen: { path: string; headers: IncomingHttpHeaders }[] = [];

async function listenOn(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  t = await openTestDb();
  await migrateAuthenticatingProxy(t.db);
  signon = await startFakeSignon();
  signon.users.set('editor', { uid: 'editor', organisation_slug: 'dra', permissions: { 'draft-origin': ['signin'], publisher: ['signin', 'editor'] } });
  signon.users.set('outsider', { uid: 'outsider', permissions: { 'draft-origin': [], publisher: ['signin'] } });

  // The draft content store: doc A (with a part), doc B, and an asset path doc B owns.
  const items: Record<string, object> = {
    '/doc-a': { base_path: '/doc-a', content_id: DOC_A, auth_bypass_ids: [A] },
    '/doc-b': { base_path: '/doc-b', content_id: 'c0000000-0000-4000-8000-00000000000b', auth_bypass_ids: [B] },
    '/assets/owned': { base_path: '/assets/owned', content_id: 'c0000000-0000-4000-8000-00000000000c', auth_bypass_ids: [B] },
  };
  store = createServer((req, res) => {
    const path = (req.url ?? '').replace(/^\/content/, '');
    if (path === '/doc-a/part') return res.writeHead(303, { location: '/content/doc-a' }).end();
    const item = items[path];
    res.writeHead(item ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(item ?? { error: {} }));
  });
  upstream = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`draft content at ${req.url}`);
  });
  const storeUrl = await listenOn(store);
  const upstreamUrl = await listenOn(upstream);

  // The proxy's own address must be known before its sign-in client is made: take a port, then build on it.
  const probe = createServer();
  url = await listenOn(probe);
  await new Promise((r) => probe.close(r));
  const config = {
    upstreamUrl, publicUrl: url, contentStoreUrl: storeUrl, signonUrl: signon.url, clientId: 'draft-origin',
    clientSecret: signon.clientSecret, previewTokenSecret: SECRET, previewTokenTtlSeconds: TTL_SECONDS,
  };
  const now = () => clock;
  proxy = createAuthenticatingProxy({
    db: t.db,
    log: silentLogger(),
    config,
    previewTokenSecret: SECRET,
    upstream: { backendConnectTimeoutMs: 1000, backendHeaderTimeoutMs: 5000, tlsSkipVerify: false, shutdownTimeoutMs: 1000 },
    sso: createSso({ ...config, appUrl: url, log: silentLogger(), now }),
    now,
  });
  await proxy.start(Number(new URL(url).port), '127.0.0.1');
});

after(async () => {
  await proxy?.stop();
  store?.close();
  upstream?.close();
  await signon?.close();
  await t?.close();
});

beforeEach(() => {
  seen = [];
});

const BROWSER = { accept: 'text/html,application/xhtml+xml' };
const API = { accept: 'application/json' };

function get(path: string, headers: Record<string, string> = BROWSER, method = 'GET') {
  return fetch(`${url}${path}`, { method, headers, redirect: 'manual' });
}

/** A preview link made through the API, as the editors' app would. */
async function previewLink(basePath: string, extra: object = {}) {
  const res = await fetch(`${url}/api/preview-links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${signon.issueToken('editor', 'publisher')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ base_path: basePath, ...extra }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Follows a preview link's first hop; resolves to the cookie it leaves. */
async function openLink(link: string): Promise<string> {
  const first = await fetch(link, { redirect: 'manual', headers: BROWSER });
  assert.equal(first.status, 302);
  return cookieHeader(cookiesFrom(first));
}

test('health checks answer without a session or token', async () => {
  assert.equal((await get('/healthcheck/live', API)).status, 200);
  const ready = await get('/healthcheck/ready', API);
  assert.equal(ready.status, 200);
  assert.equal(seen.length, 0);
});

describe('without a session or token', () => {
  test('a browser is sent to sign in, and comes back to the page', async () => {
    const res = await get('/doc-a?x=1');
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), `/auth/login?return_to=${encodeURIComponent('/doc-a?x=1')}`);
    assert.equal(seen.length, 0);
  });

  test('an API client gets 401 JSON', async () => {
    const res = await get('/doc-a', API);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as any).error.code, 'unauthenticated');
    const post = await fetch(`${url}/doc-a`, { method: 'POST', headers: BROWSER, body: 'x' });
    assert.equal(post.status, 401, 'a browser POST is not redirected into a GET');
    assert.equal(seen.length, 0);
  });
});

describe('signed in', () => {
  test('with signin for draft-origin: through, with identity headers only the proxy set, and its own cookies kept back', async () => {
    const { jar, callback } = await signIn(url, signon, 'editor', '/doc-b');
    assert.equal(callback.headers.get('location'), '/doc-b');
    const res = await get('/doc-b', {
      ...BROWSER,
      cookie: `${cookieHeader(jar)}; theirs=1`,
      'Portico-User-Id': 'someone-else',
      'Portico-Auth-Bypass-Id': B,
      'portico-authenticated-user-organisation': 'evil',
      'Portico-User-Permissions': 'admin',
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'draft content at /doc-b');
    const h = seen[0]!.headers;
    assert.equal(h['portico-user-id'], 'editor');
    assert.equal(h['portico-authenticated-user-organisation'], 'dra');
    assert.equal(h['portico-auth-bypass-id'], undefined);
    assert.equal(h['portico-user-permissions'], undefined);
    assert.equal(h.cookie, 'theirs=1');
    assert.ok(h['x-forwarded-host']);
  });

  test('without signin: 403, not a sign-in loop; a suspension bites within a minute', async () => {
    const outsider = await signIn(url, signon, 'outsider');
    // Signon itself refuses the sign-in of a user without signin; one whose signin is taken away later:
    assert.equal(outsider.callback.status, 403);

    const { jar } = await signIn(url, signon, 'editor');
    signon.users.get('editor')!.permissions['draft-origin'] = [];
    clock += RECHECK_MS;
    const browser = await get('/doc-a', { ...BROWSER, cookie: cookieHeader(jar) });
    assert.equal(browser.status, 403);
    assert.match(browser.headers.get('content-type')!, /text\/html/);
    const api = await get('/doc-a', { ...API, cookie: cookieHeader(jar) });
    assert.equal(api.status, 403);
    assert.equal(((await api.json()) as any).error.code, 'forbidden');
    signon.users.get('editor')!.permissions['draft-origin'] = ['signin'];

    signon.users.get('editor')!.disabled = true;
    clock += RECHECK_MS;
    assert.equal((await get('/doc-a', { ...BROWSER, cookie: cookieHeader(jar) })).status, 302);
    signon.users.get('editor')!.disabled = false;
    assert.equal(seen.length, 0);
  });
});

describe('preview tokens', () => {
  test('a link: the token moves to a cookie and out of the URL; it opens its document, its parts and the assets', async () => {
    const made = await previewLink('/doc-a', { content_id: DOC_A });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.auth_bypass_id, A);
    assert.ok(made.body.url.startsWith(`${url}/doc-a?token=`));
    assert.equal(new Date(made.body.expires_at).getTime(), Math.floor(clock / 1000 + TTL_SECONDS) * 1000);

    const first = await fetch(`${url}/doc-a?a=1&token=${made.body.token}&b=2`, { redirect: 'manual', headers: BROWSER });
    assert.equal(first.status, 302);
    assert.equal(first.headers.get('location'), '/doc-a?a=1&b=2');
    const setCookie = first.headers.getSetCookie()[0]!;
    assert.match(setCookie, /^portico_preview_token=.+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+/);
    const cookie = cookieHeader(cookiesFrom(first));

    for (const path of ['/doc-a', '/doc-a/part', '/assets/abc/app.css']) {
      const res = await get(path, { ...BROWSER, cookie, 'Portico-User-Id': 'forged' });
      assert.equal(res.status, 200, path);
    }
    assert.deepEqual(seen.map((s) => s.headers['portico-auth-bypass-id']), [A, A, A]);
    assert.deepEqual(seen.map((s) => s.headers['portico-user-id']), [undefined, undefined, undefined]);
    assert.equal(seen[0]!.headers.cookie, undefined, 'the token is not passed on');
  });

  test('a token opens only its own document: not another, not a page no document owns, not an asset path another document owns, not for writing', async () => {
    const cookie = await openLink((await previewLink('/doc-a')).body.url);
    for (const path of ['/doc-b', '/', '/search', '/no-such-page', '/assets/owned']) {
      assert.equal((await get(path, { ...BROWSER, cookie })).status, 302, path);
      assert.equal((await get(path, { ...API, cookie })).status, 401, path);
    }
    assert.equal((await fetch(`${url}/doc-a`, { method: 'POST', headers: { ...API, cookie }, body: '{}' })).status, 401);
    assert.equal(seen.length, 0);
  });

  test('an expired token opens nothing', async () => {
    const cookie = await openLink((await previewLink('/doc-a')).body.url);
    clock += TTL_SECONDS * 1000 + 1000;
    try {
      assert.equal((await get('/doc-a', { ...API, cookie })).status, 401);
    } finally {
      clock -= TTL_SECONDS * 1000 + 1000;
    }
  });

  test('a forged token opens nothing: another key, no signature, a changed subject', async () => {
    const iat = clock / 1000;
    const other = await new SignJWT({ iat }).setProtectedHeader({ alg: 'HS256' }).setIssuer('portico-authenticating-proxy').setSubject(A)
      .setExpirationTime(Math.floor(iat) + 600).sign(new TextEncoder().encode('another-secret-that-is-also-32-bytes-long'));
    const [header, , signature] = (await previewLink('/doc-a')).body.token.split('.');
    const changedSub = `${header}.${Buffer.from(JSON.stringify({ iss: 'portico-authenticating-proxy', sub: B, iat, exp: Math.floor(iat) + 600 })).toString('base64url')}.${signature}`;
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: A, iat, exp: Math.floor(iat) + 600 })).toString('base64url')}.`;
    for (const token of [other, changedSub, unsigned, 'not-a-jwt']) {
      const viaQuery = await get(`/doc-a?token=${token}`);
      assert.equal(viaQuery.status, 302);
      assert.equal(viaQuery.headers.get('location'), `/auth/login?return_to=${encodeURIComponent('/doc-a')}`, 'no cookie, and the token is not kept in return_to');
      assert.equal(viaQuery.headers.getSetCookie().length, 0);
      assert.equal((await get('/doc-a', { ...API, cookie: `portico_preview_token=${token}` })).status, 401);
      assert.equal((await get('/doc-b', { ...API, cookie: `portico_preview_token=${token}` })).status, 401);
    }
    assert.equal(seen.length, 0);
  });

  test('revoking a document’s links stops every one made before, and later links work', async () => {
    const cookie = await openLink((await previewLink('/doc-a')).body.url);
    assert.equal((await get('/doc-a', { ...API, cookie })).status, 200);
    const editor = signon.issueToken('editor', 'publisher');
    const revoked = await fetch(`${url}/api/preview-links/${A}`, { method: 'DELETE', headers: { authorization: `Bearer ${editor}` } });
    assert.equal(revoked.status, 200);
    assert.equal(((await revoked.json()) as any).auth_bypass_id, A);
    assert.equal((await get('/doc-a', { ...API, cookie })).status, 401);
    clock += 1;
    const fresh = await openLink((await previewLink('/doc-a')).body.url);
    assert.equal((await get('/doc-a', { ...API, cookie: fresh })).status, 200);
  });
});

describe('the preview-link API', () => {
  test('needs a signon bearer token whose user is a publisher editor', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/api/preview-links`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ base_path: '/doc-a' }) });
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ authorization: 'Bearer unknown' })).status, 401);
    assert.equal((await post({ authorization: `Bearer ${signon.issueToken('outsider', 'publisher')}` })).status, 403);
    assert.equal((await post({ authorization: `Bearer ${signon.issueToken('editor', 'draft-origin')}` })).status, 403, 'a token for another app carries that app’s permissions');
    const { jar } = await signIn(url, signon, 'editor');
    assert.equal((await post({ cookie: cookieHeader(jar) })).status, 401, 'a draft-origin session is not an editor’s credential');
    const del = await fetch(`${url}/api/preview-links/${A}`, { method: 'DELETE' });
    assert.equal(del.status, 401);
  });

  test('says what is wrong with a request', async () => {
    assert.deepEqual(Object.keys((await previewLink('no-slash')).body.error.fields), ['base_path']);
    const missing = await previewLink('/no-draft-here');
    assert.equal(missing.status, 422);
    assert.deepEqual(Object.keys(missing.body.error.fields), ['base_path']);
    const otherDoc = await previewLink('/doc-a', { content_id: 'c0000000-0000-4000-8000-00000000000b' });
    assert.deepEqual(Object.keys(otherDoc.body.error.fields), ['content_id']);
    const otherId = await previewLink('/doc-a', { auth_bypass_id: B });
    assert.deepEqual(Object.keys(otherId.body.error.fields), ['auth_bypass_id']);
    const editor = signon.issueToken('editor', 'publisher');
    assert.equal((await fetch(`${url}/api/preview-links`, { method: 'GET', headers: { authorization: `Bearer ${editor}` } })).status, 405);
  });
});
