// Services mode, for real: `portico start` on PostgreSQL with RabbitMQ, and
// `portico events tail` in another process printing what a publish announces.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../src/platform/db/testing.ts';
import { eventually, freePortEnv } from './support/ports.ts';
import { answer } from './support/publishing-stack.ts';

const BIN = new URL('../bin/portico.mjs', import.meta.url).pathname;
const AMQP_URL = process.env.PORTICO_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

let dir: string;
let drop: () => Promise<void>;
let env: NodeJS.ProcessEnv;
let platform: ChildProcess;
let tail: ChildProcess;
let platformOut = '';
let tailOut = '';
let api: string;
let live: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-services-'));
  const db = await createTestDatabase();
  drop = db.drop;
  const free = await freePortEnv();
  env = { ...process.env, DATABASE_URL: db.url, AMQP_URL, PORTICO_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' };
  Object.assign(env, free.env);
  api = `http://127.0.0.1:${env.PORTICO_PORT_PUBLISHING_API}`;
  live = Number(env.PORTICO_PORT_ROUTER_LIVE);

  platform = spawn(process.execPath, [BIN, 'start'], { env });
  platform.stdout!.on('data', (d) => (platformOut += d));
  platform.stderr!.on('data', (d) => (platformOut += d));
  await eventually(() => (platformOut.includes('Stop with Ctrl-C') ? true : undefined), 90_000, 'portico start').catch((err) => {
    throw new Error(`${(err as Error).message}\n${platformOut.slice(-3000)}`);
  });
  tail = spawn(process.execPath, [BIN, 'events', 'tail', '--pattern', 'answer.*'], { env });
  tail.stdout!.on('data', (d) => (tailOut += d));
  tail.stderr!.on('data', (d) => (tailOut += d));
  await eventually(() => (tailOut.includes('tailing') ? true : undefined), 30_000, 'events tail to start');
});

after(async () => {
  for (const child of [tail, platform]) {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
});

test('a publish reaches the live router and is announced on RabbitMQ to another process', async () => {
  const made = spawnSync(process.execPath, [BIN, 'tokens', 'create', '--name', 'services-test'], { env, encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const token = made.stdout.trim().split('\n').at(-1)!;
  const id = randomUUID();
  const path = `/services-mode-${id.slice(0, 8)}`;
  const call = async (method: string, url: string, body: unknown) => {
    const res = await fetch(`${api}${url}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, await res.text());
  };
  await call('PUT', `/v2/content/${id}`, answer(path, { title: 'Announced across processes' }));
  await call('POST', `/v2/content/${id}/publish`, {});
  await eventually(async () => ((await fetch(`http://127.0.0.1:${live}${path}`)).status === 200 ? true : undefined), 5000, 'the live router');
  const line = await eventually(() => tailOut.split('\n').find((l) => l.includes(path)), 15_000, 'the event in the tail');
  assert.match(line, new RegExp(`answer\\.major ${path} Announced across processes [0-9a-f-]{36}`));
});
