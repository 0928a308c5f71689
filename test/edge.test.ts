// The edge end to end: the real publishing stack (Publishing API, content
// stores, routers on PGlite) and the real live frontend, with Portico's edge
// in front of the live router, purged by the live content store's events on
// the stack's bus, and a fake mirror for failover.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { createEdge, type Edge } from '../src/edge/index.ts';
import { ask } from '../src/edge/testing.ts';
import { createFrontend, type FrontendService } from '../src/frontend/index.ts';
import { FRONTEND_BACKEND_ID, FRONTEND_ROUTES } from '../src/frontend/routes.ts';
import type { MirrorReader } from '../src/mirror/types.ts';
import { silentLogger } from '../src/platform/log.ts';
import { eventually } from './support/ports.ts';
import { answer, openPublishingStack, type PublishingStack } from './support/publishing-stack.ts';

let stack: PublishingStack;
let frontend: FrontendService;
let edge: Edge;
let port: number;
/** Added to the edge's clock, to age its copies without waiting. */
let skew = 0;

const ID = 'e0000000-0000-4000-8000-000000000001';
const mirror: MirrorReader = {
  read: async (path) =>
    path === '/only-in-the-mirror'
      ? { body: Buffer.from('<h1>Saved by the mirror</h1>'), contentType: 'text/html; charset=utf-8', savedAt: new Date() }
      : undefined,
};

const www = (path: string) => ask(port, path);

before(async () => {
  stack = await openPublishingStack();
  frontend = createFrontend({ stack: 'live', log: silentLogger(), contentStoreUrl: `http://127.0.0.1:${stack.stores.live.port}`, searchApiUrl: 'http://127.0.0.1:9', maxAgeSeconds: 300 });
  const frontendUrl = `http://127.0.0.1:${await frontend.start(0, '127.0.0.1')}/`;
  await stack.t.db.transaction((tx) => upsertRoutes(tx, 'live', [{ backend_id: FRONTEND_BACKEND_ID, backend_url: frontendUrl }], [...FRONTEND_ROUTES]));
  edge = createEdge({
    originUrl: `http://127.0.0.1:${stack.routers.live.port}`,
    purgeToken: 'end-to-end-purge-token',
    bus: stack.bus,
    mirror,
    now: () => Date.now() + skew,
  });
  port = await edge.start(0, '127.0.0.1');

  assert.equal((await stack.call('PUT', `/v2/content/${ID}`, answer('/fishing-licence', { title: 'Get a fishing licence' }))).status, 200);
  assert.equal((await stack.call('POST', `/v2/content/${ID}/publish`, {})).status, 200);
  await eventually(async () => ((await stack.visit('live', '/fishing-licence')).status === 200 ? true : undefined), 10_000, 'the page on the live router');
});

after(async () => {
  await edge?.stop();
  await frontend?.stop();
  await stack?.close();
});

test('a page through www: MISS, then HIT from the edge', async () => {
  const first = await www('/fishing-licence');
  assert.equal(first.status, 200);
  assert.equal(first.headers['x-cache'], 'MISS');
  assert.match(first.text, /<h1[^>]*>Get a fishing licence<\/h1>/);
  const second = await www('/fishing-licence');
  assert.equal(second.headers['x-cache'], 'HIT');
  assert.equal(second.text, first.text);
  assert.match(String(second.headers['portico-request-id']), /^[0-9a-f-]{36}$/);
});

// How fast is the edge benchmark's to measure (publish -> fresh); here, that the
// purge happens at all: the cached copy would otherwise last its max-age.
test('a publish purges the edge: www serves the new page long before the cached copy expires', async () => {
  assert.match((await www('/fishing-licence')).text, /Get a fishing licence/);
  assert.equal((await www('/fishing-licence')).headers['x-cache'], 'HIT');
  assert.equal((await stack.call('PUT', `/v2/content/${ID}`, answer('/fishing-licence', { title: 'Fishing licences, renamed' }))).status, 200);
  assert.equal((await stack.call('POST', `/v2/content/${ID}/publish`, {})).status, 200);
  const fresh = await eventually(async () => {
    const r = await www('/fishing-licence');
    return /Fishing licences, renamed/.test(r.text) ? r : undefined;
  }, 10_000, 'the new title on www');
  assert.equal(fresh.headers['x-cache'], 'MISS', 'fetched again after the purge');
});

test('origin down: a cached page is served STALE, a mirrored page MIRROR, anything else 503', async () => {
  await www('/fishing-licence');
  skew += 600_000;
  await stack.routers.live.service.stop();

  const stale = await www('/fishing-licence');
  assert.equal(stale.status, 200);
  assert.equal(stale.headers['x-cache'], 'STALE');
  assert.match(stale.text, /Fishing licences, renamed/);

  const mirrored = await www('/only-in-the-mirror');
  assert.equal(mirrored.status, 200);
  assert.equal(mirrored.headers['x-cache'], 'MIRROR');
  assert.match(mirrored.text, /Saved by the mirror/);

  const none = await www('/never-cached');
  assert.equal(none.status, 503);
  assert.match(none.text, /Sorry, there is a problem with the service/);
});
