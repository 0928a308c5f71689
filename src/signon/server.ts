import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { createApi, type Api } from '../platform/api.ts';
import type { Db } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import type { SessionStore } from '../platform/sessions/index.ts';
import { assetHandler } from '../platform/ui/assets.ts';
import type { LockoutPolicy } from './lockout.ts';
import { createOidcProvider, OIDC_PATH_PREFIXES, type OidcClient } from './oidc/provider.ts';
import { SESSION_COOKIE, signInSessions } from './sign-in-sessions.ts';
import { userJsonRoute } from './user-json.ts';
import { createViews } from './views.ts';
import { message, type Web } from './web/context.ts';
import { adminRoutes } from './web/admin.ts';
import { interactionRoutes } from './web/interaction.ts';
import { setPasswordRoutes } from './web/set-password.ts';
import { signInRoutes } from './web/sign-in.ts';

export interface SignonAppOptions {
  db: Db;
  store: SessionStore;
  log: Logger;
  /** Signon's public origin, the OpenID Connect issuer. */
  issuer: string;
  clients: OidcClient[];
  appUrls: Record<string, string>;
  /** Signs the cookies (at least 32 bytes). */
  sessionSecret: string;
  sessionIdleMs: number;
  lockout: LockoutPolicy;
  now?: () => number;
}

export interface SignonApp extends Api {
  provider: Provider;
}

/** Hands the provider's paths to oidc-provider untouched: it reads the request body itself. */
function mountProvider(app: FastifyInstance, provider: Provider): void {
  const handle = provider.callback();
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    for (const prefix of OIDC_PATH_PREFIXES) {
      scope.all(`${prefix}*`, (req, reply) => {
        reply.hijack();
        handle(req.raw, reply.raw);
      });
    }
  });
}

/** Signon: the OpenID Connect provider, `/user.json`, and the pages people sign in with. */
export async function createSignonApp(opts: SignonAppOptions): Promise<SignonApp> {
  const { db, store } = opts;
  const api = createApi({
    name: 'signon',
    log: opts.log,
    readiness: [
      { name: 'database', check: () => db.ping() },
      { name: 'sessions', check: () => store.ping() },
    ],
  });
  const { app } = api;
  const provider = await createOidcProvider({ issuer: opts.issuer, db, store, clients: opts.clients, cookieKeys: [opts.sessionSecret], log: opts.log });
  const sessions = signInSessions(store, opts.sessionIdleMs);
  const views = createViews();
  const web: Web = {
    db,
    issuer: opts.issuer,
    views,
    sessions,
    provider,
    lockout: opts.lockout,
    appUrls: opts.appUrls,
    secureCookies: opts.issuer.startsWith('https:'),
    now: opts.now ?? Date.now,
  };

  // Signing out of an app through the provider ends the signon session too.
  provider.on('end_session.success', (ctx) => {
    const id = ctx.cookies.get(SESSION_COOKIE);
    sessions.destroy(id).catch((err: unknown) => opts.log.warn({ err }, 'could not end the signon session'));
    ctx.cookies.set(SESSION_COOKIE, null, { path: '/' });
  });

  mountProvider(app, provider);
  userJsonRoute(app, db, provider, web.now);
  app.get('/assets/:hash/*', assetHandler(views.assets));

  // The pages answer in HTML, errors included, and take forms guarded by a CSRF token.
  app.register(async (ui) => {
    await ui.register(fastifyCookie, { secret: opts.sessionSecret });
    await ui.register(fastifyFormbody);
    await ui.register(fastifyCsrf, { cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: web.secureCookies, signed: true } });
    ui.setErrorHandler((err: FastifyError, req, reply) => {
      if (err.code?.startsWith('FST_CSRF')) {
        return message(web, reply, 403, 'This form has expired', 'Go back, reload the page and try again.');
      }
      if (err.statusCode && err.statusCode < 500) return message(web, reply, err.statusCode, 'There is a problem with this request', err.message);
      req.log.error({ err }, 'page failed');
      return message(web, reply, 500, 'Sorry, there is a problem with the service', 'Try again later.');
    });
    signInRoutes(ui, web);
    setPasswordRoutes(ui, web);
    interactionRoutes(ui, web);
    adminRoutes(ui, web);
  });

  return { ...api, provider };
}
