import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../../test/support/ports.ts';
import type { Bus, BusMessage } from '../bus/types.ts';
import { openTestDb, type TestDb } from '../db/testing.ts';
import { silentLogger } from '../log.ts';
import { outboxBacklog, outboxTableSql, pruneOutbox, startOutboxRelay, writeToOutbox, type OutboxRelay } from './index.ts';

/** A bus that records what it is asked to publish and answers as `confirm` says. */
function stubBus(confirm: (msg: BusMessage) => Promise<void> = async () => undefined) {
  const published: BusMessage[] = [];
  const bus: Bus = {
    kind: 'memory',
    async publish(_exchange, msg) {
      await confirm(msg);
      published.push(msg);
    },
    consume: () => Promise.reject(new Error('not in this stub')),
    close: async () => undefined,
  };
  return { bus, published };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('outbox relay', () => {
  let t: TestDb;
  let relays: OutboxRelay[] = [];
  const schema = 'svc';
  const start = async (bus: Bus, extra: { pollMs?: number; batchSize?: number; notifyChannel?: false } = {}) => {
    const r = await startOutboxRelay({ db: t.db, schema, bus, log: silentLogger(), pollMs: 60_000, backoffMinMs: 20, backoffMaxMs: 100, ...extra });
    relays.push(r);
    return r;
  };
  const write = (routingKey: string, body: unknown = {}) => t.db.transaction((tx) => writeToOutbox(tx, schema, { routingKey, body }));
  const row = async (id: string) =>
    (await t.db.query<{ published_at: Date | null; attempts: number; last_error: string | null; created_at: Date }>(
      'SELECT published_at, attempts, last_error, created_at FROM svc.outbox WHERE id = $1',
      [id],
    )).rows[0]!;

  before(async () => {
    t = await openTestDb();
    // Twice: the table's SQL can sit in a migration that is re-run.
    await t.db.exec(`CREATE SCHEMA svc; ${outboxTableSql(schema)} ${outboxTableSql(schema)}`);
  });
  beforeEach(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    relays = [];
    await t.db.query('DELETE FROM svc.outbox');
  });
  after(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await t.close();
  });

  test('an event exists only if its transaction commits, and goes out as written, with its row id as message id', async () => {
    const { bus, published } = stubBus();
    await assert.rejects(
      t.db.transaction(async (tx) => {
        await writeToOutbox(tx, schema, { routingKey: 'guide.major', body: { title: 'rolled back' } });
        throw new Error('the content change failed');
      }),
    );
    const id = await t.db.transaction((tx) =>
      writeToOutbox(tx, schema, { routingKey: 'guide.major', body: { base_path: '/a', title: 'A' }, headers: { 'portico-request-id': 'r1' } }),
    );
    await start(bus);
    await eventually(() => (published.length === 1 ? true : undefined), 5000, 'the publish');
    const r = await row(id);
    assert.deepEqual(published[0], {
      id,
      routingKey: 'guide.major',
      body: { base_path: '/a', title: 'A' },
      headers: { 'portico-request-id': 'r1' },
      publishedAt: r.created_at.toISOString(),
    });
    await eventually(async () => ((await row(id)).published_at ? true : undefined), 5000, 'the row marked published');
    assert.equal((await row(id)).attempts, 1);
  });

  test('a NOTIFY on commit wakes it at once, without waiting for the poll', async () => {
    const { bus, published } = stubBus();
    await start(bus, { pollMs: 600_000 });
    const first = await write('guide.major');
    await eventually(() => (published.some((m) => m.id === first) ? true : undefined), 5000, 'the first event');
    // The relay is now idle for ten minutes unless told.
    const second = await write('guide.minor');
    await eventually(() => (published.some((m) => m.id === second) ? true : undefined), 5000, 'the second event');
  });

  test('with notifications off it still finds events by polling', async () => {
    const { bus, published } = stubBus();
    await start(bus, { pollMs: 50, notifyChannel: false });
    const id = await t.db.transaction((tx) => writeToOutbox(tx, schema, { routingKey: 'guide.major', body: {} }, { notifyChannel: false }));
    await eventually(() => (published.some((m) => m.id === id) ? true : undefined), 5000, 'the polled event');
  });

  test('events go out in the order they were written, in batches', async () => {
    const { bus, published } = stubBus();
    const ids: string[] = [];
    await t.db.transaction(async (tx) => {
      for (let i = 0; i < 25; i++) ids.push(await writeToOutbox(tx, schema, { routingKey: `doc.${i}`, body: { i } }));
    });
    await start(bus, { batchSize: 10 });
    await eventually(() => (published.length === 25 ? true : undefined), 5000, 'every event');
    assert.deepEqual(published.map((m) => m.id), ids);
  });

  test('a row is marked published only after the bus confirms it', async () => {
    const g = gate();
    const asked = gate();
    const { bus, published } = stubBus(() => {
      asked.open();
      return g.opened;
    });
    const id = await write('guide.major');
    await start(bus);
    await asked.opened;
    assert.equal(published.length, 0);
    assert.equal((await outboxBacklog(t.db, schema)).unpublished, 1);
    g.open();
    await eventually(async () => ((await row(id)).published_at ? true : undefined), 5000, 'the mark');
  });

  test('when the bus fails the events stay, with attempts and the error, and go out once it is back', async () => {
    let down = true;
    const { bus, published } = stubBus(async () => {
      if (down) throw new Error('broker unreachable');
    });
    const id = await write('guide.major');
    await start(bus);
    await eventually(async () => ((await row(id)).attempts >= 2 ? true : undefined), 5000, 'retries');
    const r = await row(id);
    assert.equal(r.published_at, null);
    assert.equal(r.last_error, 'broker unreachable');
    down = false;
    await eventually(async () => ((await row(id)).published_at ? true : undefined), 5000, 'the publish after recovery');
    assert.deepEqual(published.map((m) => m.id), [id]);
  });

  test('stop waits for the batch in flight to be confirmed and marked', async () => {
    const g = gate();
    const asked = gate();
    const { bus } = stubBus(() => {
      asked.open();
      return g.opened;
    });
    const id = await write('guide.major');
    const relay = await start(bus);
    await asked.opened;
    let stopped = false;
    const stopping = relay.stop().then(() => (stopped = true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(stopped, false);
    g.open();
    await stopping;
    assert.ok((await row(id)).published_at);
  });

  test('several relays share the work without sending an event twice', async () => {
    const { bus, published } = stubBus(() => new Promise((r) => setTimeout(r, 1)));
    await t.db.transaction(async (tx) => {
      for (let i = 0; i < 60; i++) await writeToOutbox(tx, schema, { routingKey: `doc.${i}`, body: {} });
    });
    await Promise.all([start(bus, { batchSize: 5 }), start(bus, { batchSize: 5 }), start(bus, { batchSize: 5 })]);
    await eventually(async () => ((await outboxBacklog(t.db, schema)).unpublished === 0 ? true : undefined), 10_000, 'an empty backlog');
    assert.equal(published.length, 60);
    assert.equal(new Set(published.map((m) => m.id)).size, 60);
  });

  test('pruning deletes only events published longer ago than asked', async () => {
    const { bus, published } = stubBus();
    const [old, recent] = [await write('a'), await write('b')];
    await start(bus);
    await eventually(() => (published.length === 2 ? true : undefined), 5000, 'both published');
    await eventually(async () => ((await outboxBacklog(t.db, schema)).unpublished === 0 ? true : undefined), 5000, 'both marked');
    const pending = await t.db.transaction((tx) => writeToOutbox(tx, schema, { routingKey: 'c', body: {} }, { notifyChannel: false }));
    await t.db.query("UPDATE svc.outbox SET published_at = now() - interval '10 days' WHERE id = $1", [old]);
    assert.equal(await pruneOutbox(t.db, schema, 7), 1);
    const left = (await t.db.query<{ id: string }>('SELECT id FROM svc.outbox ORDER BY seq')).rows.map((r) => r.id);
    assert.deepEqual(left, [recent, pending]);
  });
});
