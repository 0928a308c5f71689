import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../platform/log.ts';
import { loadAssets } from './assets.ts';
import { contentStoreClient } from './content-store-client.ts';
import { searchApiClient } from './search-api-client.ts';
import { createPageCache } from './page-cache.ts';
import { createFrontendApp, type Stack } from './server.ts';
import { createUpstream } from './upstream.ts';
import { createViews } from './views.ts';

export interface FrontendDeps {
  stack: Stack;
  log: Logger;
  /** The content store this frontend reads: the live one for live, the draft one for draft. */
  contentStoreUrl: string;
  searchApiUrl: string;
  /** max-age of live pages, in seconds (default 300). */
  maxAgeSeconds?: number;
  /** How long a page waits for the content store or the search API (default 3 s). */
  upstreamTimeoutMs?: number;
  /** How much rendered HTML the frontend keeps to answer unchanged items from (default 64 MB of characters). */
  pageCacheBytes?: number;
  /** How long stop() lets in-flight requests finish (default 30 s). */
  shutdownTimeoutMs?: number;
}

export interface FrontendService {
  readonly stack: Stack;
  readonly app: FastifyInstance;
  /** `/assets/<hash>`: where this build's assets are served. */
  readonly assetPath: string;
  start(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

/** The live or draft frontend: the same code reading a different content store, with the draft one marked as a preview. */
export function createFrontend(deps: FrontendDeps): FrontendService {
  const { stack } = deps;
  const log = deps.log.child({ service: `frontend-${stack}` });
  const upstream = createUpstream(deps.upstreamTimeoutMs ?? 3000);
  const assets = loadAssets();
  const { app } = createFrontendApp({
    stack,
    log,
    assets,
    views: createViews({ assetPath: assets.prefix, preview: stack === 'draft' }),
    contentStore: contentStoreClient(deps.contentStoreUrl, upstream),
    search: searchApiClient(deps.searchApiUrl, upstream),
    maxAgeSeconds: deps.maxAgeSeconds ?? 300,
    pageCache: createPageCache(deps.pageCacheBytes ?? 64 * 1024 * 1024),
  });
  const shutdownTimeoutMs = deps.shutdownTimeoutMs ?? 30_000;

  return {
    stack,
    app,
    assetPath: assets.prefix,
    async start(port, host) {
      await app.listen({ port, host });
      const bound = (app.server.address() as AddressInfo).port;
      log.info({ port: bound }, 'frontend listening');
      return bound;
    },
    async stop() {
      const timer = setTimeout(() => app.server.closeAllConnections(), shutdownTimeoutMs);
      timer.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
      await upstream.close();
    },
  };
}
