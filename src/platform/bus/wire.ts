import type { ConsumeMessage, Options } from 'amqplib';
import type { BusMessage } from './types.ts';

// How a BusMessage travels through RabbitMQ. The id is the AMQP message-id and
// the body is JSON; what AMQP has no property for rides in headers under a
// prefix of our own, which consumers never see.
const PREFIX = 'x-portico-';
export const H_ATTEMPT = `${PREFIX}attempt`;
export const H_ROUTING_KEY = `${PREFIX}routing-key`;
export const H_PUBLISHED_AT = `${PREFIX}published-at`;
export const H_ERROR = `${PREFIX}error`;

export function encode(msg: BusMessage, json: string, durable = true): { content: Buffer; options: Options.Publish } {
  return {
    content: Buffer.from(json),
    options: {
      messageId: msg.id,
      contentType: 'application/json',
      persistent: durable,
      timestamp: Math.floor(Date.parse(msg.publishedAt) / 1000),
      headers: { ...msg.headers, [H_PUBLISHED_AT]: msg.publishedAt },
    },
  };
}

/** A message as received, with its attempt number; throws on one no adapter could have sent. */
export function decode(raw: ConsumeMessage): { msg: BusMessage; attempt: number } {
  const h = raw.properties.headers ?? {};
  const id = raw.properties.messageId;
  if (typeof id !== 'string' || id === '') throw new Error('message has no message-id');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    // Ours, and the broker's own dead-lettering record (x-death, x-first-death-*, ...).
    if (k.startsWith(PREFIX) || /^x-(first-|last-)?death/.test(k)) continue;
    if (typeof v === 'string') headers[k] = v;
    else if (Buffer.isBuffer(v)) headers[k] = v.toString();
  }
  const publishedAt = typeof h[H_PUBLISHED_AT] === 'string' ? h[H_PUBLISHED_AT] : new Date((raw.properties.timestamp ?? 0) * 1000).toISOString();
  const routingKey = typeof h[H_ROUTING_KEY] === 'string' ? h[H_ROUTING_KEY] : raw.fields.routingKey;
  return {
    msg: { id, routingKey, body: JSON.parse(raw.content.toString()), headers, publishedAt },
    attempt: Number(h[H_ATTEMPT] ?? 1) || 1,
  };
}

/**
 * The copy of a delivery sent to its consumer's retry or dead-letter queue: the
 * same message-id and body, the original routing key remembered in a header
 * (sending straight to a queue replaces it), the broker's x-death record dropped.
 */
export function forward(raw: ConsumeMessage, headers: Record<string, unknown>, durable: boolean, expirationMs?: number): Options.Publish {
  // The attempt count is the caller's to set: a dead-lettered copy starts again at 1 for whoever reads it.
  const kept = Object.fromEntries(
    Object.entries(raw.properties.headers ?? {}).filter(([k]) => k !== H_ATTEMPT && !/^x-(first-|last-)?death/.test(k)),
  );
  return {
    messageId: raw.properties.messageId,
    contentType: raw.properties.contentType,
    timestamp: raw.properties.timestamp,
    persistent: durable,
    ...(expirationMs !== undefined ? { expiration: String(expirationMs) } : {}),
    headers: { ...kept, [H_ROUTING_KEY]: kept[H_ROUTING_KEY] ?? raw.fields.routingKey, ...headers },
  };
}
