import type { Logger } from '../log.ts';
import { topicMatcher } from './topic.ts';
import { checkMessage, consumeDefaults, shortString, type Bus, type BusMessage, type ConsumeOptions } from './types.ts';

/** A message waiting in a queue, with the handler runs it has had so far. */
interface Delivery {
  msg: Frozen;
  attempt: number;
}

/** What was published, as the wire would carry it: a body copied through JSON on every delivery. */
interface Frozen {
  id: string;
  routingKey: string;
  json: string;
  headers: Record<string, string>;
  publishedAt: string;
}

interface Consumer {
  handler: (msg: BusMessage) => Promise<void>;
  opts: Required<ConsumeOptions>;
  unacked: number;
  running: Set<Promise<void>>;
}

interface Queue {
  name: string;
  exclusive: boolean;
  ready: Delivery[];
  /** exchange -> pattern -> matcher */
  bindings: Map<string, Map<string, (key: string) => boolean>>;
  consumers: Consumer[];
  next: number;
  scheduled: boolean;
}

function thaw(m: Frozen): BusMessage {
  return { id: m.id, routingKey: m.routingKey, body: JSON.parse(m.json), headers: { ...m.headers }, publishedAt: m.publishedAt };
}

/**
 * The in-process bus of embedded mode, with RabbitMQ's semantics so code tested
 * on it behaves the same on the broker: queues live for the life of the bus (open
 * one per process), a queue only receives what is published after it is bound,
 * delivery is asynchronous, a message is acknowledged when its handler resolves,
 * and retries and dead-lettering follow the same rules. Nothing survives a restart.
 */
export function createMemoryBus(opts: { log: Logger }): Bus {
  const queues = new Map<string, Queue>();
  const timers = new Set<NodeJS.Timeout>();
  const stops = new Set<() => Promise<void>>();
  let closed = false;

  function queueNamed(name: string, exclusive = false): Queue {
    let q = queues.get(name);
    if (!q) {
      q = { name, exclusive, ready: [], bindings: new Map(), consumers: [], next: 0, scheduled: false };
      queues.set(name, q);
    }
    return q;
  }

  function enqueue(q: Queue, d: Delivery): void {
    q.ready.push(d);
    schedule(q);
  }

  // Deliveries start on a later turn, never inside publish(), as they would from a broker.
  function schedule(q: Queue): void {
    if (q.scheduled) return;
    q.scheduled = true;
    setImmediate(() => {
      q.scheduled = false;
      pump(q);
    });
  }

  /** Hands ready messages round-robin to consumers with room under their prefetch. */
  function pump(q: Queue): void {
    while (q.ready.length > 0 && q.consumers.length > 0) {
      const c = pickConsumer(q);
      if (!c) return;
      const d = q.ready.shift()!;
      c.unacked++;
      const run = handle(q, c, d).finally(() => {
        c.unacked--;
        c.running.delete(run);
        schedule(q);
      });
      c.running.add(run);
    }
  }

  function pickConsumer(q: Queue): Consumer | undefined {
    for (let i = 0; i < q.consumers.length; i++) {
      const c = q.consumers[(q.next + i) % q.consumers.length]!;
      if (c.unacked < c.opts.prefetch) {
        q.next = (q.next + i + 1) % q.consumers.length;
        return c;
      }
    }
    return undefined;
  }

  async function handle(q: Queue, c: Consumer, d: Delivery): Promise<void> {
    try {
      await c.handler(thaw(d.msg));
    } catch (err) {
      if (d.attempt >= c.opts.maxAttempts) {
        opts.log.warn({ err, queue: q.name, event_id: d.msg.id, attempts: d.attempt }, 'event handler failed for the last time; dead-lettered');
        enqueue(queueNamed(`${q.name}.dead`, q.exclusive), { msg: d.msg, attempt: 1 });
        return;
      }
      opts.log.warn({ err, queue: q.name, event_id: d.msg.id, attempt: d.attempt }, 'event handler failed; will retry');
      // Back to the tail of the queue after the delay, as RabbitMQ's retry queue does.
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!closed) enqueue(q, { msg: d.msg, attempt: d.attempt + 1 });
      }, c.opts.retryDelayMs);
      timers.add(timer);
    }
  }

  return {
    kind: 'memory',

    async publish(exchange, msg) {
      if (closed) throw new Error('the bus is closed');
      const json = checkMessage(exchange, msg);
      const frozen: Frozen = { id: msg.id, routingKey: msg.routingKey, json, headers: { ...msg.headers }, publishedAt: msg.publishedAt };
      // Routed once, at publish: each matching queue gets one copy however many of its patterns match.
      for (const q of queues.values()) {
        const patterns = q.bindings.get(exchange);
        if (patterns && [...patterns.values()].some((m) => m(msg.routingKey))) enqueue(q, { msg: frozen, attempt: 1 });
      }
    },

    async consume(exchange, queue, patterns, handler, options) {
      if (closed) throw new Error('the bus is closed');
      const o = consumeDefaults(options);
      shortString('exchange', exchange);
      shortString('queue', queue);
      const existing = queues.get(queue);
      if (existing && existing.exclusive !== o.exclusive) throw new Error(`queue ${queue} exists with exclusive=${existing.exclusive}`);
      if (existing?.exclusive && existing.consumers.length > 0) throw new Error(`queue ${queue} is exclusive to another consumer`);
      const q = queueNamed(queue, o.exclusive);
      queueNamed(`${queue}.dead`, o.exclusive);
      if (patterns.length > 0) {
        const bound = q.bindings.get(exchange) ?? new Map<string, (key: string) => boolean>();
        for (const p of patterns) {
          shortString('pattern', p);
          bound.set(p, topicMatcher(p));
        }
        q.bindings.set(exchange, bound);
      }
      const c: Consumer = { handler, opts: o, unacked: 0, running: new Set() };
      q.consumers.push(c);
      schedule(q);

      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        stops.delete(stop);
        q.consumers = q.consumers.filter((x) => x !== c);
        while (c.running.size > 0) await Promise.allSettled(c.running);
        if (o.exclusive) {
          queues.delete(queue);
          queues.delete(`${queue}.dead`);
        }
      };
      stops.add(stop);
      return stop;
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([...stops].map((s) => s()));
      queues.clear();
    },
  };
}
