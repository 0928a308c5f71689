import type { Stack } from '../content-store/schema.ts';
import type { Db, Queryable } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import type { Queue } from '../platform/queue.ts';
import type { Priority } from './commands/command.ts';
import type { ContentStoreClient } from './content-store-client.ts';
import { updateContentStore, updateContentStoreBatch } from './downstream.ts';
import { dependentDocuments } from './expansion/dependents.ts';
import { DEFAULT_ORIGIN } from './expansion/rules.ts';
import type { BatchRequest, DependentsRequest, DownstreamJob, DownstreamRequest } from './types.ts';

/** The downstream queues: an editor's own change, the fan-out behind it, and where jobs go after their last try. */
export const QUEUES = { high: 'downstream_high', low: 'downstream_low', dead: 'downstream_dead' } as const;

export interface RetryPolicy {
  /** Tries after the first. */
  retryLimit: number;
  /** Seconds before the first retry; doubled each time. */
  retryDelay: number;
}

/** A content store down for a few minutes is ridden out: 1, 2, 4, ... 256 s between tries, then the dead-letter queue. */
export const DEFAULT_RETRY: RetryPolicy = { retryLimit: 9, retryDelay: 1 };

export async function createDownstreamQueues(queue: Queue, retry: RetryPolicy = DEFAULT_RETRY): Promise<void> {
  await queue.createQueue(QUEUES.dead);
  for (const name of [QUEUES.high, QUEUES.low]) {
    await queue.createQueue(name, { ...retry, retryBackoff: true, expireInSeconds: 300, deadLetter: QUEUES.dead });
  }
}

/**
 * Order on the low queue. Finding a change's dependents comes first, as it is
 * quick and turns into the real work; then the live store's re-sends, as
 * readers see those, before the draft store's.
 */
export const LOW_PRIORITY = { dependents: 3, live: 2, draft: 1 } as const;

/** Documents per fan-out job: few enough for one content-store request, many enough that per-job costs vanish. */
export const FANOUT_BATCH_SIZE = 200;

/** How a command queues its content-store updates inside its own transaction. */
export function downstreamEnqueuer(queue: Queue) {
  return async (tx: Queryable, requests: DownstreamRequest[], priority: Priority): Promise<void> => {
    for (const r of requests) {
      if (priority === 'high') await queue.send(QUEUES.high, r, { tx });
      else await queue.send(QUEUES.low, r, { tx, priority: LOW_PRIORITY[r.stack] });
    }
  };
}

export interface WorkerOptions {
  db: Db;
  queue: Queue;
  stores: Record<Stack, ContentStoreClient>;
  log: Logger;
  /** The public site's origin, for the web_url of expanded links. */
  origin?: string;
  /** Concurrent jobs per queue in this process (2 each by default: a fan-out job is 200 documents, and more at once only crowd out the editors). */
  highConcurrency?: number;
  lowConcurrency?: number;
  /** Documents per fan-out job (FANOUT_BATCH_SIZE by default). */
  fanOutBatchSize?: number;
  /** The documents to re-send when this one changes (dependency resolution); tests swap it. */
  dependents?: (db: Queryable, contentId: string, locale: string) => Promise<{ content_id: string; locale: string; stores: Stack[] }[]>;
}

/**
 * Takes jobs off both downstream queues. The two queues have their own
 * workers, so a long fan-out on the low one never holds up an editor's change
 * on the high one. Run it in any number of processes: they share the jobs.
 *
 * A change whose dependents must be re-sent does not look for them itself: it
 * queues a `dependents` job on the low queue, which finds them and queues
 * their re-sends in batches. Finding 100,000 dependents takes seconds, and an
 * editor's next change must not wait behind that on the high queue.
 */
export async function startDownstreamWorkers(opts: WorkerOptions): Promise<{ stop(): Promise<void> }> {
  const { db, queue, stores, log } = opts;
  const origin = opts.origin ?? DEFAULT_ORIGIN;
  const dependents = opts.dependents ?? dependentDocuments;
  const batchSize = opts.fanOutBatchSize ?? FANOUT_BATCH_SIZE;

  const queueDependents = async (data: DependentsRequest) => {
    const found = (await dependents(db, data.content_id, data.locale)).filter(
      (d) => d.stores.includes(data.stack) && !(d.content_id === data.content_id && d.locale === data.locale),
    );
    if (found.length === 0) return;
    const batches: BatchRequest[] = [];
    for (let i = 0; i < found.length; i += batchSize) {
      const documents = found.slice(i, i + batchSize).map((d) => ({ content_id: d.content_id, locale: d.locale }));
      batches.push({ kind: 'batch', stack: data.stack, documents, request_id: data.request_id ?? null });
    }
    log.info({ content_id: data.content_id, stack: data.stack, dependents: found.length, jobs: batches.length }, 'queueing dependents');
    // Queued whole or not at all; if this job fails after, its retry queues them again, and re-sending is harmless.
    await db.transaction((tx) => queue.sendMany(QUEUES.low, batches, { tx, priority: LOW_PRIORITY[data.stack] }));
  };

  const handle = async ({ data }: { data: DownstreamJob }) => {
    if (data.kind === 'dependents') return queueDependents(data);
    if (data.kind === 'batch') {
      const outcome = await updateContentStoreBatch(db, stores[data.stack], data, origin);
      log.debug({ stack: data.stack, documents: data.documents.length, ...outcome }, 're-sent a batch of dependents');
      return;
    }
    await updateContentStore(db, stores[data.stack], data, origin);
    if (!data.update_dependencies) return;
    const next: DependentsRequest = { kind: 'dependents', stack: data.stack, content_id: data.content_id, locale: data.locale, request_id: data.request_id ?? null };
    await queue.send(QUEUES.low, next, { priority: LOW_PRIORITY.dependents });
  };
  const workers: (() => Promise<void>)[] = [];
  for (let i = 0; i < (opts.highConcurrency ?? 2); i++) workers.push(await queue.work<DownstreamJob>(QUEUES.high, handle, { pollingIntervalSeconds: 1 }));
  // One job at a time: a fan-out job is a batch already, and one worker holding several would leave others idle.
  for (let i = 0; i < (opts.lowConcurrency ?? 2); i++) workers.push(await queue.work<DownstreamJob>(QUEUES.low, handle, { pollingIntervalSeconds: 1 }));
  return { stop: async () => void (await Promise.all(workers.map((w) => w()))) };
}

/** Jobs not yet finished on both downstream queues (waiting, due for retry, or running). */
export async function downstreamBacklog(queue: Queue): Promise<number> {
  return (await queue.size(QUEUES.high, 'completed')) + (await queue.size(QUEUES.low, 'completed'));
}
