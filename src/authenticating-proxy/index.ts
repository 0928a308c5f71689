import type { Server } from 'node:http';
import type { AuthenticatingProxyConfig, RouterConfig } from '../platform/config.ts';
import type { Db } from '../platform/db/index.ts';
import { drain, listen } from '../platform/http.ts';
import type { Logger } from '../platform/log.ts';
import { createSso, type Sso } from '../platform/sso/client.ts';
import type { SessionStore } from '../platform/sso/session-store.ts';
import { Upstream } from '../router/proxy.ts';
import { draftContent } from './content-access.ts';
import { previewTokens } from './preview-tokens.ts';
import { createProxyServer } from './server.ts';

export interface AuthenticatingProxyDeps {
  db: Db;
  log: Logger;
  config: AuthenticatingProxyConfig;
  /** The preview-token key (PREVIEW_TOKEN_SECRET, or the generated one). */
  previewTokenSecret: string;
  /** Timeouts towards the draft router, as the routers use towards their backends. */
  upstream: Pick<RouterConfig, 'backendConnectTimeoutMs' | 'backendHeaderTimeoutMs' | 'tlsSkipVerify' | 'shutdownTimeoutMs'>;
  sessions?: SessionStore;
  /** A ready-made client instead of one built from `config` (tests). */
  sso?: Sso;
  now?: () => number;
}

export interface AuthenticatingProxyService {
  readonly server: Server;
  start(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

/** The draft stack's entry (draft-origin, 8081): signon users and preview-link holders through to the draft router. */
export function createAuthenticatingProxy(deps: AuthenticatingProxyDeps): AuthenticatingProxyService {
  const { db, config } = deps;
  const log = deps.log.child({ service: 'authenticating-proxy' });
  const now = deps.now ?? Date.now;
  const sso = deps.sso ?? createSso({
    signonUrl: config.signonUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    appUrl: config.publicUrl,
    sessions: deps.sessions,
    log,
    now,
  });
  const upstream = new Upstream('draft-router', config.upstreamUrl, {
    connectTimeoutMs: deps.upstream.backendConnectTimeoutMs,
    headerTimeoutMs: deps.upstream.backendHeaderTimeoutMs,
    tlsSkipVerify: deps.upstream.tlsSkipVerify,
    observer: {
      response() {},
      failure(_id, kind, err, requestId) {
        log.error({ kind, err: err.message, request_id: requestId }, 'draft router request failed');
      },
    },
  });
  const content = draftContent(config.contentStoreUrl);
  const server = createProxyServer({
    sso,
    tokens: previewTokens({ secret: deps.previewTokenSecret, ttlSeconds: config.previewTokenTtlSeconds, now }),
    content,
    db,
    now,
    publicUrl: config.publicUrl,
    upstream,
    readiness: [{ name: 'database', check: () => db.ping() }],
    log,
  });
  return {
    server,
    async start(port, host) {
      const bound = await listen(server, port, host);
      log.info({ port: bound, upstream: config.upstreamUrl }, 'authenticating proxy listening');
      return bound;
    },
    async stop() {
      await drain(server, deps.upstream.shutdownTimeoutMs);
      await upstream.close();
      await content.close();
    },
  };
}
