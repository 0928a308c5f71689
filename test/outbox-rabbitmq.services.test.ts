import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import amqplib from 'amqplib';
import { openRabbitBus } from '../src/platform/bus/rabbitmq.ts';
import type { Bus } from '../src/platform/bus/types.ts';
import { openTestDb, type TestDb } from '../src/platform/db/testing.ts';
import { createLogger, type Logger } from '../src/platform/log.ts';
import { runOutboxScenario, type FaultContext, type ScenarioResult } from '../src/platform/outbox/testing.ts';
import { eventually } from './support/ports.ts';

// The outbox's promise on PostgreSQL and a real RabbitMQ, with the broker taken
// away mid-stream: its connections closed server-side (rabbitmqctl, as an
// operator or a broker restart would), and a network outage during which the
// relay cannot reach it at all. Every event must still reach each consumer, and
// take effect there exactly once.

const AMQP_URL = process.env.PORTICO_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const run = randomBytes(4).toString('hex');
const exchange = `published_documents.test.${run}`;
const run$ = promisify(execFile);

let t: TestDb;
const queues: string[] = [];
const buses: Bus[] = [];

before(async () => {
  t = await openTestDb('postgres');
});

after(async () => {
  for (const b of buses) await b.close().catch(() => undefined);
  const conn = await amqplib.connect(AMQP_URL);
  const ch = await conn.createChannel();
  for (const q of queues) for (const s of ['', '.retry', '.dead']) await ch.deleteQueue(q + s);
  await ch.deleteExchange(exchange);
  await conn.close();
  await t.close();
});

/** A logger that also counts the lines matching each of `watch`. */
function countingLogger(watch: string[]): { log: Logger; counts: Record<string, number> } {
  const counts = Object.fromEntries(watch.map((w) => [w, 0]));
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) for (const w of watch) if (line.includes(w)) counts[w]!++;
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination }), counts };
}

async function open(name: string, log: Logger, url = AMQP_URL): Promise<Bus> {
  const bus = await openRabbitBus(url, { log, connectionName: name, reconnectMs: 200, publishTimeoutMs: 3000, heartbeatSeconds: 2 });
  buses.push(bus);
  return bus;
}

async function rabbitmqctl(...args: string[]): Promise<string> {
  return (await run$('rabbitmqctl', args, { timeout: 30_000 })).stdout;
}

/** The broker's ids for the connections whose client name contains `marker`. */
async function connectionsNamed(marker: string): Promise<string[]> {
  const listing = await rabbitmqctl('list_connections', 'pid', 'client_properties', '-q', '--no-table-headers');
  return listing.split('\n').filter((l) => l.includes(marker)).map((l) => l.split('\t')[0]!);
}

/** Closes connections on the broker's side, as an operator or a broker restart would. */
async function closeConnections(pids: string[]): Promise<void> {
  await Promise.all(pids.map((pid) => rabbitmqctl('close_connection', pid, 'portico fault test')));
}

function assertExactlyOnce(result: ScenarioResult): void {
  for (const consumer of ['db', 'memory'] as const) {
    const effects = result.effects[consumer];
    assert.equal(effects.size, result.written.length, `${consumer}: every event arrived`);
    assert.deepEqual([...effects].filter(([, n]) => n !== 1), [], `${consumer}: no event took effect twice`);
    assert.deepEqual([...effects.keys()].sort(), [...result.written].sort());
  }
}

test('connections closed by the broker mid-stream: 200 events, each handled exactly once per consumer', async (ctx) => {
  try {
    await rabbitmqctl('list_connections', '-q');
  } catch (err) {
    ctx.skip(`rabbitmqctl is not usable here (${(err as Error).message.split('\n')[0]}); the outage test below still runs`);
    return;
  }
  const marker = `portico-fault-${run}`;
  const { log, counts } = countingLogger(['RabbitMQ connection lost', 'outbox relay could not publish']);
  const relayBus = await open(`${marker}-relay`, log);
  const consumerBus = await open(`${marker}-consumer`, log);
  const name = `fault_cut_${run}`;
  queues.push(`${name}.search`, `${name}.email`);
  const cuts: number[] = [];
  const cutAt: number[] = [];
  const cut = async ({ written }: FaultContext) => {
    const pids = await connectionsNamed(marker);
    cuts.push(pids.length);
    cutAt.push(written());
    await closeConnections(pids);
  };
  const started = Date.now();
  const result = await runOutboxScenario({
    db: t.db,
    relayBus,
    consumerBus,
    exchange,
    events: 200,
    log,
    name,
    // About 10 s of writes, as each rabbitmqctl call takes a second or more, with handlers slow
    // enough that deliveries are in flight when the connections go.
    writeIntervalMs: 120,
    handlerDelayMs: 100,
    faults: [
      { afterWritten: 30, run: cut },
      { afterWritten: 110, run: cut },
    ],
  });
  assertExactlyOnce(result);
  assert.deepEqual(cuts, [2, 2], 'each cut closed the relay and the consumer connections');
  await eventually(() => (counts['RabbitMQ connection lost']! >= 4 ? true : undefined), 5000, 'both buses to report both cuts');
  ctx.diagnostic(
    `cut ${cuts.join('+')} connections at ${cutAt.join(', ')} events written; ${counts['RabbitMQ connection lost']} disconnects, ${counts['outbox relay could not publish']} failed relay passes, ` +
      `${result.retriedRows} rows sent more than once; deliveries ${JSON.stringify(result.deliveries)}, duplicates skipped ${JSON.stringify(result.duplicatesSkipped)}; ${Date.now() - started} ms`,
  );
});

/** A TCP relay to the broker that can go down (connections cut, new ones refused) and come back. */
async function brokerProxy(): Promise<{ url: string; down(): void; up(): void; close(): Promise<void> }> {
  const target = new URL(AMQP_URL);
  const sockets = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5672) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(AMQP_URL);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: url.href,
    down() {
      refusing = true;
      for (const s of sockets) s.destroy();
    },
    up() {
      refusing = false;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

test('the relay cannot reach RabbitMQ for a while: it keeps the events and sends them all when it can', async (ctx) => {
  const proxy = await brokerProxy();
  const { log, counts } = countingLogger(['RabbitMQ connection lost', 'outbox relay could not publish']);
  const relayBus = await open(`portico-outage-${run}-relay`, log, proxy.url);
  const consumerBus = await open(`portico-outage-${run}-consumer`, log);
  const name = `fault_outage_${run}`;
  queues.push(`${name}.search`, `${name}.email`);
  let keptDuringOutage = 0;
  try {
    const result = await runOutboxScenario({
      db: t.db,
      relayBus,
      consumerBus,
      exchange,
      events: 200,
      log,
      name,
      faults: [
        {
          afterWritten: 50,
          run: async ({ backlog }) => {
            proxy.down();
            // The writes go on; the relay must hold on to them, not drop them.
            keptDuringOutage = await eventually(async () => {
              const n = await backlog();
              return n >= 40 ? n : undefined;
            }, 20_000, 'events to pile up in the outbox');
            await eventually(() => (counts['outbox relay could not publish']! >= 2 ? true : undefined), 20_000, 'the relay to fail and retry');
            proxy.up();
          },
        },
      ],
    });
    assertExactlyOnce(result);
    assert.ok(keptDuringOutage >= 40);
    ctx.diagnostic(
      `${keptDuringOutage} events kept during the outage; ${counts['outbox relay could not publish']} failed relay passes; ` +
        `deliveries ${JSON.stringify(result.deliveries)}, duplicates skipped ${JSON.stringify(result.duplicatesSkipped)}`,
    );
  } finally {
    proxy.up();
    await relayBus.close();
    await proxy.close();
  }
});

// Stopping the broker's application drops every client of the broker, not just
// this test's, so it runs only when asked: PORTICO_TEST_RABBITMQ_RESTART=1.
test('the broker restarts mid-stream: durable queues and persistent messages survive, and nothing is lost or doubled', { skip: process.env.PORTICO_TEST_RABBITMQ_RESTART !== '1' && 'set PORTICO_TEST_RABBITMQ_RESTART=1 to stop and start the broker' }, async (ctx) => {
  const { log, counts } = countingLogger(['RabbitMQ connection lost', 'outbox relay could not publish']);
  const relayBus = await open(`portico-restart-${run}-relay`, log);
  const consumerBus = await open(`portico-restart-${run}-consumer`, log);
  const name = `fault_restart_${run}`;
  queues.push(`${name}.search`, `${name}.email`);
  let keptWhileDown = 0;
  const result = await runOutboxScenario({
    db: t.db,
    relayBus,
    consumerBus,
    exchange,
    events: 200,
    log,
    name,
    writeIntervalMs: 50,
    handlerDelayMs: 50,
    timeoutMs: 120_000,
    faults: [
      {
        afterWritten: 50,
        run: async ({ backlog }) => {
          await rabbitmqctl('stop_app');
          try {
            keptWhileDown = await eventually(async () => {
              const n = await backlog();
              return n >= 30 ? n : undefined;
            }, 30_000, 'events to pile up while the broker is down');
          } finally {
            await rabbitmqctl('start_app');
          }
        },
      },
    ],
  });
  assertExactlyOnce(result);
  ctx.diagnostic(
    `${keptWhileDown} events kept while the broker was down; ${counts['RabbitMQ connection lost']} disconnects, ` +
      `${counts['outbox relay could not publish']} failed relay passes; deliveries ${JSON.stringify(result.deliveries)}, duplicates skipped ${JSON.stringify(result.duplicatesSkipped)}`,
  );
});
