import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { eventually } from '../../../test/support/ports.ts';
import type { Bus, BusMessage } from './types.ts';

export interface BusContractOptions {
  open(): Promise<Bus>;
  /** Deletes what the run declared, once the bus is closed (a broker keeps durable things). */
  cleanup?(declared: { exchanges: string[]; queues: string[] }): Promise<void>;
  /** How long to wait for a delivery. */
  timeoutMs?: number;
}

/** Records deliveries; `until` waits for a predicate over them. */
function collector(onMessage?: (msg: BusMessage, calls: number) => Promise<void> | void) {
  const got: BusMessage[] = [];
  return {
    got,
    handler: async (msg: BusMessage) => {
      got.push(msg);
      await onMessage?.(msg, got.filter((m) => m.id === msg.id).length);
    },
  };
}

/**
 * What every Bus adapter must do. Services are tested on the in-process bus and
 * run on RabbitMQ, so a behaviour that differs between the two is a bug only
 * production would find: pin it here. "Nothing else arrived" is shown by a
 * marker published last: a queue is first in, first out for one publisher, so
 * once the marker is in, anything before it would be too.
 */
export function busContract(name: string, opts: BusContractOptions): void {
  describe(`Bus contract: ${name}`, () => {
    const run = randomBytes(4).toString('hex');
    const exchanges = new Set<string>();
    const queues = new Set<string>();
    const wait = opts.timeoutMs ?? 10_000;
    let bus: Bus;

    const exchange = (n: string) => {
      const e = `test.bus.${run}.${n}`;
      exchanges.add(e);
      return e;
    };
    const queue = (n: string) => {
      const q = `test.bus.${run}.${n}`;
      for (const s of ['', '.retry', '.dead', '.dead.retry', '.dead.dead']) queues.add(q + s);
      return q;
    };
    const message = (routingKey: string, body: unknown = {}, extra: Partial<BusMessage> = {}): BusMessage => ({
      id: randomUUID(),
      routingKey,
      body,
      publishedAt: new Date().toISOString(),
      ...extra,
    });
    const until = <T>(check: () => T | undefined, what: string) => eventually(check, wait, what);
    const has = (got: BusMessage[], id: string) => (got.some((m) => m.id === id) ? true : undefined);

    before(async () => {
      bus = await opts.open();
    });
    after(async () => {
      await bus.close();
      await opts.cleanup?.({ exchanges: [...exchanges], queues: [...queues] });
    });

    test('a consumer gets what is published after it is bound: id, routing key, body, headers and time intact', async () => {
      const ex = exchange('roundtrip');
      const c = collector();
      const stop = await bus.consume(ex, queue('roundtrip'), ['#'], c.handler);
      const sent = message('guide.major', { base_path: '/a', title: 'A', details: { n: 1, list: [true, null, 'x'] } }, {
        headers: { 'portico-request-id': 'req-1' },
      });
      await bus.publish(ex, sent);
      await until(() => has(c.got, sent.id), 'the delivery');
      assert.deepEqual(c.got, [{ ...sent, headers: { 'portico-request-id': 'req-1' } }]);
      await stop();
    });

    test('a message published with no headers arrives with an empty headers object', async () => {
      const ex = exchange('noheaders');
      const c = collector();
      const stop = await bus.consume(ex, queue('noheaders'), ['#'], c.handler);
      const sent = message('guide.minor', 'just a string');
      await bus.publish(ex, sent);
      await until(() => has(c.got, sent.id), 'the delivery');
      assert.deepEqual(c.got[0], { ...sent, headers: {} });
      await stop();
    });

    test('publishing to an exchange no queue is bound to resolves, and the message is dropped', async () => {
      await bus.publish(exchange('nobody'), message('guide.major'));
    });

    test('topic patterns route as AMQP does, one copy per queue however many of its patterns match', async () => {
      const ex = exchange('routing');
      const cases: Record<string, string[]> = {
        '#': ['guide', 'guide.major', 'guide.minor', 'guide.major.extra', 'news_article.major', 'x.unpublish', 'unpublish', 'a.c', 'a.b.c', 'a.b.b.c', 'a.b'],
        'guide.*': ['guide.major', 'guide.minor'],
        '*.major': ['guide.major', 'news_article.major'],
        '#.unpublish': ['x.unpublish', 'unpublish'],
        'guide.#': ['guide', 'guide.major', 'guide.minor', 'guide.major.extra'],
        'a.#.c': ['a.c', 'a.b.c', 'a.b.b.c'],
        '*': ['guide', 'unpublish'],
        'guide.*|*.major': ['guide.major', 'guide.minor', 'news_article.major'],
      };
      const consumers = await Promise.all(
        Object.keys(cases).map(async (patterns, i) => {
          const c = collector();
          const stop = await bus.consume(ex, queue(`routing${i}`), [...patterns.split('|'), 'marker'], c.handler);
          return { patterns, c, stop };
        }),
      );
      for (const key of cases['#']!) await bus.publish(ex, message(key));
      await bus.publish(ex, message('marker'));
      for (const { patterns, c, stop } of consumers) {
        await until(() => (c.got.some((m) => m.routingKey === 'marker') ? true : undefined), `the marker for ${patterns}`);
        assert.deepEqual(c.got.map((m) => m.routingKey).filter((k) => k !== 'marker'), cases[patterns], patterns);
        await stop();
      }
    });

    test('consumers of one queue share its messages: each goes to one of them', async () => {
      const ex = exchange('shared');
      const q = queue('shared');
      const a = collector();
      const b = collector();
      const stops = [await bus.consume(ex, q, ['#'], a.handler), await bus.consume(ex, q, ['#'], b.handler)];
      const sent = Array.from({ length: 20 }, (_, i) => message(`doc.${i}`));
      for (const m of sent) await bus.publish(ex, m);
      await until(() => (a.got.length + b.got.length === sent.length ? true : undefined), 'every message');
      assert.deepEqual([...a.got, ...b.got].map((m) => m.id).sort(), sent.map((m) => m.id).sort());
      for (const s of stops) await s();
    });

    test('a message is acknowledged only when its handler resolves: with prefetch 1 the next one waits', async () => {
      const ex = exchange('ack');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const c = collector(async (m) => {
        if (m.routingKey === 'first') await gate;
      });
      const stop = await bus.consume(ex, queue('ack'), ['#'], c.handler, { prefetch: 1 });
      const first = message('first');
      const second = message('second');
      await bus.publish(ex, first);
      await bus.publish(ex, second);
      await until(() => has(c.got, first.id), 'the first delivery');
      // The second is held back for as long as the first is unacknowledged; a third queue shows time has passed.
      const probe = collector();
      const stopProbe = await bus.consume(ex, queue('ack-probe'), ['probe'], probe.handler);
      const p = message('probe');
      await bus.publish(ex, p);
      await until(() => has(probe.got, p.id), 'the probe');
      assert.deepEqual(c.got.map((m) => m.routingKey), ['first']);
      release();
      await until(() => has(c.got, second.id), 'the second delivery');
      await stop();
      await stopProbe();
    });

    test('a failing handler is retried after the delay, and the message is done once it succeeds', async () => {
      const ex = exchange('retry');
      const times: number[] = [];
      const c = collector(async (_m, calls) => {
        times.push(Date.now());
        if (calls < 3) throw new Error(`failure ${calls}`);
      });
      const stop = await bus.consume(ex, queue('retry'), ['#'], c.handler, { maxAttempts: 5, retryDelayMs: 200 });
      const sent = message('guide.major', { title: 'retry me' }, { headers: { a: 'b' } });
      await bus.publish(ex, sent);
      await until(() => (c.got.length === 3 ? true : undefined), 'three attempts');
      for (const m of c.got) assert.deepEqual(m, { ...sent, headers: { a: 'b' } });
      assert.ok(times[1]! - times[0]! >= 150, `retried after ${times[1]! - times[0]!} ms`);
      // Nothing more, and nothing dead: a marker through the same queue, and the dead-letter queue read empty.
      const marker = message('marker');
      await bus.publish(ex, marker);
      await until(() => has(c.got, marker.id), 'the marker');
      assert.equal(c.got.filter((m) => m.id === sent.id).length, 3);
      await stop();
    });

    test('after maxAttempts failures the message is dead-lettered to <queue>.dead', async () => {
      const ex = exchange('dead');
      const q = queue('dead');
      const c = collector(async () => {
        throw new Error('always');
      });
      const stop = await bus.consume(ex, q, ['#'], c.handler, { maxAttempts: 3, retryDelayMs: 20 });
      const sent = message('news_article.major', { title: 'poison' }, { headers: { h: 'v' } });
      await bus.publish(ex, sent);
      const dead = collector();
      const stopDead = await bus.consume(ex, `${q}.dead`, [], dead.handler);
      await until(() => has(dead.got, sent.id), 'the dead letter');
      assert.equal(c.got.length, 3);
      assert.deepEqual(dead.got, [{ ...sent, headers: { h: 'v' } }]);
      await stop();
      await stopDead();
    });

    test('a durable queue keeps what is published while no consumer is attached', async () => {
      const ex = exchange('durable');
      const q = queue('durable');
      const first = collector();
      const stop1 = await bus.consume(ex, q, ['guide.*'], first.handler);
      await stop1();
      const sent = [message('guide.major'), message('guide.minor'), message('guide.republish')];
      for (const m of sent) await bus.publish(ex, m);
      const second = collector();
      const stop2 = await bus.consume(ex, q, ['guide.*'], second.handler);
      await until(() => (second.got.length === 3 ? true : undefined), 'the messages kept');
      assert.deepEqual(second.got.map((m) => m.id), sent.map((m) => m.id));
      assert.equal(first.got.length, 0);
      await stop2();
    });

    test('a consumer bound late gets nothing published before its queue existed', async () => {
      const ex = exchange('late');
      await bus.publish(ex, message('guide.major'));
      const c = collector();
      const stop = await bus.consume(ex, queue('late'), ['#'], c.handler);
      const later = message('guide.minor');
      await bus.publish(ex, later);
      await until(() => has(c.got, later.id), 'the later message');
      assert.deepEqual(c.got.map((m) => m.id), [later.id]);
      await stop();
    });

    test('an exclusive queue goes with its consumer', async () => {
      const ex = exchange('exclusive');
      const q = queue('exclusive');
      const a = collector();
      const stopA = await bus.consume(ex, q, ['#'], a.handler, { exclusive: true });
      const m1 = message('one');
      await bus.publish(ex, m1);
      await until(() => has(a.got, m1.id), 'the first message');
      await stopA();
      await bus.publish(ex, message('two'));
      const b = collector();
      const stopB = await bus.consume(ex, q, ['#'], b.handler, { exclusive: true });
      const m3 = message('three');
      await bus.publish(ex, m3);
      await until(() => has(b.got, m3.id), 'the third message');
      assert.deepEqual(b.got.map((m) => m.routingKey), ['three']);
      await stopB();
    });

    test('stop waits for the handlers running', async () => {
      const ex = exchange('stop');
      let finished = false;
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      const stop = await bus.consume(ex, queue('stop'), ['#'], async () => {
        started();
        await new Promise((r) => setTimeout(r, 100));
        finished = true;
      });
      await bus.publish(ex, message('slow'));
      await running;
      await stop();
      assert.equal(finished, true);
    });

    test('publish rejects what the wire cannot carry', async () => {
      const ex = exchange('invalid');
      await assert.rejects(bus.publish(ex, message('x'.repeat(256))), RangeError);
      await assert.rejects(bus.publish(ex, message('ok', undefined, { publishedAt: 'yesterday' })), TypeError);
      await assert.rejects(bus.publish(ex, message('ok', {}, { id: '' })), TypeError);
    });
  });
}
