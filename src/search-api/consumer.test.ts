import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '../../test/support/ports.ts';
import { createMemoryBus, PUBLISHED_DOCUMENTS, type Bus, type BusMessage } from '../platform/bus/index.ts';
import type { TestDb } from '../platform/db/testing.ts';
import { silentLogger } from '../platform/log.ts';
import { INDEX_QUEUE, startIndexing } from './consumer.ts';
import { eventBody, openSearchDb } from './fixtures.ts';

let t: TestDb;
let bus: Bus;
let stop: () => Promise<void>;
before(async () => {
  t = await openSearchDb();
  bus = createMemoryBus({ log: silentLogger() });
  stop = await startIndexing({ bus, db: t.db, log: silentLogger(), consume: { maxAttempts: 2, retryDelayMs: 10 } });
});
after(async () => {
  await stop();
  await bus.close();
  await t.close();
});

const message = (routingKey: string, body: unknown, id = randomUUID()): BusMessage => ({ id, routingKey, body, publishedAt: new Date().toISOString() });
const titleAt = async (path: string) => (await t.db.query<{ title: string }>('SELECT title FROM search.documents WHERE base_path = $1', [path])).rows[0]?.title;

test('events on published_documents reach the index through the durable queue', async () => {
  await bus.publish(PUBLISHED_DOCUMENTS, message('answer.major', eventBody('/queued', { title: 'Queued' })));
  assert.equal(await eventually(() => titleAt('/queued'), 5000, 'the document'), 'Queued');
});

test('a redelivered event is applied once, by id', async () => {
  const id = randomUUID();
  await bus.publish(PUBLISHED_DOCUMENTS, message('answer.major', eventBody('/once', { title: 'First' }), id));
  await eventually(() => titleAt('/once'), 5000, 'the first copy');
  // Same id, different body: were it applied, the title would change.
  await bus.publish(PUBLISHED_DOCUMENTS, message('answer.major', eventBody('/once', { title: 'Second' }), id));
  await bus.publish(PUBLISHED_DOCUMENTS, message('answer.major', eventBody('/marker')));
  await eventually(() => titleAt('/marker'), 5000, 'the marker');
  assert.equal(await titleAt('/once'), 'First');
  const { rows } = await t.db.query('SELECT 1 FROM search.processed_events WHERE consumer = $1 AND event_id = $2', ['search-api', id]);
  assert.equal(rows.length, 1);
});

test('an unreadable event is retried, then dead-lettered, and records nothing', async () => {
  const dead: BusMessage[] = [];
  const stopDead = await bus.consume(PUBLISHED_DOCUMENTS, `${INDEX_QUEUE}.dead`, [], async (m) => void dead.push(m));
  const poison = message('answer.major', { title: 'no base path' });
  await bus.publish(PUBLISHED_DOCUMENTS, poison);
  await eventually(() => (dead.some((m) => m.id === poison.id) ? true : undefined), 5000, 'the dead letter');
  const { rows } = await t.db.query('SELECT 1 FROM search.processed_events WHERE event_id = $1', [poison.id]);
  assert.equal(rows.length, 0);
  await stopDead();
});
