import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/index.ts';
import { openTestDb, type TestDb } from '../db/testing.ts';
import { dbDedupeStore, dedupe, memoryDedupeStore, processedEventsTableSql, pruneProcessedEvents } from './dedupe.ts';
import type { BusMessage } from './types.ts';

const event = (id: string = randomUUID()): BusMessage => ({ id, routingKey: 'guide.major', body: {}, publishedAt: new Date().toISOString() });

describe('memory dedupe store', () => {
  test('a duplicate id is skipped; a failure is not remembered, so the retry runs', async () => {
    const calls: string[] = [];
    let fail = true;
    const dupes: string[] = [];
    const handler = dedupe(
      async (m: BusMessage) => {
        calls.push(m.id);
        if (fail) throw new Error('first try fails');
      },
      memoryDedupeStore(),
      (m) => dupes.push(m.id),
    );
    const e = event();
    await assert.rejects(handler(e), /first try fails/);
    fail = false;
    await handler(e);
    await handler(e);
    assert.deepEqual(calls, [e.id, e.id]);
    assert.deepEqual(dupes, [e.id]);
  });

  test('copies arriving at once are handled once', async () => {
    let calls = 0;
    const handler = dedupe(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
    }, memoryDedupeStore());
    const e = event();
    await Promise.all([handler(e), handler(e), handler(e)]);
    assert.equal(calls, 1);
  });

  test('it remembers the most recently seen ids, up to its bound', async () => {
    const calls: string[] = [];
    const handler = dedupe(async (m: BusMessage) => void calls.push(m.id), memoryDedupeStore(2));
    const [a, b, c] = [event('a'), event('b'), event('c')];
    await handler(a);
    await handler(b);
    await handler(a); // seen: a is now the most recent
    await handler(c); // evicts b
    await handler(a);
    await handler(b);
    assert.deepEqual(calls, ['a', 'b', 'c', 'b']);
  });
});

describe('database dedupe store', () => {
  let t: TestDb;
  before(async () => {
    t = await openTestDb();
    await t.db.exec(`CREATE SCHEMA consumer_x; ${processedEventsTableSql('consumer_x')}; CREATE TABLE consumer_x.effects (event_id text, n serial)`);
  });
  after(() => t.close());

  const effects = async (id: string) =>
    (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM consumer_x.effects WHERE event_id = $1', [id])).rows[0]!.n;

  test('the handler writes through the transaction the record is claimed in; a copy after a restart is skipped', async () => {
    const write = async (m: BusMessage, tx: Queryable) => {
      await tx.query('INSERT INTO consumer_x.effects (event_id) VALUES ($1)', [m.id]);
    };
    const e = event();
    await dedupe(write, dbDedupeStore(t.db, 'consumer_x', 'search'))(e);
    // A new store, as a restarted process would make.
    const dupes: string[] = [];
    await dedupe(write, dbDedupeStore(t.db, 'consumer_x', 'search'), (m) => dupes.push(m.id))(e);
    assert.equal(await effects(e.id), 1);
    assert.deepEqual(dupes, [e.id]);
    // Another consumer has its own record of the same event.
    await dedupe(write, dbDedupeStore(t.db, 'consumer_x', 'email'))(e);
    assert.equal(await effects(e.id), 2);
  });

  test('a failing handler rolls back its writes and the claim, so the retry runs in full', async () => {
    const e = event();
    let fail = true;
    const handler = dedupe(async (m: BusMessage, tx) => {
      await tx.query('INSERT INTO consumer_x.effects (event_id) VALUES ($1)', [m.id]);
      if (fail) throw new Error('boom');
    }, dbDedupeStore(t.db, 'consumer_x', 'search'));
    await assert.rejects(handler(e), /boom/);
    assert.equal(await effects(e.id), 0);
    fail = false;
    await handler(e);
    assert.equal(await effects(e.id), 1);
  });

  test('copies handled at once take effect once', async () => {
    const e = event();
    const handler = dedupe(async (m: BusMessage, tx) => {
      await tx.query('INSERT INTO consumer_x.effects (event_id) VALUES ($1)', [m.id]);
    }, dbDedupeStore(t.db, 'consumer_x', 'search'));
    await Promise.all(Array.from({ length: 5 }, () => handler(e)));
    assert.equal(await effects(e.id), 1);
  });

  test('old records can be pruned', async () => {
    const e = event();
    await dbDedupeStore(t.db, 'consumer_x', 'prune').once(e.id, async () => undefined);
    await t.db.query("UPDATE consumer_x.processed_events SET processed_at = now() - interval '40 days' WHERE event_id = $1", [e.id]);
    assert.equal(await pruneProcessedEvents(t.db, 'consumer_x', 30), 1);
    assert.equal(await pruneProcessedEvents(t.db, 'consumer_x', 30), 0);
  });
});
