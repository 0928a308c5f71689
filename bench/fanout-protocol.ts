/**
 * The messages between the fan-out benchmark and its stack process (Node IPC).
 * The child owns the stack and its connections to the throwaway database; the
 * bench (on the client CPU) talks to the stack over HTTP like an editor would,
 * reads the database with a connection of its own, and asks the child over IPC
 * for what only it can see: its instrumentation, and bulk writes.
 */

/** Loopback ports of the stack, fixed so the bench can check them before it starts. */
export interface FanoutPorts {
  router: number;
  routerAdmin: number;
  contentStoreLive: number;
  contentStoreDraft: number;
  publishingApi: number;
  frontend: number;
}

/** How the child wires the stack. Undefined concurrencies leave the code's defaults. */
export interface FanoutStackOptions {
  databaseUrl: string;
  /** Connections in the one pg pool every service shares, as `portico start` has it (openPostgres default 10). */
  pool: number | undefined;
  highConcurrency: number | undefined;
  lowConcurrency: number | undefined;
  /** An experiment: jobs fetched at a time by the low queue's workers instead of the code's 5. */
  lowBatch: number | undefined;
}

/** Where the seeded documents live: a thousand to a directory. */
export const DOC_PREFIX = '/fanout-docs/';
export function docPath(i: number): string {
  return `${DOC_PREFIX}s${Math.floor(i / 1000)}/doc-${i}`;
}
export const ORG_PATH = '/government/organisations/department-for-fan-out';
export const ORG_TITLE = 'Department for Fan-out';

export interface SeedResult {
  documents: number;
  orgContentId: string;
  /** The organisation as it was PUT, for the rename. */
  orgPayload: Record<string, unknown>;
  /** Phases, in ms. */
  apiSetupMs: number;
  prepareMs: number;
  publishingApiInsertMs: number;
  contentStoreInsertMs: number;
  vacuumMs: number;
  routerReloadMs: number;
  verifyMs: number;
  totalMs: number;
  /** Documents whose stored payloads were compared, field by field, with what the downstream job would write. */
  verified: number;
  /** Bytes of one live body (presented) and one stored payload. */
  presentedBytes: number;
  routes: number;
  /** A few seeded paths, for the bench to fetch. */
  samplePaths: string[];
}

/** Handler wall time of the jobs of one downstream queue and stack, over the window since `mark`, ms. */
export interface JobSummary {
  key: string;
  jobs: number;
  failed: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export interface QueryKindStat {
  kind: string;
  count: number;
  /** Sum of latencies (pool wait included), ms. */
  ms: number;
  max: number;
}

export interface WindowStats {
  seconds: number;
  jobs: JobSummary[];
  /** Per service's Db view (workers, content-store-live, pg-boss, ...): query kinds by total time. */
  queries: Record<string, QueryKindStat[]>;
  /** Content-store PUTs as the workers saw them. */
  puts: Record<'live' | 'draft', { count: number; meanMs: number; p95Ms: number }>;
  /** Dependency resolutions (the organisation's 100k dependents) and the queueing of their jobs. */
  dependents: { calls: number; ms: number[]; found: number[] };
  sendMany: { calls: number; ms: number[]; jobs: number[] };
  eventLoop: { maxMs: number; p99Ms: number; meanMs: number };
  /** Router reloads (from its log lines). */
  reloads: { count: number; ms: number[]; lastRoutes: number };
  /** The router's incremental updates (from its debug lines). */
  deltas: { count: number; ms: number[] };
  warnings: number;
  errors: number;
  /** Where the stack process wrote a CPU profile of the window, if asked to. */
  profileFile: string | undefined;
  rss: number;
}

/** Seeded documents written to each store with a payload_version at least the one given, since `mark`. */
export interface Progress {
  live: number;
  draft: number;
  /** Epoch ms of the first and latest such write. */
  liveFirstAt: number | null;
  liveLastAt: number | null;
  draftFirstAt: number | null;
  draftLastAt: number | null;
}

export interface Ops {
  /** Publishes the organisation and a template document through the API, then bulk-loads `documents` more like it. */
  seed: { params: { documents: number; verifySample: number }; result: SeedResult };
  /** Waits until no downstream job is waiting or running and the router is idle. */
  settle: { params: Record<string, never>; result: null };
  /**
   * Resets every counter and starts the window; writes of seeded documents
   * with payload_version >= `minVersion` count as progress. `profileDir` starts
   * a CPU profile (node:inspector) written there on `collect`.
   */
  mark: { params: { minVersion: number; profileDir?: string }; result: null };
  progress: { params: Record<string, never>; result: Progress };
  /** The window's figures (and stops the profile). */
  collect: { params: Record<string, never>; result: WindowStats };
}

export type OpName = keyof Ops;



export interface ReadyMessage {
  ready: true;
  /** A token with full Publishing API access, for the editor. */
  token: string;
}

export const ENV = {
  ports: 'BENCH_FANOUT_PORTS',
  stack: 'BENCH_FANOUT_STACK',
} as const;
