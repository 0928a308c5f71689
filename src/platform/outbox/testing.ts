import { randomBytes } from 'node:crypto';
import { eventually } from '../../../test/support/ports.ts';
import { dbDedupeStore, dedupe, memoryDedupeStore, processedEventsTableSql } from '../bus/dedupe.ts';
import type { Bus, BusMessage } from '../bus/types.ts';
import type { Db } from '../db/index.ts';
import type { Logger } from '../log.ts';
import { outboxBacklog, outboxTableSql } from './sql.ts';
import { startOutboxRelay } from './relay.ts';
import { writeToOutbox } from './write.ts';

// The "no event lost, none handled twice" scenario, shared by the fault tests of
// the in-process bus (npm test) and RabbitMQ (the services suite), which differ
// only in the bus under the relay and in the faults they inject part-way.

export interface ScenarioOptions {
  db: Db;
  /** The bus the relay publishes to (possibly a faulty wrapper). */
  relayBus: Bus;
  /** The bus the consumers read from (the same broker, maybe another connection). */
  consumerBus: Bus;
  exchange: string;
  events: number;
  log: Logger;
  /**
   * Faults, run one after another while the writes go on: each starts once
   * this many events have been written and the one before it has finished.
   */
  faults?: { afterWritten: number; run: (ctx: FaultContext) => Promise<void> }[];
  /** Milliseconds between write transactions, to spread the stream out (2). */
  writeIntervalMs?: number;
  /** Milliseconds each consumer's handler takes, so deliveries are in flight when a fault strikes (0). */
  handlerDelayMs?: number;
  /** Names the schema and the consumers' queues (`<name>.search`, `<name>.email`), so a test can delete them; random by default. */
  name?: string;
  /** How long the whole scenario may take to settle. */
  timeoutMs?: number;
}

export interface FaultContext {
  /** Events written but not yet published. */
  backlog(): Promise<number>;
  /** Events written so far. */
  written(): number;
}

export interface ScenarioResult {
  /** Per consumer: how many times its handler took effect for each event id. */
  effects: Record<'db' | 'memory', Map<string, number>>;
  /** Deliveries seen before de-duplication, per consumer: more than `events` means duplicates arrived. */
  deliveries: Record<'db' | 'memory', number>;
  duplicatesSkipped: Record<'db' | 'memory', number>;
  written: string[];
  /** Outbox rows that needed more than one publish attempt. */
  retriedRows: number;
  queues: string[];
}

/**
 * Writes `events` events into an outbox (in transactions of 1 to 4, as content
 * changes would) while a relay runs, with two consumers on their own durable
 * queues: one de-duplicating in the database (its effect written in the same
 * transaction), one in memory. Resolves once every event has reached both and
 * the outbox is empty, or rejects on timeout.
 */
export async function runOutboxScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const schema = o.name ?? `scenario_${randomBytes(4).toString('hex')}`;
  await o.db.exec(`CREATE SCHEMA ${schema}; ${outboxTableSql(schema)} ${processedEventsTableSql(schema)}
    CREATE TABLE ${schema}.effects (event_id uuid NOT NULL, n serial PRIMARY KEY);`);

  const pause = () => (o.handlerDelayMs ? new Promise((r) => setTimeout(r, o.handlerDelayMs)) : Promise.resolve());
  const deliveries = { db: 0, memory: 0 };
  const duplicatesSkipped = { db: 0, memory: 0 };
  const memoryEffects = new Map<string, number>();
  const queues = [`${schema}.search`, `${schema}.email`];
  const stops = [
    await o.consumerBus.consume(
      o.exchange,
      queues[0]!,
      ['#'],
      (() => {
        const handler = dedupe(
          async (m: BusMessage, tx) => {
            await pause();
            await tx.query(`INSERT INTO ${schema}.effects (event_id) VALUES ($1)`, [m.id]);
          },
          dbDedupeStore(o.db, schema, 'search'),
          () => duplicatesSkipped.db++,
        );
        return async (m: BusMessage) => {
          deliveries.db++;
          await handler(m);
        };
      })(),
      { retryDelayMs: 100 },
    ),
    await o.consumerBus.consume(
      o.exchange,
      queues[1]!,
      ['*.major', '*.minor', '#'],
      (() => {
        const handler = dedupe(
          async (m: BusMessage) => {
            await pause();
            memoryEffects.set(m.id, (memoryEffects.get(m.id) ?? 0) + 1);
          },
          memoryDedupeStore(),
          () => duplicatesSkipped.memory++,
        );
        return async (m: BusMessage) => {
          deliveries.memory++;
          await handler(m);
        };
      })(),
      { retryDelayMs: 100 },
    ),
  ];

  const relay = await startOutboxRelay({ db: o.db, schema, bus: o.relayBus, log: o.log, pollMs: 500, batchSize: 20, backoffMinMs: 50, backoffMaxMs: 500 });
  const written: string[] = [];
  const ctx: FaultContext = { backlog: async () => (await outboxBacklog(o.db, schema)).unpublished, written: () => written.length };
  const faults = (async () => {
    for (const f of o.faults ?? []) {
      await eventually(() => (written.length >= f.afterWritten ? true : undefined), o.timeoutMs ?? 60_000, `${f.afterWritten} events written`);
      await f.run(ctx);
    }
  })();
  // Reported at the end, with the outcome, rather than as an unhandled rejection meanwhile.
  faults.catch(() => undefined);
  const updateTypes = ['major', 'minor', 'republish', 'links', 'unpublish'];
  try {
    while (written.length < o.events) {
      const n = Math.min(1 + (written.length % 4), o.events - written.length);
      const first = written.length;
      await o.db.transaction(async (tx) => {
        for (let i = 0; i < n; i++) {
          const k = first + i;
          written.push(
            await writeToOutbox(tx, schema, {
              exchange: o.exchange,
              routingKey: `guide.${updateTypes[k % updateTypes.length]}`,
              body: { base_path: `/doc-${k}`, title: `Document ${k}`, seq: k },
            }),
          );
        }
      });
      // Writes arrive over time, not all in one burst, so faults land mid-stream.
      await new Promise((r) => setTimeout(r, o.writeIntervalMs ?? 2));
    }
    await faults;
    const timeout = o.timeoutMs ?? 60_000;
    await eventually(async () => ((await outboxBacklog(o.db, schema)).unpublished === 0 ? true : undefined), timeout, 'the outbox to drain');
    const dbEffects = async () => {
      const { rows } = await o.db.query<{ event_id: string; n: number }>(`SELECT event_id, count(*)::int AS n FROM ${schema}.effects GROUP BY event_id`);
      return new Map(rows.map((r) => [r.event_id, r.n]));
    };
    await eventually(async () => ((await dbEffects()).size >= o.events && memoryEffects.size >= o.events ? true : undefined), timeout, 'every event at both consumers');
    const { rows } = await o.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.outbox WHERE attempts > 1`);
    return {
      effects: { db: await dbEffects(), memory: memoryEffects },
      deliveries,
      duplicatesSkipped,
      written,
      retriedRows: rows[0]!.n,
      queues,
    };
  } finally {
    await relay.stop();
    for (const stop of stops) await stop();
  }
}
