// The downstream queues on their own: retries, the dead-letter queue, fan-out
// to dependents on the low queue, and an editor's change overtaking a fan-out.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContentStorePayload } from '../src/content-store/content-item.ts';
import { openTestDb, type TestDb } from '../src/platform/db/testing.ts';
import { silentLogger } from '../src/platform/log.ts';
import { migrateAll } from '../src/platform/platform.ts';
import { createQueue, type Queue } from '../src/platform/queue.ts';
import type { ContentStoreClient } from '../src/publishing-api/content-store-client.ts';
import { createDownstreamQueues, downstreamEnqueuer, LOW_PRIORITY, QUEUES, startDownstreamWorkers } from '../src/publishing-api/jobs.ts';
import { putContent } from '../src/publishing-api/commands/put-content.ts';
import { publish } from '../src/publishing-api/commands/publish.ts';
import type { CommandContext } from '../src/publishing-api/commands/command.ts';
import { loadSchemas } from '../src/publishing-api/validation/schemas.ts';
import { eventually } from './support/ports.ts';
import { answer } from './support/publishing-stack.ts';

let t: TestDb;
let queue: Queue;
let ctx: CommandContext;
const schemas = loadSchemas();
const log = silentLogger();

before(async () => {
  t = await openTestDb();
  await migrateAll(t.db);
  queue = createQueue(t.db, { log });
  await queue.start();
  await createDownstreamQueues(queue, { retryLimit: 2, retryDelay: 1 });
  ctx = { db: t.db, now: () => new Date(), actor: 'test', user: null, requestId: null, enqueue: downstreamEnqueuer(queue) };
});
after(async () => {
  await queue.stop();
  await t.close();
});

/** A content store whose behaviour each test sets. */
function store(put: (path: string, p: ContentStorePayload) => Promise<void>): ContentStoreClient {
  return {
    async put(path, payload) {
      await put(path, payload);
      return 'written';
    },
    async putMany(payloads) {
      for (const p of payloads) await put(p.base_path, p);
      return payloads.map(() => 'written' as const);
    },
    async delete() {
      return 'deleted';
    },
  };
}

const id = (n: number) => `30000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

test('a store that keeps failing: the job is retried with backoff, then lands in the dead-letter queue', async () => {
  let attempts = 0;
  const failing = store(async () => {
    attempts++;
    throw new Error('content store is down');
  });
  const workers = await startDownstreamWorkers({ db: t.db, queue, log, stores: { live: failing, draft: failing } });
  try {
    await putContent(ctx, schemas, id(1), answer('/dead-letter'));
    await eventually(async () => ((await queue.size(QUEUES.dead)) === 1 ? true : undefined), 20_000, 'the job in the dead-letter queue');
    assert.equal(attempts, 3, 'the first try and two retries');
  } finally {
    await workers.stop();
  }
  // Nothing takes the dead letters in this test: clear them for the next.
  await t.db.query(`DELETE FROM pgboss.job WHERE name = $1`, [QUEUES.dead]);
});

test('a change re-sends its dependents on the low queue, marked as a links event', async () => {
  const sent: { path: string; event?: string }[] = [];
  const recording = store(async (path) => void sent.push({ path }));
  const workers = await startDownstreamWorkers({
    db: t.db,
    queue,
    log,
    stores: { live: recording, draft: recording },
    dependents: async (_db, contentId) =>
      contentId === id(10) ? [id(11), id(12)].map((c) => ({ content_id: c, locale: 'en', stores: ['draft' as const] })) : [],
  });
  try {
    for (const n of [11, 12]) await putContent(ctx, schemas, id(n), answer(`/dependent-${n}`));
    await eventually(() => (sent.length >= 2 ? true : undefined), 10_000, 'the dependents as drafts');
    sent.length = 0;
    await putContent(ctx, schemas, id(10), answer('/organisation-page'));
    await eventually(() => (sent.length >= 3 ? true : undefined), 10_000, 'the change and its dependents');
    assert.deepEqual(sent.map((s) => s.path).sort(), ['/dependent-11', '/dependent-12', '/organisation-page']);
  } finally {
    await workers.stop();
  }
});

test("an editor's publish overtakes a fan-out draining on the low queue", async () => {
  // 300 live documents, whose re-sends are the fan-out. Their own jobs are dropped: only the fan-out matters here.
  const fanout = Array.from({ length: 300 }, (_, i) => id(1000 + i));
  for (const [i, contentId] of fanout.entries()) {
    await putContent(ctx, schemas, contentId, answer(`/fanout-${i}`));
    await publish(ctx, contentId, {});
  }
  await t.db.query('DELETE FROM pgboss.job WHERE name = ANY($1)', [[QUEUES.high, QUEUES.low]]);

  let fanoutWritten = 0;
  let writtenBeforeEditor: number | undefined;
  let editorAt = 0;
  const stores = store(async (path) => {
    if (path === '/editors-change') {
      writtenBeforeEditor ??= fanoutWritten;
      editorAt = Date.now();
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
    fanoutWritten++;
  });
  await queue.sendMany(QUEUES.low, fanout.map((contentId) => ({ stack: 'live', content_id: contentId, locale: 'en', event_type: 'links' })));
  const workers = await startDownstreamWorkers({ db: t.db, queue, log, stores: { live: stores, draft: stores } });
  try {
    await eventually(() => (fanoutWritten >= 20 ? true : undefined), 10_000, 'the fan-out to be under way');
    await putContent(ctx, schemas, id(20), answer('/editors-change'));
    const started = Date.now();
    await publish(ctx, id(20), { update_type: 'major' });
    await eventually(() => (editorAt > started ? true : undefined), 5000, "the editor's published change");
    assert.ok(writtenBeforeEditor! < 300, `the editor's change went out before the fan-out finished (${writtenBeforeEditor} of 300 done)`);
  } finally {
    await workers.stop();
  }
});

/** A store that records each write as one request: a PUT, or a batch of n. */
function batchRecorder(requests: { stack: string; paths: string[] }[], stack: string): ContentStoreClient {
  return {
    async put(path) {
      requests.push({ stack, paths: [path] });
      return 'written';
    },
    async putMany(payloads) {
      requests.push({ stack, paths: payloads.map((p) => p.base_path) });
      return payloads.map(() => 'written' as const);
    },
    async delete() {
      return 'deleted';
    },
  };
}

test('a fan-out is re-sent in batches, the live store before the draft store', async () => {
  const dependents = Array.from({ length: 5 }, (_, i) => id(40 + i));
  for (const [i, contentId] of dependents.entries()) {
    await putContent(ctx, schemas, contentId, answer(`/batched-${i}`));
    await publish(ctx, contentId, {});
  }
  await putContent(ctx, schemas, id(39), answer('/batched-organisation'));
  await publish(ctx, id(39), {});
  const requests: { stack: string; paths: string[] }[] = [];
  const start = () =>
    startDownstreamWorkers({
      db: t.db,
      queue,
      log,
      stores: { live: batchRecorder(requests, 'live'), draft: batchRecorder(requests, 'draft') },
      lowConcurrency: 1,
      fanOutBatchSize: 2,
      dependents: async (_db, contentId) =>
        contentId === id(39) ? dependents.map((c) => ({ content_id: c, locale: 'en', stores: ['draft' as const, 'live' as const] })) : [],
    });
  let workers = await start();
  await eventually(async () => ((await queue.size(QUEUES.low, 'completed')) + (await queue.size(QUEUES.high, 'completed')) === 0 ? true : undefined), 10_000, 'the setup to drain');
  await workers.stop();
  requests.length = 0;
  // The organisation's change in both stores, the draft's found first, as a long backlog would leave them.
  await t.db.transaction(async (tx) => {
    for (const stack of ['draft', 'live'] as const) {
      await queue.send(QUEUES.low, { kind: 'dependents', stack, content_id: id(39), locale: 'en' }, { tx, priority: LOW_PRIORITY.dependents });
    }
  });
  workers = await start();
  try {
    await eventually(() => (requests.length >= 6 ? true : undefined), 15_000, 'both fan-outs');
    assert.deepEqual(requests.map((r) => r.stack), ['live', 'live', 'live', 'draft', 'draft', 'draft']);
    for (const store of [requests.slice(0, 3), requests.slice(3)]) {
      // 5 dependents, 2 a batch: 3 requests per store, never one per document.
      assert.deepEqual(store.map((r) => r.paths.length).sort(), [1, 2, 2]);
      assert.deepEqual(store.flatMap((r) => r.paths).sort(), dependents.map((_, i) => `/batched-${i}`));
    }
  } finally {
    await workers.stop();
  }
});

test("finding a change's dependents never holds up the high queue", async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const written: string[] = [];
  const recording = store(async (path) => void written.push(path));
  const workers = await startDownstreamWorkers({
    db: t.db,
    queue,
    log,
    stores: { live: recording, draft: recording },
    highConcurrency: 1,
    // Dependency resolution that takes as long as the test wants: a rename with a huge fan-out.
    dependents: async (_db, contentId) => {
      if (contentId === id(50)) await held;
      return [];
    },
  });
  try {
    await putContent(ctx, schemas, id(50), answer('/renamed-organisation'));
    await eventually(() => (written.includes('/renamed-organisation') ? true : undefined), 10_000, 'the renamed document itself');
    await putContent(ctx, schemas, id(51), answer('/editors-next-change'));
    await eventually(() => (written.includes('/editors-next-change') ? true : undefined), 5000, "the editor's next change, while dependents are still being found");
  } finally {
    release();
    await workers.stop();
  }
});
