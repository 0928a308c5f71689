import type { Stack } from '../content-store/schema.ts';
import type { Authenticate } from '../platform/auth.ts';
import type { Db } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import type { ContentStoreClient } from './content-store-client.ts';
import { createDownstream } from './downstream.ts';
import { createPublishingApiServer } from './server.ts';
import { loadSchemas, type SchemaRegistry } from './validation/schemas.ts';

export interface PublishingApiDeps {
  db: Db;
  log: Logger;
  authenticate: Authenticate;
  /** How to reach each content store (HTTP in every mode). */
  stores: Record<Stack, ContentStoreClient>;
  schemas?: SchemaRegistry;
  now?: () => Date;
}

export interface PublishingApiService {
  readonly app: ReturnType<typeof createPublishingApiServer>['app'];
  start(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

/** The Publishing API, built from injected collaborators. */
export function createPublishingApi(deps: PublishingApiDeps): PublishingApiService {
  const log = deps.log.child({ service: 'publishing-api' });
  const downstream = createDownstream({ db: deps.db, stores: deps.stores, log });
  const { app } = createPublishingApiServer({ ...deps, log, schemas: deps.schemas ?? loadSchemas(), downstream });
  return {
    app,
    async start(port, host) {
      await app.listen({ port, host });
      const address = app.server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      log.info({ port: bound }, 'publishing-api listening');
      return bound;
    },
    stop: () => app.close(),
  };
}
