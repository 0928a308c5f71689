import { resolve } from 'node:path';
import { parseObjectStoreUrl } from './object-store/s3-url.ts';

/** The ports of DESIGN.md's "Default addresses", by entry name. */
export const DEFAULT_PORTS = {
  www: 8080,
  'draft-origin': 8081,
  publisher: 8082,
  signon: 8083,
  'router-live': 8084,
  'router-live-admin': 8184,
  'router-draft': 8085,
  'router-draft-admin': 8185,
  'publishing-api': 8090,
  'content-store-live': 8091,
  'content-store-draft': 8092,
  'frontend-live': 8093,
  'frontend-draft': 8094,
  'search-api': 8095,
  'email-alert-api': 8096,
  fronts: 8097,
  performance: 8098,
  'short-url-manager': 8099,
  'asset-manager': 8100,
  mirror: 8101,
} as const;

export type PortName = keyof typeof DEFAULT_PORTS;

export interface RouterConfig {
  /** Milliseconds to wait for a backend connection. */
  backendConnectTimeoutMs: number;
  /** Milliseconds to wait for a backend's response headers; a slow body after them still streams. */
  backendHeaderTimeoutMs: number;
  /** Milliseconds between periodic reloads, a safety net under LISTEN/NOTIFY. */
  reloadIntervalMs: number;
  /** Milliseconds a draining server waits for in-flight requests on shutdown. */
  shutdownTimeoutMs: number;
  /** Skip TLS certificate checks on https backends. */
  tlsSkipVerify: boolean;
}

export interface PublishingConfig {
  /** Where the Publishing API writes each content store (default: this host's content-store ports). */
  contentStoreUrls: { live: string; draft: string };
  /** The bearer token it writes them with; unset, `portico start` makes one for the process and revokes it on exit. */
  contentStoreToken: string | undefined;
  /** Seconds the live content store lets caches keep an item. */
  contentStoreTtlSeconds: number;
  /** The public site's origin, for the web_url of expanded links (default: the edge on this host). */
  publicOrigin: string;
  /** Jobs a worker process runs at once on downstream_high and on downstream_low. */
  workerConcurrency: { high: number; low: number };
}

export interface SearchConfig {
  /** Where the routers (and other services) reach the search API (default: this host's search-api port). */
  url: string;
  /** The durable queue it reads publishing events from; two sites sharing a broker need two names. */
  queue: string;
}

export interface FrontendConfig {
  /** The content store each frontend reads: the live frontend the live store, the draft one the draft store. */
  contentStoreUrls: { live: string; draft: string };
  /** The search API the search page and the organisation and taxon pages query. */
  searchApiUrl: string;
  /** Seconds a live page may be cached (the content store's own max-age for the item can lower it). */
  maxAgeSeconds: number;
}

export interface AuthenticatingProxyConfig {
  /** The draft router the proxy lets requests through to. */
  upstreamUrl: string;
  /** The proxy's own public address (draft-origin): preview links and the sign-in callback are made on it. */
  publicUrl: string;
  /** The draft content store, asked which document a path belongs to when a preview token is shown. */
  contentStoreUrl: string;
  /** The OpenID Connect provider (signon). */
  signonUrl: string;
  /** The proxy's OAuth client at signon. */
  clientId: string;
  clientSecret: string;
  /** HS256 key for preview tokens; unset, embedded mode makes one and keeps it in the database. */
  previewTokenSecret: string | undefined;
  /** How long a preview link works, in seconds. */
  previewTokenTtlSeconds: number;
}

export interface SignonConfig {
  /** Signon's public origin: the OpenID Connect issuer, where apps send people to sign in. */
  url: string;
  /** OAuth client secrets by application slug (`SIGNON_CLIENT_SECRETS=publisher=…,draft-origin=…`); embedded `npm start` makes any that are missing. */
  clientSecrets: Record<string, string>;
  /** Each application's public origin; its redirect URI is `<origin>/auth/callback` (`SIGNON_APP_URLS=publisher=https://…`). */
  appUrls: Record<string, string>;
  /** Signs signon's cookies; unset, one is made once per database and kept there. */
  sessionSecret: string | undefined;
  /** How long a sign-in session lasts without use, in milliseconds. */
  sessionIdleMs: number;
  /** Wrong passwords or codes in a row that lock an account, and for how long. */
  lockout: { maxAttempts: number; lockMs: number };
  /** How long a new API token works. */
  apiTokenTtlMs: number;
}

export interface PublisherConfig {
  /** The Publishing API the editors' app calls (default: this host's publishing-api port). */
  publishingApiUrl: string;
  /** Its bearer token; unset, `portico start` makes one for the process and revokes it on exit. */
  publishingApiToken: string | undefined;
  /** The draft stack's entry (the authenticating proxy), for previews and shareable preview links. */
  draftOriginUrl: string;
}

export interface MirrorConfig {
  /** The live site the crawler reads (default: the live router on this host). */
  origin: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests started per second at most. */
  ratePerSecond: number;
  /** Path prefixes never crawled. */
  deny: string[];
  /** Milliseconds from one full crawl to the next. */
  crawlIntervalMs: number;
  /** Milliseconds after start before the first crawl of a mirror never crawled. */
  firstCrawlDelayMs: number;
  /** The durable queue it reads publishing events from. */
  queue: string;
}

export interface EdgeConfig {
  /** What the edge caches: the live router on this host unless EDGE_ORIGIN_URL says otherwise. */
  originUrl: string;
  /** What PURGE must carry; unset, one is made once per database and kept there. */
  purgeToken: string | undefined;
  /** Bytes of responses kept in memory, least recently used evicted first. */
  cacheBytes: number;
  /** Freshness of a cacheable response that states none. */
  defaultTtlMs: number;
  /** How long past freshness a copy stands in for a failing origin. */
  staleIfErrorMs: number;
  /** How long a page served from the mirror is kept before origin is tried again (0: not kept). */
  mirrorTtlMs: number;
  /** Hosts that serve the site; by default the loopback names and PORTICO_PUBLIC_ORIGIN's host. */
  wwwHosts: string[];
  /** Hosts redirected (301) to www. */
  apexHosts: string[];
  /** Where the apex redirects: PORTICO_PUBLIC_ORIGIN. */
  wwwOrigin: string;
  /** Other edges or CDNs (base URLs) purged with this one on each publishing event. */
  purgePeers: string[];
}

export interface Config {
  host: string;
  ports: Record<PortName, number>;
  dataDir: string;
  databaseUrl: string | undefined;
  databaseReplicaUrl: string | undefined;
  amqpUrl: string | undefined;
  redisUrl: string | undefined;
  objectStoreUrl: string | undefined;
  smtpUrl: string | undefined;
  logLevel: string;
  router: RouterConfig;
  publishing: PublishingConfig;
  search: SearchConfig;
  frontend: FrontendConfig;
  authenticatingProxy: AuthenticatingProxyConfig;
  publisher: PublisherConfig;
  signon: SignonConfig;
  mirror: MirrorConfig;
  edge: EdgeConfig;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The environment variable that overrides a port, e.g. `PORTICO_PORT_ROUTER_LIVE_ADMIN`. */
export function portVariable(name: PortName): string {
  return `PORTICO_PORT_${name.toUpperCase().replace(/-/g, '_')}`;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `300ms`, `0.3s`, `1m`, `2h`; a bare number is milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!);
}

type Env = Record<string, string | undefined>;

/**
 * Reads the configuration from the environment, with DESIGN.md's defaults, and
 * reports every bad value at once so an operator fixes them in one go.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const port = (name: PortName): number => {
    const variable = portVariable(name);
    const raw = env[variable];
    if (raw === undefined || raw === '') return DEFAULT_PORTS[name];
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      problems.push(`${variable}: must be a port number from 0 to 65535, got ${JSON.stringify(raw)}`);
      return DEFAULT_PORTS[name];
    }
    return n;
  };

  const duration = (variable: string, fallback: number, min = 0): number => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const ms = parseDuration(raw);
    if (ms === undefined || ms < min) {
      problems.push(`${variable}: must be a duration such as 300ms, 1.5s or 1m (at least ${min} ms), got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return ms;
  };

  const url = (variable: string, protocols: string[]): string | undefined => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      problems.push(`${variable}: not a valid URL`);
      return undefined;
    }
    if (!protocols.includes(parsed.protocol)) {
      problems.push(`${variable}: scheme must be one of ${protocols.join(', ')}, got ${parsed.protocol}`);
      return undefined;
    }
    return raw;
  };

  const count = (variable: string, fallback: number): number => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 256) {
      problems.push(`${variable}: must be a whole number from 1 to 256, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  };

  const bool = (variable: string): boolean => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return false;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${variable}: must be true or false, got ${JSON.stringify(raw)}`);
    return false;
  };

  const queueName = (variable: string, fallback: string): string => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    if (!/^[A-Za-z0-9_.:-]{1,200}$/.test(raw)) {
      problems.push(`${variable}: must be 1 to 200 letters, digits or _ . : -, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return raw;
  };

  /** `slug=value,slug=value`, each value checked by `problem`. */
  const slugMap = (variable: string, problem: (value: string) => string | undefined): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const pair of (env[variable] ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = /^([a-z0-9-]+)=(.+)$/.exec(pair);
      const why = m ? problem(m[2]!) : 'each entry is slug=value';
      if (why) problems.push(`${variable}: ${why}, got an entry for ${JSON.stringify(m?.[1] ?? pair.split('=')[0])}`);
      else out[m![1]!] = m![2]!;
    }
    return out;
  };

  const ports = Object.fromEntries(
    (Object.keys(DEFAULT_PORTS) as PortName[]).map((name) => [name, port(name)]),
  ) as Record<PortName, number>;

  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }

  const host = env.PORTICO_HOST || '127.0.0.1';
  const contentStoreUrls = {
    live: url('CONTENT_STORE_LIVE_URL', ['http:', 'https:']) ?? `http://${host}:${ports['content-store-live']}`,
    draft: url('CONTENT_STORE_DRAFT_URL', ['http:', 'https:']) ?? `http://${host}:${ports['content-store-draft']}`,
  };
  const searchApiUrl = url('SEARCH_API_URL', ['http:', 'https:']) ?? `http://${host}:${ports['search-api']}`;
  const previewTokenSecret = env.PREVIEW_TOKEN_SECRET || undefined;
  // HS256 is only as strong as its key: 32 bytes is what RFC 7518 asks for.
  if (previewTokenSecret !== undefined && Buffer.byteLength(previewTokenSecret) < 32) {
    problems.push('PREVIEW_TOKEN_SECRET: must be at least 32 bytes long');
  }
  const authenticatingProxy: AuthenticatingProxyConfig = {
    upstreamUrl: url('AUTHENTICATING_PROXY_UPSTREAM_URL', ['http:', 'https:']) ?? `http://${host}:${ports['router-draft']}`,
    publicUrl: (url('DRAFT_ORIGIN_URL', ['http:', 'https:']) ?? `http://${host}:${ports['draft-origin']}`).replace(/\/$/, ''),
    contentStoreUrl: contentStoreUrls.draft,
    signonUrl: url('SIGNON_URL', ['http:', 'https:']) ?? `http://${host}:${ports.signon}`,
    clientId: env.DRAFT_ORIGIN_OAUTH_CLIENT_ID || 'draft-origin',
    clientSecret: env.DRAFT_ORIGIN_OAUTH_CLIENT_SECRET || '',
    previewTokenSecret,
    previewTokenTtlSeconds: Math.round(duration('PREVIEW_TOKEN_TTL', 7 * 24 * 3_600_000, 60_000) / 1000),
  };

  const signon: SignonConfig = {
    url: (url('SIGNON_URL', ['http:', 'https:']) ?? `http://${host}:${ports.signon}`).replace(/\/$/, ''),
    clientSecrets: slugMap('SIGNON_CLIENT_SECRETS', (v) => (v.length >= 16 ? undefined : 'a client secret must be at least 16 characters')),
    appUrls: {
      publisher: `http://${host}:${ports.publisher}`,
      'draft-origin': authenticatingProxy.publicUrl,
      ...slugMap('SIGNON_APP_URLS', (v) => (/^https?:\/\/[^/]+$/.test(v) ? undefined : 'an app URL is an origin such as https://publisher.example.org')),
    },
    sessionSecret: env.SESSION_SECRET || undefined,
    sessionIdleMs: duration('SIGNON_SESSION_IDLE_TIMEOUT', 30 * 60_000, 60_000),
    lockout: { maxAttempts: count('SIGNON_LOCKOUT_ATTEMPTS', 5), lockMs: duration('SIGNON_LOCKOUT_DURATION', 15 * 60_000, 1000) },
    apiTokenTtlMs: duration('SIGNON_API_TOKEN_TTL', 365 * 24 * 3_600_000, 60_000),
  };
  if (signon.sessionSecret !== undefined && Buffer.byteLength(signon.sessionSecret) < 32) problems.push('SESSION_SECRET: must be at least 32 bytes long');

  const rate = Number(env.MIRROR_RATE || 10);
  if (!(rate > 0 && rate <= 1000)) problems.push(`MIRROR_RATE: must be a number of requests per second above 0 and at most 1000, got ${JSON.stringify(env.MIRROR_RATE)}`);
  const deny = (env.MIRROR_DENY ?? '/search').split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of deny) if (!p.startsWith('/')) problems.push(`MIRROR_DENY: each entry is a path starting with /, got ${JSON.stringify(p)}`);
  // The scheme and syntax are url()'s to report; the bucket, endpoint and credentials are checked here, before anything opens it.
  const objectStoreRaw = env.OBJECT_STORE_URL;
  if (objectStoreRaw && URL.canParse(objectStoreRaw) && ['s3:', 'http:', 'https:'].includes(new URL(objectStoreRaw).protocol)) {
    try {
      parseObjectStoreUrl(objectStoreRaw, env);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }

  const wwwOrigin = (url('PORTICO_PUBLIC_ORIGIN', ['http:', 'https:']) ?? `http://${host}:${ports.www}`).replace(/\/$/, '');
  const hostList = (variable: string): string[] | undefined => {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') return undefined;
    const hosts = raw.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
    for (const h of hosts) if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/.test(h)) problems.push(`${variable}: each entry is a host name without scheme or port, got ${JSON.stringify(h)}`);
    return hosts;
  };
  const edgeBytes = (variable: string, fallback: number): number => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const m = /^(\d+)\s*([kmg]?)i?b?$/i.exec(raw.trim());
    const n = m ? Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase()) : NaN;
    if (!(n >= 1024 * 1024)) {
      problems.push(`${variable}: must be a size of at least 1MB such as 256MB or 2GB, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  };
  const edgeOrigin = url('EDGE_ORIGIN_URL', ['http:', 'https:']);
  if (edgeOrigin !== undefined && !/^https?:\/\/[^/]+\/?$/.test(edgeOrigin)) problems.push('EDGE_ORIGIN_URL: must be an origin such as http://10.0.0.4:8084, without a path');
  const purgePeers = (env.EDGE_PURGE_PEERS ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  for (const peer of purgePeers) if (!/^https?:\/\/[^/]+/.test(peer)) problems.push(`EDGE_PURGE_PEERS: each entry is an http(s) base URL, got ${JSON.stringify(peer)}`);
  const edgePurgeToken = env.EDGE_PURGE_TOKEN || undefined;
  if (edgePurgeToken !== undefined && Buffer.byteLength(edgePurgeToken) < 16) problems.push('EDGE_PURGE_TOKEN: must be at least 16 bytes long');
  const wwwHosts = hostList('EDGE_WWW_HOST') ?? [...new Set(['localhost', '127.0.0.1', '[::1]', host, new URL(wwwOrigin).hostname])];
  const apexHosts = hostList('EDGE_APEX_HOST') ?? [];
  for (const h of apexHosts) if (wwwHosts.includes(h)) problems.push(`EDGE_APEX_HOST: ${h} is also a www host`);
  const edge: EdgeConfig = {
    originUrl: (edgeOrigin ?? `http://${host}:${ports['router-live']}`).replace(/\/$/, ''),
    purgeToken: edgePurgeToken,
    cacheBytes: edgeBytes('EDGE_CACHE_SIZE', 256 * 1024 * 1024),
    defaultTtlMs: duration('EDGE_DEFAULT_TTL', 3_600_000, 1000),
    staleIfErrorMs: duration('EDGE_STALE_IF_ERROR', 24 * 3_600_000, 0),
    mirrorTtlMs: duration('EDGE_MIRROR_TTL', 900_000, 0),
    wwwHosts,
    apexHosts,
    wwwOrigin,
    purgePeers,
  };

  const config: Config = {
    host,
    ports,
    dataDir: resolve(env.PORTICO_DATA_DIR || './data'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databaseReplicaUrl: url('DATABASE_REPLICA_URL', ['postgres:', 'postgresql:']),
    amqpUrl: url('AMQP_URL', ['amqp:', 'amqps:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    objectStoreUrl: url('OBJECT_STORE_URL', ['http:', 'https:', 's3:']),
    smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']),
    logLevel,
    router: {
      backendConnectTimeoutMs: duration('ROUTER_BACKEND_CONNECT_TIMEOUT', 1000, 1),
      backendHeaderTimeoutMs: duration('ROUTER_BACKEND_HEADER_TIMEOUT', 20_000, 1),
      reloadIntervalMs: duration('ROUTER_ROUTE_RELOAD_INTERVAL', 60_000, 100),
      shutdownTimeoutMs: duration('PORTICO_SHUTDOWN_TIMEOUT', 30_000, 0),
      tlsSkipVerify: bool('ROUTER_TLS_SKIP_VERIFY'),
    },
    publishing: {
      contentStoreUrls,
      contentStoreToken: env.CONTENT_STORE_BEARER_TOKEN || undefined,
      contentStoreTtlSeconds: Math.round(duration('CONTENT_STORE_DEFAULT_TTL', 300_000, 1000) / 1000),
      workerConcurrency: { high: count('PUBLISHING_WORKER_HIGH_CONCURRENCY', 2), low: count('PUBLISHING_WORKER_LOW_CONCURRENCY', 2) },
      publicOrigin: (url('PORTICO_PUBLIC_ORIGIN', ['http:', 'https:']) ?? `http://${host}:${ports.www}`).replace(/\/$/, ''),
    },
    search: {
      url: searchApiUrl,
      queue: queueName('SEARCH_API_QUEUE', 'search_api_index'),
    },
    frontend: {
      contentStoreUrls,
      searchApiUrl,
      maxAgeSeconds: Math.round(duration('FRONTEND_MAX_AGE', 300_000, 0) / 1000),
    },
    authenticatingProxy,
    publisher: {
      publishingApiUrl: (url('PUBLISHING_API_URL', ['http:', 'https:']) ?? `http://${host}:${ports['publishing-api']}`).replace(/\/$/, ''),
      publishingApiToken: env.PUBLISHER_PUBLISHING_API_TOKEN || undefined,
      draftOriginUrl: authenticatingProxy.publicUrl,
    },
    signon,
    mirror: {
      origin: (url('MIRROR_ORIGIN', ['http:', 'https:']) ?? `http://${host}:${ports['router-live']}`).replace(/\/$/, ''),
      concurrency: count('MIRROR_CONCURRENCY', 4),
      ratePerSecond: rate > 0 && rate <= 1000 ? rate : 10,
      deny,
      crawlIntervalMs: duration('MIRROR_CRAWL_INTERVAL', 24 * 3_600_000, 60_000),
      firstCrawlDelayMs: duration('MIRROR_FIRST_CRAWL_DELAY', 60_000, 0),
      queue: queueName('MIRROR_QUEUE', 'mirror_recrawl'),
    },
    edge,
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
