import type { Bus, BusMessage } from '../bus/types.ts';
import type { Db, Queryable } from '../db/index.ts';
import type { Logger } from '../log.ts';
import { outboxChannel, outboxTable } from './sql.ts';

export interface OutboxRelayOptions {
  db: Db;
  schema: string;
  bus: Bus;
  log: Logger;
  /** Milliseconds between looks when no NOTIFY comes: the safety net under it (1000). */
  pollMs?: number;
  /** Events claimed and published per transaction (100). */
  batchSize?: number;
  /** The channel writeToOutbox notifies (the schema's default), or false to rely on polling alone. */
  notifyChannel?: string | false;
  /** Back-off after a failed pass, doubling from min to max milliseconds (100, 30 000). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

export interface OutboxRelay {
  /** Stops looking, waits for the batch in flight to be published and marked, and unlistens. */
  stop(): Promise<void>;
}

interface Row {
  id: string;
  exchange: string;
  routing_key: string;
  body: unknown;
  headers: Record<string, string> | null;
  created_at: Date;
}

interface Pass {
  claimed: number;
  failed: number;
  error?: unknown;
}

// PGlite is one connection in one process: a transaction held open while the
// broker confirms would stall every other statement of the process. There the
// relays of a database take turns instead, and claim without holding one.
const turns = new WeakMap<Db, Promise<unknown>>();
function inTurn<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const previous = turns.get(db) ?? Promise.resolve();
  const mine = previous.then(fn, fn);
  turns.set(db, mine.catch(() => undefined));
  return mine;
}

function toMessage(r: Row): BusMessage {
  return { id: r.id, routingKey: r.routing_key, body: r.body, headers: r.headers ?? {}, publishedAt: new Date(r.created_at).toISOString() };
}

/**
 * Sends the outbox's unpublished events to the bus, oldest first, and marks each
 * published only once the broker has confirmed it: so an event is never lost,
 * and is sent again (same id) if the relay dies between the two. Rows are claimed
 * with FOR UPDATE SKIP LOCKED inside the pass's transaction, so relays in several
 * processes share the work without sending a row twice at once (on PGlite, where
 * a held transaction would stall the whole process, a process's relays take
 * turns instead); ordering across them, and across retries, is best effort. When the bus fails the rows stay,
 * with their attempt count and last error, and the relay backs off and retries.
 * It wakes at once on writeToOutbox's NOTIFY, and polls every pollMs in case a
 * notification was missed.
 */
export async function startOutboxRelay(opts: OutboxRelayOptions): Promise<OutboxRelay> {
  const { db, bus, log } = opts;
  const table = outboxTable(opts.schema);
  const pollMs = opts.pollMs ?? 1000;
  const batchSize = opts.batchSize ?? 100;
  const minMs = opts.backoffMinMs ?? 100;
  const maxMs = opts.backoffMaxMs ?? 30_000;
  const channel = opts.notifyChannel ?? outboxChannel(opts.schema);

  let stopping = false;
  // Set by a notification; a pass clears it on starting, so one that arrives mid-pass makes another pass follow.
  let notified = false;
  let interrupt: ((why: 'notify' | 'stop') => void) | undefined;

  /** Waits `ms`; a stop always cuts it short, a notification only when `wakeable` (not while backing off). */
  function pause(ms: number, wakeable: boolean): Promise<void> {
    if (stopping || (wakeable && notified)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      }
      interrupt = (why) => {
        if (why === 'stop' || wakeable) done();
      };
    });
  }

  async function pass(tx: Queryable): Promise<Pass> {
    const { rows } = await tx.query<Row>(
      `SELECT id, exchange, routing_key, body, headers, created_at FROM ${table}
        WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [batchSize],
    );
    if (rows.length === 0) return { claimed: 0, failed: 0 };
    // All at once: on one channel the broker keeps them in this order, and confirms come back in bulk.
    const results = await Promise.allSettled(rows.map((r) => bus.publish(r.exchange, toMessage(r))));
    const sent: string[] = [];
    const failedIds: string[] = [];
    const errors: string[] = [];
    let error: unknown;
    results.forEach((res, i) => {
      if (res.status === 'fulfilled') sent.push(rows[i]!.id);
      else {
        failedIds.push(rows[i]!.id);
        errors.push(String((res.reason as Error)?.message ?? res.reason).slice(0, 1000));
        error ??= res.reason;
      }
    });
    if (sent.length > 0) {
      await tx.query(`UPDATE ${table} SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])`, [sent]);
    }
    if (failedIds.length > 0) {
      await tx.query(
        `UPDATE ${table} AS o SET attempts = o.attempts + 1, last_error = f.err
           FROM unnest($1::uuid[], $2::text[]) AS f(id, err) WHERE o.id = f.id`,
        [failedIds, errors],
      );
    }
    return { claimed: rows.length, failed: failedIds.length, error };
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      notified = false;
      let outcome: Pass;
      try {
        outcome = await (db.kind === 'postgres' ? db.transaction(pass) : inTurn(db, () => pass(db)));
      } catch (err) {
        outcome = { claimed: 0, failed: 1, error: err };
      }
      if (outcome.failed > 0) {
        failures++;
        const ms = Math.min(maxMs, minMs * 2 ** Math.min(failures - 1, 20));
        log.warn({ err: (outcome.error as Error)?.message ?? outcome.error, failed: outcome.failed, retry_in_ms: ms }, 'outbox relay could not publish; keeping the events and retrying');
        await pause(ms, false);
        continue;
      }
      if (failures > 0) log.info({ after_failures: failures }, 'outbox relay publishing again');
      failures = 0;
      // A full batch means more are probably waiting.
      if (outcome.claimed < batchSize) await pause(pollMs, true);
    }
  }

  const unlisten =
    channel === false
      ? undefined
      : await db.listen(channel, () => {
          notified = true;
          interrupt?.('notify');
        });
  const loop = run();

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        interrupt?.('stop');
        await loop;
        await unlisten?.();
      })();
      return stopped;
    },
  };
}
