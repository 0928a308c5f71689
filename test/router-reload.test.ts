// The router's admin port (router.md §8.2 items 37-41, with Portico's own
// endpoints) and how it takes up routing tables: through NOTIFY alone, on
// POST /reload, before its first table, many times under load, and while the
// database cannot give it one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { migrateContentStore } from '../src/content-store/schema.ts';
import type { BackendRecord, RouteRecord } from '../src/router/routes.ts';
import {
  eventually,
  exact,
  gone,
  metricSample,
  prefix,
  redirect,
  RouterHarness,
  send,
  waitForRouteCount,
  type Case,
} from './support/router-harness.ts';

let h: RouterHarness;

before(async () => {
  h = await RouterHarness.open();
});

after(async () => {
  await h?.close();
});

// --- 37-41: the admin port -----------------------------------------------------

const ADMIN_TABLE = [exact('/foo', 'backend-1'), gone('exact', '/gone')];

const admin = (name: string, method: string, path: string, expect: Case['expect']): Case => ({
  name: `${method} ${path}: ${name}`,
  routes: ADMIN_TABLE,
  port: 'admin',
  request: { method, path },
  expect,
});

const ADMIN_CASES: Case[] = [
  admin('37 queues a reload', 'POST', '/reload', { status: 202, body: /^Reload queued\n?$/ }),
  admin('37 only POST reloads', 'GET', '/reload', { status: 405, body: '', headers: { allow: 'POST' } }),
  admin('37 only POST reloads', 'PUT', '/reload', { status: 405, body: '', headers: { allow: 'POST' } }),
  admin('37 unknown path', 'POST', '/foo', { status: 404 }),
  admin('37 nothing under /reload', 'POST', '/reload/foo', { status: 404 }),
  admin('39 liveness', 'GET', '/healthcheck/live', { status: 200, json: { status: 'ok' } }),
  admin('39 liveness is GET only', 'POST', '/healthcheck/live', { status: 405, headers: { allow: 'GET' } }),
  admin('readiness once a table is loaded', 'GET', '/healthcheck/ready', { status: 200, json: { status: 'ok', routes: 2 } }),
  admin('readiness is GET only', 'POST', '/healthcheck/ready', { status: 405, headers: { allow: 'GET' } }),
  admin('Portico has no bare /healthcheck', 'GET', '/healthcheck', { status: 404 }),
  admin('40 memory figures', 'GET', '/memory-stats', {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: /"rss":\d+.*"heapUsed":\d+/,
  }),
  admin('41 Prometheus metrics', 'GET', '/metrics', { status: 200, body: /^router_/m, headers: { 'content-type': /^text\/plain/ } }),
  admin('41 metrics are GET only', 'POST', '/metrics', { status: 405, headers: { allow: 'GET' } }),
  admin('the loaded table', 'GET', '/routes', {
    status: 200,
    json: {
      count: 2,
      routes: [
        { incoming_path: '/foo', route_type: 'exact', handler: 'backend', backend_id: 'backend-1', redirect_to: null, redirect_type: null, segments_mode: null },
        { incoming_path: '/gone', route_type: 'exact', handler: 'gone', backend_id: null, redirect_to: null, redirect_type: null, segments_mode: null },
      ],
    },
  }),
  admin('a query string is ignored', 'GET', '/routes?verbose=1', { status: 200, json: { count: 2 } }),
];

describe('admin port (8.2 items 37-41)', () => {
  for (const c of ADMIN_CASES) test(c.name, { todo: c.todo }, () => h.run(c).then(() => undefined));
});

test('the reload metrics count successful reloads', async () => {
  const before = metricSample(await h.metrics(), 'router_reloads_total', { result: 'success' });
  await h.useRoutes([exact('/counted', 'backend-1')]);
  const text = await h.metrics();
  assert.ok(metricSample(text, 'router_reloads_total', { result: 'success' }) > before);
  assert.equal(metricSample(text, 'router_routes_loaded'), 1);
});

// --- reload triggers -------------------------------------------------------------

test('38 routes written and then POST /reload are served within 3 s', async () => {
  await h.useRoutes(ADMIN_TABLE);
  await h.writeRoutes([
    ...ADMIN_TABLE,
    redirect('prefix', '/foo-redirect', '/bar'),
    redirect('prefix', '/baz-redirect', '/qux'),
  ]);
  const res = await h.admin('POST', '/reload');
  assert.equal(res.status, 202);
  await eventually(async () => {
    const [a, b] = await Promise.all([h.send({ path: '/foo-redirect' }), h.send({ path: '/baz-redirect/x' })]);
    return a.status === 301 && a.headers.location === '/bar' && b.status === 301 && b.headers.location === '/qux/x' ? true : undefined;
  }, 3000, 'both redirects');
});

test('a change committed to the routes table reaches the router through NOTIFY alone', async () => {
  await h.useRoutes(ADMIN_TABLE);
  const reloads = () => h.metrics().then((m) => metricSample(m, 'router_reloads_total', { result: 'success' }));
  const before = await reloads();
  // Nothing here asks for a reload, and the periodic one is a minute away.
  await h.writeRoutes([...ADMIN_TABLE, exact('/notified', 'backend-2'), prefix('/notified-prefix', 'backend-1')]);
  await waitForRouteCount(h, 4, h.router, 5000);
  assert.ok((await reloads()) > before);
  const res = await h.send({ path: '/notified' });
  assert.equal(res.status, 200);
  assert.equal(res.body, 'backend-2');
  assert.equal((await h.send({ path: '/notified-prefix/deep' })).body, 'backend-1');
});

test('a change to the backends table alone (a new backend URL) reaches the router through NOTIFY', async () => {
  await h.useRoutes(ADMIN_TABLE);
  assert.equal((await h.send({ path: '/foo' })).body, 'backend-1');
  h.forget();
  await h.db.query('UPDATE content_store_live.backends SET backend_url = $1 WHERE backend_id = $2', [
    `${h.backend('backend-2').url}/`,
    'backend-1',
  ]);
  await eventually(async () => ((await h.send({ path: '/foo' })).body === 'backend-2' ? true : undefined), 5000, 'the new backend URL');
});

test('before its first table the router is live but not ready, and answers 503; it becomes ready when routes appear', async () => {
  await h.useRoutes(ADMIN_TABLE);
  // The draft schema does not exist yet, so the first load fails.
  const r = await h.startRouter({ stack: 'draft' });
  try {
    const ready = await h.admin('GET', '/healthcheck/ready', r);
    assert.equal(ready.status, 503);
    assert.equal((JSON.parse(ready.body) as { status: string }).status, 'unavailable');
    assert.equal((await h.admin('GET', '/healthcheck/live', r)).status, 200);
    const res = await h.send({ path: '/foo' }, r);
    assert.equal(res.status, 503);
    assert.equal(res.body, '');

    await migrateContentStore(h.db, 'draft');
    await h.writeRoutes([exact('/foo', 'backend-2')], [], 'draft');
    await eventually(async () => ((await h.admin('GET', '/healthcheck/ready', r)).status === 200 ? true : undefined), 5000, 'ready');
    const after = await h.send({ path: '/foo' }, r);
    assert.equal(after.status, 200);
    assert.equal(after.body, 'backend-2');
    // The live router never saw the draft table.
    assert.equal((await h.send({ path: '/foo' })).body, 'backend-1');
  } finally {
    await r.stop();
  }
});

// --- reloads under load ------------------------------------------------------------

const VERSIONS = 50;

/**
 * Version v of a table whose stable paths stay routed throughout. Odd versions
 * send them to backend `flip-a` (echo-a), even ones to `flip-b` (echo-b), and
 * both backend URLs carry the version as a path prefix; so each answer names
 * the version of the backend row it came through, and its parity must agree
 * with the echo server that answered, or the table mixed two versions.
 */
function version(v: number): { routes: RouteRecord[]; backends: BackendRecord[] } {
  const to = v % 2 === 1 ? 'flip-a' : 'flip-b';
  const routes: RouteRecord[] = [
    exact('/stable/one', to),
    prefix('/stable/two', to),
    exact('/stable/three', to),
    redirect('exact', '/stable/moved', `/moved-v${v}`),
    // Churn: routes that come and go, beside and beneath the stable ones.
    prefix(`/stable/two/other-${v}`, 'backend-1'),
    gone('exact', `/stable/gone-${v}`),
  ];
  for (let i = 0; i < (v % 7) * 5; i++) routes.push(exact(`/churn/${v}/${i}`, i % 2 ? 'backend-1' : 'backend-2'));
  return {
    routes,
    backends: [
      { backend_id: 'flip-a', backend_url: `${h.backend('echo-a').url}/v${v}` },
      { backend_id: 'flip-b', backend_url: `${h.backend('echo-b').url}/v${v}` },
    ],
  };
}

const LOAD_PATHS = ['/stable/one', '/stable/two/deeper', '/stable/three', '/stable/moved'];

test(`${VERSIONS} table replacements under steady traffic: no failed request, no 404 or 503, no mixed table`, async () => {
  const v0 = version(0);
  await h.useRoutes(v0.routes, v0.backends);
  let writing = true;
  const problems: string[] = [];
  const seen = new Set<number>();
  let requests = 0;
  const deadline = performance.now() + 40_000;

  async function client(n: number): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let last = 0;
    try {
      for (let i = 0; writing && i < 20_000 && performance.now() < deadline; i++) {
        const path = LOAD_PATHS[(i + n) % LOAD_PATHS.length]!;
        let v: number;
        try {
          const res = await send(h.router.port, { path }, agent);
          requests++;
          if (path === '/stable/moved') {
            const m = res.status === 301 ? /^\/moved-v(\d+)$/.exec(res.headers.location ?? '') : null;
            if (!m) {
              problems.push(`${path}: ${res.status} ${res.headers.location}`);
              continue;
            }
            v = Number(m[1]);
          } else {
            const m = res.status === 200 ? /^echo-(a|b) \/v(\d+)(\/.*)$/.exec(res.body) : null;
            if (!m || m[3] !== path) {
              problems.push(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
              continue;
            }
            v = Number(m[2]);
            if ((m[1] === 'a') !== (v % 2 === 1)) problems.push(`${path}: echo-${m[1]} answered through version ${v}'s backend`);
          }
        } catch (err) {
          problems.push(`${path}: ${(err as Error).message}`);
          continue;
        }
        // Tables only move forward: a later request cannot see an older one.
        if (v < last) problems.push(`${path}: version ${v} after version ${last}`);
        last = v;
        seen.add(v);
      }
    } finally {
      agent.destroy();
    }
  }

  const clients = [0, 1, 2].map(client);
  try {
    for (let v = 1; v <= VERSIONS; v++) {
      // PGlite runs in this thread and its statements chain through
      // microtasks, so a writer that never waits would starve the traffic;
      // let some requests through between versions.
      const target = requests + 12;
      await eventually(() => (requests >= target || problems.length > 0 ? true : undefined), 10_000, 'traffic between reloads');
      const next = version(v);
      await h.writeRoutes(next.routes, next.backends);
      await h.reloadAll();
      assert.equal(h.router.service.mux.size, next.routes.length, `version ${v} loaded whole`);
    }
  } finally {
    writing = false;
    await Promise.all(clients);
  }
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} bad answers out of ${requests}`);
  assert.ok(requests >= 200, `only ${requests} requests were made`);
  assert.ok(seen.size >= 10, `traffic saw only ${seen.size} table versions`);
  assert.ok(seen.has(VERSIONS), 'the last version was seen');
});

// --- the database goes away ------------------------------------------------------------

test('while the routes cannot be read the router serves its last table, counts the failures, and catches up afterwards', async () => {
  const TABLE = [exact('/a', 'backend-1')];
  await h.useRoutes(TABLE);
  h.forget();
  const errors = async () => metricSample(await h.metrics(), 'router_reloads_total', { result: 'error' });
  const errorsBefore = await errors();

  // PGlite cannot be cut off like a server, so take the table away instead:
  // the loader's query fails just as it would on a lost connection.
  await h.db.exec('ALTER TABLE content_store_live.routes RENAME TO routes_offline');
  let restored = false;
  try {
    assert.equal((await h.admin('POST', '/reload')).status, 202);
    await eventually(async () => ((await errors()) > errorsBefore ? true : undefined), 5000, 'a failed reload');

    for (let i = 0; i < 20; i++) {
      const res = await h.send({ path: '/a' });
      assert.equal(res.status, 200);
      assert.equal(res.body, 'backend-1');
    }
    assert.equal((await h.send({ path: '/b' })).status, 404);
    const ready = await h.admin('GET', '/healthcheck/ready');
    assert.equal(ready.status, 200, 'still ready: it has a table to serve');
    assert.equal((JSON.parse(ready.body) as { routes: number }).routes, 1);
    assert.equal((await h.admin('GET', '/healthcheck/live')).status, 200);
    // The failed load is retried on its own, and keeps failing while the table is away.
    const afterFirst = await errors();
    await eventually(async () => ((await errors()) > afterFirst ? true : undefined), 5000, 'a retried reload');

    await h.db.exec('ALTER TABLE content_store_live.routes_offline RENAME TO routes');
    restored = true;
    await h.db.query("INSERT INTO content_store_live.routes (incoming_path, route_type, handler) VALUES ('/b', 'exact', 'gone')");
    await eventually(async () => ((await h.send({ path: '/b' })).status === 410 ? true : undefined), 5000, 'the new route');
    assert.equal((await h.send({ path: '/a' })).status, 200);
  } finally {
    if (!restored) await h.db.exec('ALTER TABLE content_store_live.routes_offline RENAME TO routes');
  }
});
