import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from '../log.ts';
import type { BusMessage, ConsumeOptions } from './types.ts';
import { decode, forward, H_ATTEMPT, H_ERROR } from './wire.ts';

export interface ConsumerContext {
  manager: AmqpConnectionManager;
  log: Logger;
  /** Logs a channel's errors and recovers a channel that dies while its connection lives on. */
  watch(ch: Channel, name: string, wanted: () => boolean): void;
}

function sendConfirmed(ch: ConfirmChannel, queue: string, content: Buffer, options: Options.Publish): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      ch.sendToQueue(queue, content, options, (err) => (err ? reject(err) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}

/** An ack on a channel that has closed throws; the broker then redelivers the message by itself, which is what we want. */
function ackQuietly(ch: Channel, raw: ConsumeMessage): void {
  try {
    ch.ack(raw);
  } catch {
    // nothing to do: see above
  }
}

/**
 * One consumer on its own channel. Its topology (re-declared on every
 * reconnect, since the setup runs again) is three queues:
 *   <queue>        bound to the exchange by the patterns; the work queue
 *   <queue>.retry  a failed message waits here for retryDelayMs (per-message
 *                  TTL), then the broker dead-letters it back onto <queue>
 *                  through the default exchange, so only this consumer retries it
 *   <queue>.dead   where a message goes after maxAttempts failures
 * The attempt count travels in a header of the copy sent to the retry queue.
 * Each copy is confirmed by the broker before the original is acknowledged, so a
 * crash in between duplicates a message but never loses one.
 */
export async function startRabbitConsumer(
  ctx: ConsumerContext,
  exchange: string,
  queue: string,
  patterns: string[],
  handler: (msg: BusMessage) => Promise<void>,
  o: Required<ConsumeOptions>,
): Promise<() => Promise<void>> {
  const { log } = ctx;
  const retryQueue = `${queue}.retry`;
  const deadQueue = `${queue}.dead`;
  const durable = !o.exclusive;
  const declare: Options.AssertQueue = o.exclusive ? { exclusive: true, durable: false } : { durable: true };
  const running = new Set<Promise<void>>();
  let stopping = false;
  let current: { ch: ConfirmChannel; tag: string } | undefined;

  async function deliver(ch: ConfirmChannel, raw: ConsumeMessage): Promise<void> {
    let decoded: { msg: BusMessage; attempt: number };
    try {
      decoded = decode(raw);
    } catch (err) {
      // No handler could ever take it: straight to the dead-letter queue rather than round the retry loop.
      log.error({ err, queue }, 'undecodable message dead-lettered');
      await sendConfirmed(ch, deadQueue, raw.content, forward(raw, { [H_ERROR]: String((err as Error).message) }, durable)).then(
        () => ackQuietly(ch, raw),
        () => undefined,
      );
      return;
    }
    const { msg, attempt } = decoded;
    try {
      await handler(msg);
    } catch (err) {
      const last = attempt >= o.maxAttempts;
      log.warn({ err, queue, event_id: msg.id, attempt }, last ? 'event handler failed for the last time; dead-lettered' : 'event handler failed; will retry');
      try {
        if (last) await sendConfirmed(ch, deadQueue, raw.content, forward(raw, { [H_ERROR]: String((err as Error)?.message ?? err).slice(0, 1000) }, durable));
        else await sendConfirmed(ch, retryQueue, raw.content, forward(raw, { [H_ATTEMPT]: attempt + 1 }, durable, o.retryDelayMs));
      } catch (sendErr) {
        // The channel went: the unacknowledged original comes back by itself, as the same attempt.
        log.warn({ err: sendErr, queue, event_id: msg.id }, 'could not move a failed message; the broker will redeliver it');
        return;
      }
    }
    ackQuietly(ch, raw);
  }

  async function setup(ch: ConfirmChannel): Promise<void> {
    ctx.watch(ch, `consume ${queue}`, () => !stopping);
    await ch.assertExchange(exchange, 'topic', { durable: true });
    await ch.assertQueue(queue, declare);
    await ch.assertQueue(retryQueue, { ...declare, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue } });
    await ch.assertQueue(deadQueue, declare);
    for (const p of patterns) await ch.bindQueue(queue, exchange, p);
    await ch.prefetch(o.prefetch);
    if (stopping) return;
    const { consumerTag } = await ch.consume(
      queue,
      (raw) => {
        if (raw) {
          const run = deliver(ch, raw).finally(() => running.delete(run));
          running.add(run);
          return;
        }
        // The broker cancelled us (the queue was deleted under us): declare it again and carry on.
        if (!stopping) setup(ch).catch((err) => log.error({ err, queue }, 'could not resume a cancelled consumer'));
      },
      { noAck: false },
    );
    current = { ch, tag: consumerTag };
  }

  const wrapper = ctx.manager.createChannel({ name: `consume ${queue}`, confirm: true, setup });
  // An unheard 'error' event would crash the process; setups that fail run again on the next reconnect.
  const ready = new Promise<void>((resolve, reject) => {
    wrapper.once('connect', resolve);
    wrapper.once('error', reject);
  });
  wrapper.on('error', (err) => log.error({ err, queue }, 'RabbitMQ consumer setup failed'));
  // Bound before resolving when the broker is there, so a publish straight after reaches the queue;
  // when it is not, the setup runs on connect and the caller is not held up meanwhile.
  if (ctx.manager.isConnected()) {
    try {
      await ready;
    } catch (err) {
      stopping = true;
      await wrapper.close().catch(() => undefined);
      throw err;
    }
  } else {
    ready.catch(() => undefined);
  }

  async function stop(): Promise<void> {
    stopping = true;
    const c = current;
    current = undefined;
    if (c) await c.ch.cancel(c.tag).catch(() => undefined);
    while (running.size > 0) await Promise.allSettled(running);
    if (o.exclusive && c) {
      for (const q of [queue, retryQueue, deadQueue]) await c.ch.deleteQueue(q).catch(() => undefined);
    }
    await wrapper.close().catch(() => undefined);
  }
  let stopped: Promise<void> | undefined;
  return () => (stopped ??= stop());
}
