import type { Authenticate } from '../platform/auth.ts';
import type { Db } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import type { Queue } from '../platform/queue.ts';
import { createDownstreamQueues, downstreamEnqueuer, type RetryPolicy } from './jobs.ts';
import { createPublishingApiServer } from './server.ts';
import { loadSchemas, type SchemaRegistry } from './validation/schemas.ts';

export interface PublishingApiDeps {
  db: Db;
  log: Logger;
  authenticate: Authenticate;
  /** The job queue the content-store updates travel on (started by the caller; `publishing-worker` works it). */
  queue: Queue;
  retry?: RetryPolicy;
  schemas?: SchemaRegistry;
  now?: () => Date;
  /** The public site's origin, for the web_url of expanded links. */
  origin?: string;
}

export interface PublishingApiService {
  readonly app: ReturnType<typeof createPublishingApiServer>['app'];
  start(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

/** The Publishing API, built from injected collaborators. Content-store writes leave it as jobs. */
export function createPublishingApi(deps: PublishingApiDeps): PublishingApiService {
  const log = deps.log.child({ service: 'publishing-api' });
  const { app } = createPublishingApiServer({ ...deps, log, schemas: deps.schemas ?? loadSchemas(), enqueue: downstreamEnqueuer(deps.queue) });
  return {
    app,
    async start(port, host) {
      await createDownstreamQueues(deps.queue, deps.retry);
      await app.listen({ port, host });
      const address = app.server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      log.info({ port: bound }, 'publishing-api listening');
      return bound;
    },
    stop: () => app.close(),
  };
}
