/**
 * The messages between the frontend benchmark and its stack process (Node
 * IPC). The child owns the database, so seeding goes through here.
 */

/** The loopback ports of the stack, fixed so the bench can check them before it starts. */
export interface FrontendPorts {
  router: number;
  routerAdmin: number;
  contentStoreLive: number;
  contentStoreDraft: number;
  publishingApi: number;
  frontend: number;
  searchApi: number;
  /**
   * The routing floor: a second live router, on the same table, so that wrk
   * tells it apart by its port; and the trivial backend behind it.
   */
  floorRouter: number;
  floorRouterAdmin: number;
  floor: number;
}

export interface GuideResult {
  basePath: string;
  /** Every page of the guide: the base path, then each later part's path. */
  paths: string[];
  /** Bytes of the item as `GET /content<base_path>` answers it. */
  itemBytes: number;
  /** Seconds to publish the guide and the documents it links to, through the Publishing API, until the live router served it. */
  publishSeconds: number;
}

export interface SearchSeedResult {
  documents: number;
  /** Generating the rows (the tsvector included), with the secondary indexes dropped. */
  insertSeconds: number;
  /** Re-creating the secondary indexes from their own definitions. */
  indexSeconds: number;
  vacuumSeconds: number;
  /** pg_total_relation_size of search.documents. */
  tableBytes: number;
  /** Mean bytes of indexable_content. */
  meanBodyBytes: number;
}

export interface StackStats {
  /** The longest the stack's event loop was blocked since the last call, in ms. */
  maxBlockMs: number;
  warnings: number;
  errors: number;
}

export interface Ops {
  /**
   * Publishes two organisations, a chain of three taxons (each the `parent`
   * of the next), three related answers and a guide in GUIDE_PARTS parts
   * linked to all of them, through the Publishing API and its workers; waits
   * until the live router serves the guide; then stops the Publishing API,
   * its workers and the draft store, which the measurements do not use.
   */
  publishGuide: { params: { basePath: string }; result: GuideResult };
  /** Serves `html` from the trivial backend at FLOOR_PATH, routed by the live routers. */
  floorPage: { params: { html: string }; result: null };
  /** Fills search.documents with `documents` generated rows in set-based SQL, then VACUUM ANALYZE. */
  seedSearch: { params: { documents: number }; result: SearchSeedResult };
  /** Event-loop and log figures since the last call (and resets them). */
  stats: { params: Record<string, never>; result: StackStats };
  memory: { params: Record<string, never>; result: { rss: number; heapUsed: number } };
}

export type OpName = keyof Ops;

export interface ReadyMessage {
  ready: true;
}

/** The exact path the live router sends to the trivial backend. */
export const FLOOR_PATH = '/bench-routing-floor';

/** Environment variables the child is started with. */
export const ENV = {
  ports: 'BENCH_FRONTEND_PORTS',
  databaseUrl: 'BENCH_DATABASE_URL',
} as const;
