import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { eventually } from '../../test/support/ports.ts';
import { openTestDb, type TestDb } from './db/testing.ts';
import { createLogger } from './log.ts';
import { createQueue, type Job, type Queue } from './queue.ts';

const POLL = { pollingIntervalSeconds: 0.5 };

let t: TestDb;
let queue: Queue;
const logged: { level: string; msg: string }[] = [];
const log = createLogger({
  level: 'warn',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(JSON.parse(chunk.toString()));
      done();
    },
  }),
});

before(async () => {
  t = await openTestDb();
  queue = createQueue(t.db, { log });
  await queue.start();
});

after(async () => {
  await queue.stop();
  await t.close();
  assert.deepEqual(logged.filter((l) => l.level === 'error'), []);
});

async function jobState(id: string): Promise<{ state: string; retry_count: number } | undefined> {
  const { rows } = await t.db.query<{ state: string; retry_count: number }>(
    'SELECT state::text, retry_count FROM pgboss.job WHERE id = $1',
    [id],
  );
  return rows[0];
}

test('a sent job is processed by a worker', async () => {
  await queue.createQueue('basic');
  const seen: Job<{ n: number }>[] = [];
  await queue.work<{ n: number }>('basic', async (job) => void seen.push(job), POLL);
  const id = await queue.send('basic', { n: 1 });
  await eventually(() => (seen.length > 0 ? true : undefined), 10_000, 'the job to be processed');
  assert.deepEqual(seen, [{ id, name: 'basic', data: { n: 1 } }]);
  await eventually(async () => ((await jobState(id))?.state === 'completed' ? true : undefined), 5000, 'the job to complete');
});

test('a failing job is retried, then marked failed and copied to the dead-letter queue', async () => {
  await queue.createQueue('flaky_dead');
  await queue.createQueue('flaky', { retryLimit: 2, retryDelay: 0, deadLetter: 'flaky_dead' });
  let attempts = 0;
  await queue.work('flaky', async () => {
    attempts++;
    throw new Error('not today');
  }, POLL);
  const dead: Job<{ n: number }>[] = [];
  await queue.work<{ n: number }>('flaky_dead', async (job) => void dead.push(job), POLL);

  const id = await queue.send('flaky', { n: 2 });
  await eventually(() => (dead.length > 0 ? true : undefined), 15_000, 'the dead-lettered job');
  assert.equal(attempts, 3);
  assert.deepEqual(dead.map((j) => j.data), [{ n: 2 }]);
  assert.deepEqual(await jobState(id), { state: 'failed', retry_count: 2 });
  assert.equal(logged.filter((l) => l.msg === 'job failed').length, 3);
});

test('a job sent in a transaction exists only if the transaction commits', async () => {
  await queue.createQueue('transactional');
  const seen: string[] = [];
  await queue.work('transactional', async (job) => void seen.push(job.id), POLL);

  const committed = await t.db.transaction((tx) => queue.send('transactional', { kept: true }, { tx }));
  let rolledBack: string | undefined;
  await assert.rejects(
    t.db.transaction(async (tx) => {
      rolledBack = await queue.send('transactional', { kept: false }, { tx });
      throw new Error('undo');
    }),
    /undo/,
  );
  await eventually(() => (seen.includes(committed) ? true : undefined), 10_000, 'the committed job');
  assert.equal(await jobState(rolledBack!), undefined);
  assert.deepEqual(seen, [committed]);
});

test('sending to a queue that was never created rejects', async () => {
  await assert.rejects(queue.send('never_created', {}), /no job queue named "never_created"/);
});

test('stop() lets a running handler finish, records its outcome, and resolves', async () => {
  const second = createQueue(t.db, { log });
  await second.start();
  await second.createQueue('slow');
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started = false;
  let finished = false;
  await second.work('slow', async () => {
    started = true;
    await gate;
    finished = true;
  }, POLL);
  const id = await second.send('slow', {});
  await eventually(() => (started ? true : undefined), 10_000, 'the handler to start');

  const stopping = second.stop();
  release();
  await stopping;
  assert.equal(finished, true);
  assert.equal((await jobState(id))?.state, 'completed');
});

test('a send wakes an idle worker at once, long before its next poll', async () => {
  await queue.createQueue('wake');
  const seen: string[] = [];
  await queue.work('wake', async (job) => void seen.push(job.id), { pollingIntervalSeconds: 600 });
  // Let the worker find the queue empty and go idle.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const id = await queue.send('wake', {});
  await eventually(() => (seen.includes(id) ? true : undefined), 10_000, 'the woken worker to take the job');
  assert.equal(await queue.size('wake'), 0);
});

test('sendMany queues a batch in one go, with the queue retry policy, inside a transaction', async () => {
  await queue.createQueue('many', { retryLimit: 0 });
  const seen: number[] = [];
  await queue.work<{ n: number }>('many', async (job) => {
    if (job.data.n === 3) throw new Error('three fails once and for all');
    seen.push(job.data.n);
  }, { pollingIntervalSeconds: 0.5, batchSize: 10 });
  await t.db.transaction((tx) => queue.sendMany('many', Array.from({ length: 25 }, (_, n) => ({ n })), { tx }));
  await eventually(() => (seen.length === 24 ? true : undefined), 15_000, 'every job but one');
  assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: 25 }, (_, n) => n).filter((n) => n !== 3));
  const { rows } = await t.db.query<{ state: string }>("SELECT state::text FROM pgboss.job WHERE name = 'many' AND data->>'n' = '3'");
  assert.deepEqual(rows, [{ state: 'failed' }]);
});

test('jobs of a higher priority are taken first, whenever they were sent', async () => {
  await queue.createQueue('ranked');
  await queue.sendMany('ranked', [{ tag: 'low-1' }, { tag: 'low-2' }], { priority: 1 });
  await queue.sendMany('ranked', [{ tag: 'high-1' }, { tag: 'high-2' }], { priority: 2 });
  await queue.send('ranked', { tag: 'urgent' }, { priority: 3 });
  const seen: string[] = [];
  await queue.work<{ tag: string }>('ranked', async (job) => void seen.push(job.data.tag), { pollingIntervalSeconds: 0.5 });
  await eventually(() => (seen.length === 5 ? true : undefined), 10_000, 'every job');
  // Jobs sent together share a creation time, so within a priority their order is pg-boss's (by id).
  assert.deepEqual([seen.slice(0, 1), seen.slice(1, 3).sort(), seen.slice(3).sort()], [['urgent'], ['high-1', 'high-2'], ['low-1', 'low-2']]);
});
