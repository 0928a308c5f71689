import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { eventually } from '../../../test/support/ports.ts';
import { openTestDb, type TestDb } from './testing.ts';

// The server drops the adapter's connections under it, as a restart or an
// operator's pg_terminate_backend would. See openPostgres for what it promises.

let t: TestDb;
let killer: pg.Client;

before(async () => {
  t = await openTestDb('postgres');
  killer = new pg.Client({ connectionString: t.url });
  await killer.connect();
});

after(async () => {
  await killer.end();
  await t.close();
});

/** Terminates every other connection to the test database; resolves to how many there were. */
async function killOthers(): Promise<number> {
  const { rows } = await killer.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  return rows.length;
}

async function backendGone(pid: number): Promise<true | undefined> {
  const { rows } = await killer.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
  return rows.length === 0 ? true : undefined;
}

/** Has the pool hold `n` connections, idle, the way a busy service leaves it. */
async function warmPool(n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => t.db.transaction((tx) => tx.query('SELECT 1'))));
}

test('a killed LISTEN connection comes back, tells the handler with "", and delivers again', async () => {
  const got: string[] = [];
  const unlisten = await t.db.listen('fault_listen', (p) => got.push(p));
  await t.db.notify('fault_listen', 'before');
  await eventually(() => (got.includes('before') ? true : undefined), 5000, 'the first notification');

  assert.ok((await killOthers()) >= 1);
  await eventually(() => (got.includes('') ? true : undefined), 10_000, 'the reconnect signal');

  await t.db.notify('fault_listen', 'after');
  await eventually(() => (got.includes('after') ? true : undefined), 5000, 'a notification after reconnecting');
  assert.deepEqual(got, ['before', '', 'after']);
  await unlisten();
});

test('statements outside a transaction succeed straight after their pooled connections are killed', async () => {
  await warmPool(5);
  assert.ok((await killOthers()) >= 5);
  const answers = await Promise.all([
    t.db.query<{ n: number }>('SELECT 1 AS n'),
    t.db.exec('SELECT 2 AS n; SELECT 3 AS n'),
    t.db.notify('fault_pool', 'x'),
    t.db.ping(),
  ]);
  assert.deepEqual(answers[0].rows, [{ n: 1 }]);
  assert.deepEqual(answers[1][1]!.rows, [{ n: 3 }]);
});

test('a transaction handed a killed pooled connection begins again on another', async () => {
  await warmPool(3);
  await killOthers();
  const value = await t.db.transaction(async (tx) => (await tx.query<{ n: number }>('SELECT 4 AS n')).rows[0]!.n);
  assert.equal(value, 4);
});

test('a transaction whose connection is killed part-way rejects, is not retried, and the pool recovers', async () => {
  await t.db.exec('CREATE TABLE IF NOT EXISTS fault_tx (id int)');
  let runs = 0;
  await assert.rejects(
    t.db.transaction(async (tx) => {
      runs++;
      await tx.query('INSERT INTO fault_tx VALUES (1)');
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // Killed while idle between statements: the driver reports it as an
      // 'error' event on the client rather than on a query.
      await killer.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await eventually(() => backendGone(rows[0]!.pid), 5000, 'the backend to exit');
      await tx.query('INSERT INTO fault_tx VALUES (2)');
    }),
  );
  assert.equal(runs, 1);
  const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM fault_tx');
  assert.deepEqual(rows, [{ n: 0 }]);
});
