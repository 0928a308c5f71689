// The Publishing API alone on a fresh test database, its content stores
// replaced by a recorder, driven through Fastify's inject (no sockets).
import type { ContentStorePayload } from '../../src/content-store/content-item.ts';
import { PERMISSIONS } from '../../src/platform/auth.ts';
import { openTestDb, type TestDb } from '../../src/platform/db/testing.ts';
import { silentLogger } from '../../src/platform/log.ts';
import { migrateAll } from '../../src/platform/platform.ts';
import type { ContentStoreClient } from '../../src/publishing-api/content-store-client.ts';
import { createPublishingApi, type PublishingApiService } from '../../src/publishing-api/index.ts';
import { downstreamBacklog, startDownstreamWorkers } from '../../src/publishing-api/jobs.ts';
import { createQueue, type Queue } from '../../src/platform/queue.ts';
import { createToken, tokenAuthenticator } from '../../src/signon/tokens.ts';

export interface StoreCall {
  stack: 'live' | 'draft';
  method: 'PUT' | 'DELETE';
  basePath: string;
  payload?: ContentStorePayload;
}

export interface ApiHarness {
  t: TestDb;
  api: PublishingApiService;
  /** Every content store write, in order. */
  calls: StoreCall[];
  queue: Queue;
  token: string;
  readOnlyToken: string;
  /** A request; a write also waits until the content-store jobs it queued have run. */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  /** Rows in the tables a failed write must leave alone. */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

function recorder(stack: 'live' | 'draft', calls: StoreCall[]): ContentStoreClient {
  return {
    async put(basePath, payload) {
      calls.push({ stack, method: 'PUT', basePath, payload });
      return 'written';
    },
    // A batch is recorded as the PUTs it stands for: tests care what each item received, not how it travelled.
    async putMany(payloads) {
      for (const payload of payloads) calls.push({ stack, method: 'PUT', basePath: payload.base_path, payload });
      return payloads.map(() => 'written' as const);
    },
    async delete(basePath) {
      calls.push({ stack, method: 'DELETE', basePath });
      return 'deleted';
    },
  };
}

export async function openApiHarness(opts: { now?: () => Date } = {}): Promise<ApiHarness> {
  const t = await openTestDb();
  await migrateAll(t.db);
  const calls: StoreCall[] = [];
  const log = silentLogger();
  const queue = createQueue(t.db, { log });
  await queue.start();
  const api = createPublishingApi({ db: t.db, log, authenticate: tokenAuthenticator(t.db, { cacheMs: 0 }), queue, now: opts.now });
  await api.start(0, '127.0.0.1');
  const workers = await startDownstreamWorkers({ db: t.db, queue, log, stores: { live: recorder('live', calls), draft: recorder('draft', calls) } });
  const settled = async () => {
    while ((await downstreamBacklog(queue)) > 0) await new Promise((r) => setTimeout(r, 10));
  };
  const { token } = await createToken(t.db, 'editor');
  const { token: readOnlyToken } = await createToken(t.db, 'reader', [PERMISSIONS.publishingApiRead]);
  return {
    t,
    api,
    calls,
    queue,
    token,
    readOnlyToken,
    async call(method, path, body, tok = token) {
      const res = await api.app.inject({
        method: method as 'GET',
        url: path,
        headers: { ...(tok ? { authorization: `Bearer ${tok}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      if (method !== 'GET') await settled();
      let parsed: unknown = res.body;
      try {
        parsed = JSON.parse(res.body);
      } catch {
        // Not JSON: left as text for the assertion to show.
      }
      return { status: res.statusCode, body: parsed };
    },
    async counts() {
      const out: Record<string, number> = {};
      for (const table of ['documents', 'editions', 'events', 'path_reservations', 'link_sets', 'links', 'unpublishings']) {
        const { rows } = await t.db.query<{ n: number | string }>(`SELECT count(*) AS n FROM publishing_api.${table}`);
        out[table] = Number(rows[0]!.n);
      }
      return out;
    },
    async close() {
      await workers.stop();
      await api.stop();
      await queue.stop();
      await t.close();
    },
  };
}
