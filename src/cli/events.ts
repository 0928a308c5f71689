import { randomUUID } from 'node:crypto';
import { openRabbitBus } from '../platform/bus/rabbitmq.ts';
import { PUBLISHED_DOCUMENTS, type Bus, type BusMessage } from '../platform/bus/types.ts';
import { ConfigError } from '../platform/config.ts';
import type { Logger } from '../platform/log.ts';
import { UsageError } from './routes.ts';

type Out = (line: string) => void;

/** A field of the event's body as one printable word-ish token, or '-' when absent. */
function field(body: unknown, name: string): string {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof v !== 'string' || v === '') return '-';
  return v.replace(/[\r\n\t]+/g, ' ');
}

/** `<publishedAt> <routingKey> <base_path> <title> <id>`: the id last, as the title may hold spaces. */
export function formatEvent(msg: BusMessage): string {
  return `${msg.publishedAt} ${msg.routingKey} ${field(msg.body, 'base_path')} ${field(msg.body, 'title')} ${msg.id}`;
}

export interface TailOptions {
  /** A topic pattern such as `guide.*` or `#.unpublish` (`#`, everything, by default). */
  pattern?: string;
  out: Out;
  signal: AbortSignal;
  exchange?: string;
}

/**
 * Prints each event as it arrives, until `signal` aborts. It reads from a
 * temporary exclusive queue of its own, so it sees only what is published while
 * it runs and takes nothing away from the services' durable queues.
 */
export async function tailEvents(bus: Bus, opts: TailOptions): Promise<void> {
  if (opts.signal.aborted) return;
  const pattern = opts.pattern ?? '#';
  if (pattern.trim() === '') throw new UsageError('--pattern must not be empty');
  const stop = await bus.consume(
    opts.exchange ?? PUBLISHED_DOCUMENTS,
    `portico.events-tail.${randomUUID()}`,
    [pattern],
    async (msg) => opts.out(formatEvent(msg)),
    // Printing does not fail in a way a retry would mend.
    { exclusive: true, maxAttempts: 1 },
  );
  try {
    if (!opts.signal.aborted) await new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    await stop();
  }
}

export interface EventsTailCommandOptions {
  amqpUrl: string | undefined;
  pattern?: string | undefined;
  out: Out;
  err: Out;
  log: Logger;
  /** Ends the tail; by default Ctrl-C (SIGINT) or SIGTERM. */
  signal?: AbortSignal;
  /** `published_documents` unless said otherwise (tests use their own). */
  exchange?: string;
}

/**
 * `portico events tail [--pattern P]`. It needs RabbitMQ: the embedded bus lives
 * inside the `portico start` process and no other process can listen to it.
 * Resolves to the exit code.
 */
export async function eventsTailCommand(opts: EventsTailCommandOptions): Promise<number> {
  if (!opts.amqpUrl) {
    throw new ConfigError(['AMQP_URL: events tail reads the RabbitMQ exchange; without AMQP_URL events stay inside the `portico start` process']);
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  const signal = opts.signal ?? controller.signal;
  if (!opts.signal) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const bus = await openRabbitBus(opts.amqpUrl, { log: opts.log, connectionName: `portico events tail pid ${process.pid}` });
  try {
    const exchange = opts.exchange ?? PUBLISHED_DOCUMENTS;
    opts.err(`tailing ${exchange} for ${opts.pattern ?? '#'}; Ctrl-C to stop`);
    await tailEvents(bus, { pattern: opts.pattern ?? '#', out: opts.out, signal, exchange });
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await bus.close();
  }
}
