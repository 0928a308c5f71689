import type { FastifyReply, FastifyRequest } from 'fastify';
import { createApi, type Api } from '../platform/api.ts';
import type { Logger } from '../platform/log.ts';
import { assetHandler, type Assets } from '../platform/ui/assets.ts';
import type { Page } from './page.ts';
import { pageContentSecurityPolicy } from './csp.ts';
import { matchesIfNoneMatch, type CachedPage, type PageCache } from './page-cache.ts';
import { contentPage, errorPage, type PageDeps } from './pages.ts';
import { parseSearchParams, searchPage } from './search.ts';
import type { Views } from './views.ts';

export type Stack = 'live' | 'draft';

export interface FrontendAppOptions extends PageDeps {
  stack: Stack;
  log: Logger;
  views: Views;
  assets: Assets;
  /** max-age of a live page in seconds; the content store's own max-age for the item can only lower it. */
  maxAgeSeconds: number;
  /** Content pages as last rendered, reused while the content store answers that their item is unchanged. */
  pageCache: PageCache;
}

/**
 * Live pages may be cached by anyone for the configured time (no longer than
 * the content store allows for the item); a failure is never cached, so the
 * edge keeps serving its last good copy; draft pages are never cached at all.
 */
export function pageCacheControl(stack: Stack, status: number, maxAgeSeconds: number, upstreamMaxAge: number | undefined): string {
  if (stack === 'draft') return 'no-cache, private';
  if (status >= 500) return 'no-store';
  return `public, max-age=${upstreamMaxAge === undefined ? maxAgeSeconds : Math.min(maxAgeSeconds, upstreamMaxAge)}`;
}

/** The path of a request as it arrived, without its query. */
function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The live or draft frontend: every content page, the search page and the design system's assets. */
export function createFrontendApp(opts: FrontendAppOptions): Api {
  const { stack, views, assets } = opts;
  // Readiness is the process alone: were it the content store too, its outage would take every frontend out at once, and the error pages with them.
  const api = createApi({ name: `frontend-${stack}`, log: opts.log });
  const { app } = api;
  const contentSecurityPolicy = pageContentSecurityPolicy();

  const headers = (reply: FastifyReply, status: number, upstreamMaxAge: number | undefined) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', pageCacheControl(stack, status, opts.maxAgeSeconds, upstreamMaxAge))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', contentSecurityPolicy);

  const send = (reply: FastifyReply, page: Page, upstreamMaxAge: number | undefined) => headers(reply, page.status, upstreamMaxAge).send(views.render(page));

  /** A content page that has a validator: a browser or the edge that holds this very HTML gets 304. */
  const sendCached = (request: FastifyRequest, reply: FastifyReply, page: CachedPage, upstreamMaxAge: number | undefined) => {
    headers(reply, page.status, upstreamMaxAge).header('etag', page.etag);
    if (page.status === 200 && matchesIfNoneMatch(request.headers['if-none-match'], page.etag)) return reply.code(304).send();
    return reply.send(page.html);
  };

  app.get('/assets/:hash/*', assetHandler(assets));

  // Pages answer in HTML whatever goes wrong, so they live in a scope with their own error handler.
  app.register(async (pages) => {
    pages.setErrorHandler((err, request, reply) => {
      request.log.error({ err }, 'page failed');
      return send(reply, errorPage(500), undefined);
    });

    pages.get('/search', async (request, reply) => {
      const query = new URLSearchParams((request.raw.url ?? '').split('?')[1] ?? '');
      return send(reply, await searchPage(opts.search, parseSearchParams(query), request.id), undefined);
    });

    const show = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = pathOf(request);
      const cached = opts.pageCache.get(path);
      const outcome = await contentPage(opts, path, { requestId: request.id, ifNoneMatch: cached?.contentEtag });
      // The store answers unchanged only to the etag it was sent, which came from `cached`.
      if (outcome.kind === 'unchanged') return sendCached(request, reply, cached!, outcome.maxAge);
      if (outcome.kind === 'redirect') {
        return reply.code(outcome.status).header('location', outcome.location).header('cache-control', pageCacheControl(stack, outcome.status, opts.maxAgeSeconds, undefined)).send();
      }
      if (outcome.page.status === 503) request.log.warn({ path, reason: outcome.reason }, 'content store unavailable');
      if (outcome.etag === undefined) return send(reply, outcome.page, outcome.maxAge);
      return sendCached(request, reply, opts.pageCache.set(path, outcome.etag, outcome.page.status, views.render(outcome.page)), outcome.maxAge);
    };
    pages.get('/', show);
    pages.get('/*', show);
  });

  return api;
}
