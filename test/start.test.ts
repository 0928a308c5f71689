import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TEST_DATABASE } from '../src/platform/db/testing.ts';
import { eventually, freePortEnv } from './support/ports.ts';

const BIN = new URL('../bin/portico.mjs', import.meta.url).pathname;

let dir: string;
let child: ChildProcess;
let output = '';
let ports: Record<string, number>;
let dropDatabase: (() => Promise<void>) | undefined;
let slow: Server;
let slowRequests = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-start-'));
  const free = await freePortEnv(1);
  const slowPort = free.extra[0]!;
  // A backend that takes a second to answer, so a request is surely in flight when the signal lands.
  slow = createServer((_req, res) => {
    slowRequests++;
    setTimeout(() => res.end('slow and complete'), 1000);
  }).listen(slowPort, '127.0.0.1');
  ports = {
    live: free.port('router-live'), liveAdmin: free.port('router-live-admin'), draft: free.port('router-draft'),
    draftAdmin: free.port('router-draft-admin'), feLive: free.port('frontend-live'), feDraft: free.port('frontend-draft'),
    api: free.port('publishing-api'), csLive: free.port('content-store-live'), csDraft: free.port('content-store-draft'),
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORTICO_DATA_DIR: join(dir, 'data'),
    ...free.env,
  };
  delete env.DATABASE_URL;
  if (TEST_DATABASE === 'postgres') {
    const created = await createTestDatabase();
    env.DATABASE_URL = created.url;
    dropDatabase = created.drop;
  }
  const routes = join(dir, 'slow.jsonl');
  writeFileSync(
    routes,
    `{"backend_id":"slow","backend_url":"http://127.0.0.1:${slowPort}/"}\n` +
      '{"incoming_path":"/slow","route_type":"exact","handler":"backend","backend_id":"slow"}\n',
  );
  const imported = spawnSync(process.execPath, [BIN, 'routes', 'import', routes], { env, encoding: 'utf8' });
  assert.equal(imported.status, 0, imported.stderr + imported.stdout);
  child = spawn(process.execPath, [BIN, 'start'], { env });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await eventually(() => {
    if (child.exitCode !== null) throw new Error(`portico start exited ${child.exitCode}:\n${output}`);
    return output.includes('Stop with Ctrl-C') ? true : undefined;
  }, 60_000, 'portico start').catch((err) => {
    throw new Error(`${(err as Error).message}\n--- output so far ---\n${output.slice(-3000)}`);
  });
});

after(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  slow.close();
  await dropDatabase?.();
  rmSync(dir, { recursive: true, force: true });
});

test('npm start prints the URL of each entry point', () => {
  assert.match(output, new RegExp(`router-live\\s+http://127.0.0.1:${ports.live}/`));
  assert.match(output, new RegExp(`router-draft\\s+http://127.0.0.1:${ports.draft}/`));
});

test('the demo documents are published on first start: live pages on the live stack, the draft only on the draft stack', async () => {
  assert.match(output, new RegExp(`publishing-api\\s+http://127.0.0.1:${ports.api}/`));
  const home = await fetch(`http://127.0.0.1:${ports.csLive}/content/`);
  assert.equal(home.status, 200);
  assert.equal(((await home.json()) as { document_type: string }).document_type, 'homepage');
  const page = await (await fetch(`http://127.0.0.1:${ports.live}/keeping-bees`)).text();
  assert.match(page, /<h1[^>]*>Keeping bees<\/h1>/, 'the frontend renders the guide');
  const part = await fetch(`http://127.0.0.1:${ports.live}/keeping-bees/inspections`);
  assert.equal(part.status, 200);
  assert.match(await part.text(), /<h2 class="govuk-heading-l">Inspections<\/h2>/);
  assert.equal((await fetch(`http://127.0.0.1:${ports.csLive}/content/apply-for-a-village-hall-grant`)).status, 404);
  assert.equal((await fetch(`http://127.0.0.1:${ports.draft}/apply-for-a-village-hall-grant`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${ports.live}/rural-broadband-vouchers`, { redirect: 'manual' })).status, 301);
});

test('routes imported before the first start are kept, and demo routes are added beside them', async () => {
  // No item lives at /help: the frontend's own 404 page shows the demo route reached it.
  const res = await fetch(`http://127.0.0.1:${ports.live}/help`);
  assert.equal(res.status, 404);
  assert.match(await res.text(), /<title>Page not found - Portico<\/title>/);
});

test('the demo routes are served through both routers', async () => {
  for (const port of [ports.live, ports.draft]) {
    const home = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /<h1[^>]*>Portico: services and information<\/h1>/);
    const old = await fetch(`http://127.0.0.1:${port}/old-help/contact?x=1`, { redirect: 'manual' });
    assert.equal(old.status, 301);
    assert.equal(old.headers.get('location'), '/help/contact?x=1');
    const campaign = await fetch(`http://127.0.0.1:${port}/campaign`, { redirect: 'manual' });
    assert.equal(campaign.status, 302);
    assert.equal((await fetch(`http://127.0.0.1:${port}/retired-scheme`)).status, 410);
    assert.equal((await fetch(`http://127.0.0.1:${port}/nowhere`)).status, 404);
  }
  const ready = await fetch(`http://127.0.0.1:${ports.liveAdmin}/healthcheck/ready`);
  assert.equal(ready.status, 200);
});

test('SIGTERM drains an in-flight request and exits 0', async () => {
  const inFlight = fetch(`http://127.0.0.1:${ports.live}/slow`).then(async (r) => [r.status, await r.text()]);
  await eventually(() => (slowRequests > 0 ? true : undefined), 5000, 'the request to reach the backend');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.deepEqual(await inFlight, [200, 'slow and complete']);
  assert.equal(await exited, 0);
  await assert.rejects(fetch(`http://127.0.0.1:${ports.live}/`));
});
