import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER, type Logger } from '../platform/log.ts';
import type { Mux } from './mux.ts';
import type { RouterMetrics } from './metrics.ts';
import { isAllCaps, pathKey, splitTarget } from './path.ts';
import { redirectLocation, sendFixedRedirect, sendRedirect } from './redirect.ts';

/** What a backend route forwards to: an upstream with its own connection pool. */
export interface Forwarder {
  readonly id: string;
  /** Proxies the request; the response it sends carries `requestId` in the request id header. */
  forward(req: IncomingMessage, res: ServerResponse, requestId: string): void;
}

export interface RouterServerOptions {
  mux: Mux<Forwarder>;
  metrics: RouterMetrics;
  log: Logger;
  now?: () => number;
}

/**
 * A plain-text answer the router makes itself, with its response head as a
 * flat [name, value, ...] array ending in the request id. Passing
 * `res.writeHead` one array, and nothing set on `res` before, is Node's fast
 * path; the array is reused, since Node reads it only during the call.
 */
class PlainAnswer {
  private readonly head: string[];

  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    this.head = [
      'content-type',
      'text/plain; charset=utf-8',
      'x-content-type-options',
      'nosniff',
      'content-length',
      String(Buffer.byteLength(body)),
      REQUEST_ID_HEADER,
      '',
    ];
  }

  send(res: ServerResponse, requestId: string): void {
    const head = this.head;
    head[head.length - 1] = requestId;
    res.writeHead(this.status, head);
    res.end(this.body);
  }
}

const BAD_REQUEST = new PlainAnswer(400, '400 Bad Request\n');
const NOT_FOUND = new PlainAnswer(404, '404 Not Found\n');
const GONE = new PlainAnswer(410, '410 Gone\n');
const SERVER_ERROR = new PlainAnswer(500, '500 Internal Server Error\n');
const EMPTY_HEAD = ['content-length', '0', REQUEST_ID_HEADER, ''];

function sendEmpty(res: ServerResponse, status: number, requestId: string): void {
  EMPTY_HEAD[3] = requestId;
  res.writeHead(status, EMPTY_HEAD);
  res.end();
}

/**
 * The request id a client sent (several are joined as Node joins repeated
 * fields), read from the raw fields: `req.headers` would build an object of
 * every field just for this.
 */
function sentRequestId(raw: string[]): string | undefined {
  let id: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === REQUEST_ID_HEADER.length && name.toLowerCase() === REQUEST_ID_HEADER) {
      id = id === undefined ? raw[i + 1]! : id + ', ' + raw[i + 1]!;
    }
  }
  return id;
}

/**
 * The public side of a router: match the request path in the table in service
 * and proxy, redirect or answer 410. An empty table answers 503 to everything,
 * so a cache in front serves stale pages rather than caching 404s. Every
 * answer carries the request id (the client's, or a new one), which is also
 * what the backend is sent.
 */
export function createRouterHandler(opts: RouterServerOptions) {
  const { mux, metrics, log } = opts;
  const now = opts.now ?? Date.now;
  const count = metrics.countRequest;

  function route(req: IncomingMessage, res: ServerResponse, requestId: string): void {
    if (mux.size === 0) {
      count('unavailable', '', 503);
      sendEmpty(res, 503, requestId);
      return;
    }

    const url = req.url ?? '/';
    const { path, query } = splitTarget(url.charCodeAt(0) === 47 ? url : absoluteToOrigin(url));
    const key = path.charCodeAt(0) === 47 ? pathKey(path) : undefined;
    if (key === undefined) {
      count('bad_request', '', 400);
      BAD_REQUEST.send(res, requestId);
      return;
    }

    if (isAllCaps(path.includes('%') ? safeDecode(path) : path)) {
      count('redirect', '', 301);
      sendRedirect(res, req.method, 301, path.toLowerCase() + query, now(), requestId);
      return;
    }

    const match = mux.lookup(key);
    if (!match) {
      count('not_found', '', 404);
      NOT_FOUND.send(res, requestId);
      return;
    }
    const target = match.target;
    switch (target.kind) {
      case 'backend':
        target.backend.forward(req, res, requestId);
        return;
      case 'redirect':
        count('redirect', '', target.status);
        // Where the request's path and query cannot change the Location, the answer is prepared once per route.
        if (!target.preserve && !query.includes('_ga')) sendFixedRedirect(res, req.method, target, now(), requestId);
        else sendRedirect(res, req.method, target.status, redirectLocation(target.to, target.preserve, path, query, match.depth), now(), requestId);
        return;
      case 'gone':
        count('gone', '', 410);
        GONE.send(res, requestId);
        return;
      default:
        log.error({ request_id: requestId }, 'route with an unknown target kind');
        SERVER_ERROR.send(res, requestId);
    }
  }

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    let requestId = sentRequestId(req.rawHeaders);
    if (requestId === undefined || requestId === '') requestId = randomUUID();
    try {
      route(req, res, requestId);
    } catch (err) {
      log.error({ err, request_id: requestId }, 'router request failed');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      try {
        sendEmpty(res, 500, requestId);
      } catch {
        res.destroy();
      }
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
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, createRouterHandler(opts));
  // A malformed request gets a 400 from Node's parser; this only stops it being logged as an error.
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy(err);
  });
  return server;
}
