export { outboxTableSql, outboxChannel, pruneOutbox, outboxBacklog } from './sql.ts';
export { writeToOutbox, type OutboxEvent, type WriteOptions } from './write.ts';
export { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './relay.ts';
