import type { EdgeCounts } from '../src/edge/handler.ts';

/**
 * The messages between the edge benchmark and its two kinds of child process
 * (Node IPC): the edge alone in front of a static origin, for hits; and a
 * publishing platform with the edge in front, for publish -> fresh on www.
 */

/** The purge token of every edge and Varnish the benchmark starts; they only listen on loopback. */
export const BENCH_PURGE_TOKEN = 'edge-benchmark-purge-token';

export interface EdgeOps {
  /** The edge's answers by kind so far: a hit run with misses in it is not measuring hits. */
  counts: { params: Record<string, never>; result: EdgeCounts };
}

export interface PlatformPorts {
  /** The live router: origin of the edge and of Varnish. */
  router: number;
  publishingApi: number;
  edge: number;
  /** The Varnish the edge's purge consumer purges as a peer. */
  varnish: number;
}

export interface PlatformReady {
  ready: true;
  /** A Publishing API bearer token. */
  token: string;
}

export type PlatformOps = Record<string, never>;

/** Environment variables the children are started with. */
export const ENV = {
  edgePort: 'BENCH_EDGE_PORT',
  originUrl: 'BENCH_EDGE_ORIGIN_URL',
  platformPorts: 'BENCH_EDGE_PLATFORM_PORTS',
  databaseUrl: 'BENCH_DATABASE_URL',
} as const;
