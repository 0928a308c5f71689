// Two edge processes on one RabbitMQ broker: each has its own queue, so one
// publishing event purges both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createEdge } from '../src/edge/index.ts';
import { ask, startFakeOrigin } from '../src/edge/testing.ts';
import { openRabbitBus, PUBLISHED_DOCUMENTS } from '../src/platform/bus/index.ts';
import { silentLogger } from '../src/platform/log.ts';
import { eventually } from './support/ports.ts';

const AMQP_URL = process.env.PORTICO_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

test('one event on RabbitMQ purges every edge process', async () => {
  const origin = await startFakeOrigin();
  const path = `/edge-purge-${randomUUID()}`;
  let version = 1;
  origin.replies.set(path, () => ({ headers: { 'cache-control': 'max-age=3600' }, body: `version ${version}` }));
  const open = (name: string) => openRabbitBus(AMQP_URL, { log: silentLogger(), connectionName: name, reconnectMs: 200 });
  const buses = [await open('edge test a'), await open('edge test b')];
  const edges = buses.map((bus) => createEdge({ originUrl: origin.url, purgeToken: 'services-purge-token', bus }));
  const ports = [];
  for (const edge of edges) ports.push(await edge.start(0, '127.0.0.1'));
  const publisher = await open('edge test publisher');
  try {
    for (const port of ports) {
      assert.equal((await ask(port, path)).text, 'version 1');
      assert.equal((await ask(port, path)).headers['x-cache'], 'HIT');
    }
    version = 2;
    await publisher.publish(PUBLISHED_DOCUMENTS, { id: randomUUID(), routingKey: 'answer.major', body: { base_path: path }, publishedAt: new Date().toISOString() });
    for (const port of ports) {
      await eventually(async () => ((await ask(port, path)).text === 'version 2' ? true : undefined), 5000, `edge on ${port} purged`);
    }
  } finally {
    for (const edge of edges) await edge.stop();
    for (const bus of [...buses, publisher]) await bus.close();
    await origin.kill();
  }
});
