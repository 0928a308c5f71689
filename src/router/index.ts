import type { Server } from 'node:http';
import { contentStoreSchema, routeChangesChannel, type Stack } from '../content-store/schema.ts';
import type { RouterConfig } from '../platform/config.ts';
import type { Db } from '../platform/db/index.ts';
import { drain, listen } from '../platform/http.ts';
import type { Logger } from '../platform/log.ts';
import { createAdminServer } from './admin.ts';
import { parseRouteChanges } from './changes.ts';
import { loadRouteRows, loadRoutes } from './loader.ts';
import { createRouterMetrics, type RouterMetrics } from './metrics.ts';
import { Mux } from './mux.ts';
import { UpstreamRegistry } from './proxy.ts';
import { Reloader } from './reloader.ts';
import { createRouterServer, type Forwarder } from './server.ts';

export interface RouterDeps {
  stack: Stack;
  db: Db;
  config: RouterConfig;
  log: Logger;
}

export interface RouterService {
  readonly stack: Stack;
  readonly mux: Mux<Forwarder>;
  readonly metrics: RouterMetrics;
  readonly reloader: Reloader<Forwarder>;
  readonly server: Server;
  readonly admin: Server;
  /** Loads the first table, subscribes to route changes, and listens on both ports; resolves to the bound ports. */
  start(port: number, adminPort: number, host: string): Promise<{ port: number; adminPort: number }>;
  /** Stops accepting, drains in-flight requests, closes backend pools. */
  stop(): Promise<void>;
}

/** A live or draft router: the same code on a different content store schema and ports. */
export function createRouter({ stack, db, config, log: parentLog }: RouterDeps): RouterService {
  const log = parentLog.child({ service: `router-${stack}` });
  const metrics = createRouterMetrics(stack);
  const mux = new Mux<Forwarder>();
  const upstreams = new UpstreamRegistry({
    connectTimeoutMs: config.backendConnectTimeoutMs,
    headerTimeoutMs: config.backendHeaderTimeoutMs,
    tlsSkipVerify: config.tlsSkipVerify,
    observer: {
      response(backendId, method, status, seconds) {
        metrics.countRequest('backend', backendId, status);
        metrics.backendDuration.observe({ backend_id: backendId, method, status }, seconds);
      },
      failure(backendId, kind, err, requestId) {
        metrics.backendFailures.inc({ backend_id: backendId, kind });
        log.error({ backend_id: backendId, kind, err: err.message, request_id: requestId }, 'backend request failed');
      },
    },
  });
  const schema = contentStoreSchema(stack);
  const reloader = new Reloader<Forwarder>({
    mux,
    load: () => loadRoutes(db, schema, (b) => upstreams.get(b.backend_id, b.backend_url), log),
    loadRows: (keys) => loadRouteRows(db, schema, keys),
    swapped: ({ targets }) => {
      upstreams.retain(targets.backendIds()).catch((err) => log.warn({ err: err.message }, 'closing unused backend pools failed'));
    },
    intervalMs: config.reloadIntervalMs,
    log,
    metrics,
  });
  const server = createRouterServer({ mux, metrics, log });
  const admin = createAdminServer({ mux, reloader, metrics });
  let unlisten: (() => Promise<void>) | undefined;

  return {
    stack,
    mux,
    metrics,
    reloader,
    server,
    admin,
    async start(port, adminPort, host) {
      // Subscribe before the first load, so a change made during it is not missed.
      try {
        unlisten = await db.listen(routeChangesChannel(stack), (payload) => {
          const keys = parseRouteChanges(payload);
          if (keys !== undefined) {
            reloader.requestChanges(keys);
          } else {
            if (payload !== '') log.warn({ payload: payload.slice(0, 200) }, 'unreadable route change notification; reloading all routes');
            reloader.request();
          }
        });
      } catch (err) {
        log.error({ err: (err as Error).message }, 'cannot listen for route changes; relying on periodic reloads');
      }
      await reloader.start();
      const bound = await listen(server, port, host);
      const boundAdmin = await listen(admin, adminPort, host);
      log.info({ port: bound, admin_port: boundAdmin, routes: mux.size }, 'router listening');
      return { port: bound, adminPort: boundAdmin };
    },
    async stop() {
      reloader.stop();
      await unlisten?.().catch(() => undefined);
      await Promise.all([drain(server, config.shutdownTimeoutMs), drain(admin, 1000)]);
      await reloader.idle();
      await upstreams.closeAll();
    },
  };
}
