import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBus, PUBLISHED_DOCUMENTS } from '../platform/bus/index.ts';
import { silentLogger } from '../platform/log.ts';
import { pathsOfEvent, startPurgeConsumer } from './purge-consumer.ts';
import type { Purger } from './purge-types.ts';
import { eventually } from '../../test/support/ports.ts';

test('an item is purged at its base path, routes, redirects and guide parts', () => {
  assert.deepEqual(pathsOfEvent({ base_path: '/fishing', schema_name: 'answer' }), ['/fishing']);
  assert.deepEqual(
    pathsOfEvent({
      base_path: '/keeping-bees',
      routes: [{ path: '/keeping-bees', type: 'prefix' }, { path: '/keeping-bees.json', type: 'exact' }],
      details: { parts: [{ slug: 'overview' }, { slug: 'inspections' }, { slug: '../x' }] },
    }),
    ['/keeping-bees', '/keeping-bees.json', '/keeping-bees/overview', '/keeping-bees/inspections'],
  );
  assert.deepEqual(
    pathsOfEvent({ base_path: '/old', schema_name: 'redirect', redirects: [{ path: '/old', type: 'exact', destination: '/new' }, { path: '/old/more', type: 'prefix', destination: '/new' }] }),
    ['/old', '/old/more'],
  );
  assert.deepEqual(pathsOfEvent({ base_path: '/gone-away', schema_name: 'vanish', document_type: 'vanish' }), ['/gone-away']);
  assert.deepEqual(pathsOfEvent({ base_path: '/café' }), ['/caf%C3%A9']);
  assert.deepEqual(pathsOfEvent({ title: 'no base path' }), []);
  assert.deepEqual(pathsOfEvent('nonsense'), []);
});

function recorder(name: string, fail = 0): Purger & { calls: { paths: readonly string[]; soft: boolean }[] } {
  const calls: { paths: readonly string[]; soft: boolean }[] = [];
  let failures = fail;
  return {
    name,
    calls,
    async purge(paths, { soft }) {
      calls.push({ paths, soft });
      if (failures-- > 0) throw new Error('peer down');
    },
  };
}

test('each event soft-purges through every purger; a failing peer has the event retried', async () => {
  const bus = createMemoryBus({ log: silentLogger() });
  const own = recorder('edge');
  const peer = recorder('varnish', 1);
  const stop = await startPurgeConsumer({ bus, purgers: [own, peer], log: silentLogger(), consume: { retryDelayMs: 1 } });
  await bus.publish(PUBLISHED_DOCUMENTS, { id: 'e1', routingKey: 'answer.major', body: { base_path: '/fishing' }, publishedAt: new Date().toISOString() });
  await eventually(() => (peer.calls.length === 2 ? true : undefined), 2000, 'the retried purge');
  assert.deepEqual(peer.calls[1], { paths: ['/fishing'], soft: true });
  assert.equal(own.calls.length, 2);
  await stop();
  await bus.close();
});

test('two edge processes on one bus each get every event', async () => {
  const bus = createMemoryBus({ log: silentLogger() });
  const a = recorder('a');
  const b = recorder('b');
  const stops = [await startPurgeConsumer({ bus, purgers: [a], log: silentLogger() }), await startPurgeConsumer({ bus, purgers: [b], log: silentLogger() })];
  await bus.publish(PUBLISHED_DOCUMENTS, { id: 'e2', routingKey: 'vanish.unpublish', body: { base_path: '/x' }, publishedAt: new Date().toISOString() });
  await eventually(() => (a.calls.length === 1 && b.calls.length === 1 ? true : undefined), 2000, 'both processes purged');
  for (const s of stops) await s();
  await bus.close();
});
