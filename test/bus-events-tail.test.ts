import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventsTailCommand, formatEvent, tailEvents } from '../src/cli/events.ts';
import { createMemoryBus } from '../src/platform/bus/memory.ts';
import { PUBLISHED_DOCUMENTS, type BusMessage } from '../src/platform/bus/types.ts';
import { ConfigError } from '../src/platform/config.ts';
import { silentLogger } from '../src/platform/log.ts';
import { eventually } from './support/ports.ts';

const event = (routingKey: string, body: unknown): BusMessage => ({
  id: randomUUID(),
  routingKey,
  body,
  publishedAt: '2024-05-01T12:00:00.000Z',
});

test('formatEvent: time, routing key, base path, title, id; a dash for what the body lacks', () => {
  const e = event('guide.major', { base_path: '/vat-rates', title: 'VAT rates\nfor 2024' });
  assert.equal(formatEvent(e), `2024-05-01T12:00:00.000Z guide.major /vat-rates VAT rates for 2024 ${e.id}`);
  const bare = event('redirect.unpublish', ['not', 'an', 'item']);
  assert.equal(formatEvent(bare), `2024-05-01T12:00:00.000Z redirect.unpublish - - ${bare.id}`);
});

test('events tail prints the events matching its pattern as they arrive, until aborted', async () => {
  const bus = createMemoryBus({ log: silentLogger() });
  const lines: string[] = [];
  const controller = new AbortController();
  const before = event('guide.major', { base_path: '/before', title: 'Before' });
  await bus.publish(PUBLISHED_DOCUMENTS, before);
  // A durable service queue alongside, to show the tail takes nothing from it.
  const service: string[] = [];
  await bus.consume(PUBLISHED_DOCUMENTS, 'search', ['#'], async (m) => void service.push(m.id));

  const tail = tailEvents(bus, { pattern: 'guide.*', out: (l) => lines.push(l), signal: controller.signal });
  const major = event('guide.major', { base_path: '/a', title: 'A' });
  const news = event('news_article.major', { base_path: '/n', title: 'N' });
  const minor = event('guide.minor', { base_path: '/b', title: 'B' });
  // The tail binds its queue asynchronously: publish until the first line shows it is listening.
  await eventually(async () => {
    if (lines.length > 0) return true;
    await bus.publish(PUBLISHED_DOCUMENTS, major);
    return undefined;
  }, 5000, 'the tail to start');
  await bus.publish(PUBLISHED_DOCUMENTS, news);
  await bus.publish(PUBLISHED_DOCUMENTS, minor);
  await eventually(() => (lines.some((l) => l.endsWith(minor.id)) ? true : undefined), 5000, 'the minor update');
  assert.equal(lines[0], formatEvent(major));
  assert.equal(lines.at(-1), formatEvent(minor));
  assert.ok(!lines.some((l) => l.includes(before.id) || l.includes(news.id)), 'nothing from before it started, nothing off-pattern');
  await eventually(() => (service.includes(minor.id) ? true : undefined), 5000, 'the service queue to get its copy');

  controller.abort();
  await tail;
  const after = event('guide.major', { base_path: '/after', title: 'After' });
  await bus.publish(PUBLISHED_DOCUMENTS, after);
  await eventually(() => (service.includes(after.id) ? true : undefined), 5000, 'the service queue to get the last event');
  assert.ok(!lines.some((l) => l.includes(after.id)), 'nothing after it stopped');
  await bus.close();
});

test('events tail returns at once when already aborted', async () => {
  const bus = createMemoryBus({ log: silentLogger() });
  await tailEvents(bus, { out: () => assert.fail('printed'), signal: AbortSignal.abort() });
  await bus.close();
});

test('the events tail command needs AMQP_URL: the embedded bus cannot be watched from another process', async () => {
  await assert.rejects(
    eventsTailCommand({ amqpUrl: undefined, out: () => undefined, err: () => undefined, log: silentLogger(), signal: AbortSignal.abort() }),
    (e: unknown) => e instanceof ConfigError && /AMQP_URL/.test(e.message),
  );
});
