// Builders for the frontend's tests: content items as the content store
// answers them, and the app over fake collaborators, driven through inject.
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../platform/log.ts';
import { loadAssets } from './assets.ts';
import type { ContentItem, ExpandedLink } from './content-item.ts';
import type { Lookup } from './content-store-client.ts';
import type { SearchQuery, SearchResponse } from './search-api-client.ts';
import { createPageCache } from './page-cache.ts';
import { createFrontendApp, type Stack } from './server.ts';
import { createViews } from './views.ts';

export function contentItem(over: Partial<ContentItem> & Pick<ContentItem, 'base_path' | 'schema_name'>): ContentItem {
  return {
    title: 'A page',
    description: null,
    document_type: over.schema_name,
    locale: 'en',
    phase: 'live',
    details: {},
    links: {},
    ...over,
  };
}

export function link(title: string, basePath: string, over: Partial<ExpandedLink> = {}): ExpandedLink {
  return { content_id: `id-${basePath}`, title, base_path: basePath, links: {}, ...over };
}

export interface TestFrontend {
  app: FastifyInstance;
  assetPath: string;
  /** Every query the fake search API was sent. */
  searches: SearchQuery[];
  get(url: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
}

/**
 * A frontend whose content store holds `items` (by path; a Lookup for a
 * special answer) and whose search API answers `search` (undefined: down).
 */
export function testFrontend(opts: {
  items?: Record<string, ContentItem | Lookup>;
  search?: SearchResponse | ((q: SearchQuery) => SearchResponse | undefined);
  stack?: Stack;
  maxAgeSeconds?: number;
}): TestFrontend {
  const assets = loadAssets();
  const searches: SearchQuery[] = [];
  const stack = opts.stack ?? 'live';
  const { app } = createFrontendApp({
    stack,
    log: silentLogger(),
    assets,
    views: createViews({ assetPath: assets.prefix, preview: stack === 'draft' }),
    maxAgeSeconds: opts.maxAgeSeconds ?? 300,
    pageCache: createPageCache(1024 * 1024),
    contentStore: {
      async lookup(path) {
        const found = opts.items?.[path];
        if (!found) return { kind: 'not_found', maxAge: 300 };
        return 'kind' in found ? found : { kind: 'item', item: found, maxAge: 300 };
      },
    },
    search: {
      async search(q) {
        searches.push(q);
        return typeof opts.search === 'function' ? opts.search(q) : opts.search;
      },
    },
  });
  return {
    app,
    assetPath: assets.prefix,
    searches,
    async get(url) {
      const res = await app.inject({ url });
      return { status: res.statusCode, body: res.body, headers: res.headers };
    },
  };
}

/** How many times a pattern occurs in some HTML. */
export function count(html: string, pattern: RegExp): number {
  return html.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))?.length ?? 0;
}
