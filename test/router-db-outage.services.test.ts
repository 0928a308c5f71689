import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { upsertRoutes } from '../src/content-store/routes.ts';
import { migrateContentStore } from '../src/content-store/schema.ts';
import { loadConfig } from '../src/platform/config.ts';
import { openTestDb, TEST_SERVER_URL, type TestDb } from '../src/platform/db/testing.ts';
import { silentLogger } from '../src/platform/log.ts';
import { createRouter, type RouterService } from '../src/router/index.ts';
import { eventually } from './support/ports.ts';

// Cuts the router's database away for real: PostgreSQL refuses new connections
// to the test database and terminates the open ones, then lets them back.

let t: TestDb;
let dbName: string;
let backend: Server;
let router: RouterService;
let base: string;
let admin: string;

async function asAdmin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_SERVER_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function reloads(result: string): Promise<number> {
  const text = await (await fetch(`${admin}/metrics`)).text();
  const m = new RegExp(`^router_reloads_total\\{[^}]*result="${result}"[^}]*\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

before(async () => {
  t = await openTestDb('postgres');
  dbName = new URL(t.url!).pathname.slice(1);
  await migrateContentStore(t.db, 'live');
  backend = createServer((req, res) => res.end(`backend saw ${req.url}`));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/`;
  await t.db.transaction((tx) =>
    upsertRoutes(tx, 'live', [{ backend_id: 'app', backend_url: backendUrl }], [
      { incoming_path: '/a', route_type: 'exact', handler: 'backend', backend_id: 'app' },
    ]),
  );
  const config = loadConfig({ ROUTER_ROUTE_RELOAD_INTERVAL: '200ms' });
  router = createRouter({ stack: 'live', db: t.db, config: config.router, log: silentLogger() });
  const ports = await router.start(0, 0, '127.0.0.1');
  base = `http://127.0.0.1:${ports.port}`;
  admin = `http://127.0.0.1:${ports.adminPort}`;
});

after(async () => {
  await asAdmin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`).catch(() => undefined);
  await router.stop();
  backend.close();
  await t.close();
});

test('the router keeps serving its table while the database is gone, and catches up when it returns', async () => {
  assert.equal((await fetch(`${base}/a`)).status, 200);

  await asAdmin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
  await asAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName}'`);
  const errorsBefore = await reloads('error');
  assert.equal((await fetch(`${admin}/reload`, { method: 'POST' })).status, 202);
  await eventually(async () => ((await reloads('error')) > errorsBefore ? true : undefined), 10_000, 'a failed reload');

  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${base}/a`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'backend saw /a');
  }
  assert.equal((await fetch(`${admin}/healthcheck/ready`)).status, 200, 'still ready: it has a table to serve');

  await asAdmin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
  // Written by another client: the router learns of it from NOTIFY once its listener is back, or from its periodic reload.
  const other = new pg.Client({ connectionString: t.url });
  await other.connect();
  await other.query(
    "INSERT INTO content_store_live.routes (incoming_path, route_type, handler) VALUES ('/b', 'exact', 'gone')",
  );
  await other.end();
  await eventually(async () => ((await fetch(`${base}/b`)).status === 410 ? true : undefined), 10_000, 'the new route');
});
