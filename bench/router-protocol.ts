/**
 * The messages between the benchmark and the router child process (Node IPC).
 * The child owns the database connection (an in-memory PGlite unless told
 * otherwise), so every route change and every in-process measurement goes
 * through here.
 */

/** Bytes, from process.memoryUsage(), plus the kernel's peak RSS where it can be read. */
export interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** VmHWM: the peak RSS since start, or since it was last reset. */
  peakRss: number | null;
}

export interface TableResult {
  routes: number;
  /** How the rows were written: the content store's upsertRoutes, or one INSERT ... SELECT generate_series. */
  method: 'upsertRoutes' | 'generate_series';
  insertMs: number;
  /** The reload the insert's NOTIFY set off, as the reloader logged it (load and swap). */
  notifiedReloadMs: number;
}

export interface ReloadResult {
  routes: number;
  /** Load and swap, as the reloader logged it. */
  reloadMs: number;
  /** The part of it spent in database queries (reading the rows into JS objects); the rest is building the table. */
  queryMs: number;
  /** The longest the event loop was blocked meanwhile: requests arriving then wait this long. */
  maxBlockMs: number;
  /** From reloader.request() to reloader.idle() resolving. */
  wallMs: number;
  /**
   * CPU time the router process used meanwhile (user + system, all threads):
   * on a shared machine, where the wall time also counts waiting for a CPU,
   * the better measure of what the reload itself costs the router.
   */
  cpuMs: number;
  before: Memory;
  /** Right after the swap: the previous table may not have been collected yet. */
  after: Memory;
  /** After a forced GC: what the table in service costs to keep. */
  afterGc: Memory;
  /** Peak RSS during the reload alone (null if the kernel would not reset the peak). */
  peakRssDuring: number | null;
}

export interface ReloadCounts {
  succeeded: number;
  failed: number;
  /** 'backend request failed' log lines: 502/504s and aborted bodies. */
  backendFailures: number;
}

export interface Ops {
  /** Replaces every route with a generated table of `size` routes and waits for the router to load it. */
  table: { params: { size: number }; result: TableResult };
  /** Reloads the current table once, measured. */
  reload: { params: Record<string, never>; result: ReloadResult };
  memory: { params: Record<string, never>; result: Memory };
  /**
   * One route change: moves the last exact route to the other of two backends
   * (same URL, different pools) and adds and removes a small route.
   */
  churn: { params: { i: number }; result: null };
  /** Waits until no reload is running or queued; returns the counts so far. */
  settle: { params: Record<string, never>; result: ReloadCounts };
}

export type OpName = keyof Ops;



export interface ReadyMessage {
  ready: true;
  port: number;
  adminPort: number;
}

/** Environment variables the child is started with. */
export const ENV = {
  port: 'BENCH_ROUTER_PORT',
  adminPort: 'BENCH_ROUTER_ADMIN_PORT',
  backendUrl: 'BENCH_BACKEND_URL',
  /** A PostgreSQL database to use instead of an in-memory PGlite. */
  databaseUrl: 'BENCH_DATABASE_URL',
} as const;

export const BACKENDS = ['backend-a', 'backend-b'] as const;
