import type { Logger } from './log.ts';

export interface PruningOptions {
  /** What is pruned, for the logs. */
  what: string;
  /** Deletes what is past keeping; resolves to how many rows went. */
  prune: () => Promise<number>;
  /** Milliseconds between runs (an hour by default); the first run is one interval after start. */
  everyMs?: number;
  log: Logger;
}

/**
 * Runs a pruning job on a timer, so tables that grow with every event (the
 * outbox, consumers' processed ids) stay the size of their retention period.
 * A failed run is logged and the next one tries again; runs never overlap.
 * `stop` waits for a run in progress.
 */
export function startPruning(o: PruningOptions): { stop(): Promise<void> } {
  const everyMs = o.everyMs ?? 60 * 60 * 1000;
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = async () => {
    try {
      const removed = await o.prune();
      if (removed > 0) o.log.info({ what: o.what, removed }, 'pruned');
    } catch (err) {
      o.log.warn({ what: o.what, err: (err as Error).message }, 'pruning failed; trying again at the next interval');
    }
  };
  const timer = setInterval(() => {
    if (stopped || running) return;
    running = run().finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
