/**
 * The messages between the publishing benchmark and its stack process (Node
 * IPC). The child owns the database (an in-memory PGlite, or a throwaway
 * PostgreSQL database), so anything that writes it directly, rather than over
 * HTTP, goes through here.
 */

/** The loopback ports of the stack; every one is fixed so the bench can check them before it starts. */
export interface StackPorts {
  router: number;
  routerAdmin: number;
  contentStoreLive: number;
  contentStoreDraft: number;
  publishingApi: number;
  frontend: number;
}

/** The router's reloads, as it logged them, since the last `stats` call. */
export interface ReloadStats {
  count: number;
  /** Load and swap, one figure per reload. */
  ms: number[];
  /** The table size after the last of them. */
  lastRouteCount: number;
  /** Warnings and errors logged by any service since the last call. */
  warnings: number;
  errors: number;
  /** The longest the stack's event loop was blocked since the last call, in ms. */
  maxBlockMs: number;
}

export interface LoadResult {
  items: number;
  /** Building the payloads and their bodies with the content store's own prepareItem. */
  prepareMs: number;
  /** The bulk INSERTs into content_items and routes, one transaction. */
  insertMs: number;
  /** The router's reload that the commit's NOTIFY set off. */
  reloadMs: number;
  /** The same bodies as files for nginx. */
  writeFilesMs: number;
  /** Bytes of one body (they differ only in their numbers). */
  sampleBytes: number;
}

export interface Ops {
  /**
   * The floor: one INSERT of an exact route to `frontend` straight into
   * content_store_live.routes (its statement trigger NOTIFYs the router).
   */
  insertRoute: { params: { path: string }; result: null };
  /** Waits until no downstream job is waiting or running and the router is not reloading. */
  settle: { params: Record<string, never>; result: null };
  /** The router's reloads and the logged problems since the last call (and resets them). */
  stats: { params: Record<string, never>; result: ReloadStats };
  /**
   * Copies the live item at `templatePath` (one the Publishing API wrote) to
   * `count` new base paths `itemPath(i)`, with their routes, in bulk, as
   * store.ts would write them; writes each body to `staticDir` + `/content` +
   * path for nginx; waits for the router to load the new routes.
   */
  loadItems: { params: { count: number; templatePath: string; staticDir: string }; result: LoadResult };
  /** Resident set size and heap of the stack process, bytes. */
  memory: { params: Record<string, never>; result: { rss: number; heapUsed: number } };
}

export type OpName = keyof Ops;



export interface ReadyMessage {
  ready: true;
  /** A token with full Publishing API access. */
  token: string;
}

/** Environment variables the child is started with. */
export const ENV = {
  ports: 'BENCH_PUBLISHING_PORTS',
  /** A PostgreSQL database to use instead of an in-memory PGlite. */
  databaseUrl: 'BENCH_DATABASE_URL',
  logLevel: 'BENCH_PUBLISHING_LOG_LEVEL',
} as const;

/** The base path of bulk item `i`: a thousand to a directory, so nginx's copy is not one huge directory. */
export function itemPath(i: number): string {
  return `/bench-items/s${Math.floor(i / 1000)}/item-${i}`;
}

/** The same, in Lua, for wrk's request script. */
export const ITEM_PATH_LUA = '"/bench-items/s" .. math.floor(i / 1000) .. "/item-" .. i';
