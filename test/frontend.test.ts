// The frontends end to end: documents published through the Publishing API
// into real content stores (PGlite), served through the real routers by the
// real live and draft frontends, with a fake search API behind /search.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { STACKS, type Stack } from '../src/content-store/schema.ts';
import { createFrontend, type FrontendService } from '../src/frontend/index.ts';
import { FRONTEND_BACKEND_ID, FRONTEND_ROUTES } from '../src/frontend/routes.ts';
import { silentLogger } from '../src/platform/log.ts';
import { answer, openPublishingStack, type PublishingStack } from './support/publishing-stack.ts';
import { eventually } from './support/ports.ts';

let stack: PublishingStack;
const frontends = {} as Record<Stack, { service: FrontendService; url: string }>;
let search: Server;
let searchUrl: string;
const searchQueries: URLSearchParams[] = [];

const GUIDE_ID = 'f0000000-0000-4000-8000-000000000001';
const ANSWER_ID = 'f0000000-0000-4000-8000-000000000002';
const RETIRED_ID = 'f0000000-0000-4000-8000-000000000003';
const DRAFT_ID = 'f0000000-0000-4000-8000-000000000004';
const FEE_ID = 'f0000000-0000-4000-8000-000000000005';

const put = async (id: string, body: Record<string, unknown>) => assert.equal((await stack.call('PUT', `/v2/content/${id}`, body)).status, 200);
const publish = async (id: string) => assert.equal((await stack.call('POST', `/v2/content/${id}/publish`, {})).status, 200);

before(async () => {
  stack = await openPublishingStack();
  search = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    searchQueries.push(url.searchParams);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      results: [{ title: 'Keeping bees', link: '/keeping-bees', description: 'Hives', public_timestamp: '2024-02-12T09:30:00Z', content_store_document_type: 'guide', organisations: [] }],
      total: 1,
      start: 0,
      aggregates: { organisations: { options: [{ value: { slug: 'dra', title: 'Department for Rural Affairs' }, documents: 1 }] } },
    }));
  });
  await new Promise<void>((r) => search.listen(0, '127.0.0.1', r));
  searchUrl = `http://127.0.0.1:${(search.address() as AddressInfo).port}`;
  for (const s of STACKS) {
    const service = createFrontend({ stack: s, log: silentLogger(), contentStoreUrl: `http://127.0.0.1:${stack.stores[s].port}`, searchApiUrl: searchUrl, maxAgeSeconds: 300 });
    frontends[s] = { service, url: `http://127.0.0.1:${await service.start(0, '127.0.0.1')}/` };
  }
  // The stack's routers send backend_id `frontend` to a stand-in; point them at the real frontends, with their asset route.
  await stack.t.db.transaction(async (tx) => {
    for (const s of STACKS) await upsertRoutes(tx, s, [{ backend_id: FRONTEND_BACKEND_ID, backend_url: frontends[s].url }], [...FRONTEND_ROUTES]);
  });

  await put(GUIDE_ID, answer('/keeping-bees', {
    schema_name: 'guide',
    document_type: 'guide',
    title: 'Keeping bees',
    routes: [{ path: '/keeping-bees', type: 'prefix' }],
    details: { parts: [{ title: 'Overview', slug: 'overview', body: 'Register.' }, { title: 'Inspections', slug: 'inspections', body: '## Before the visit\n\nAgree a time.' }] },
  }));
  await publish(GUIDE_ID);
  await put(ANSWER_ID, answer('/fishing-licence', { title: 'Get a fishing licence' }));
  await publish(ANSWER_ID);
  await put(RETIRED_ID, answer('/village-shop-grant', { title: 'Village shop grant' }));
  await publish(RETIRED_ID);
  assert.equal((await stack.call('POST', `/v2/content/${RETIRED_ID}/unpublish`, {
    type: 'gone', explanation: 'The grant closed in **2020**.', alternative_path: '/fishing-licence',
  })).status, 200);
  await put(DRAFT_ID, answer('/new-scheme', { title: 'A scheme not yet published' }));
});

after(async () => {
  for (const s of STACKS) await frontends[s]?.service.stop();
  search?.close();
  await stack?.close();
});

/** The router's answer for a path once it is what `ok` wants: routes and items arrive through the queue. */
function through(s: Stack, path: string, ok: (status: number, body: string) => boolean) {
  return eventually(async () => {
    const res = await stack.visit(s, path);
    return ok(res.status, res.body) ? res : undefined;
  }, 30_000, `${s} router: ${path}`);
}

test('a published page through the live router: rendered, with the live cache header', async () => {
  const res = await through('live', '/fishing-licence', (st) => st === 200);
  assert.match(res.headers['content-type']!, /^text\/html/);
  assert.equal(res.headers['cache-control'], 'public, max-age=300');
  assert.match(res.body, /<h1 class="govuk-heading-xl" id="page-title">Get a fishing licence<\/h1>/);
  assert.match(res.body, /<h2 id="who-needs-one" class="govuk-heading-l">Who needs one<\/h2>/);
  assert.doesNotMatch(res.body, /This is a preview/);
});

test('a guide part through the router: the content store hands the part path to the guide', async () => {
  const res = await through('live', '/keeping-bees/inspections', (st) => st === 200);
  assert.match(res.body, /<title>Inspections - Keeping bees - Portico<\/title>/);
  assert.match(res.body, /<h2 class="govuk-heading-l">Inspections<\/h2>/);
  assert.match(res.body, /<a class="govuk-link" href="\/keeping-bees">Overview<\/a>/);
  const missing = await through('live', '/keeping-bees/no-such-part', (st) => st !== 502);
  assert.equal(missing.status, 404);
  assert.match(missing.body, /<title>Page not found - Portico<\/title>/);
});

test('an item unpublished as gone with an explanation: 410 with the explanation and the alternative', async () => {
  const res = await through('live', '/village-shop-grant', (st) => st === 410);
  assert.match(res.body, /The grant closed in <strong>2020<\/strong>\./);
  assert.match(res.body, /Visit: <a class="govuk-link" href="\/fishing-licence">/);
});

test('the draft router shows drafts through the draft frontend: a preview banner, never cached', async () => {
  const res = await through('draft', '/new-scheme', (st) => st === 200);
  assert.match(res.body, /This is a preview/);
  assert.match(res.body, /<h1[^>]*>A scheme not yet published<\/h1>/);
  assert.equal(res.headers['cache-control'], 'no-cache, private');
  assert.equal((await stack.visit('live', '/new-scheme')).status, 404);
});

test('the assets a page links to are served through the router for a year', async () => {
  const page = await through('live', '/fishing-licence', (st) => st === 200);
  const css = /<link rel="stylesheet" href="(\/assets\/[0-9a-f]+\/govuk-frontend.min.css)">/.exec(page.body)?.[1];
  assert.ok(css, 'the page links the stylesheet');
  const res = await through('live', css, (st) => st === 200);
  assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(res.headers['content-type']!, /^text\/css/);
});

test('/search asks the search API and lists what it found', async () => {
  const res = await fetch(`${frontends.live.url}search?q=bees&organisations=dra`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /1 result<\/p>/);
  assert.match(html, /<a class="govuk-link" href="\/keeping-bees">Keeping bees<\/a>/);
  assert.match(html, /value="dra" checked>/);
  const sent = searchQueries.at(-1)!;
  assert.equal(sent.get('q'), 'bees');
  assert.deepEqual(sent.getAll('filter_organisations'), ['dra']);
  assert.equal(sent.get('aggregate_content_store_document_type'), '10');
});

test('with the search API down, /search is a 503 page, not a crash', async () => {
  const frontend = createFrontend({ stack: 'live', log: silentLogger(), contentStoreUrl: `http://127.0.0.1:${stack.stores.live.port}`, searchApiUrl: 'http://127.0.0.1:9', upstreamTimeoutMs: 500 });
  const url = `http://127.0.0.1:${await frontend.start(0, '127.0.0.1')}`;
  try {
    const res = await fetch(`${url}/search?q=bees`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /Search is unavailable/);
  } finally {
    await frontend.stop();
  }
});

test('with its content store down, a frontend answers a 503 page, not a crash', async () => {
  const down = createServer((req) => req.socket.destroy());
  await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
  const frontend = createFrontend({ stack: 'live', log: silentLogger(), contentStoreUrl: `http://127.0.0.1:${(down.address() as AddressInfo).port}`, searchApiUrl: searchUrl, upstreamTimeoutMs: 500 });
  const url = `http://127.0.0.1:${await frontend.start(0, '127.0.0.1')}`;
  try {
    const res = await fetch(`${url}/fishing-licence`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const html = await res.text();
    assert.match(html, /Sorry, the service is unavailable/);
    assert.match(html, /<main class="govuk-main-wrapper" id="main-content">/);
    assert.equal((await fetch(`${url}/healthcheck/live`)).status, 200);
  } finally {
    await frontend.stop();
    down.close();
  }
});

interface Asked {
  url: string;
  ifNoneMatch: string | undefined;
  status: number;
}

/** A live frontend whose content store is behind a proxy that records what it was asked and answered. */
async function recordedFrontend() {
  const asked: Asked[] = [];
  const store = stack.stores.live.port;
  const proxy = createServer((req, res) => {
    const upstream = httpRequest({ host: '127.0.0.1', port: store, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      asked.push({ url: req.url ?? '', ifNoneMatch: req.headers['if-none-match'], status: answer.statusCode ?? 0 });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const frontend = createFrontend({ stack: 'live', log: silentLogger(), contentStoreUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, searchApiUrl: searchUrl });
  const url = `http://127.0.0.1:${await frontend.start(0, '127.0.0.1')}`;
  return {
    url,
    asked,
    async close() {
      await frontend.stop();
      proxy.closeAllConnections();
      proxy.close();
    },
  };
}

test('a page is rendered once per version of its item: the content store answers 304 until a publish', async () => {
  await put(FEE_ID, answer('/bee-inspection-fee', { title: 'Pay for a bee inspection' }));
  await publish(FEE_ID);
  await through('live', '/bee-inspection-fee', (st) => st === 200);
  const frontend = await recordedFrontend();
  try {
    const first = await fetch(`${frontend.url}/bee-inspection-fee`);
    const firstBody = await first.text();
    const second = await fetch(`${frontend.url}/bee-inspection-fee`);
    assert.equal(second.status, 200);
    assert.equal(await second.text(), firstBody);
    assert.match(firstBody, /<h1[^>]*>Pay for a bee inspection<\/h1>/);
    const etag = second.headers.get('etag');
    assert.ok(etag);
    assert.equal(etag, first.headers.get('etag'));
    assert.deepEqual(frontend.asked.map((a) => [a.url, a.status, a.ifNoneMatch !== undefined]), [
      ['/content/bee-inspection-fee', 200, false],
      ['/content/bee-inspection-fee', 304, true],
    ]);
    // A browser or the edge revalidating its copy gets a 304 too.
    const revalidated = await fetch(`${frontend.url}/bee-inspection-fee`, { headers: { 'if-none-match': etag } });
    assert.equal(revalidated.status, 304);

    await put(FEE_ID, answer('/bee-inspection-fee', { title: 'Pay for a bee inspection: new fees' }));
    await publish(FEE_ID);
    const fresh = await eventually(async () => {
      const res = await fetch(`${frontend.url}/bee-inspection-fee`, { headers: { 'if-none-match': etag } });
      const body = await res.text();
      return /new fees<\/h1>/.test(body) ? res : undefined;
    }, 30_000, 'the new title');
    assert.equal(fresh.status, 200);
    assert.notEqual(fresh.headers.get('etag'), etag);
    const last = frontend.asked.at(-1)!;
    assert.deepEqual([last.status, last.ifNoneMatch !== undefined], [200, true]);
  } finally {
    await frontend.close();
  }
});

test('a guide part costs one content store request, not a 303 and a second', async () => {
  await through('live', '/keeping-bees/inspections', (st) => st === 200);
  const frontend = await recordedFrontend();
  try {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${frontend.url}/keeping-bees/inspections`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /<title>Inspections - Keeping bees - Portico<\/title>/);
    }
    const overview = await fetch(`${frontend.url}/keeping-bees`);
    assert.match(await overview.text(), /<title>Keeping bees - Portico<\/title>/);
    assert.deepEqual(frontend.asked.map((a) => [a.url, a.status]), [
      ['/content/keeping-bees/inspections', 200],
      ['/content/keeping-bees/inspections', 304],
      ['/content/keeping-bees', 200],
    ]);
  } finally {
    await frontend.close();
  }
});
