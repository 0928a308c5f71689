import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A registry per service instance, so a live and a draft store can share a process. */
export function createContentStoreMetrics(stack: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ stack });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'content_store_requests_total',
      help: 'Requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'content_store_request_duration_seconds',
      help: 'Time from receiving a request to sending its response',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}

export type ContentStoreMetrics = ReturnType<typeof createContentStoreMetrics>;
