// The bouncer on PostgreSQL, with `portico transition` in another process:
// a site added there reaches the bouncer's memory through LISTEN/NOTIFY (the
// periodic reload is set to an hour, so nothing else can bring it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBouncer, type BouncerService } from '../src/bouncer/index.ts';
import { migrateTransition } from '../src/bouncer/schema.ts';
import { silentLogger } from '../src/platform/log.ts';
import { openTestDb, type TestDb } from '../src/platform/db/testing.ts';
import { eventually } from './support/ports.ts';

const BIN = new URL('../bin/portico.mjs', import.meta.url).pathname;

let t: TestDb;
let bouncer: BouncerService;
let server: Server;
let dir: string;

function portico(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, DATABASE_URL: t.url, PORTICO_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, [BIN, 'transition', ...args], { env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

function get(host: string, path: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  t = await openTestDb('postgres');
  dir = mkdtempSync(join(tmpdir(), 'portico-bouncer-'));
  await migrateTransition(t.db);
  bouncer = await createBouncer({ db: t.db, log: silentLogger(), reloadIntervalMs: 3_600_000 });
  server = createServer((req, res) => void bouncer.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});

after(async () => {
  await new Promise((r) => server.close(r));
  await bouncer.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a site added and imported by another process is answered without a restart', async () => {
  assert.equal(bouncer.servesHost('www.retired.gov.uk'), false);
  const added = await portico('site', 'add', 'retired', '--host', 'www.retired.gov.uk', '--homepage', 'https://www.gov.uk/retired');
  assert.equal(added.code, 0, added.out);
  await eventually(() => (bouncer.servesHost('aka.retired.gov.uk') ? true : undefined), 10_000, 'the notification of the new site');

  const csv = join(dir, 'retired.csv');
  writeFileSync(csv, 'old,new\n/guidance/x.html,https://www.gov.uk/guidance/x\n/gone,TNA\n');
  const imported = await portico('import', 'retired', csv);
  assert.equal(imported.code, 0, imported.out);
  // Mappings are read per request: no reload is needed for them.
  assert.deepEqual(await get('www.retired.gov.uk', '/Guidance/X.html'), { status: 301, location: 'https://www.gov.uk/guidance/x' });
  assert.equal((await get('www.retired.gov.uk', '/gone')).status, 410);
  assert.equal((await get('www.retired.gov.uk', '/')).location, 'https://www.gov.uk/retired');
});
