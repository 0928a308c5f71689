import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fastify, LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { bearerToken, PERMISSIONS, type Authenticate, type Principal } from '../platform/auth.ts';
import type { Db } from '../platform/db/index.ts';
import { runChecks } from '../platform/http.ts';
import { forRequest, REQUEST_ID_HEADER, type Logger } from '../platform/log.ts';
import { incomingPathErrors } from '../router/routes.ts';
import type { ContentStoreMetrics } from './metrics.ts';
import { canonicalPath } from './path.ts';
import { checkContentPayload, type FieldErrors } from './payload.ts';
import { cacheControl } from './present.ts';
import type { Stack } from './schema.ts';
import { deleteContentItem, findContentItem, prepareItem, putContentItem, type PutResult } from './store.ts';

export interface ContentStoreAppOptions {
  stack: Stack;
  db: Db;
  log: Logger;
  authenticate: Authenticate;
  metrics: ContentStoreMetrics;
  /** max-age of a live answer, in seconds; an item's details.max_cache_time can only lower it. */
  defaultTtlSeconds: number;
  clock: () => Date;
  bodyLimitBytes: number;
}

export type ContentStoreApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;

// A caller's request id is logged and echoed only if it looks like one.
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

function requestId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

function sendError(reply: FastifyReply, status: number, code: string, message: string, fields?: FieldErrors): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ error: fields ? { code, message, fields } : { code, message } });
}

/** The raw path after the route's literal prefix, '' meaning the root; undefined when the URL does not start with it verbatim. */
function rawPathAfter(request: FastifyRequest, prefix: string): string | undefined {
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  return rest === '' || rest.startsWith('/') ? rest : undefined;
}

const BAD_PATH = 'the path is malformed: a bad percent-escape, or a . or .. segment';

/** Fastify's own errors (body parsing, limits) in the API's error shape. */
function frameworkError(err: FastifyError): [number, string, string] {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return [400, 'malformed_json', err.message];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return [415, 'unsupported_media_type', 'the body must be application/json'];
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return [413, 'payload_too_large', err.message];
    case 'FST_ERR_BAD_URL':
      return [400, 'bad_request', BAD_PATH];
  }
  if (err instanceof SyntaxError) return [400, 'malformed_json', err.message];
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return [status, 'bad_request', err.message];
  return [500, 'internal_error', 'internal error'];
}

export function createContentStoreApp(opts: ContentStoreAppOptions): ContentStoreApp {
  const { stack, db, authenticate, metrics, defaultTtlSeconds: ttl, clock } = opts;
  const principals = new WeakMap<FastifyRequest, Principal>();

  const app = fastify({
    loggerInstance: opts.log,
    // Requests are logged by the onResponse hook below, at a level by method.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    bodyLimit: opts.bodyLimitBytes,
    // Every line a request logs carries its request id, as the platform's forRequest names it.
    childLoggerFactory: (logger, bindings) => forRequest(logger as Logger, String(bindings.reqId)),
    frameworkErrors: (err, request, reply) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      const [status, code, message] = frameworkError(err);
      sendError(reply, status, code, message);
    },
  });
  // Only JSON is a content item; without this a text/plain body would reach the handler as a string.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    const status = String(reply.statusCode);
    metrics.requests.inc({ method: request.method, route, status });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    const read = request.method === 'GET' || request.method === 'HEAD';
    const fields = { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (read) request.log.debug(fields, 'request completed');
    else request.log.info({ ...fields, principal: principals.get(request)?.name }, 'request completed');
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const [status, code, message] = frameworkError(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    return sendError(reply, status, code, message);
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'not_found', `no route for ${request.method} ${request.url}`));

  const requireWrite = async (request: FastifyRequest, reply: FastifyReply) => {
    const token = bearerToken(request.headers.authorization);
    let principal: Principal | null = null;
    if (token) {
      try {
        principal = await authenticate(token);
      } catch (err) {
        request.log.error({ err }, 'authentication failed');
        return sendError(reply, 503, 'auth_unavailable', 'cannot check the bearer token now; try again');
      }
    }
    if (!principal) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, 'unauthorized', 'a valid bearer token is required');
    }
    if (!principal.permissions.includes(PERMISSIONS.contentStoreWrite)) {
      return sendError(reply, 403, 'forbidden', `the token needs the ${PERMISSIONS.contentStoreWrite} permission`);
    }
    principals.set(request, principal);
  };

  const show = (prefix: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('access-control-allow-origin', '*');
    const raw = rawPathAfter(request, prefix);
    const path = raw === undefined ? undefined : canonicalPath(raw);
    if (path === undefined) return sendError(reply, 400, 'bad_request', BAD_PATH);
    const found = await findContentItem(db, stack, path);
    // Set on a 404 too, so that a miss is cached only as long as a hit would be.
    reply.header('cache-control', cacheControl(stack, ttl, found?.maxCacheTime ?? null));
    if (!found) return sendError(reply, 404, 'not_found', `no content item at ${path}`);
    if (found.kind === 'route') return reply.code(303).header('location', `${prefix}${found.basePath}`).send();
    return reply
      .code(found.gone ? 410 : 200)
      .type('application/json; charset=utf-8')
      .send(found.presented);
  };

  const put = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = rawPathAfter(request, '/content');
    const basePath = raw === undefined ? undefined : canonicalPath(raw);
    if (raw === undefined || basePath === undefined) return sendError(reply, 400, 'bad_request', BAD_PATH);
    const pathProblems = incomingPathErrors(raw || '/');
    if (pathProblems.length) return sendError(reply, 422, 'invalid_content_item', 'the base path is not valid', { base_path: pathProblems });
    if (request.body === undefined || request.body === null) {
      return sendError(reply, 400, 'malformed_json', 'the body must be a JSON content item');
    }
    const checked = checkContentPayload(request.body, basePath);
    if (!checked.ok) {
      const n = Object.keys(checked.fields).length;
      return sendError(reply, 422, 'invalid_content_item', `the content item has ${n} invalid field(s)`, checked.fields);
    }
    const { payload, registration } = checked;
    const result = await putContentItem(db, stack, prepareItem(payload, registration.routes.map((r) => r.record), clock()));
    if (result.outcome === 'stale') {
      request.log.info({ base_path: basePath, payload_version: payload.payload_version, stored: result.storedVersion }, 'stale payload ignored');
      return sendError(
        reply,
        409,
        'stale_payload_version',
        `payload_version ${payload.payload_version} is not newer than the stored ${result.storedVersion}`,
      );
    }
    logWrite(request, payload.base_path, payload.payload_version, result, registration.unroutable);
    return reply.code(result.outcome === 'created' ? 201 : 200).send({});
  };

  const remove = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = rawPathAfter(request, '/content');
    const basePath = raw === undefined ? undefined : canonicalPath(raw);
    if (basePath === undefined) return sendError(reply, 400, 'bad_request', BAD_PATH);
    if (!(await deleteContentItem(db, stack, basePath))) return sendError(reply, 404, 'not_found', `no content item at ${basePath}`);
    request.log.info({ base_path: basePath }, 'content item deleted');
    return reply.code(200).send({});
  };

  for (const prefix of ['/content', '/api/content']) {
    app.get(prefix, show(prefix));
    app.get(`${prefix}/*`, show(prefix));
  }
  for (const url of ['/content', '/content/*']) {
    app.put(url, { onRequest: requireWrite }, put);
    app.delete(url, { onRequest: requireWrite }, remove);
  }

  app.get('/healthcheck/live', async () => ({ status: 'ok' }));
  app.get('/healthcheck/ready', async (_request, reply) => {
    const { ok, checks } = await runChecks([{ name: 'database', check: () => db.ping() }]);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });

  return app;
}

function logWrite(request: FastifyRequest, basePath: string, version: number, result: Exclude<PutResult, { outcome: 'stale' }>, unroutable: string[]): void {
  const { routes } = result;
  request.log.info(
    { base_path: basePath, payload_version: version, outcome: result.outcome, routes_added: routes.added, routes_changed: routes.changed, routes_removed: routes.removed },
    'content item written',
  );
  if (unroutable.length) request.log.warn({ base_path: basePath, reasons: unroutable }, 'content item stored but not routable');
  for (const t of routes.takenOver) {
    request.log.warn({ base_path: basePath, incoming_path: t.incoming_path, route_type: t.route_type, previous_owner: t.previous_owner }, 'took over a route');
  }
  if (routes.missingBackends.length) {
    request.log.warn({ base_path: basePath, backend_ids: routes.missingBackends }, 'routes to backends the routers do not know; they are skipped until registered');
  }
}
