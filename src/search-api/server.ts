import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, createApi, type Api } from '../platform/api.ts';
import type { Db } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import { parseSearchParams } from './params.ts';
import { search } from './search.ts';
import { countListed, listedPage, sitemapIndex, urlSet } from './sitemap.ts';

export interface SearchAppOptions {
  db: Db;
  log: Logger;
  /** The public site's origin, for the URLs in sitemaps. */
  publicOrigin: string;
  /** URLs per sitemap file (the protocol's 50,000 unless a test says otherwise). */
  sitemapPageSize: number;
}

// Results change with every publish: short enough that a page appears soon, long enough to absorb bursts.
const SEARCH_CACHE = 'public, max-age=60';
const SITEMAP_CACHE = 'public, max-age=3600';

const queryString = (request: FastifyRequest) => {
  const url = request.raw.url ?? '';
  const q = url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
};

/** The search API's HTTP surface: `/search.json` and the sitemaps, on the platform's API scaffolding. */
export function createSearchApp(opts: SearchAppOptions): Api {
  const { db, publicOrigin, sitemapPageSize } = opts;
  const api = createApi({ name: 'search-api', log: opts.log, readiness: [{ name: 'database', check: () => db.ping() }] });
  const { app } = api;

  const searchJson = async (request: FastifyRequest, reply: FastifyReply) => {
    // Browsers on other origins may call it, errors included.
    reply.header('access-control-allow-origin', '*');
    const query = parseSearchParams(queryString(request));
    const body = await search(db, query);
    return reply.header('cache-control', SEARCH_CACHE).send(body);
  };
  app.get('/search.json', searchJson);
  app.get('/api/search.json', searchJson);

  const xml = (reply: FastifyReply, body: string) => reply.header('cache-control', SITEMAP_CACHE).type('application/xml; charset=utf-8').send(body);

  app.get('/sitemap.xml', async (_request, reply) => {
    const listed = await countListed(db);
    if (listed <= sitemapPageSize) return xml(reply, urlSet(publicOrigin, await listedPage(db, 1, sitemapPageSize)));
    return xml(reply, sitemapIndex(publicOrigin, Math.ceil(listed / sitemapPageSize)));
  });

  app.get<{ Params: { name: string } }>('/sitemaps/:name', async (request, reply) => {
    const m = /^sitemap_([1-9]\d{0,8})\.xml$/.exec(request.params.name);
    const page = m ? Number(m[1]) : 0;
    const pages = Math.ceil((await countListed(db)) / sitemapPageSize);
    if (page < 1 || page > pages) throw new ApiError(404, 'not_found', `no sitemap ${request.params.name}; there are ${pages}`);
    return xml(reply, urlSet(publicOrigin, await listedPage(db, page, sitemapPageSize)));
  });

  return api;
}
