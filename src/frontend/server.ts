import type { FastifyReply, FastifyRequest } from 'fastify';
import { createApi, type Api } from '../platform/api.ts';
import type { Logger } from '../platform/log.ts';
import type { Assets } from './assets.ts';
import type { Page } from './page.ts';
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
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

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

  const send = (reply: FastifyReply, page: Page, upstreamMaxAge: number | undefined) =>
    reply
      .code(page.status)
      .type('text/html; charset=utf-8')
      .header('cache-control', pageCacheControl(stack, page.status, opts.maxAgeSeconds, upstreamMaxAge))
      .header('x-content-type-options', 'nosniff')
      .send(views.render(page));

  app.get('/assets/:hash/*', async (request, reply) => {
    const { hash, '*': name } = request.params as { hash: string; '*': string };
    const asset = `/assets/${hash}` === assets.prefix ? assets.get(name) : undefined;
    if (!asset) return reply.code(404).header('cache-control', 'public, max-age=60').type('text/plain; charset=utf-8').send('no such asset\n');
    return reply.header('cache-control', IMMUTABLE).header('x-content-type-options', 'nosniff').type(asset.type).send(asset.body);
  });

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
      const outcome = await contentPage(opts, pathOf(request), request.id);
      if (outcome.kind === 'redirect') {
        return reply.code(outcome.status).header('location', outcome.location).header('cache-control', pageCacheControl(stack, outcome.status, opts.maxAgeSeconds, undefined)).send();
      }
      if (outcome.page.status === 503) request.log.warn({ path: pathOf(request) }, 'content store unavailable');
      return send(reply, outcome.page, outcome.maxAge);
    };
    pages.get('/', show);
    pages.get('/*', show);
  });

  return api;
}
