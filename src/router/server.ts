import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER, type Logger } from '../platform/log.ts';
import type { Mux } from './mux.ts';
import type { RouterMetrics } from './metrics.ts';
import { isAllCaps, splitPath, splitTarget } from './path.ts';
import { redirectLocation, sendRedirect } from './redirect.ts';

/** What a backend route forwards to: an upstream with its own connection pool. */
export interface Forwarder {
  readonly id: string;
  forward(req: IncomingMessage, res: ServerResponse, requestId: string): void;
}

export interface RouterServerOptions {
  mux: Mux<Forwarder>;
  metrics: RouterMetrics;
  log: Logger;
  now?: () => number;
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * The public side of a router: match the request path in the table in service
 * and proxy, redirect or answer 410. An empty table answers 503 to everything,
 * so a cache in front serves stale pages rather than caching 404s.
 */
export function createRouterHandler(opts: RouterServerOptions) {
  const { mux, metrics, log } = opts;
  const now = opts.now ?? Date.now;
  const count = (handler: string, backend: string, status: number) =>
    metrics.requests.inc({ handler, backend_id: backend, status });

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    let requestId = req.headers[REQUEST_ID_HEADER];
    if (typeof requestId !== 'string' || requestId === '') {
      requestId = randomUUID();
      req.headers[REQUEST_ID_HEADER] = requestId;
    }
    res.setHeader(REQUEST_ID_HEADER, requestId);

    if (mux.size === 0) {
      count('unavailable', '', 503);
      res.writeHead(503, { 'content-length': 0 });
      res.end();
      return;
    }

    const url = req.url ?? '/';
    const { path, query } = splitTarget(url.charCodeAt(0) === 47 ? url : absoluteToOrigin(url));
    const segments = path.charCodeAt(0) === 47 ? splitPath(path) : undefined;
    if (!segments) {
      count('bad_request', '', 400);
      plain(res, 400, '400 Bad Request\n');
      return;
    }

    if (isAllCaps(path.includes('%') ? safeDecode(path) : path)) {
      count('redirect', '', 301);
      sendRedirect(res, req.method, 301, path.toLowerCase() + query, now());
      return;
    }

    const match = mux.lookup(segments);
    if (!match) {
      count('not_found', '', 404);
      plain(res, 404, '404 Not Found\n');
      return;
    }
    const target = match.entry.target;
    switch (target.kind) {
      case 'backend':
        target.backend.forward(req, res, requestId);
        return;
      case 'redirect':
        count('redirect', '', target.status);
        sendRedirect(res, req.method, target.status, redirectLocation(target.to, target.preserve, path, query, match.depth), now());
        return;
      case 'gone':
        count('gone', '', 410);
        plain(res, 410, '410 Gone\n');
        return;
      default:
        log.error({ request_id: requestId }, 'route with an unknown target kind');
        plain(res, 500, '500 Internal Server Error\n');
    }
  };
}

/** An absolute-form request target (`GET http://host/path`) reduced to its path and query. */
function absoluteToOrigin(target: string): string {
  try {
    const u = new URL(target);
    return u.pathname + u.search;
  } catch {
    return target;
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export function createRouterServer(opts: RouterServerOptions): Server {
  const handle = createRouterHandler(opts);
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      opts.log.error({ err, request_id: req.headers[REQUEST_ID_HEADER] }, 'router request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-length': 0 });
        res.end();
      } else res.destroy();
    }
  });
  // A malformed request gets a 400 from Node's parser; this only stops it being logged as an error.
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy(err);
  });
  return server;
}
