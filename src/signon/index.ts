import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import type { SignonConfig } from '../platform/config.ts';
import type { Db } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import { openSessionStore, type SessionStore } from '../platform/sessions/index.ts';
import { generatedSecret } from './generated-secrets.ts';
import type { OidcClient } from './oidc/provider.ts';
import { createSignonApp } from './server.ts';

export interface SignonDeps {
  db: Db;
  log: Logger;
  config: SignonConfig;
  /** Sessions are shared through Redis when set (services mode), else held in this process. */
  redisUrl: string | undefined;
  now?: () => number;
}

export interface SignonService {
  readonly app: FastifyInstance;
  readonly provider: Provider;
  start(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

/** An OAuth client for every application with both a secret and a public origin. */
export function oidcClients(config: SignonConfig, log: Logger): OidcClient[] {
  return Object.entries(config.clientSecrets).flatMap(([clientId, clientSecret]) => {
    const appUrl = config.appUrls[clientId];
    if (!appUrl) {
      log.warn({ clientId }, 'a client secret without an app URL (SIGNON_APP_URLS): that application cannot sign people in');
      return [];
    }
    return [{ clientId, clientSecret, appUrl }];
  });
}

export async function createSignon(deps: SignonDeps): Promise<SignonService> {
  const log = deps.log.child({ service: 'signon' });
  const { config } = deps;
  const sessionSecret = config.sessionSecret ?? (await generatedSecret(deps.db, 'session-secret', () => randomBytes(32).toString('base64url')));
  const store: SessionStore = await openSessionStore(deps.redisUrl, log);
  const { app, provider } = await createSignonApp({
    db: deps.db,
    store,
    log,
    issuer: config.url,
    clients: oidcClients(config, log),
    appUrls: config.appUrls,
    sessionSecret,
    sessionIdleMs: config.sessionIdleMs,
    lockout: config.lockout,
    now: deps.now,
  });
  return {
    app,
    provider,
    async start(port, host) {
      await app.listen({ port, host });
      const bound = (app.server.address() as AddressInfo).port;
      log.info({ port: bound }, 'signon listening');
      return bound;
    },
    async stop() {
      await app.close();
      await store.close();
    },
  };
}
