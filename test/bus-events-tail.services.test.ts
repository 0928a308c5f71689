import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import amqplib from 'amqplib';
import { eventsTailCommand } from '../src/cli/events.ts';
import { openRabbitBus } from '../src/platform/bus/rabbitmq.ts';
import { silentLogger } from '../src/platform/log.ts';
import { eventually } from './support/ports.ts';

const AMQP_URL = process.env.PORTICO_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

test('portico events tail against RabbitMQ: prints what is published, leaves no queue behind', async () => {
  const exchange = `published_documents.test.${randomBytes(4).toString('hex')}`;
  const publisher = await openRabbitBus(AMQP_URL, { log: silentLogger(), connectionName: 'portico events tail test publisher' });
  const lines: string[] = [];
  const notes: string[] = [];
  const controller = new AbortController();
  const tail = eventsTailCommand({ amqpUrl: AMQP_URL, pattern: '*.major', out: (l) => lines.push(l), err: (l) => notes.push(l), log: silentLogger(), signal: controller.signal, exchange });
  try {
    const body = { base_path: '/tax', title: 'Tax' };
    await eventually(async () => {
      if (lines.length > 0) return true;
      await publisher.publish(exchange, { id: randomUUID(), routingKey: 'guide.major', body, publishedAt: new Date().toISOString() });
      return undefined;
    }, 10_000, 'a line from the tail');
    assert.match(lines[0]!, /^\S+ guide\.major \/tax Tax [0-9a-f-]{36}$/);
    assert.match(notes[0]!, /tailing published_documents\.test\.\S+ for \*\.major/);
  } finally {
    controller.abort();
    assert.equal(await tail, 0);
    await publisher.close();
  }
  // Its exclusive queue went with it: nothing is bound to the exchange any more (checked where rabbitmqctl works).
  const bindings = await promisify(execFile)('rabbitmqctl', ['list_bindings', 'source_name', 'destination_name', '-q', '--no-table-headers']).then(
    (r) => r.stdout.split('\n').filter((l) => l.startsWith(`${exchange}\t`)),
    () => [],
  );
  assert.deepEqual(bindings, []);
  const conn = await amqplib.connect(AMQP_URL);
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  await ch.deleteExchange(exchange);
  await conn.close();
});
