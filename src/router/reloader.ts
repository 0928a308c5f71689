import type { Logger } from '../platform/log.ts';
import { applyRouteChanges, canApplyChanges, keyString, type RouteKey } from './changes.ts';
import type { LoadResult } from './loader.ts';
import type { Mux } from './mux.ts';
import type { RouterMetrics } from './metrics.ts';
import type { RouteRecord } from './routes.ts';
import type { RouteTargets } from './targets.ts';

export interface ReloaderOptions<B> {
  mux: Mux<B>;
  /** Builds a complete new table; rejects if the routes cannot be read. */
  load: () => Promise<LoadResult<B>>;
  /** Reads the current rows of these routes (those that still exist); rejects if they cannot be read. */
  loadRows: (keys: RouteKey[]) => Promise<RouteRecord[]>;
  /** Called after each full reload's swap with what it loaded. */
  swapped?: (loaded: LoadResult<B>) => void;
  intervalMs: number;
  /** First wait before retrying a failed load; doubles up to intervalMs. */
  retryMinMs?: number;
  log: Logger;
  metrics: RouterMetrics;
}

/**
 * Keeps the table in service up to date, one step at a time: a full reload,
 * which builds a new table and swaps it in, or a delta, which reads a few
 * changed routes and applies them to the table in service. At most one step
 * runs and the rest wait, however many notifications, API calls or ticks ask:
 * changes that arrive while a step runs are gathered into one delta for after
 * it (so those arriving during a full reload, whose snapshot may predate them,
 * are applied once it has swapped in), and a full reload asked for replaces
 * any delta still waiting. A failed step keeps the table in service and a full
 * reload follows with backoff; one also runs periodically whatever else
 * happens, so a missed notification is never missed for long.
 */
export class Reloader<B> {
  private running: Promise<void> | undefined;
  /** A full reload is wanted and has not started. */
  private full = false;
  /** Changed routes waiting for a delta, by `keyString`. */
  private readonly changed = new Map<string, RouteKey>();
  /**
   * The targets of the table in service, while deltas can bring it up to date;
   * undefined before the first full reload and after any step fails, until a
   * full reload succeeds.
   */
  private targets: RouteTargets<B> | undefined;
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

  /** Asks for a full reload; returns at once. */
  request(): void {
    if (this.stopped) return;
    this.full = true;
    this.changed.clear();
    this.next();
  }

  /** Asks for these routes to be brought up to date; returns at once. */
  requestChanges(keys: readonly RouteKey[]): void {
    // A full reload not yet started reads them anyway.
    if (this.stopped || this.full) return;
    for (const key of keys) this.changed.set(keyString(key), key);
    this.next();
  }

  /** Resolves once no step is running or waiting. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Starts the next step, unless one is running. */
  private next(): void {
    if (this.running || this.stopped) return;
    let step: Promise<void>;
    if (this.full) {
      this.full = false;
      step = this.reload();
    } else if (this.changed.size === 0) {
      return;
    } else if (this.targets === undefined) {
      // No table that deltas can bring up to date: a full reload reads these changes too.
      this.changed.clear();
      step = this.reload();
    } else {
      const keys = [...this.changed.values()];
      this.changed.clear();
      step = this.update(keys, this.targets);
    }
    this.running = step.finally(() => {
      this.running = undefined;
      this.next();
    });
  }

  private async reload(): Promise<void> {
    clearTimeout(this.timer);
    const { log, metrics, mux } = this.opts;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    let next = this.opts.intervalMs;
    try {
      const loaded = await this.opts.load();
      const { table, skipped } = loaded;
      mux.swap(table);
      this.targets = loaded.targets;
      this.opts.swapped?.(loaded);
      this.failures = 0;
      metrics.reloads.inc({ kind: 'full', result: 'success' });
      metrics.reloadDuration.observe({ kind: 'full', result: 'success' }, seconds());
      metrics.routesLoaded.set(table.size);
      metrics.routesSkipped.set(skipped);
      log.info({ route_count: table.size, skipped, duration_ms: Math.round(seconds() * 1000) }, 'reloaded routes');
    } catch (err) {
      this.targets = undefined;
      next = this.backoff();
      metrics.reloads.inc({ kind: 'full', result: 'error' });
      metrics.reloadDuration.observe({ kind: 'full', result: 'error' }, seconds());
      log.error({ err: (err as Error).message, route_count: mux.size, retry_in_ms: next }, 'reloading routes failed; keeping the table in service');
    }
    this.schedule(next);
  }

  private async update(keys: RouteKey[], targets: RouteTargets<B>): Promise<void> {
    const { log, metrics, mux } = this.opts;
    if (!canApplyChanges(mux.current, keys)) return this.reload();
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    let rows: RouteRecord[];
    try {
      rows = await this.opts.loadRows(keys);
    } catch (err) {
      // Those changes are lost to this table: only a full reload can catch up now.
      this.targets = undefined;
      const next = this.backoff();
      metrics.reloads.inc({ kind: 'delta', result: 'error' });
      metrics.reloadDuration.observe({ kind: 'delta', result: 'error' }, seconds());
      log.warn({ err: (err as Error).message, changed: keys.length, retry_in_ms: next }, 'reading changed routes failed; a full reload follows');
      this.schedule(next);
      return;
    }
    // No full reload can have swapped the table meanwhile: steps never overlap.
    const applied = applyRouteChanges(mux.current, targets, keys, rows);
    metrics.reloads.inc({ kind: 'delta', result: 'success' });
    metrics.reloadDuration.observe({ kind: 'delta', result: 'success' }, seconds());
    metrics.routesLoaded.set(mux.size);
    // To a hundredth of a millisecond: most take less than one.
    log.debug({ changed: keys.length, ...applied, route_count: mux.size, duration_ms: Math.round(seconds() * 1e5) / 100 }, 'applied route changes');
  }

  /** How long to wait before the full reload after this failure. */
  private backoff(): number {
    this.failures++;
    return Math.min(this.opts.intervalMs, this.retryMinMs * 2 ** (this.failures - 1));
  }

  /** The next full reload, in `ms` unless something asks sooner; deltas never put it off. */
  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => this.request(), ms);
    this.timer.unref();
  }
}
