import type { ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '../platform/log.ts';
import { sendError, sendJson } from './answers.ts';
import type { CacheStore } from './store.ts';

/** The edge's own paths, on any host: health for a load balancer, metrics for Prometheus. */
export const OPS_PREFIX = '/__edge/';

/** Answers by kind, for the metrics. */
export interface EdgeCounts {
  hit: number;
  miss: number;
  stale: number;
  mirror: number;
  pass: number;
  unavailable: number;
  redirect: number;
  retired: number;
  unknownHost: number;
  purge: number;
  originFailure: number;
}

/** Health (ready: 503 while draining) and metrics, answered by the edge itself. */
export function answerOps(res: ServerResponse, path: string, requestId: string, o: { counts: EdgeCounts; store: CacheStore; ready: boolean }): void {
  switch (path) {
    case `${OPS_PREFIX}healthcheck/live`:
      sendJson(res, 200, { status: 'ok' }, requestId);
      return;
    case `${OPS_PREFIX}healthcheck/ready`: {
      const { store, ready } = o;
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable', cache: { objects: store.size, bytes: store.bytes, max_bytes: store.maxBytes } }, requestId);
      return;
    }
    case `${OPS_PREFIX}metrics`: {
      const text = metricsText(o.counts, o.store);
      res.writeHead(200, ['content-type', 'text/plain; version=0.0.4', 'content-length', String(Buffer.byteLength(text)), 'cache-control', 'no-store', REQUEST_ID_HEADER, requestId]);
      res.end(text);
      return;
    }
    default:
      sendError(res, 404, 'not_found', `the edge answers ${OPS_PREFIX}healthcheck/live, ${OPS_PREFIX}healthcheck/ready and ${OPS_PREFIX}metrics`, requestId);
  }
}

function metricsText(c: EdgeCounts, store: CacheStore): string {
  const lines = ['# HELP edge_responses_total Answers by how they were made.', '# TYPE edge_responses_total counter'];
  for (const [kind, n] of Object.entries(c)) {
    if (kind === 'purge' || kind === 'originFailure') continue;
    lines.push(`edge_responses_total{kind="${kind}"} ${n}`);
  }
  lines.push(
    '# HELP edge_purged_paths_total Paths purged.',
    '# TYPE edge_purged_paths_total counter',
    `edge_purged_paths_total ${c.purge}`,
    '# HELP edge_origin_failures_total Origin requests that failed (5xx or no answer).',
    '# TYPE edge_origin_failures_total counter',
    `edge_origin_failures_total ${c.originFailure}`,
    '# HELP edge_cache_bytes Bytes held by the cache.',
    '# TYPE edge_cache_bytes gauge',
    `edge_cache_bytes ${store.bytes}`,
    '# HELP edge_cache_objects Objects held by the cache.',
    '# TYPE edge_cache_objects gauge',
    `edge_cache_objects ${store.size}`,
  );
  return lines.join('\n') + '\n';
}
