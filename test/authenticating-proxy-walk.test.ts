// Every path the draft stack serves, asked through the authenticating proxy
// with neither session nor preview token: none answers content. The same walk
// signed in shows the paths are real pages, so the refusals mean something.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthenticatingProxy, type AuthenticatingProxyService } from '../src/authenticating-proxy/index.ts';
import { migrateAuthenticatingProxy } from '../src/authenticating-proxy/schema.ts';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { createFrontend, type FrontendService } from '../src/frontend/index.ts';
import { FRONTEND_BACKEND_ID, FRONTEND_ROUTES } from '../src/frontend/routes.ts';
import { silentLogger } from '../src/platform/log.ts';
import { createSso } from '../src/platform/sso/client.ts';
import { cookieHeader, signIn, startFakeSignon, type FakeSignon } from '../src/platform/sso/testing.ts';
import { answer, openPublishingStack, type PublishingStack } from './support/publishing-stack.ts';
import { eventually } from './support/ports.ts';

let stack: PublishingStack;
let frontend: FrontendService;
let signon: FakeSignon;
let proxy: AuthenticatingProxyService;
let url: string;

const GUIDE = 'd0000000-0000-4000-8000-000000000001';
const DRAFT = 'd0000000-0000-4000-8000-000000000002';
const SEARCH = 'd0000000-0000-4000-8000-000000000003';
/** Words only the documents' pages contain. */
const CONTENT = /Keeping bees|Inspections|Unannounced scheme|Search the site/;

before(async () => {
  stack = await openPublishingStack();
  await migrateAuthenticatingProxy(stack.t.db);
  const contentStoreUrl = `http://127.0.0.1:${stack.stores.draft.port}`;
  frontend = createFrontend({ stack: 'draft', log: silentLogger(), contentStoreUrl, searchApiUrl: 'http://127.0.0.1:9', maxAgeSeconds: 0 });
  const frontendUrl = `http://127.0.0.1:${await frontend.start(0, '127.0.0.1')}/`;
  await stack.t.db.transaction((tx) => upsertRoutes(tx, 'draft', [{ backend_id: FRONTEND_BACKEND_ID, backend_url: frontendUrl }], [...FRONTEND_ROUTES]));

  const put = async (id: string, body: Record<string, unknown>) => assert.equal((await stack.call('PUT', `/v2/content/${id}`, body)).status, 200);
  await put(GUIDE, answer('/keeping-bees', {
    schema_name: 'guide', document_type: 'guide', title: 'Keeping bees', routes: [{ path: '/keeping-bees', type: 'prefix' }],
    details: { parts: [{ title: 'Overview', slug: 'overview', body: 'Register.' }, { title: 'Inspections', slug: 'inspections', body: 'Agree a time.' }] },
  }));
  assert.equal((await stack.call('POST', `/v2/content/${GUIDE}/publish`, {})).status, 200);
  await put(DRAFT, answer('/unannounced-scheme', { title: 'Unannounced scheme' }));
  await put(SEARCH, {
    base_path: '/search', title: 'Search the site', document_type: 'special_route', schema_name: 'special_route',
    publishing_app: 'publisher', rendering_app: 'frontend', routes: [{ path: '/search', type: 'exact' }], update_type: 'major', details: {},
  });

  signon = await startFakeSignon();
  signon.users.set('editor', { uid: 'editor', permissions: { 'draft-origin': ['signin'], publisher: ['signin', 'editor'] } });
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((r) => probe.close(r));
  const config = {
    upstreamUrl: `http://127.0.0.1:${stack.routers.draft.port}`, publicUrl: url, contentStoreUrl, signonUrl: signon.url,
    clientId: 'draft-origin', clientSecret: signon.clientSecret, previewTokenSecret: undefined, previewTokenTtlSeconds: 3600,
  };
  proxy = createAuthenticatingProxy({
    db: stack.t.db,
    log: silentLogger(),
    config,
    previewTokenSecret: 'a-walk-test-preview-secret-of-32-bytes-or-more',
    upstream: { backendConnectTimeoutMs: 1000, backendHeaderTimeoutMs: 5000, tlsSkipVerify: false, shutdownTimeoutMs: 1000 },
    sso: createSso({ ...config, appUrl: url, log: silentLogger() }),
  });
  await proxy.start(Number(new URL(url).port), '127.0.0.1');

  // The draft router serves every document before the walk starts.
  for (const path of ['/keeping-bees/inspections', '/unannounced-scheme', '/search']) {
    // The search page answers 503 here (no search API behind it): routed is what matters.
    await eventually(async () => ((await stack.visit('draft', path)).status !== 404 ? true : undefined), 10_000, `draft ${path}`);
  }
});

after(async () => {
  await proxy?.stop();
  await frontend?.stop();
  await signon?.close();
  await stack?.close();
});

/** Every path the draft stack answers: each route, each guide part, an asset the pages link to, and paths nothing owns. */
async function everyPath(): Promise<string[]> {
  const { rows } = await stack.t.db.query<{ incoming_path: string }>('SELECT incoming_path FROM content_store_draft.routes ORDER BY incoming_path');
  const page = await (await fetch(`http://127.0.0.1:${stack.routers.draft.port}/keeping-bees`)).text();
  const assets = [...page.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  assert.ok(assets.length > 0, 'the draft pages link to assets');
  return [
    ...rows.map((r) => r.incoming_path),
    '/keeping-bees/overview', '/keeping-bees/inspections', '/keeping-bees/print',
    ...assets, '/assets/', '/search?q=bees', '/', '/no-such-page', '/UNANNOUNCED-SCHEME', '/keeping-bees//inspections',
    '/unannounced-scheme?token=', '/unannounced-scheme?token=garbage', '/api/search.json', '/healthcheck',
  ];
}

test('with neither session nor token, no path of the draft stack answers content', async () => {
  const paths = await everyPath();
  for (const path of paths) {
    for (const [accept, expected] of [['text/html', 302], ['application/json', 401], ['*/*', 401]] as const) {
      for (const method of ['GET', 'HEAD']) {
        const res = await fetch(`${url}${path}`, { method, headers: { accept }, redirect: 'manual' });
        const body = await res.text();
        assert.equal(res.status, expected, `${method} ${path} (${accept})`);
        if (expected === 302) assert.match(res.headers.get('location')!, /^\/auth\/login\?return_to=/);
        assert.doesNotMatch(body, CONTENT, `${method} ${path}`);
      }
    }
    const post = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(post.status, 401, `POST ${path}`);
  }
});

test('signed in, the same walk reaches the pages', async () => {
  const { jar } = await signIn(url, signon, 'editor');
  const cookie = cookieHeader(jar);
  for (const [path, text] of [['/unannounced-scheme', 'Unannounced scheme'], ['/keeping-bees/inspections', 'Agree a time']] as const) {
    const res = await fetch(`${url}${path}`, { headers: { cookie, accept: 'text/html' } });
    assert.equal(res.status, 200, path);
    assert.match(await res.text(), new RegExp(text));
  }
  const search = await fetch(`${url}/search?q=bees`, { headers: { cookie, accept: 'text/html' } });
  assert.match(await search.text(), /<form[^>]*search/i, 'the frontend’s search page, not the proxy');
});

test('a preview link made for the draft opens it through the real stack, and nothing else', async () => {
  const made = await fetch(`${url}/api/preview-links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${signon.issueToken('editor', 'publisher')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ base_path: '/unannounced-scheme', content_id: DRAFT }),
  });
  assert.equal(made.status, 201);
  const { url: link } = (await made.json()) as { url: string };
  const first = await fetch(link, { redirect: 'manual', headers: { accept: 'text/html' } });
  const cookie = first.headers.getSetCookie()[0]!.split(';')[0]!;
  const page = await fetch(`${url}/unannounced-scheme`, { headers: { cookie, accept: 'text/html' } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Unannounced scheme/);
  assert.equal((await fetch(`${url}/keeping-bees/inspections`, { headers: { cookie, accept: 'application/json' } })).status, 401);
});
