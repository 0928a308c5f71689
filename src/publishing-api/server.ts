import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PERMISSIONS, type Authenticate } from '../platform/auth.ts';
import { ApiError, createApi, requirePermission, type Api } from '../platform/api.ts';
import type { Db } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import { actingUser } from './acting-user.ts';
import type { CommandContext, CommandResult } from './commands/command.ts';
import { discardDraft } from './commands/discard-draft.ts';
import { getLinkSet, patchLinkSet } from './commands/links.ts';
import { reservePathCommand, unreservePathCommand } from './commands/paths.ts';
import { publish } from './commands/publish.ts';
import { putContent } from './commands/put-content.ts';
import { unpublish } from './commands/unpublish.ts';
import { listEvents, editionHistory, getContent, getExpandedLinks, listContent } from './queries.ts';
import { DEFAULT_ORIGIN } from './expansion/rules.ts';
import type { SchemaRegistry } from './validation/schemas.ts';

export interface PublishingApiServerOptions {
  db: Db;
  log: Logger;
  authenticate: Authenticate;
  schemas: SchemaRegistry;
  /** Queues content-store updates in a command's transaction. */
  enqueue: CommandContext['enqueue'];
  now?: () => Date;
  /** The public site's origin, for the web_url of expanded links. */
  origin?: string;
}

type Params = { content_id: string; '*': string };
type Query = Record<string, string | string[] | undefined>;

function bodyObject(req: FastifyRequest): Record<string, unknown> {
  const body = req.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError(422, 'body_invalid', 'The body must be a JSON object', { '(body)': ['must be an object'] });
  return body as Record<string, unknown>;
}

/** The Publishing API's HTTP surface: every route checks a bearer token, then hands over to a command or a query. */
export function createPublishingApiServer(opts: PublishingApiServerOptions): Api {
  const api = createApi({
    name: 'publishing-api',
    log: opts.log,
    readiness: [{ name: 'database', check: () => opts.db.ping() }],
  });
  const app: FastifyInstance = api.app;
  // onRequest, so that a request without a good token is refused before its body is read.
  const read = { onRequest: requirePermission(opts.authenticate, PERMISSIONS.publishingApiRead) };
  const write = { onRequest: requirePermission(opts.authenticate, PERMISSIONS.publishingApiWrite) };
  const now = opts.now ?? (() => new Date());
  const ctx = (req: FastifyRequest): CommandContext => ({
    db: opts.db,
    now,
    actor: req.principal?.name ?? null,
    user: actingUser(req),
    requestId: req.id,
    enqueue: opts.enqueue,
  });

  /** The command has committed, and its content-store updates are queued with it. */
  const bodyOf = async <T>(result: Promise<CommandResult<T>>) => (await result).body;

  app.put<{ Params: Params }>('/v2/content/:content_id', write, (req) => bodyOf(putContent(ctx(req), opts.schemas, req.params.content_id, req.body)));
  app.get<{ Params: Params; Querystring: Query }>('/v2/content/:content_id', read, (req) => getContent(opts.db, req.params.content_id, req.query));
  app.get<{ Querystring: Query }>('/v2/content', read, (req) => listContent(opts.db, req.query, req.url));
  app.get<{ Params: Params; Querystring: Query }>('/v2/content/:content_id/editions', read, (req) => editionHistory(opts.db, req.params.content_id, req.query));
  app.get<{ Params: Params; Querystring: Query }>('/v2/content/:content_id/events', read, (req) => listEvents(opts.db, req.params.content_id, req.query, req.url));
  app.post<{ Params: Params }>('/v2/content/:content_id/publish', write, (req) => bodyOf(publish(ctx(req), req.params.content_id, bodyObject(req))));
  app.post<{ Params: Params }>('/v2/content/:content_id/unpublish', write, (req) => bodyOf(unpublish(ctx(req), req.params.content_id, bodyObject(req))));
  app.post<{ Params: Params }>('/v2/content/:content_id/discard-draft', write, (req) => bodyOf(discardDraft(ctx(req), req.params.content_id, bodyObject(req))));
  app.get<{ Params: Params; Querystring: Query }>('/v2/expanded-links/:content_id', read, (req) =>
    getExpandedLinks(opts.db, req.params.content_id, req.query, opts.origin ?? DEFAULT_ORIGIN, now()),
  );
  app.get<{ Params: Params }>('/v2/links/:content_id', read, (req) => getLinkSet(opts.db, req.params.content_id));
  app.patch<{ Params: Params }>('/v2/links/:content_id', write, (req) => bodyOf(patchLinkSet(ctx(req), req.params.content_id, bodyObject(req))));
  app.put<{ Params: Params }>('/paths/*', write, (req) => bodyOf(reservePathCommand(ctx(req), `/${req.params['*']}`, bodyObject(req))));
  app.delete<{ Params: Params }>('/paths/*', write, (req) => bodyOf(unreservePathCommand(ctx(req), `/${req.params['*']}`, bodyObject(req))));
  app.get('/v2/schemas', read, async () => Object.fromEntries(opts.schemas.names().map((n) => [n, opts.schemas.get(n)])));
  app.get<{ Params: { name: string } }>('/v2/schemas/:name', read, async (req) => {
    if (!opts.schemas.has(req.params.name)) throw new ApiError(404, 'not_found', `Could not find publisher schema with name: ${req.params.name}`);
    return opts.schemas.get(req.params.name);
  });
  return api;
}
