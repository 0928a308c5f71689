import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

type RequestLabels = { handler: string; backend_id: string; status: number };

/**
 * Requests counted per handler, backend and status, and added to the
 * Prometheus counter only when it is read: prom-client works out a key from
 * the labels on every increment, which costs more per request than routing it.
 */
class RequestCounts {
  private readonly index = new Map<string, Map<string, Map<number, { labels: RequestLabels; n: number }>>>();
  private readonly all: { labels: RequestLabels; n: number }[] = [];

  count(handler: string, backendId: string, status: number): void {
    let byBackend = this.index.get(handler);
    if (byBackend === undefined) this.index.set(handler, (byBackend = new Map()));
    let byStatus = byBackend.get(backendId);
    if (byStatus === undefined) byBackend.set(backendId, (byStatus = new Map()));
    let entry = byStatus.get(status);
    if (entry === undefined) {
      entry = { labels: { handler, backend_id: backendId, status }, n: 0 };
      byStatus.set(status, entry);
      this.all.push(entry);
    }
    entry.n++;
  }

  flush(into: Counter<'handler' | 'backend_id' | 'status'>): void {
    for (const entry of this.all) {
      if (entry.n === 0) continue;
      into.inc(entry.labels, entry.n);
      entry.n = 0;
    }
  }
}

/** The router's Prometheus metrics, in a registry of its own so a live and a draft router can share a process. */
export function createRouterMetrics(stack: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ stack });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counts = new RequestCounts();
  const reloads = new Counter({
    name: 'router_reloads_total',
    help: 'Route table updates attempted, by kind (full: a new table; delta: changed routes applied in place) and result (success or error)',
    labelNames: ['kind', 'result'] as const,
    registers,
  });
  const reloadDuration = new Histogram({
    name: 'router_reload_duration_seconds',
    help: 'Time to read the routes and build a new table (full), or to read changed routes and apply them (delta)',
    labelNames: ['kind', 'result'] as const,
    buckets: [0.0001, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers,
  });
  // Every series from the start, since a rate misses a series' first increase;
  // full ones first, so a reader that picks the first sample with a given
  // result (as queries written before `kind` existed do) reads full reloads.
  for (const kind of ['full', 'delta']) {
    for (const result of ['success', 'error']) {
      reloads.inc({ kind, result }, 0);
      reloadDuration.zero({ kind, result });
    }
  }
  return {
    registry,
    /** Read it through the registry (or `get()`); count with `countRequest`. */
    requests: new Counter({
      name: 'router_requests_total',
      help: 'Requests answered, by handler (backend, redirect, gone, not_found, unavailable, bad_request), backend and status',
      labelNames: ['handler', 'backend_id', 'status'] as const,
      registers,
      collect() {
        counts.flush(this);
      },
    }),
    countRequest: (handler: string, backendId: string, status: number) => counts.count(handler, backendId, status),
    backendDuration: new Histogram({
      name: 'router_backend_response_duration_seconds',
      help: 'Time from receiving a request to the backend response headers (or the synthetic error status)',
      labelNames: ['backend_id', 'method', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
      registers,
    }),
    backendFailures: new Counter({
      name: 'router_backend_failures_total',
      help: 'Backend failures: refused, timeout, error, or aborted (a body cut short after headers)',
      labelNames: ['backend_id', 'kind'] as const,
      registers,
    }),
    routesLoaded: new Gauge({ name: 'router_routes_loaded', help: 'Routes in the table in service', registers }),
    routesSkipped: new Gauge({ name: 'router_routes_skipped', help: 'Routes left out of the last full load (unknown backend, bad path)', registers }),
    reloads,
    reloadDuration,
  };
}

export type RouterMetrics = ReturnType<typeof createRouterMetrics>;
