import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Queryable } from '../db/index.ts';
import { openTestDb, type TestDb } from '../db/testing.ts';
import { outboxChannel, outboxTableSql } from './sql.ts';
import { writeManyToOutbox, writeToOutbox } from './write.ts';

const schema = 'writes';
let t: TestDb;

before(async () => {
  t = await openTestDb();
  await t.db.exec(`CREATE SCHEMA ${schema}; ${outboxTableSql(schema)}`);
});
beforeEach(async () => {
  await t.db.query(`DELETE FROM ${schema}.outbox`);
});
after(() => t.close());

/** The statements `fn` runs on the transaction, with the transaction's result. */
async function counted<T>(fn: (tx: Queryable) => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const result = await t.db.transaction((tx) =>
    fn({
      query: (sql, params) => {
        statements.push(sql.trim().split(/\s+/)[0]!);
        return tx.query(sql, params);
      },
      exec: (sql) => tx.exec(sql),
    }),
  );
  return { result, statements };
}

const rows = async () =>
  (
    await t.db.query<{ id: string; exchange: string; routing_key: string; body: unknown; headers: unknown }>(
      `SELECT id, exchange, routing_key, body, headers FROM ${schema}.outbox ORDER BY seq`,
    )
  ).rows;

test('many events: one INSERT and one NOTIFY, stored in the order given, ids in that order', async () => {
  const events = Array.from({ length: 300 }, (_, i) => ({ routingKey: `doc.${i % 7}`, body: { i, text: `it's "quoted" \\ and {braced}` } }));
  events[3] = { ...events[3]!, exchange: 'elsewhere', headers: { 'portico-request-id': 'r3' } } as (typeof events)[number];
  const { result: ids, statements } = await counted((tx) => writeManyToOutbox(tx, schema, events));
  assert.deepEqual(statements, ['INSERT', 'SELECT']);
  assert.equal(new Set(ids).size, 300);
  const stored = await rows();
  assert.deepEqual(stored.map((r) => r.id), ids);
  assert.deepEqual(stored.map((r) => r.body), events.map((e) => e.body));
  assert.deepEqual(stored[3], { id: ids[3], exchange: 'elsewhere', routing_key: 'doc.3', body: events[3]!.body, headers: { 'portico-request-id': 'r3' } });
  assert.deepEqual(stored[4], { id: ids[4], exchange: 'published_documents', routing_key: 'doc.4', body: events[4]!.body, headers: {} });
});

test('the relay is woken once, on commit', async () => {
  const seen: string[] = [];
  const unlisten = await t.db.listen(outboxChannel(schema), (p) => seen.push(p));
  try {
    await t.db.transaction((tx) => writeManyToOutbox(tx, schema, [{ routingKey: 'a', body: 1 }, { routingKey: 'b', body: 2 }]));
    const deadline = Date.now() + 5000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(seen.length, 1);
  } finally {
    await unlisten();
  }
});

test('no events: no statement; notifyChannel false: no NOTIFY', async () => {
  assert.deepEqual(await counted((tx) => writeManyToOutbox(tx, schema, [])), { result: [], statements: [] });
  const { statements } = await counted((tx) => writeManyToOutbox(tx, schema, [{ routingKey: 'a', body: {} }], { notifyChannel: false }));
  assert.deepEqual(statements, ['INSERT']);
});

test('one bad event refuses the lot before anything is written; a rolled-back write leaves nothing', async () => {
  await assert.rejects(
    t.db.transaction((tx) => writeManyToOutbox(tx, schema, [{ routingKey: 'fine', body: {} }, { routingKey: 'x'.repeat(256), body: {} }])),
    /routing key/,
  );
  await assert.rejects(t.db.transaction((tx) => writeManyToOutbox(tx, schema, [{ routingKey: 'fine', body: () => 1 }])), /must be JSON/);
  await assert.rejects(
    t.db.transaction(async (tx) => {
      await writeManyToOutbox(tx, schema, [{ routingKey: 'a', body: {} }]);
      throw new Error('the change failed');
    }),
  );
  assert.deepEqual(await rows(), []);
});

test('writeToOutbox writes one event the same way', async () => {
  const { result: id, statements } = await counted((tx) => writeToOutbox(tx, schema, { routingKey: 'guide.major', body: { a: 1 } }));
  assert.deepEqual(statements, ['INSERT', 'SELECT']);
  assert.deepEqual(await rows(), [{ id, exchange: 'published_documents', routing_key: 'guide.major', body: { a: 1 }, headers: {} }]);
});
