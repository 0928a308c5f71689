import type { ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '../platform/log.ts';

/**
 * An answer the edge makes itself, its head prepared once as the flat array
 * `res.writeHead` takes, the request id filled in per answer.
 */
export class FixedAnswer {
  private readonly head: string[];
  private readonly body: Buffer;

  constructor(
    readonly status: number,
    contentType: string,
    body: string,
    extra: string[] = [],
  ) {
    this.body = Buffer.from(body);
    this.head = ['content-type', contentType, 'content-length', String(this.body.length), ...extra, REQUEST_ID_HEADER, ''];
  }

  send(res: ServerResponse, requestId: string, isHead = false): void {
    const head = this.head;
    head[head.length - 1] = requestId;
    res.writeHead(this.status, head);
    if (isHead) res.end();
    else res.end(this.body);
  }
}

const SORRY = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sorry, there is a problem with the service</title>
<style>body{font-family:Arial,sans-serif;margin:0;color:#0b0c0c}header{background:#0b0c0c;color:#fff;padding:10px 15px;font-weight:bold}main{max-width:640px;margin:30px 15px}</style></head>
<body><header>Portico</header><main><h1>Sorry, there is a problem with the service</h1>
<p>Try again later.</p></main></body>
</html>
`;

/** When origin fails and neither a stale copy nor the mirror has the page. */
export const UNAVAILABLE = new FixedAnswer(503, 'text/html; charset=utf-8', SORRY, ['cache-control', 'no-store', 'retry-after', '30', 'x-cache', 'ERROR', 'server-timing', 'cacheMiss;desc="unavailable"']);

/** A Host that is neither the site's nor a retired site's. */
export const UNKNOWN_HOST = new FixedAnswer(404, 'text/plain; charset=utf-8', '404 Not Found: this host is not served here\n', ['cache-control', 'no-store']);

/** Portico's JSON error shape, for the purge API. */
export function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(text)), 'cache-control', 'no-store', REQUEST_ID_HEADER, requestId]);
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, requestId: string): void {
  sendJson(res, status, { error: { code, message } }, requestId);
}

/** 301 to the same path and query on www; its head cached by browsers and CDNs for a day. */
export function sendRedirect(res: ServerResponse, location: string, requestId: string, isHead: boolean): void {
  const body = `Moved to ${location}\n`;
  res.writeHead(301, ['location', location, 'content-type', 'text/plain; charset=utf-8', 'content-length', String(Buffer.byteLength(body)), 'cache-control', 'public, max-age=86400', REQUEST_ID_HEADER, requestId]);
  if (isHead) res.end();
  else res.end(body);
}
