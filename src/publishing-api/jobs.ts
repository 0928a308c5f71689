import type { Stack } from '../content-store/schema.ts';
import type { Db, Queryable } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import type { Queue } from '../platform/queue.ts';
import type { Priority } from './commands/command.ts';
import type { ContentStoreClient } from './content-store-client.ts';
import { updateContentStore } from './downstream.ts';
import { dependentDocuments } from './expansion/dependents.ts';
import { DEFAULT_ORIGIN } from './expansion/rules.ts';
import type { DownstreamRequest } from './types.ts';

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

/** How a command queues its content-store updates inside its own transaction. */
export function downstreamEnqueuer(queue: Queue) {
  return async (tx: Queryable, requests: DownstreamRequest[], priority: Priority): Promise<void> => {
    for (const r of requests) await queue.send(priority === 'high' ? QUEUES.high : QUEUES.low, r, { tx });
  };
}

export interface WorkerOptions {
  db: Db;
  queue: Queue;
  stores: Record<Stack, ContentStoreClient>;
  log: Logger;
  /** The public site's origin, for the web_url of expanded links. */
  origin?: string;
  /** Concurrent jobs per queue in this process (2 high, 4 low by default). */
  highConcurrency?: number;
  lowConcurrency?: number;
  /** The documents to re-send when this one changes (dependency resolution); tests swap it. */
  dependents?: (db: Queryable, contentId: string, locale: string) => Promise<{ content_id: string; locale: string; stores: Stack[] }[]>;
}

/**
 * Takes jobs off both downstream queues. The two queues have their own
 * workers, so a long fan-out on the low one never holds up an editor's change
 * on the high one. Run it in any number of processes: they share the jobs.
 */
export async function startDownstreamWorkers(opts: WorkerOptions): Promise<{ stop(): Promise<void> }> {
  const { db, queue, stores, log } = opts;
  const origin = opts.origin ?? DEFAULT_ORIGIN;
  const dependents = opts.dependents ?? dependentDocuments;
  const handle = (priority: Priority) => async ({ data }: { data: DownstreamRequest }) => {
    await updateContentStore(db, stores[data.stack], data, origin);
    if (!data.update_dependencies) return;
    const jobs: DownstreamRequest[] = (await dependents(db, data.content_id, data.locale))
      .filter((d) => d.stores.includes(data.stack) && !(d.content_id === data.content_id && d.locale === data.locale))
      .map((d) => ({ stack: data.stack, content_id: d.content_id, locale: d.locale, event_type: 'links', request_id: data.request_id ?? null }));
    if (jobs.length === 0) return;
    log.info({ content_id: data.content_id, stack: data.stack, dependents: jobs.length, from: priority }, 'queueing dependents');
    // Queued whole or not at all; if this job fails after, its retry queues them again, and re-sending is harmless.
    await db.transaction((tx) => queue.sendMany(QUEUES.low, jobs, { tx }));
  };
  const workers: (() => Promise<void>)[] = [];
  for (let i = 0; i < (opts.highConcurrency ?? 2); i++) workers.push(await queue.work<DownstreamRequest>(QUEUES.high, handle('high'), { pollingIntervalSeconds: 1 }));
  // Fan-out jobs come by the thousand: fetching a few at a time saves a round trip per job.
  for (let i = 0; i < (opts.lowConcurrency ?? 4); i++) {
    workers.push(await queue.work<DownstreamRequest>(QUEUES.low, handle('low'), { pollingIntervalSeconds: 1, batchSize: 5 }));
  }
  return { stop: async () => void (await Promise.all(workers.map((w) => w()))) };
}

/** Jobs not yet finished on both downstream queues (waiting, due for retry, or running). */
export async function downstreamBacklog(queue: Queue): Promise<number> {
  return (await queue.size(QUEUES.high, 'completed')) + (await queue.size(QUEUES.low, 'completed'));
}
