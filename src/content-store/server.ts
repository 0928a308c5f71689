import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, createApi, requirePermission, type Api } from '../platform/api.ts';
import { PERMISSIONS, type Authenticate } from '../platform/auth.ts';
import type { Db, Queryable } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import { incomingPathErrors } from '../router/routes.ts';
import { canonicalPath } from './path.ts';
import { checkContentPayload } from './payload.ts';
import { cacheControl } from './present.ts';
import { contentStoreSchema, type Stack } from './schema.ts';
import { announceItem, announceVanish, EVENT_TYPE_HEADER, eventTypeOf } from './events.ts';
import { deleteContentItem, findContentItem, prepareItem, putContentItem, type DeletedItem, type PutResult } from './store.ts';

export interface ContentStoreAppOptions {
  stack: Stack;
  db: Db;
  log: Logger;
  authenticate: Authenticate;
  /** max-age of a live answer, in seconds; an item's details.max_cache_time can only lower it. */
  defaultTtlSeconds: number;
  clock: () => Date;
  bodyLimitBytes: number;
  /** Announce every write as a publishing event (the live store), through the schema's outbox. */
  events?: boolean;
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

const badPath = () => new ApiError(400, 'bad_request', 'the path is malformed: a bad percent-escape, or a . or .. segment');

/** The canonical base path a PUT or DELETE under /content names, with the raw one it came from. */
function basePathOf(request: FastifyRequest): { raw: string; basePath: string } {
  const raw = rawPathAfter(request, '/content');
  const basePath = raw === undefined ? undefined : canonicalPath(raw);
  if (raw === undefined || basePath === undefined) throw badPath();
  return { raw, basePath };
}

/** A live or draft content store's HTTP surface, on the platform's API scaffolding. */
export function createContentStoreApp(opts: ContentStoreAppOptions): Api {
  const { stack, db, defaultTtlSeconds: ttl, clock } = opts;
  const schema = contentStoreSchema(stack);
  const api = createApi({
    name: `content-store-${stack}`,
    log: opts.log,
    readiness: [{ name: 'database', check: () => db.ping() }],
    bodyLimit: opts.bodyLimitBytes,
  });
  const { app } = api;
  // onRequest, so that a request without a good token is refused before its body is read.
  const write = { onRequest: requirePermission(opts.authenticate, PERMISSIONS.contentStoreWrite) };

  const show = (prefix: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('access-control-allow-origin', '*');
    const raw = rawPathAfter(request, prefix);
    const path = raw === undefined ? undefined : canonicalPath(raw);
    if (path === undefined) throw badPath();
    const found = await findContentItem(db, stack, path);
    // Set on a 404 too, so that a miss is cached only as long as a hit would be.
    reply.header('cache-control', cacheControl(stack, ttl, found?.maxCacheTime ?? null));
    if (!found) throw new ApiError(404, 'not_found', `no content item at ${path}`);
    if (found.kind === 'route') return reply.code(303).header('location', `${prefix}${found.basePath}`).send();
    return reply
      .code(found.gone ? 410 : 200)
      .type('application/json; charset=utf-8')
      .send(found.presented);
  };

  const put = async (request: FastifyRequest, reply: FastifyReply) => {
    const { raw, basePath } = basePathOf(request);
    const pathProblems = incomingPathErrors(raw || '/');
    if (pathProblems.length) throw new ApiError(422, 'invalid_content_item', 'the base path is not valid', { base_path: pathProblems });
    if (request.body === undefined || request.body === null) throw new ApiError(400, 'malformed_json', 'the body must be a JSON content item');
    const checked = checkContentPayload(request.body, basePath);
    if (!checked.ok) {
      const n = Object.keys(checked.fields).length;
      throw new ApiError(422, 'invalid_content_item', `the content item has ${n} invalid field(s)`, checked.fields);
    }
    const { payload, registration } = checked;
    const item = prepareItem(payload, registration.routes.map((r) => r.record), clock());
    const eventType = opts.events ? eventTypeOf(request.headers[EVENT_TYPE_HEADER]) : undefined;
    const result = await putContentItem(db, stack, item, eventType && ((tx) => announceItem(tx, schema, payload, item.presented, eventType)));
    if (result.outcome === 'stale') {
      request.log.info({ base_path: basePath, payload_version: payload.payload_version, stored: result.storedVersion }, 'stale payload ignored');
      throw new ApiError(409, 'stale_payload_version', `payload_version ${payload.payload_version} is not newer than the stored ${result.storedVersion}`);
    }
    logWrite(request, payload.base_path, payload.payload_version, result, registration.unroutable);
    return reply.code(result.outcome === 'created' ? 201 : 200).send({});
  };

  const remove = async (request: FastifyRequest, reply: FastifyReply) => {
    const { basePath } = basePathOf(request);
    const announce = opts.events ? (tx: Queryable, deleted: DeletedItem) => announceVanish(tx, schema, deleted) : undefined;
    if (!(await deleteContentItem(db, stack, basePath, announce))) throw new ApiError(404, 'not_found', `no content item at ${basePath}`);
    request.log.info({ base_path: basePath }, 'content item deleted');
    return reply.code(200).send({});
  };

  for (const prefix of ['/content', '/api/content']) {
    app.get(prefix, show(prefix));
    app.get(`${prefix}/*`, show(prefix));
  }
  for (const url of ['/content', '/content/*']) {
    app.put(url, write, put);
    app.delete(url, write, remove);
  }
  return api;
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
