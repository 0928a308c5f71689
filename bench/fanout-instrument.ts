/**
 * Instrumentation for the fan-out benchmark's stack process, built around the
 * production code rather than into it: each service gets its own timing view
 * of the one shared Db, the downstream workers get a Queue whose handlers are
 * timed, and content-store PUTs, dependency resolution and the queueing of
 * dependents are timed where the workers call them. Nothing here changes what
 * runs, and nothing costs more than a clock read and a Map update per call
 * (no async_hooks: AsyncLocalStorage would slow every promise in the process).
 * Per-job figures are therefore totals divided by jobs, not traced per job.
 */
import type { Db, Queryable, QueryResult } from '../src/platform/db/index.ts';
import type { Job, Queue, WorkOptions } from '../src/platform/queue.ts';
import type { ContentStoreClient } from '../src/publishing-api/content-store-client.ts';
import type { JobSummary, QueryKindStat } from './fanout-protocol.ts';

/** What a statement is, by its text: the few the fan-out runs by the hundred thousand, named; the rest by their start. */
const KINDS: [RegExp, string][] = [
  [/FROM pgboss\.job[\s\S]*FOR UPDATE SKIP LOCKED/, 'pg-boss fetch'],
  [/UPDATE pgboss\.job[\s\S]*state = 'completed'/, 'pg-boss complete'],
  [/INSERT INTO pgboss\.job|WITH defaults as/i, 'pg-boss insert (sendMany)'],
  [/SELECT count\(\*\) as count FROM pgboss\.job/, 'pg-boss size'],
  [/pgboss\./, 'pg-boss other (maintenance, send)'],
  [/max\(id\) AS id FROM publishing_api\.events/, 'latestEventId'],
  [/WHERE d\.content_id = \$1 AND d\.locale = \$2 AND e\.content_store IS NOT NULL/, 'editionsInStores'],
  [/WHERE d\.content_id = ANY\(\$1::uuid\[\]\) AND e\.content_store IS NOT NULL/, 'expand: own editions'],
  [/\(d\.content_id, d\.locale\) IN \(SELECT \* FROM unnest/, 'editionsInStores (batch)'],
  [/SELECT 'd' AS kind, l\.link_set_content_id::text AS node/, 'expand: links of a level'],
  [/WHERE d\.content_id = ANY\(\$1::uuid\[\]\) AND d\.locale = ANY\(\$2::text\[\]\)/, 'expand: linked editions'],
  [/SELECT 'd' AS kind, \$1::text AS node/, 'dependents: first step'],
  [/bool_or\(e\.content_store = 'live'\)/, 'dependents: documents and locales'],
  [/INSERT INTO "content_store_(live|draft)"\.content_items/, 'store: upsert content item'],
  [/FROM "content_store_(live|draft)"\.routes WHERE content_base_path = \$1/, 'store: read owned routes'],
  [/INSERT INTO "content_store_(live|draft)"\.outbox/, 'store: outbox insert'],
  [/FROM "content_store_(live|draft)"\.outbox[\s\S]*SKIP LOCKED/, 'outbox relay: claim'],
  [/UPDATE "content_store_(live|draft)"\.outbox/, 'outbox relay: mark published'],
  [/pg_notify/, 'pg_notify'],
  [/signon\.api_tokens/, 'auth: token lookup'],
];

export function kindOf(sql: string): string {
  for (const [re, kind] of KINDS) if (re.test(sql)) return kind;
  return sql.replace(/\s+/g, ' ').trim().slice(0, 60);
}

/** Latency sums per statement kind, for one service's view of the Db. */
export class QueryStats {
  private byKind = new Map<string, { count: number; ms: number; max: number }>();
  /** Memoised kinds: the same few texts come by the hundred thousand. */
  private readonly kinds = new Map<string, string>();

  add(sql: string, params: readonly unknown[] | undefined, ms: number): void {
    let kind = this.kinds.get(sql);
    if (kind === undefined) {
      kind = kindOf(sql);
      if (this.kinds.size < 5000) this.kinds.set(sql, kind);
    }
    // pg-boss names the queue in its first parameter: fetching from a long queue is not fetching from a short one.
    if (kind.startsWith('pg-boss') && typeof params?.[0] === 'string' && params[0].startsWith('downstream_')) kind = `${kind}: ${params[0]}`;
    const s = this.byKind.get(kind);
    if (s) {
      s.count++;
      s.ms += ms;
      if (ms > s.max) s.max = ms;
    } else this.byKind.set(kind, { count: 1, ms, max: ms });
  }

  reset(): void {
    this.byKind = new Map();
  }

  snapshot(): QueryKindStat[] {
    return [...this.byKind.entries()].map(([kind, s]) => ({ kind, ...s })).sort((a, b) => b.ms - a.ms);
  }
}

function timedQueryable(q: Queryable, stats: QueryStats): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const started = performance.now();
      try {
        return await q.query<R>(sql, params);
      } finally {
        stats.add(sql, params, performance.now() - started);
      }
    },
    async exec(sql: string) {
      const started = performance.now();
      try {
        return await q.exec(sql);
      } finally {
        stats.add(sql, undefined, performance.now() - started);
      }
    },
  };
}

/** A view of `db` that records each statement's latency (pool wait included) in `stats`. */
export function timedDb(db: Db, stats: QueryStats): Db {
  const plain = timedQueryable(db, stats);
  return {
    kind: db.kind,
    query: plain.query,
    exec: plain.exec,
    transaction: (fn) => db.transaction((tx) => fn(timedQueryable(tx, stats))),
    listen: (channel, handler) => db.listen(channel, handler),
    notify: (channel, payload) => db.notify(channel, payload),
    ping: () => db.ping(),
    // The services share one pool: closing is the owner's business.
    close: async () => undefined,
  };
}

/** Handler times per (queue, stack), and the calls the workers make that are worth timing on their own. */
export class JobStats {
  private byKey = new Map<string, { handlerMs: number[]; failed: number }>();
  dependents = { calls: 0, ms: [] as number[], found: [] as number[] };
  sendMany = { calls: 0, ms: [] as number[], jobs: [] as number[] };
  puts = { live: [] as number[], draft: [] as number[] };

  private counters(key: string) {
    let c = this.byKey.get(key);
    if (!c) this.byKey.set(key, (c = { handlerMs: [], failed: 0 }));
    return c;
  }

  job(key: string, ms: number, failed: boolean): void {
    const c = this.counters(key);
    c.handlerMs.push(ms);
    if (failed) c.failed++;
  }

  reset(): void {
    this.byKey = new Map();
    this.dependents = { calls: 0, ms: [], found: [] };
    this.sendMany = { calls: 0, ms: [], jobs: [] };
    this.puts = { live: [], draft: [] };
  }

  summaries(): JobSummary[] {
    return [...this.byKey.entries()]
      .map(([key, c]) => {
        const sorted = [...c.handlerMs].sort((a, b) => a - b);
        const total = sorted.reduce((a, b) => a + b, 0);
        return {
          key,
          jobs: sorted.length,
          failed: c.failed,
          p50: nearestRank(sorted, 50),
          p95: nearestRank(sorted, 95),
          max: sorted.at(-1) ?? NaN,
          mean: sorted.length ? total / sorted.length : NaN,
        };
      })
      .sort((a, b) => b.jobs - a.jobs);
  }
}

/** Nearest-rank percentile of sorted values. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

/**
 * The Queue the workers are given: handlers and sendMany (the dependents' jobs)
 * are timed; the rest is the queue itself. `lowBatch`, an experiment, replaces
 * the batch size the workers ask for on the low queue.
 */
export function timedQueue(queue: Queue, stats: JobStats, lowBatch?: number): Queue {
  return {
    start: () => queue.start(),
    stop: () => queue.stop(),
    createQueue: (name, options) => queue.createQueue(name, options),
    send: (name, data, options) => queue.send(name, data, options),
    size: (name, before) => queue.size(name, before),
    async sendMany(name, data, options) {
      const started = performance.now();
      try {
        await queue.sendMany(name, data, options);
      } finally {
        stats.sendMany.calls++;
        stats.sendMany.ms.push(performance.now() - started);
        stats.sendMany.jobs.push(data.length);
      }
    },
    work<T extends object>(name: string, handler: (job: Job<T>) => Promise<void>, options?: WorkOptions) {
      return queue.work<T>(
        name,
        async (job: Job<T>) => {
          const started = performance.now();
          const data = job.data as { stack?: string; kind?: string };
          const key = `${name} → ${data.kind ?? 'document'} → ${data.stack ?? '?'}`;
          let failed = true;
          try {
            await handler(job);
            failed = false;
          } finally {
            stats.job(key, performance.now() - started, failed);
          }
        },
        lowBatch !== undefined && name === 'downstream_low' ? { ...options, batchSize: lowBatch } : options,
      );
    },
  };
}

/** A content-store client whose PUTs are timed, and which reports each path written. */
export function timedClient(client: ContentStoreClient, stack: 'live' | 'draft', stats: JobStats, written: (basePath: string, version: number) => void): ContentStoreClient {
  return {
    async put(basePath, payload, context) {
      const started = performance.now();
      const result = await client.put(basePath, payload, context);
      stats.puts[stack].push(performance.now() - started);
      if (result === 'written') written(basePath, payload.payload_version);
      return result;
    },
    async putMany(payloads, context) {
      const started = performance.now();
      const results = await client.putMany(payloads, context);
      stats.puts[stack].push(performance.now() - started);
      results.forEach((r, i) => r === 'written' && written(payloads[i]!.base_path, payloads[i]!.payload_version));
      return results;
    },
    delete: (basePath, context) => client.delete(basePath, context),
  };
}

/** Dependency resolution, timed when the answer is big (the organisation's dependents, not a new document's none). */
export function timedDependents<A extends unknown[], R extends unknown[]>(fn: (...args: A) => Promise<R>, stats: JobStats): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const started = performance.now();
    const found = await fn(...args);
    if (found.length > 100) {
      stats.dependents.calls++;
      stats.dependents.ms.push(performance.now() - started);
      stats.dependents.found.push(found.length);
    }
    return found;
  };
}
