import type { Logger } from '../log.ts';
import { createMemoryBus } from './memory.ts';
import { openRabbitBus, type RabbitBusOptions } from './rabbitmq.ts';
import type { Bus } from './types.ts';

export type { Bus, BusMessage, ConsumeOptions } from './types.ts';
export { PUBLISHED_DOCUMENTS } from './types.ts';
export { topicMatches } from './topic.ts';
export { BusUnavailableError, openRabbitBus, type RabbitBusOptions } from './rabbitmq.ts';
export { createMemoryBus } from './memory.ts';
export { dedupe, memoryDedupeStore, dbDedupeStore, processedEventsTableSql, pruneProcessedEvents, type DedupeStore } from './dedupe.ts';

/**
 * RabbitMQ when `AMQP_URL` is set, otherwise the in-process bus. Open one per
 * process and hand it to every service in it: the in-process bus connects only
 * the code that shares the instance.
 */
export function openBus(config: { amqpUrl?: string | undefined }, log: Logger, rabbit: Omit<RabbitBusOptions, 'log'> = {}): Promise<Bus> {
  if (config.amqpUrl) return openRabbitBus(config.amqpUrl, { ...rabbit, log });
  return Promise.resolve(createMemoryBus({ log }));
}
