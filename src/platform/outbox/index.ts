export { outboxTableSql, outboxChannel, pruneOutbox, outboxBacklog } from './sql.ts';
export { writeManyToOutbox, writeToOutbox, type OutboxEvent, type WriteOptions } from './write.ts';
export { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './relay.ts';
