import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../platform/log.ts';
import { loadAssets } from '../platform/ui/assets.ts';
import { httpPreviewLinks, type PreviewLinks } from './preview-links.ts';
import { httpPublishingApi, type PublishingApi } from './publishing-api-client.ts';
import { createPublisherApp, type PublisherAuth } from './server.ts';
import { createViews } from './views.ts';

const STATIC = fileURLToPath(new URL('./static/', import.meta.url));

export interface PublisherDeps {
  log: Logger;
  publishingApiUrl: string;
  publishingApiToken: string;
  /** The draft stack's entry: previews open there, and preview links are made by it. */
  draftOriginUrl: string;
  auth: PublisherAuth;
  /** Tests give fakes; by default the Publishing API and the authenticating proxy over HTTP. */
  api?: PublishingApi;
  previewLinks?: PreviewLinks;
  secureCookies?: boolean;
  shutdownTimeoutMs?: number;
}

export interface PublisherService {
  readonly app: FastifyInstance;
  start(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

/** The editors' app, over the Publishing API. */
export function createPublisher(deps: PublisherDeps): PublisherService {
  const log = deps.log.child({ service: 'publisher' });
  const assets = loadAssets(STATIC);
  const { app } = createPublisherApp({
    log,
    assets,
    views: createViews(assets.prefix),
    api: deps.api ?? httpPublishingApi(deps.publishingApiUrl, deps.publishingApiToken),
    previewLinks: deps.previewLinks ?? httpPreviewLinks(deps.draftOriginUrl),
    draftOriginUrl: deps.draftOriginUrl,
    auth: deps.auth,
    secureCookies: deps.secureCookies,
  });
  const shutdownTimeoutMs = deps.shutdownTimeoutMs ?? 30_000;
  return {
    app,
    async start(port, host) {
      await app.listen({ port, host });
      const bound = (app.server.address() as AddressInfo).port;
      log.info({ port: bound }, 'publisher listening');
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
    },
  };
}
