import type { Logger } from '../platform/log.ts';
import type { RouteTable } from './route-table.ts';
import type { Mux } from './mux.ts';
import type { RouterMetrics } from './metrics.ts';

export interface ReloaderOptions<B> {
  mux: Mux<B>;
  /** Builds a complete new table; rejects if the routes cannot be read. */
  load: () => Promise<{ table: RouteTable<B>; skipped: number }>;
  /** Called after each swap with the table taken out of service. */
  swapped?: (previous: RouteTable<B>, next: RouteTable<B>) => void;
  intervalMs: number;
  /** First wait before retrying a failed load; doubles up to intervalMs. */
  retryMinMs?: number;
  log: Logger;
  metrics: RouterMetrics;
}

/**
 * Serialises and coalesces reloads: at most one runs and at most one waits,
 * however many notifications, API calls or ticks ask. A failed load keeps the
 * table in service and retries with backoff; a periodic reload runs whatever
 * else happens, so a missed notification is never missed for long.
 */
export class Reloader<B> {
  private running: Promise<void> | undefined;
  private pending = false;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  private readonly retryMinMs: number;

  constructor(private readonly opts: ReloaderOptions<B>) {
    this.retryMinMs = opts.retryMinMs ?? 250;
  }

  /** Loads the first table and starts the periodic timer. Does not throw: a failure is retried. */
  async start(): Promise<void> {
    this.request();
    await this.idle();
  }

  /** Asks for a reload; returns at once. */
  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.pending && !this.stopped) {
        this.pending = false;
        this.request();
      }
    });
  }

  /** Resolves once no reload is running or waiting. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    clearTimeout(this.timer);
    const { log, metrics, mux } = this.opts;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    let next = this.opts.intervalMs;
    try {
      const { table, skipped } = await this.opts.load();
      const previous = mux.swap(table);
      this.opts.swapped?.(previous, table);
      this.failures = 0;
      metrics.reloads.inc({ result: 'success' });
      metrics.reloadDuration.observe({ result: 'success' }, seconds());
      metrics.routesLoaded.set(table.size);
      metrics.routesSkipped.set(skipped);
      log.info({ route_count: table.size, skipped, duration_ms: Math.round(seconds() * 1000) }, 'reloaded routes');
    } catch (err) {
      this.failures++;
      next = Math.min(this.opts.intervalMs, this.retryMinMs * 2 ** (this.failures - 1));
      metrics.reloads.inc({ result: 'error' });
      metrics.reloadDuration.observe({ result: 'error' }, seconds());
      log.error({ err: (err as Error).message, route_count: mux.size, retry_in_ms: next }, 'reloading routes failed; keeping the table in service');
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => this.request(), next);
      this.timer.unref();
    }
  }
}
