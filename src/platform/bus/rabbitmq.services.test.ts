import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { eventually } from '../../../test/support/ports.ts';
import { silentLogger } from '../log.ts';
import { busContract } from './contract.ts';
import { BusUnavailableError, openRabbitBus } from './rabbitmq.ts';
import type { Bus, BusMessage } from './types.ts';

/** The broker the services suite uses; every name below is unique to this run and deleted at the end. */
export const TEST_AMQP_URL = process.env.PORTICO_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

async function deleteAll(declared: { exchanges: string[]; queues: string[] }): Promise<void> {
  const conn = await amqplib.connect(TEST_AMQP_URL);
  try {
    const ch = await conn.createChannel();
    for (const q of declared.queues) await ch.deleteQueue(q);
    for (const e of declared.exchanges) await ch.deleteExchange(e);
    await ch.close();
  } finally {
    await conn.close();
  }
}

const open = () => openRabbitBus(TEST_AMQP_URL, { log: silentLogger(), connectionName: 'portico bus contract test', reconnectMs: 200 });

busContract('rabbitmq', { open, cleanup: deleteAll, timeoutMs: 10_000 });

// What only a broker can show.

const run = randomBytes(4).toString('hex');
const exchange = `test.bus.${run}.rabbit`;
const queues: string[] = [];
after(() => deleteAll({ exchanges: [exchange], queues }));

function message(routingKey: string): BusMessage {
  return { id: randomUUID(), routingKey, body: { n: 1 }, publishedAt: new Date().toISOString() };
}

test('messages are persistent, carry their id as message-id, and the exchange is a durable topic exchange', async () => {
  const bus = await open();
  const conn = await amqplib.connect(TEST_AMQP_URL);
  try {
    const ch = await conn.createChannel();
    const q = `test.bus.${run}.raw`;
    queues.push(q);
    const m = message('guide.major');
    await bus.publish(exchange, m); // declares the exchange
    await ch.assertQueue(q, { durable: true });
    await ch.bindQueue(q, exchange, '#');
    await bus.publish(exchange, m);
    const got = await eventually(async () => (await ch.get(q, { noAck: true })) || undefined, 5000, 'the raw message');
    assert.equal(got.properties.deliveryMode, 2);
    assert.equal(got.properties.messageId, m.id);
    assert.equal(got.properties.contentType, 'application/json');
    assert.deepEqual(JSON.parse(got.content.toString()), m.body);
    // Re-declaring it any other way is refused: it exists as a durable topic exchange.
    const probe = await conn.createChannel();
    probe.on('error', () => undefined); // the refusal closes this channel; the rejection below is what we check
    await assert.rejects(probe.assertExchange(exchange, 'topic', { durable: false }), /PRECONDITION_FAILED/);
  } finally {
    await conn.close().catch(() => undefined);
    await bus.close();
  }
});

test('a durable queue keeps messages across a restart of the consuming process', async () => {
  const q = `test.bus.${run}.restart`;
  queues.push(q, `${q}.retry`, `${q}.dead`);
  const first: Bus = await open();
  const stop = await first.consume(exchange, q, ['guide.#'], async () => undefined);
  await stop();
  await first.close();

  const publisher = await open();
  const sent = [message('guide.major'), message('guide.minor')];
  for (const m of sent) await publisher.publish(exchange, m);
  await publisher.close();

  const second = await open();
  const got: BusMessage[] = [];
  await second.consume(exchange, q, ['guide.#'], async (m) => void got.push(m));
  await eventually(() => (got.length === 2 ? true : undefined), 5000, 'the kept messages');
  assert.deepEqual(got.map((m) => m.id), sent.map((m) => m.id));
  await second.close();
});

test('with the broker unreachable, opening still succeeds and publish rejects at once', async () => {
  const bus = await openRabbitBus('amqp://guest:guest@127.0.0.1:1', { log: silentLogger(), connectTimeoutMs: 300, reconnectMs: 200 });
  try {
    await assert.rejects(bus.publish(exchange, message('guide.major')), BusUnavailableError);
  } finally {
    await bus.close();
  }
});

async function onRawChannel(fn: (ch: amqplib.Channel) => Promise<unknown>): Promise<void> {
  const conn = await amqplib.connect(TEST_AMQP_URL);
  try {
    const ch = await conn.createChannel();
    await fn(ch);
  } finally {
    await conn.close();
  }
}

test('a channel the broker closes under a live connection (its exchange deleted) is recovered', async () => {
  const bus = await open();
  const ex = `${exchange}.deleted`;
  const q = `test.bus.${run}.deleted`;
  queues.push(q, `${q}.retry`, `${q}.dead`);
  try {
    await bus.publish(ex, message('first'));
    await onRawChannel((ch) => ch.deleteExchange(ex));
    // The broker answers a publish to a missing exchange by closing the channel: that publish fails...
    await assert.rejects(bus.publish(ex, message('lost')));
    // ...and the bus reconnects, declares the exchange again, and carries on.
    await eventually(async () => {
      await bus.publish(ex, message('probe'));
      return true;
    }, 10_000, 'publishing to work again');
    const got: BusMessage[] = [];
    await bus.consume(ex, q, ['#'], async (m) => void got.push(m));
    const m = message('after');
    await bus.publish(ex, m);
    await eventually(() => (got.some((g) => g.id === m.id) ? true : undefined), 5000, 'a delivery after recovery');
  } finally {
    await bus.close();
    await onRawChannel((ch) => ch.deleteExchange(ex));
  }
});

test('a consumer whose queue is deleted under it declares the queue again and goes on consuming', async () => {
  const bus = await open();
  const q = `test.bus.${run}.requeue`;
  queues.push(q, `${q}.retry`, `${q}.dead`);
  try {
    const got: BusMessage[] = [];
    await bus.consume(exchange, q, ['requeue.#'], async (m) => void got.push(m));
    await onRawChannel((ch) => ch.deleteQueue(q));
    // Nothing was published before the delete, so any delivery at all shows the consumer is back.
    await eventually(async () => {
      if (got.length > 0) return true;
      await bus.publish(exchange, message('requeue.x'));
      return undefined;
    }, 10_000, 'deliveries to resume');
  } finally {
    await bus.close();
  }
});

test('a message no adapter could have sent (no message-id, not JSON) goes straight to the dead-letter queue', async () => {
  const bus = await open();
  const q = `test.bus.${run}.garbage`;
  queues.push(q, `${q}.retry`, `${q}.dead`);
  try {
    let calls = 0;
    await bus.consume(exchange, q, ['garbage'], async () => void calls++);
    await onRawChannel(async (ch) => {
      ch.publish(exchange, 'garbage', Buffer.from('not json'), { persistent: true });
      const dead = await eventually(async () => (await ch.get(`${q}.dead`, { noAck: true })) || undefined, 5000, 'the dead letter');
      assert.equal(dead.content.toString(), 'not json');
      assert.match(String(dead.properties.headers?.['x-portico-error']), /message-id/);
    });
    assert.equal(calls, 0);
  } finally {
    await bus.close();
  }
});
