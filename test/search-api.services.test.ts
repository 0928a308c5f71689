// Services mode, for real: the publishing stack in one `portico start`
// process, the search API in another, on PostgreSQL, with the publishing
// events crossing RabbitMQ between them and searches reaching the search API
// through the live router.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqplib from 'amqplib';
import { createTestDatabase } from '../src/platform/db/testing.ts';
import { eventually, freePortEnv } from './support/ports.ts';
import { answer } from './support/publishing-stack.ts';

const BIN = new URL('../bin/portico.mjs', import.meta.url).pathname;
const AMQP_URL = process.env.PORTICO_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
// Its own queue: another test's search API on the same broker must not take these events.
const QUEUE = `search_api_index_test_${randomBytes(4).toString('hex')}`;

let dir: string;
let drop: () => Promise<void>;
let env: NodeJS.ProcessEnv;
const children: { name: string; child: ChildProcess; out: string }[] = [];
let api: string;
let search: string;
let live: string;

function startPortico(name: string, targets: string): Promise<void> {
  const entry = { name, child: spawn(process.execPath, [BIN, 'start', '--target', targets], { env }), out: '' };
  entry.child.stdout!.on('data', (d) => (entry.out += d));
  entry.child.stderr!.on('data', (d) => (entry.out += d));
  children.push(entry);
  return eventually(() => {
    if (entry.child.exitCode !== null) throw new Error(`${name} exited ${entry.child.exitCode}`);
    return entry.out.includes('Stop with Ctrl-C') ? true : undefined;
  }, 90_000, name)
    .then(() => undefined)
    .catch((err) => {
      throw new Error(`${(err as Error).message}\n${entry.out.slice(-3000)}`);
    });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-search-services-'));
  const db = await createTestDatabase();
  drop = db.drop;
  const free = await freePortEnv();
  env = { ...process.env, DATABASE_URL: db.url, AMQP_URL, SEARCH_API_QUEUE: QUEUE, PORTICO_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' };
  Object.assign(env, free.env);
  api = `http://127.0.0.1:${env.PORTICO_PORT_PUBLISHING_API}`;
  search = `http://127.0.0.1:${env.PORTICO_PORT_SEARCH_API}`;
  live = `http://127.0.0.1:${env.PORTICO_PORT_ROUTER_LIVE}`;
  await startPortico('search-api', 'search-api');
  await startPortico('publishing', 'content-store-live,content-store-draft,publishing-api,publishing-worker,router-live');
});

after(async () => {
  for (const { child } of children.reverse()) {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  const conn = await amqplib.connect(AMQP_URL);
  const ch = await conn.createChannel();
  for (const q of [QUEUE, `${QUEUE}.retry`, `${QUEUE}.dead`]) await ch.deleteQueue(q);
  await conn.close();
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
});

test('a publish in one process reaches the search index of another over RabbitMQ, and an unpublish leaves it', async () => {
  const made = spawnSync(process.execPath, [BIN, 'tokens', 'create', '--name', 'search-services-test'], { env, encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const token = made.stdout.trim().split('\n').at(-1)!;
  const call = async (method: string, url: string, body: unknown) => {
    const res = await fetch(`${api}${url}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, await res.text());
  };
  const id = randomUUID();
  const word = `zq${randomBytes(4).toString('hex')}`;
  const path = `/searchable-${word}`;
  const found = async (origin: string) => {
    const res = await fetch(`${origin}/search.json?q=${word}&fields=link,title`);
    return res.status === 200 ? ((await res.json()) as { results: { link: string; title: string }[] }).results : undefined;
  };

  await call('PUT', `/v2/content/${id}`, answer(path, { title: `Searchable ${word}` }));
  await call('POST', `/v2/content/${id}/publish`, {});
  assert.deepEqual(await eventually(async () => ((await found(search))?.length ? found(search) : undefined), 15_000, 'the document in the index'), [
    { link: path, title: `Searchable ${word}` },
  ]);
  // The search API registered its routes on the live router when it started.
  assert.deepEqual(await eventually(() => found(live), 5000, 'a search through the live router'), [{ link: path, title: `Searchable ${word}` }]);

  await call('POST', `/v2/content/${id}/unpublish`, { type: 'gone' });
  await eventually(async () => ((await found(search))?.length === 0 ? true : undefined), 15_000, 'the document to leave the index');
});
