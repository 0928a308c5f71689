import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, createApi, requirePermission, type Api } from '../platform/api.ts';
import { PERMISSIONS, type Authenticate } from '../platform/auth.ts';
import type { Db, Queryable } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import { incomingPathErrors } from '../router/routes.ts';
import { canonicalPath } from './path.ts';
import { checkContentPayload, type CheckedPayload, type FieldErrors } from './payload.ts';
import { cacheControl } from './present.ts';
import { contentStoreSchema, type Stack } from './schema.ts';
import { announceItems, announceVanish, EVENT_TYPE_HEADER, eventTypeOf } from './events.ts';
import { deleteContentItem, findContentItem, prepareItem, putContentItem, putContentItems, type DeletedItem, type PreparedItem, type RouteChanges } from './store.ts';

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

/**
 * The preference (RFC 7240) with which a client asks for the owning item at a
 * path that is another item's route, instead of a 303 to it: one round trip
 * for a guide's part. Without it, or from a store that predates it, the 303
 * still works.
 */
const FOLLOW_ROUTES = 'follow-routes';

function prefersFollowRoutes(prefer: string | string[] | undefined): boolean {
  return [prefer ?? []].flat().some((p) => p.split(',').some((token) => token.split(';')[0]!.trim().toLowerCase() === FOLLOW_ROUTES));
}

/** The opaque tags of an If-None-Match, weak or strong alike (a GET compares weakly). */
function entityTags(header: string | undefined): string[] {
  if (!header) return [];
  return [...header.matchAll(/(?:W\/)?"([^"]*)"/g)].map((m) => m[1]!);
}

/** The most items one PUT /bulk/content takes; a fan-out batch is a few hundred. */
export const MAX_BULK_ITEMS = 500;

const badPath = () => new ApiError(400, 'bad_request', 'the path is malformed: a bad percent-escape, or a . or .. segment');

/** The canonical base path a PUT or DELETE under /content names, with the raw one it came from. */
function basePathOf(request: FastifyRequest): { raw: string; basePath: string } {
  const raw = rawPathAfter(request, '/content');
  const basePath = raw === undefined ? undefined : canonicalPath(raw);
  if (raw === undefined || basePath === undefined) throw badPath();
  return { raw, basePath };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why a bulk item's base_path is refused: it must be a valid route path, written as a single PUT's URL path is stored. */
function bulkBasePathErrors(basePath: unknown): string[] {
  if (basePath === undefined) return ['is required'];
  if (typeof basePath !== 'string') return ['must be string'];
  const problems = incomingPathErrors(basePath);
  if (problems.length) return problems;
  const canonical = canonicalPath(basePath);
  if (canonical === undefined) return ['must not contain . or .. segments'];
  return canonical === basePath ? [] : [`must be in canonical form: ${canonical}`];
}

/** One bulk item checked as a single PUT checks its URL path and body, the base_path coming from the item. */
function checkBulkItem(body: unknown): CheckedPayload {
  if (!isObject(body)) return checkContentPayload(body, '/');
  const pathProblems = bulkBasePathErrors(body.base_path);
  if (!pathProblems.length) return checkContentPayload(body, body.base_path as string);
  const checked = checkContentPayload(body, '/');
  return { ok: false, fields: { ...(checked.ok ? {} : checked.fields), base_path: pathProblems } };
}

/** The items of a PUT /bulk/content body, checked and prepared; a 422 naming `items.<index>.<field>` if any is invalid. */
function checkBulkBody(body: unknown, updatedAt: Date): { items: PreparedItem[]; unroutable: string[][] } {
  if (body === undefined || body === null) throw new ApiError(400, 'malformed_json', 'the body must be {"items": [content items]}');
  if (!isObject(body) || !Array.isArray(body.items)) {
    throw new ApiError(422, 'invalid_request', 'the body must be {"items": [content items]}', { items: ['must be an array of content items'] });
  }
  const extra = Object.keys(body).filter((k) => k !== 'items');
  if (extra.length) throw new ApiError(422, 'invalid_request', 'the body has unknown fields', Object.fromEntries(extra.map((k) => [k, ['is not a known field']])));
  if (body.items.length > MAX_BULK_ITEMS) {
    throw new ApiError(422, 'too_many_items', `at most ${MAX_BULK_ITEMS} items per request`, { items: [`must have at most ${MAX_BULK_ITEMS} items`] });
  }
  const fields: FieldErrors = {};
  const items: PreparedItem[] = [];
  const unroutable: string[][] = [];
  const firstAt = new Map<string, number>();
  body.items.forEach((raw: unknown, i) => {
    const checked = checkBulkItem(raw);
    if (!checked.ok) {
      for (const [field, problems] of Object.entries(checked.fields)) fields[field === '(body)' ? `items.${i}` : `items.${i}.${field}`] = problems;
      return;
    }
    const { payload, registration } = checked;
    const first = firstAt.get(payload.base_path);
    if (first !== undefined) fields[`items.${i}.base_path`] = [`is also the base_path of items.${first}`];
    else firstAt.set(payload.base_path, i);
    items.push(prepareItem(payload, registration.routes.map((r) => r.record), updatedAt));
    unroutable.push(registration.unroutable);
  });
  const invalid = new Set(Object.keys(fields).map((f) => f.split('.')[1])).size;
  if (invalid) throw new ApiError(422, 'invalid_content_item', `${invalid} of the ${body.items.length} content items are invalid`, fields);
  return { items, unroutable };
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
  /** On the live store, announces each item a write stores, as the kind of change the request's header says. */
  const announcer = (request: FastifyRequest) => {
    if (!opts.events) return undefined;
    const eventType = eventTypeOf(request.headers[EVENT_TYPE_HEADER]);
    return (tx: Queryable, written: PreparedItem[]) => announceItems(tx, schema, written, eventType);
  };

  const show = (prefix: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('access-control-allow-origin', '*');
    const raw = rawPathAfter(request, prefix);
    const path = raw === undefined ? undefined : canonicalPath(raw);
    if (path === undefined) throw badPath();
    const followRoute = prefersFollowRoutes(request.headers.prefer);
    const found = await findContentItem(db, stack, path, { followRoute, ifNoneMatch: entityTags(request.headers['if-none-match']) });
    // Set on a 404 too, so that a miss is cached only as long as a hit would be.
    reply.header('cache-control', cacheControl(stack, ttl, found?.maxCacheTime ?? null));
    if (!found) throw new ApiError(404, 'not_found', `no content item at ${path}`);
    if (found.kind === 'route') return reply.code(303).header('vary', 'prefer').header('location', `${prefix}${found.basePath}`).send();
    if (found.basePath !== path) {
      // Answered for its owner: say whose item this is, and that the answer at this path depends on Prefer.
      reply.header('vary', 'prefer').header('preference-applied', FOLLOW_ROUTES).header('content-location', `${prefix}${found.basePath}`);
    }
    // Preconditions apply to a 200 only (RFC 9110 13.2.1): a gone item is answered whole, without a validator.
    if (!found.gone) reply.header('etag', `"${found.etag}"`);
    if (found.kind === 'unchanged') return reply.code(304).send();
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
    const result = await putContentItem(db, stack, item, announcer(request));
    if (result.outcome === 'stale') {
      request.log.info({ base_path: basePath, payload_version: payload.payload_version, stored: result.storedVersion }, 'stale payload ignored');
      throw new ApiError(409, 'stale_payload_version', `payload_version ${payload.payload_version} is not newer than the stored ${result.storedVersion}`);
    }
    const { routes } = result;
    request.log.info(
      { base_path: basePath, payload_version: payload.payload_version, outcome: result.outcome, routes_added: routes.added, routes_changed: routes.changed, routes_removed: routes.removed },
      'content item written',
    );
    logWarnings(request, basePath, routes, registration.unroutable);
    return reply.code(result.outcome === 'created' ? 201 : 200).send({});
  };

  const putBulk = async (request: FastifyRequest, reply: FastifyReply) => {
    const { items, unroutable } = checkBulkBody(request.body, clock());
    const results = await putContentItems(db, stack, items, announcer(request));
    const counts = { created: 0, replaced: 0, stale: 0 };
    results.forEach((result, i) => {
      counts[result.outcome]++;
      if (result.outcome !== 'stale') logWarnings(request, items[i]!.payload.base_path, result.routes, unroutable[i]!);
    });
    request.log.info({ items: items.length, ...counts }, 'content items written in bulk');
    return reply.code(200).send({ results: results.map((r, i) => ({ base_path: items[i]!.payload.base_path, outcome: r.outcome })) });
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
  app.put('/bulk/content', write, putBulk);
  return api;
}

/** What an operator should hear about a written item: routes it took from others, or that the routers will not serve. */
function logWarnings(request: FastifyRequest, basePath: string, routes: RouteChanges, unroutable: string[]): void {
  if (unroutable.length) request.log.warn({ base_path: basePath, reasons: unroutable }, 'content item stored but not routable');
  for (const t of routes.takenOver) {
    request.log.warn({ base_path: basePath, incoming_path: t.incoming_path, route_type: t.route_type, previous_owner: t.previous_owner }, 'took over a route');
  }
  if (routes.missingBackends.length) {
    request.log.warn({ base_path: basePath, backend_ids: routes.missingBackends }, 'routes to backends the routers do not know; they are skipped until registered');
  }
}
