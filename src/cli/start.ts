import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { upsertRoutes } from '../content-store/routes.ts';
import { STACKS, type Stack } from '../content-store/schema.ts';
import type { PortName } from '../platform/config.ts';
import type { Platform } from '../platform/platform.ts';
import { createFrontend } from '../frontend/index.ts';
import { FRONTEND_ROUTES } from '../frontend/routes.ts';
import { createContentStore } from '../content-store/index.ts';
import { PERMISSIONS } from '../platform/auth.ts';
import { httpContentStoreClient } from '../publishing-api/content-store-client.ts';
import { createPublishingApi } from '../publishing-api/index.ts';
import type { ContentStoreClient } from '../publishing-api/content-store-client.ts';
import { createDownstreamQueues, downstreamBacklog, startDownstreamWorkers } from '../publishing-api/jobs.ts';
import { createRouter } from '../router/index.ts';
import { createToken, revokeToken, tokenAuthenticator } from '../signon/tokens.ts';
import { parseRoutesFile } from '../router/routes-file.ts';
import { createSearchApi } from '../search-api/index.ts';
import { SEARCH_BACKEND_ID, SEARCH_ROUTES } from '../search-api/routes.ts';
import { createAuthenticatingProxy } from '../authenticating-proxy/index.ts';
import { generatedPreviewSecret, migrateAuthenticatingProxy } from '../authenticating-proxy/schema.ts';
import { openSessionStore } from '../platform/sessions/index.ts';
import { seedDemoContent } from './seed.ts';
import { createSignon } from '../signon/index.ts';
import { generatedSecret } from '../signon/generated-secrets.ts';
import { createPublisher } from '../publisher/index.ts';
import { ssoAuth } from '../publisher/sso-auth.ts';
import { startEdgeService } from '../edge/service.ts';
import { createSso } from '../platform/sso/client.ts';
import { createMirror, createMirrorReader } from '../mirror/index.ts';
import { createBouncer } from '../bouncer/index.ts';

export interface Running {
  name: string;
  urls: string[];
  stop(): Promise<void>;
}

type Target = (p: Platform) => Promise<Running>;

function routerTarget(stack: 'live' | 'draft'): Target {
  return async ({ db, config, log }) => {
    const router = createRouter({ stack, db, config: config.router, log });
    const { port, adminPort } = await router.start(
      config.ports[`router-${stack}` as PortName],
      config.ports[`router-${stack}-admin` as PortName],
      config.host,
    );
    return {
      name: `router-${stack}`,
      urls: [`http://${config.host}:${port}/`, `http://${config.host}:${adminPort}/healthcheck/ready (admin)`],
      stop: () => router.stop(),
    };
  };
}

/**
 * The frontend for one stack: it reads that stack's content store, and the
 * routers send backend_id `frontend` to it. It registers the paths it serves
 * that no content item owns (its assets) on its stack's router.
 */
function frontendTarget(stack: Stack): Target {
  return async ({ db, config, log }) => {
    await db.transaction((tx) => upsertRoutes(tx, stack, [], [...FRONTEND_ROUTES]));
    const frontend = createFrontend({
      stack,
      log,
      contentStoreUrl: config.frontend.contentStoreUrls[stack],
      searchApiUrl: config.frontend.searchApiUrl,
      maxAgeSeconds: config.frontend.maxAgeSeconds,
      shutdownTimeoutMs: config.router.shutdownTimeoutMs,
    });
    const port = await frontend.start(config.ports[`frontend-${stack}`], config.host);
    return { name: `frontend-${stack}`, urls: [`http://${config.host}:${port}/`], stop: () => frontend.stop() };
  };
}

function contentStoreTarget(stack: 'live' | 'draft'): Target {
  return async (platform) => {
    const { db, config, log } = platform;
    const store = createContentStore({
      stack,
      db,
      log,
      authenticate: tokenAuthenticator(db),
      defaultTtlSeconds: config.publishing.contentStoreTtlSeconds,
      // The live store announces its writes as publishing events.
      bus: stack === 'live' ? await platform.bus() : undefined,
    });
    const port = await store.start(config.ports[`content-store-${stack}` as PortName], config.host);
    return { name: `content-store-${stack}`, urls: [`http://${config.host}:${port}/content/`], stop: () => store.stop() };
  };
}

const publishingApiTarget: Target = async (platform) => {
  const { db, config, log } = platform;
  const api = createPublishingApi({ db, log, authenticate: tokenAuthenticator(db), queue: await platform.queue(), origin: config.publishing.publicOrigin });
  const port = await api.start(config.ports['publishing-api'], config.host);
  return { name: 'publishing-api', urls: [`http://${config.host}:${port}/v2/content`], stop: () => api.stop() };
};

/**
 * The workers write the content stores with a bearer token. Without one
 * configured, the process makes its own and revokes it when it stops.
 */
async function contentStoreClients({ db, config }: Platform): Promise<{ stores: Record<Stack, ContentStoreClient>; release(): Promise<void> }> {
  let token = config.publishing.contentStoreToken;
  let minted: string | undefined;
  if (!token) {
    const made = await createToken(db, `publishing-worker@${hostname()}:${process.pid}`, [PERMISSIONS.contentStoreWrite]);
    token = made.token;
    minted = made.id;
  }
  const { live, draft } = config.publishing.contentStoreUrls;
  return {
    stores: { live: httpContentStoreClient(live, token), draft: httpContentStoreClient(draft, token) },
    release: async () => {
      if (minted) await revokeToken(db, minted);
    },
  };
}

/** Takes content-store updates off the downstream queues; run any number of them. */
const publishingWorkerTarget: Target = async (platform) => {
  const { db, log } = platform;
  const queue = await platform.queue();
  const { stores, release } = await contentStoreClients(platform);
  await createDownstreamQueues(queue);
  const { publicOrigin, workerConcurrency } = platform.config.publishing;
  const workers = await startDownstreamWorkers({
    db,
    queue,
    stores,
    log,
    origin: publicOrigin,
    highConcurrency: workerConcurrency.high,
    lowConcurrency: workerConcurrency.low,
  });
  return {
    name: 'publishing-worker',
    urls: [],
    async stop() {
      await workers.stop();
      await release();
    },
  };
};

/**
 * The search API, consuming publishing events from the process's bus. Each
 * start registers its backend and paths on the live router, as GOV.UK's
 * search-api registers its own routes.
 */
const searchApiTarget: Target = async (platform) => {
  const { db, config, log } = platform;
  const search = createSearchApi({
    db,
    bus: await platform.bus(),
    log,
    queue: config.search.queue,
    publicOrigin: config.publishing.publicOrigin,
    shutdownTimeoutMs: config.router.shutdownTimeoutMs,
  });
  // Registered first: should the start fail, nothing is left running that the caller cannot stop.
  await db.transaction((tx) => upsertRoutes(tx, 'live', [{ backend_id: SEARCH_BACKEND_ID, backend_url: config.search.url }], [...SEARCH_ROUTES]));
  const port = await search.start(config.ports['search-api'], config.host);
  return { name: 'search-api', urls: [`http://${config.host}:${port}/search.json`], stop: () => search.stop() };
};

/**
 * The draft stack's entry (draft-origin). Its preview-token key is
 * PREVIEW_TOKEN_SECRET; unset, one is made once per database and shared by
 * every proxy process on it, as signon does with its own secrets.
 */
const authenticatingProxyTarget: Target = async ({ db, config, log }) => {
  await migrateAuthenticatingProxy(db);
  const settings = config.authenticatingProxy;
  let secret = settings.previewTokenSecret;
  if (!secret) {
    secret = await generatedPreviewSecret(db);
    if (config.databaseUrl) log.info('authenticating-proxy: using the preview-token key kept in the database; set PREVIEW_TOKEN_SECRET to hold it elsewhere');
  }
  // Redis with REDIS_URL, so any proxy process serves any signed-in browser.
  const sessions = await openSessionStore(config.redisUrl, log);
  const proxy = createAuthenticatingProxy({ db, log, config: settings, previewTokenSecret: secret, upstream: config.router, sessions });
  const port = await proxy.start(config.ports['draft-origin'], config.host);
  return {
    name: 'authenticating-proxy',
    urls: [`http://${config.host}:${port}/ (draft-origin)`],
    async stop() {
      await proxy.stop();
      await sessions.close();
    },
  };
};

/** Signon: users, sign-in and the OpenID Connect provider the apps sign people in through. */
const signonTarget: Target = async ({ db, config, log }) => {
  const signon = await createSignon({ db, log, config: config.signon, redisUrl: config.redisUrl });
  const port = await signon.start(config.ports.signon, config.host);
  return { name: 'signon', urls: [`http://${config.host}:${port}/users/sign_in`], stop: () => signon.stop() };
};

/**
 * The editors' app. It calls the Publishing API with PUBLISHER_PUBLISHING_API_TOKEN,
 * or, unset, a token it makes for the process and revokes when it stops; editors
 * sign in through signon as its `publisher` client.
 */
const publisherTarget: Target = async ({ db, config, log }) => {
  const clientSecret = config.signon.clientSecrets.publisher;
  if (!clientSecret) throw new Error('publisher: set SIGNON_CLIENT_SECRETS=publisher=<secret>, the client secret signon knows it by');
  let token = config.publisher.publishingApiToken;
  let minted: string | undefined;
  if (!token) {
    const made = await createToken(db, `publisher@${hostname()}:${process.pid}`, [PERMISSIONS.publishingApiRead, PERMISSIONS.publishingApiWrite]);
    token = made.token;
    minted = made.id;
  }
  const sessions = await openSessionStore(config.redisUrl, log);
  const sso = createSso({ signonUrl: config.signon.url, clientId: 'publisher', clientSecret, appUrl: config.signon.appUrls.publisher!, sessions, log });
  const publisher = createPublisher({
    log,
    publishingApiUrl: config.publisher.publishingApiUrl,
    publishingApiToken: token,
    draftOriginUrl: config.publisher.draftOriginUrl,
    auth: ssoAuth(sso),
    secureCookies: config.signon.appUrls.publisher!.startsWith('https:'),
    shutdownTimeoutMs: config.router.shutdownTimeoutMs,
  });
  const port = await publisher.start(config.ports.publisher, config.host);
  return {
    name: 'publisher',
    urls: [`http://${config.host}:${port}/`],
    async stop() {
      await publisher.stop();
      await sessions.close();
      if (minted) await revokeToken(db, minted);
    },
  };
};

/**
 * Each app's OAuth client secret at signon, unless configured
 * (SIGNON_CLIENT_SECRETS for signon, each app's own variable), is made once
 * per database and kept there, so signon and the apps find the same one in
 * any process started on that database.
 */
async function clientSecrets({ db, config }: Platform): Promise<void> {
  const fromApps: Record<string, string | undefined> = { 'draft-origin': config.authenticatingProxy.clientSecret || undefined };
  for (const slug of ['publisher', 'draft-origin']) {
    config.signon.clientSecrets[slug] ??= fromApps[slug] ?? (await generatedSecret(db, `client-secret:${slug}`, () => randomBytes(32).toString('base64url')));
  }
  config.authenticatingProxy.clientSecret ||= config.signon.clientSecrets['draft-origin']!;
}

/**
 * www: the edge cache in front of the live router, purged by publishing
 * events, failing over to the mirror's copies in the object store, and
 * handing the hosts of retired sites to the bouncer.
 */
const edgeTarget: Target = async (platform) => {
  const mirror = createMirrorReader(await platform.objectStore());
  const bouncer = await createBouncer({ db: platform.db, log: platform.log, allowList: [platform.config.publishing.publicOrigin] });
  try {
    const edge = await startEdgeService(platform, { mirror, bouncer });
    return {
      ...edge,
      async stop() {
        await edge.stop();
        await bouncer.close();
      },
    };
  } catch (err) {
    await bouncer.close();
    throw err;
  }
};

/**
 * The mirror: crawls the live site into the object store, re-crawls what each
 * publishing event changed, and serves the copy for a CDN's failover.
 */
const mirrorTarget: Target = async (platform) => {
  const { config, log } = platform;
  const mirror = createMirror({
    store: await platform.objectStore(),
    bus: await platform.bus(),
    log,
    config: config.mirror,
    siteOrigins: [config.publishing.publicOrigin],
    shutdownTimeoutMs: config.router.shutdownTimeoutMs,
  });
  const port = await mirror.start(config.ports.mirror, config.host);
  return { name: 'mirror', urls: [`http://${config.host}:${port}/index.html (crawling ${config.mirror.origin})`], stop: () => mirror.stop() };
};

/** Every target `portico start --target` accepts, in start order. */
export const TARGETS: Record<string, Target> = {
  // First, so the apps after it can discover the provider as they start.
  signon: signonTarget,
  'frontend-live': frontendTarget('live'),
  'frontend-draft': frontendTarget('draft'),
  // Before the live content store, so the in-process bus has its queue bound before the first event is relayed.
  'search-api': searchApiTarget,
  'content-store-live': contentStoreTarget('live'),
  'content-store-draft': contentStoreTarget('draft'),
  'publishing-api': publishingApiTarget,
  'publishing-worker': publishingWorkerTarget,
  'router-live': routerTarget('live'),
  'router-draft': routerTarget('draft'),
  // After the routers it crawls, before the edge that fails over to it.
  mirror: mirrorTarget,
  'authenticating-proxy': authenticatingProxyTarget,
  publisher: publisherTarget,
  // Last, so origin is up before www opens.
  edge: edgeTarget,
};

const DEMO_ROUTES = fileURLToPath(new URL('../../demo/routes.jsonl', import.meta.url));

/**
 * Gives both stacks demo routes once per database, on its first start, so the
 * site has pages to show. A marker row makes it once: routes an operator later
 * deletes stay deleted.
 */
export async function seedDemoRoutes({ db, config, log }: Platform): Promise<boolean> {
  const parsed = parseRoutesFile(readFileSync(DEMO_ROUTES, 'utf8'));
  if (parsed.errors.length) throw new Error(`demo routes are invalid: ${JSON.stringify(parsed.errors)}`);
  const seeded = await db.transaction(async (tx) => {
    await tx.exec('CREATE TABLE IF NOT EXISTS public.portico_seeds (name text PRIMARY KEY, seeded_at timestamptz NOT NULL DEFAULT now())');
    const first = await tx.query("INSERT INTO public.portico_seeds (name) VALUES ('demo-routes') ON CONFLICT DO NOTHING RETURNING name");
    if (first.rows.length === 0) return false;
    for (const stack of STACKS) {
      const url = `http://${config.host}:${config.ports[`frontend-${stack}` as PortName]}/`;
      await upsertRoutes(tx, stack, [{ backend_id: 'frontend', backend_url: url }], parsed.routes);
    }
    return true;
  });
  if (seeded) log.info({ routes: parsed.routes.length }, 'seeded demo routes');
  return seeded;
}

export async function startTargets(platform: Platform, names: string[]): Promise<Running[]> {
  const running: Running[] = [];
  await clientSecrets(platform);
  try {
    for (const name of names) running.push(await TARGETS[name]!(platform));
  } catch (err) {
    await stopAll(running);
    throw err;
  }
  return running;
}

/** Stops in reverse start order, so routers drain before the apps behind them go. */
export async function stopAll(running: Running[]): Promise<void> {
  for (const r of [...running].reverse()) await r.stop();
}

/**
 * Runs both content stores and the Publishing API in this process on ports the
 * OS picks, with a token made for the occasion, for as long as `fn` runs: how
 * `portico seed` publishes when no platform is running.
 */
export async function withEphemeralPublishing<T>(platform: Platform, fn: (apiUrl: string, token: string) => Promise<T>): Promise<T> {
  const { db, config, log } = platform;
  const seeder = await createToken(db, `portico-seed@${hostname()}:${process.pid}`, [PERMISSIONS.publishingApiRead, PERMISSIONS.publishingApiWrite]);
  const authenticate = tokenAuthenticator(db);
  const queue = await platform.queue();
  const started: { stop(): Promise<void> }[] = [];
  try {
    const urls = {} as Record<Stack, string>;
    for (const stack of STACKS) {
      const store = createContentStore({
        stack,
        db,
        log,
        authenticate,
        defaultTtlSeconds: config.publishing.contentStoreTtlSeconds,
        bus: stack === 'live' ? await platform.bus() : undefined,
      });
      urls[stack] = `http://${config.host}:${await store.start(0, config.host)}`;
      started.push(store);
    }
    const clients = await contentStoreClients({ ...platform, config: { ...config, publishing: { ...config.publishing, contentStoreUrls: urls } } });
    started.push({ stop: clients.release });
    await createDownstreamQueues(queue);
    started.push(await startDownstreamWorkers({ db, queue, stores: clients.stores, log, origin: config.publishing.publicOrigin }));
    const api = createPublishingApi({ db, log, authenticate, queue });
    const port = await api.start(0, config.host);
    started.push(api);
    const result = await fn(`http://${config.host}:${port}`, seeder.token);
    // Done means the content stores have it all, not only the queue.
    while ((await downstreamBacklog(queue)) > 0) await new Promise((r) => setTimeout(r, 50));
    return result;
  } finally {
    for (const s of started.reverse()) await s.stop();
    await revokeToken(db, seeder.id);
  }
}

/**
 * On the first start of a database, publishes the demo documents through the
 * running Publishing API, so the site has pages. A marker row makes it once.
 */
export async function seedDemoContentOnce(platform: Platform, apiUrl: string): Promise<boolean> {
  const { db, log } = platform;
  await db.exec('CREATE TABLE IF NOT EXISTS public.portico_seeds (name text PRIMARY KEY, seeded_at timestamptz NOT NULL DEFAULT now())');
  const done = await db.query("SELECT 1 FROM public.portico_seeds WHERE name = 'demo-content'");
  if (done.rows.length > 0) return false;
  const token = await createToken(db, `portico-start-seed@${hostname()}:${process.pid}`, [PERMISSIONS.publishingApiRead, PERMISSIONS.publishingApiWrite]);
  try {
    const counts = await seedDemoContent(apiUrl, token.token);
    const queue = await platform.queue();
    while ((await downstreamBacklog(queue)) > 0) await new Promise((r) => setTimeout(r, 50));
    await db.query("INSERT INTO public.portico_seeds (name) VALUES ('demo-content') ON CONFLICT DO NOTHING");
    log.info(counts, 'seeded demo content');
    return true;
  } finally {
    await revokeToken(db, token.id);
  }
}
