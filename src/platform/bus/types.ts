/** One event on the bus. `id` is what consumers de-duplicate by, so a re-send keeps it. */
export interface BusMessage {
  id: string;
  routingKey: string;
  /** Anything JSON can carry: it crosses the wire as JSON, in memory too, so both adapters hand consumers the same values. */
  body: unknown;
  /** Delivered messages always carry an object here (empty when nothing was sent). */
  headers?: Record<string, string>;
  /** ISO 8601: when the change happened, not when this copy was sent. */
  publishedAt: string;
}

export interface ConsumeOptions {
  /** Handler runs per message before it is dead-lettered (5). */
  maxAttempts?: number;
  /** Milliseconds before a failed message is tried again (1000). */
  retryDelayMs?: number;
  /** Messages handled at once, each acknowledged when its handler resolves (10). */
  prefetch?: number;
  /** A temporary queue, gone when the consumer stops or its connection drops: for watchers such as `events tail`. */
  exclusive?: boolean;
}

export interface Bus {
  readonly kind: 'memory' | 'rabbitmq';
  /** Resolves once the broker has confirmed the message (publisher confirm) — rejects if it cannot. */
  publish(exchange: string, msg: BusMessage): Promise<void>;
  /**
   * A durable named queue bound to `exchange` by topic patterns (AMQP semantics:
   * `*` one word, `#` zero or more); the handler's message is acknowledged when it
   * resolves; on throw it is retried after a delay up to maxAttempts, then
   * dead-lettered to `<queue>.dead` (consume that queue with no patterns to read
   * it). Resolves, once bound, to a stop function that waits for handlers running.
   */
  consume(
    exchange: string,
    queue: string,
    patterns: string[],
    handler: (msg: BusMessage) => Promise<void>,
    opts?: ConsumeOptions,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The exchange every write to the live content store is announced on. */
export const PUBLISHED_DOCUMENTS = 'published_documents';

export const CONSUME_DEFAULTS = { maxAttempts: 5, retryDelayMs: 1000, prefetch: 10, exclusive: false } as const;

export function consumeDefaults(opts: ConsumeOptions = {}): Required<ConsumeOptions> {
  const o = { ...CONSUME_DEFAULTS, ...stripUndefined(opts) };
  if (!Number.isInteger(o.maxAttempts) || o.maxAttempts < 1) throw new RangeError(`maxAttempts must be a whole number of at least 1, got ${o.maxAttempts}`);
  if (!Number.isInteger(o.prefetch) || o.prefetch < 1) throw new RangeError(`prefetch must be a whole number of at least 1, got ${o.prefetch}`);
  if (!(o.retryDelayMs >= 0)) throw new RangeError(`retryDelayMs must be 0 or more, got ${o.retryDelayMs}`);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Refuses, the same way in both adapters, what RabbitMQ could not carry: AMQP
 * short strings (routing keys, names) are at most 255 bytes, and a body must
 * survive JSON. Resolves to the body's JSON text.
 */
export function checkMessage(exchange: string, msg: BusMessage): string {
  shortString('exchange', exchange);
  shortString('routing key', msg.routingKey);
  if (typeof msg.id !== 'string' || msg.id === '') throw new TypeError('a bus message needs an id');
  shortString('message id', msg.id);
  if (typeof msg.publishedAt !== 'string' || Number.isNaN(Date.parse(msg.publishedAt))) {
    throw new TypeError(`publishedAt must be an ISO 8601 time, got ${JSON.stringify(msg.publishedAt)}`);
  }
  const json = JSON.stringify(msg.body ?? null);
  if (json === undefined) throw new TypeError('a bus message body must be JSON');
  return json;
}

export function shortString(what: string, value: string): void {
  if (typeof value !== 'string' || Buffer.byteLength(value) > 255) throw new RangeError(`${what} must be a string of at most 255 bytes`);
}
