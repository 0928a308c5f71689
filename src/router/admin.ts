import { createServer, type Server, type ServerResponse } from 'node:http';
import type { HealthCheck } from '../platform/http.ts';
import { runChecks } from '../platform/http.ts';
import type { Mux } from './mux.ts';
import type { RouterMetrics } from './metrics.ts';
import type { Reloader } from './reloader.ts';

export interface AdminOptions<B> {
  mux: Mux<B>;
  reloader: Reloader<B>;
  metrics: RouterMetrics;
  /** Readiness beyond "a table is loaded" (none needed: a router serves its table without the database). */
  checks?: HealthCheck[];
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.writeHead(405, { allow, 'content-length': 0 });
  res.end();
}

/** The router's admin port: reload, health, metrics and the loaded table. */
export function createAdminServer<B>(opts: AdminOptions<B>): Server {
  const { mux, reloader, metrics } = opts;
  return createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const get = req.method === 'GET' || req.method === 'HEAD';
    switch (path) {
      case '/reload':
        if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
        reloader.request();
        res.writeHead(202, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end('Reload queued\n');
      case '/healthcheck/live':
        if (!get) return methodNotAllowed(res, 'GET');
        return json(res, 200, { status: 'ok' });
      case '/healthcheck/ready': {
        if (!get) return methodNotAllowed(res, 'GET');
        const { ok, checks } = await runChecks([
          {
            name: 'routes_loaded',
            check: () => {
              if (!mux.hasLoaded) throw new Error('no route table loaded yet');
            },
          },
          ...(opts.checks ?? []),
        ]);
        return json(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', routes: mux.size, checks });
      }
      case '/metrics': {
        if (!get) return methodNotAllowed(res, 'GET');
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        return res.end(body);
      }
      case '/routes':
        if (!get) return methodNotAllowed(res, 'GET');
        return json(res, 200, { count: mux.size, routes: mux.current.routes() });
      case '/memory-stats':
        if (!get) return methodNotAllowed(res, 'GET');
        return json(res, 200, process.memoryUsage());
      default:
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('404 Not Found\n');
    }
  });
}
