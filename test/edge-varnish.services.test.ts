// The generated VCL in Debian's Varnish, in front of a real live router and
// frontend fed by the Publishing API, with the mirror's server beside it: cache,
// purge on publish through the edge's purge consumer, purge auth, the apex
// redirect and failover. Needs varnishd (scripts/ensure-varnish.sh).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { STACKS } from '../src/content-store/schema.ts';
import { httpPurger } from '../src/edge/http-purger.ts';
import { startPurgeConsumer } from '../src/edge/purge-consumer.ts';
import { generateVcl, VCL_DEFAULTS } from '../src/edge/vcl.ts';
import { findVarnishd, VARNISH_MISSING, varnishdArgs } from '../src/edge/vcl-varnishd.ts';
import { createFrontend, type FrontendService } from '../src/frontend/index.ts';
import { FRONTEND_BACKEND_ID, FRONTEND_ROUTES } from '../src/frontend/routes.ts';
import { mirrorKey } from '../src/mirror/layout.ts';
import { createMirrorServer } from '../src/mirror/server.ts';
import { memoryObjectStore } from '../src/mirror/testing.ts';
import { silentLogger } from '../src/platform/log.ts';
import { eventually, freePorts } from './support/ports.ts';
import { answer, openPublishingStack, type PublishingStack } from './support/publishing-stack.ts';

const WWW = 'www.portico.test';
const APEX = 'portico.test';
const TOKEN = 'varnish-test-purge-token';
const PROBE = '/probe-page';
const MIRRORED = '/guidance/only-in-the-mirror';
const MIRRORED_HTML = '<!DOCTYPE html><title>Mirrored</title><p>The mirror copy of the guidance.</p>\n';

const VARNISHD = findVarnishd();
let stack: PublishingStack;
let frontend: FrontendService;
let mirror: ReturnType<typeof createMirrorServer>;
let varnish: ChildProcess | undefined;
let varnishPort: number;
let workDir: string;
let stopConsumer: (() => Promise<void>) | undefined;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to Varnish on its own connection, as a browser on `host` would send it. */
function get(path: string, opts: { host?: string; method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: varnishPort, path, method: opts.method ?? 'GET', agent: false, headers: { host: opts.host ?? WWW, ...opts.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (s: string) => (body += s));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const ids = { probe: 'e0000000-0000-4000-8000-000000000001', page: 'e0000000-0000-4000-8000-000000000002', later: 'e0000000-0000-4000-8000-000000000003' };

async function publish(id: string, path: string, title: string): Promise<void> {
  const put = await stack.call('PUT', `/v2/content/${id}`, answer(path, { title }));
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const pub = await stack.call('POST', `/v2/content/${id}/publish`, { update_type: 'major' });
  assert.equal(pub.status, 200, JSON.stringify(pub.body));
}

/** The live router's answer once it serves `path` with `text` in it. */
function onOrigin(path: string, text: string) {
  return eventually(async () => {
    const r = await stack.visit('live', path);
    return r.status === 200 && r.body.includes(text) ? r : undefined;
  }, 30_000, `the live router to serve ${text} at ${path}`);
}

before(async () => {
  assert.ok(VARNISHD, VARNISH_MISSING);
  stack = await openPublishingStack();
  frontend = createFrontend({ stack: 'live', log: silentLogger(), contentStoreUrl: `http://127.0.0.1:${stack.stores.live.port}`, searchApiUrl: 'http://127.0.0.1:9', maxAgeSeconds: 300 });
  const frontendUrl = `http://127.0.0.1:${await frontend.start(0, '127.0.0.1')}/`;
  await stack.t.db.transaction(async (tx) => {
    for (const s of STACKS) await upsertRoutes(tx, s, [{ backend_id: FRONTEND_BACKEND_ID, backend_url: frontendUrl }], [...FRONTEND_ROUTES]);
  });
  await publish(ids.probe, PROBE, 'Probe page');
  await publish(ids.page, '/fishing-licence', 'Get a fishing licence');
  await onOrigin(PROBE, 'Probe page');
  await onOrigin('/fishing-licence', 'Get a fishing licence');

  // The mirror's static server, holding one page where the crawler would have saved it.
  const store = memoryObjectStore();
  await store.put(mirrorKey(MIRRORED)!, MIRRORED_HTML, { contentType: 'text/html; charset=utf-8' });
  mirror = createMirrorServer({ store, log: silentLogger() });
  const mirrorPort = await mirror.start(0, '127.0.0.1');

  varnishPort = (await freePorts(1))[0]!;
  workDir = mkdtempSync(join(tmpdir(), 'portico-varnish-'));
  // varnishd started as root hands its worker to an unprivileged user, which must reach the work directory.
  chmodSync(workDir, 0o755);
  const vclFile = join(workDir, 'www.vcl');
  writeFileSync(
    vclFile,
    generateVcl({
      ...VCL_DEFAULTS,
      originUrl: `http://127.0.0.1:${stack.routers.live.port}`,
      mirrorUrl: `http://127.0.0.1:${mirrorPort}`,
      wwwHosts: [WWW],
      apexHosts: [APEX],
      purgeToken: TOKEN,
      probePath: PROBE,
    }),
  );
  const compiled = spawnSync(VARNISHD!, ['-C', '-n', join(workDir, 'compile'), '-f', vclFile], { encoding: 'utf8' });
  assert.equal(compiled.status, 0, `varnishd -C refused the generated VCL:\n${compiled.stderr}`);

  varnish = spawn(VARNISHD!, varnishdArgs({ workDir: join(workDir, 'n'), port: varnishPort, vclFile, storageMb: 64 }), { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  varnish.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  process.on('exit', stopVarnish);
  await eventually(async () => {
    if (varnish!.exitCode !== null) throw new Error(`varnishd exited ${varnish!.exitCode}: ${stderr}`);
    return (await get(PROBE)).status === 200 ? true : undefined;
  }, 30_000, 'Varnish to serve the probe page');

  stopConsumer = await startPurgeConsumer({ bus: stack.bus, purgers: [httpPurger(`http://127.0.0.1:${varnishPort}`, TOKEN, { host: WWW })], log: silentLogger() });
});

function stopVarnish(): void {
  if (varnish?.pid !== undefined && varnish.exitCode === null && varnish.signalCode === null) {
    // The group: the manager and the worker it forked.
    process.kill(-varnish.pid, 'SIGKILL');
  }
}

after(async () => {
  await stopConsumer?.();
  if (varnish && varnish.exitCode === null && varnish.signalCode === null) {
    const exited = new Promise((r) => varnish!.once('exit', r));
    process.kill(-varnish.pid!, 'SIGTERM');
    await exited;
  }
  await mirror?.stop();
  await frontend?.stop();
  await stack?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('a page is fetched once (MISS), then served from Varnish (HIT), each answer with its own request id', async () => {
  const first = await get('/fishing-licence?utm_source=newsletter');
  assert.equal(first.status, 200);
  assert.equal(first.headers['x-cache'], 'MISS');
  assert.match(first.body, /Get a fishing licence/);
  const second = await get('/fishing-licence');
  assert.equal(second.headers['x-cache'], 'HIT', 'utm_* does not make a different page');
  assert.equal(second.body, first.body);
  assert.match(String(second.headers['portico-request-id']), /^varnish-\d+-\d+-\d+$/);
  assert.notEqual(second.headers['portico-request-id'], first.headers['portico-request-id']);
  const given = await get('/fishing-licence', { headers: { 'portico-request-id': 'from-the-client' } });
  assert.equal(given.headers['portico-request-id'], 'from-the-client');
});

test('the apex host is redirected to www with the path and query kept; other hosts get 404', async () => {
  const res = await get('/fishing-licence?a=1', { host: `${APEX}:${varnishPort}` });
  assert.equal(res.status, 301);
  assert.equal(res.headers.location, `http://${WWW}/fishing-licence?a=1`);
  assert.equal((await get('/fishing-licence', { host: 'elsewhere.test' })).status, 404);
});

test('PURGE without the token, or with a wrong one, is refused and the copy stays', async () => {
  await get('/fishing-licence');
  assert.equal((await get('/fishing-licence', { method: 'PURGE' })).status, 403);
  assert.equal((await get('/fishing-licence', { method: 'PURGE', headers: { 'portico-purge-token': 'not-the-token-at-all' } })).status, 403);
  assert.equal((await get('/fishing-licence')).headers['x-cache'], 'HIT');
});

// The latency is the edge benchmark's to measure; here, that the purge reaches Varnish at all.
test('a publish purges Varnish through the purge consumer: the new text is served before the cached copy expires', async () => {
  assert.match((await get('/fishing-licence')).body, /Get a fishing licence/);
  assert.equal((await get('/fishing-licence')).headers['x-cache'], 'HIT');
  await publish(ids.page, '/fishing-licence', 'Get a fishing or angling licence');
  const fresh = await eventually(async () => {
    const r = await get('/fishing-licence');
    return r.body.includes('Get a fishing or angling licence') ? r : undefined;
  }, 10_000, 'Varnish to serve the new title');
  assert.equal(fresh.headers['x-cache'], 'MISS');
});

test('a hard purge of a path drops every query-string variant of it, and nothing else', async () => {
  for (const path of ['/fishing-licence?page=2&b=1', '/fishing-licence', PROBE]) {
    await get(path);
    assert.equal((await get(path)).headers['x-cache'], 'HIT', path);
  }
  await httpPurger(`http://127.0.0.1:${varnishPort}`, TOKEN).purge(['/fishing-licence'], { soft: false });
  assert.equal((await get('/fishing-licence?b=1&page=2')).headers['x-cache'], 'MISS');
  assert.equal((await get('/fishing-licence')).headers['x-cache'], 'MISS');
  assert.equal((await get(PROBE)).headers['x-cache'], 'HIT');
});

test('origin down: a soft-purged copy is served stale, a mirrored page comes from the mirror, the rest get the 503 page', async () => {
  await publish(ids.later, '/later-page', 'A page nobody has asked for');
  await onOrigin('/later-page', 'A page nobody has asked for');
  assert.equal((await get('/fishing-licence')).status, 200);
  await httpPurger(`http://127.0.0.1:${varnishPort}`, TOKEN).purge(['/fishing-licence'], { soft: true });
  await stack.routers.live.service.stop();

  const stale = await get('/fishing-licence');
  assert.equal(stale.status, 200);
  assert.equal(stale.headers['x-cache'], 'STALE');
  assert.match(stale.body, /Get a fishing or angling licence/);

  const mirrored = await get(`${MIRRORED}?page=2`);
  assert.equal(mirrored.status, 200);
  assert.equal(mirrored.headers['x-cache'], 'MIRROR');
  assert.equal(mirrored.body, MIRRORED_HTML);

  const unavailable = await get('/later-page');
  assert.equal(unavailable.status, 503);
  assert.equal(unavailable.headers['x-cache'], 'ERROR');
  assert.match(unavailable.body, /Sorry, the service is unavailable/);
});
