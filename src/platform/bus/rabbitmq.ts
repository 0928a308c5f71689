import { AmqpConnectionManagerClass, type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConfirmChannel } from 'amqplib';
import type { Logger } from '../log.ts';
import { startRabbitConsumer, type ConsumerContext } from './rabbitmq-consumer.ts';
import { checkMessage, consumeDefaults, shortString, type Bus } from './types.ts';
import { encode } from './wire.ts';

export interface RabbitBusOptions {
  log: Logger;
  /** Shown by the broker (`rabbitmqctl list_connections client_properties`), so an operator can tell processes apart. */
  connectionName?: string;
  /** Milliseconds between reconnect attempts (1000). */
  reconnectMs?: number;
  /** Heartbeat interval: how soon a silently dead connection is noticed (5). */
  heartbeatSeconds?: number;
  /** A publish not confirmed within this many milliseconds rejects (10 000); the outbox relay then retries it. */
  publishTimeoutMs?: number;
  /** How long opening waits for the first connection before carrying on without it (5000). */
  connectTimeoutMs?: number;
}

export class BusUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusUnavailableError';
  }
}

/** The URL without its password, for logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return 'amqp://(unparsable)';
  }
}

/**
 * RabbitMQ through amqp-connection-manager, which reconnects by itself and
 * re-runs each channel's setup (exchanges, queues, bindings, consumers) on the
 * new connection. Publishing uses a confirm channel: publish() resolves on the
 * broker's ack of a persistent message on a durable exchange. Opening does not
 * fail when the broker is down (a broker restart is a fault to ride out, not an
 * outage): publishes reject until it is back, and consumers attach when it is.
 */
export async function openRabbitBus(url: string, opts: RabbitBusOptions): Promise<Bus> {
  const { log } = opts;
  const reconnectMs = opts.reconnectMs ?? 1000;
  const publishTimeoutMs = opts.publishTimeoutMs ?? 10_000;
  const manager: AmqpConnectionManager = new AmqpConnectionManagerClass([url], {
    heartbeatIntervalInSeconds: opts.heartbeatSeconds ?? 5,
    reconnectTimeInSeconds: reconnectMs / 1000,
    connectionOptions: { clientProperties: { connection_name: opts.connectionName ?? `portico pid ${process.pid}` } },
  });
  let closed = false;
  let failures = 0;
  manager.on('connect', () => {
    failures = 0;
    log.info({ amqp: redact(url) }, 'connected to RabbitMQ');
  });
  manager.on('disconnect', ({ err }) => {
    if (!closed) log.warn({ err: err?.message }, 'RabbitMQ connection lost; reconnecting');
  });
  manager.on('connectFailed', ({ err }) => {
    // Once, then every 30th try: an outage of minutes should not flood the log.
    if (failures++ % 30 === 0) log.warn({ err: err?.message, attempts: failures }, 'cannot reach RabbitMQ; still trying');
  });
  manager.on('blocked', ({ reason }) => log.warn({ reason }, 'RabbitMQ is blocking publishes'));
  manager.on('unblocked', () => log.info('RabbitMQ unblocked publishes'));

  // amqp-connection-manager recreates channels only when the connection comes
  // back. A channel the broker closes on its own (a channel error) would stay dead
  // under a healthy connection, so reconnect to get it back, at most once per
  // reconnect interval in case the error repeats.
  let lastRevive = 0;
  const watched = new WeakSet<Channel>();
  function watch(ch: Channel, name: string, wanted: () => boolean): void {
    // A setup can run again on the same channel (a consumer the broker cancelled); listen once.
    if (watched.has(ch)) return;
    watched.add(ch);
    const conn = manager.connection;
    ch.on('error', (err: Error) => log.error({ err, channel: name }, 'RabbitMQ channel error'));
    ch.once('close', () => {
      const check = () => {
        if (closed || !wanted() || !manager.isConnected() || manager.connection !== conn) return;
        lastRevive = Date.now();
        log.warn({ channel: name }, 'RabbitMQ channel closed under a live connection; reconnecting to recover it');
        try {
          manager.reconnect();
        } catch (err) {
          log.warn({ err }, 'could not reconnect to RabbitMQ'); // closed meanwhile
        }
      };
      setTimeout(check, Math.max(50, lastRevive + reconnectMs - Date.now())).unref();
    });
  }

  const publisher: ChannelWrapper = manager.createChannel({
    name: 'publish',
    confirm: true,
    publishTimeout: publishTimeoutMs,
    setup: async (ch: ConfirmChannel) => watch(ch, 'publish', () => !closed),
  });
  publisher.on('error', (err) => log.error({ err }, 'RabbitMQ publish channel setup failed'));

  // Each exchange is declared once per connection, as a setup, before anything is published to it:
  // publishing to an exchange that does not exist would close the channel.
  const exchanges = new Map<string, Promise<void>>();
  function declared(exchange: string): Promise<void> {
    let p = exchanges.get(exchange);
    if (!p) {
      p = publisher.addSetup(async (ch: ConfirmChannel) => {
        await ch.assertExchange(exchange, 'topic', { durable: true });
      });
      exchanges.set(exchange, p);
      p.catch(() => exchanges.delete(exchange));
    }
    return p;
  }

  const ctx: ConsumerContext = { manager, log, watch };
  const stops = new Set<() => Promise<void>>();

  try {
    await manager.connect({ timeout: opts.connectTimeoutMs ?? 5000 });
  } catch (err) {
    const message = (err as Error).message;
    if (/ACCESS[-_]REFUSED|403/.test(message)) {
      await manager.close();
      throw new Error(`RabbitMQ refused the credentials in AMQP_URL: ${message}`);
    }
    log.warn({ err: message, amqp: redact(url) }, 'RabbitMQ is not reachable yet; carrying on and reconnecting in the background');
  }

  return {
    kind: 'rabbitmq',

    async publish(exchange, msg) {
      if (closed) throw new Error('the bus is closed');
      const json = checkMessage(exchange, msg);
      // Fail fast rather than queue in memory: the caller (the outbox relay) keeps the event and retries.
      if (!manager.isConnected()) throw new BusUnavailableError('not connected to RabbitMQ');
      await declared(exchange);
      const { content, options } = encode(msg, json);
      await publisher.publish(exchange, msg.routingKey, content, options);
    },

    async consume(exchange, queue, patterns, handler, options) {
      if (closed) throw new Error('the bus is closed');
      shortString('exchange', exchange);
      shortString('queue', queue);
      for (const p of patterns) shortString('pattern', p);
      const stop = await startRabbitConsumer(ctx, exchange, queue, patterns, handler, consumeDefaults(options));
      const tracked = async () => {
        stops.delete(tracked);
        await stop();
      };
      stops.add(tracked);
      return tracked;
    },

    async close() {
      if (closed) return;
      // Consumers first, while the connection can still carry their acks.
      await Promise.all([...stops].map((s) => s()));
      closed = true;
      await manager.close();
    },
  };
}
