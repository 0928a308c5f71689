// The Publishing API and its downstream workers as the bench children run them:
// in the child's process, writing both content stores over HTTP with a token
// made for the run.
import { PERMISSIONS } from '../src/platform/auth.ts';
import type { Db } from '../src/platform/db/index.ts';
import type { Logger } from '../src/platform/log.ts';
import { createQueue } from '../src/platform/queue.ts';
import { httpContentStoreClient } from '../src/publishing-api/content-store-client.ts';
import { createPublishingApi } from '../src/publishing-api/index.ts';
import { startDownstreamWorkers } from '../src/publishing-api/jobs.ts';
import { createToken, tokenAuthenticator } from '../src/signon/tokens.ts';

export interface PublishingServiceOptions {
  db: Db;
  log: Logger;
  authenticate: ReturnType<typeof tokenAuthenticator>;
  host: string;
  port: number;
  /** Base URLs of the live and draft content stores the workers write. */
  storeUrls: { live: string; draft: string };
  /** Whom the workers' content-store token is made for. */
  writerName: string;
}

export async function startPublishingService(o: PublishingServiceOptions) {
  const writer = await createToken(o.db, o.writerName, [PERMISSIONS.contentStoreWrite]);
  const queue = createQueue(o.db, { log: o.log });
  await queue.start();
  const api = createPublishingApi({ db: o.db, log: o.log, authenticate: o.authenticate, queue });
  await api.start(o.port, o.host);
  const workers = await startDownstreamWorkers({
    db: o.db,
    queue,
    log: o.log,
    stores: { live: httpContentStoreClient(o.storeUrls.live, writer.token), draft: httpContentStoreClient(o.storeUrls.draft, writer.token) },
  });
  return { queue, api, workers };
}
