import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiError, requestId as requestIdOf } from '../platform/api.ts';
import { isDatabaseUnavailable } from '../platform/db/unavailable.ts';
import { runChecks, type HealthCheck } from '../platform/http.ts';
import { REQUEST_ID_HEADER, type Logger } from '../platform/log.ts';
import { serializeCookie } from '../platform/sso/cookies.ts';
import { AUTH_PATHS } from '../platform/sso/client.ts';
import { handleAuthRoute } from '../platform/sso/node.ts';
import type { Forwarder } from '../router/server.ts';
import { decide, PREVIEW_COOKIE, type AccessDeps, type Decision } from './access.ts';
import { rewriteForUpstream } from './identity.ts';
import { PREVIEW_LINKS_PATH, previewLinks, type PreviewLinksDeps } from './preview-links.ts';

export interface ProxyServerOptions extends AccessDeps, PreviewLinksDeps {
  upstream: Forwarder;
  readiness: HealthCheck[];
  log: Logger;
}

function send(res: ServerResponse, status: number, headers: Record<string, string | string[]>, body: string, requestId: string): void {
  res.writeHead(status, {
    ...headers,
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(body)),
    [REQUEST_ID_HEADER]: requestId,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  send(res, status, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(body), requestId);
}

/** A person's browser asking for a page is sent to sign in; anything else is told, in JSON, what it lacks. */
function wantsHtml(req: IncomingMessage): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && /\btext\/html\b/i.test(req.headers.accept ?? '');
}

function htmlPage(title: string, text: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>\n`;
}

function splitTarget(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/**
 * The draft stack's front door: health checks and the sign-in flow answer
 * here; the preview-link API is here; every other request goes to the draft
 * router only if `decide` lets it, with the caller's identity in headers only
 * this proxy sets.
 */
export function createProxyServer(opts: ProxyServerOptions): Server {
  const { log, upstream } = opts;
  const secure = opts.publicUrl.startsWith('https:');
  // The draft apps have no use for the proxy's own session and preview cookies.
  const ownCookies = [...opts.sso.cookieNames, PREVIEW_COOKIE];

  function answer(decision: Exclude<Decision, { kind: 'pass' }>, req: IncomingMessage, res: ServerResponse, requestId: string): void {
    const html = wantsHtml(req);
    switch (decision.kind) {
      case 'keep-token':
        return send(res, 302, { location: decision.location, 'set-cookie': serializeCookie(PREVIEW_COOKIE, decision.token, { maxAge: decision.maxAgeSeconds, secure }) }, '', requestId);
      case 'unauthenticated':
        if (html) return send(res, 302, { location: `${AUTH_PATHS.login}?return_to=${encodeURIComponent(decision.returnTo)}` }, '', requestId);
        return sendJson(res, 401, { error: { code: 'unauthenticated', message: 'The draft stack needs a signon session or a preview link' } }, requestId);
      case 'forbidden':
        if (html) {
          const page = htmlPage('You cannot see the draft site', `Your signon account does not have permission to use it. <a href="${AUTH_PATHS.logout}">Sign out</a>`);
          return send(res, 403, { 'content-type': 'text/html; charset=utf-8' }, page, requestId);
        }
        return sendJson(res, 403, { error: { code: 'forbidden', message: 'The signed-in user lacks the signin permission for the draft stack' } }, requestId);
      case 'unavailable':
        log.warn({ request_id: requestId, reason: decision.reason }, 'cannot decide access');
        res.setHeader('retry-after', '5');
        return sendJson(res, 503, { error: { code: 'unavailable', message: 'Access cannot be checked now; try again shortly' } }, requestId);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = req.url ?? '/';
    if (!url.startsWith('/')) return sendJson(res, 400, { error: { code: 'bad_request', message: 'The request target must be a path' } }, requestId);
    const { path, query } = splitTarget(url);

    if (path === '/healthcheck/live') return sendJson(res, 200, { status: 'ok' }, requestId);
    if (path === '/healthcheck/ready') {
      const { ok, checks } = await runChecks(opts.readiness);
      return sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', checks }, requestId);
    }
    if (await handleAuthRoute(opts.sso, req, res, { [REQUEST_ID_HEADER]: requestId })) return;
    if (path === PREVIEW_LINKS_PATH || path.startsWith(`${PREVIEW_LINKS_PATH}/`)) {
      const result = await previewLinks(opts, req, path, requestId);
      return sendJson(res, result.status, result.body, requestId);
    }

    const decision = await decide(opts, req, path, query, requestId);
    if (decision.kind !== 'pass') return answer(decision, req, res, requestId);
    rewriteForUpstream(req, decision.identity, ownCookies);
    upstream.forward(req, res, requestId);
  }

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    const requestId = requestIdOf(req);
    handle(req, res, requestId).catch((err: Error) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof ApiError) return sendJson(res, err.status, err.toJSON(), requestId);
      if (isDatabaseUnavailable(err)) {
        log.warn({ err, request_id: requestId }, 'database unavailable');
        return answer({ kind: 'unavailable', reason: 'database unavailable' }, req, res, requestId);
      }
      log.error({ err, request_id: requestId }, 'authenticating proxy request failed');
      sendJson(res, 500, { error: { code: 'internal_error', message: 'Something went wrong; the request id is in the Portico-Request-Id header' } }, requestId);
    });
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy(err);
  });
  return server;
}
