import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Logger } from '../log.ts';
import { readCookie, serializeCookie } from './cookies.ts';
import { memorySessionStore, type SessionStore } from './session-store.ts';
import { fetchUserInfo, type SsoUser, type UserInfo } from './user-info.ts';

export type { SsoUser } from './user-info.ts';

/** Where every app answers the sign-in flow; signon has `<app>/auth/callback` registered as the redirect URI. */
export const AUTH_PATHS = { login: '/auth/login', callback: '/auth/callback', logout: '/auth/logout' } as const;

/** Signon's contract: an app asks again at least this often, so a suspension or revocation bites within a minute. */
export const RECHECK_MS = 60_000;

export interface SsoOptions {
  signonUrl: string;
  /** The app's slug at signon, e.g. `draft-origin`. */
  clientId: string;
  clientSecret: string;
  /** The app's public origin, e.g. `http://127.0.0.1:8081`. */
  appUrl: string;
  sessions?: SessionStore;
  log: Logger;
  now?: () => number;
  /** How long a signed-in session lasts at most, whatever its activity (default 20 hours, as GOV.UK's apps). */
  sessionTtlMs?: number;
}

/** What an app sends back for a step of the sign-in flow, whatever its web framework. */
export interface SsoAnswer {
  status: number;
  location?: string;
  setCookie: string[];
  /** A short plain-text explanation, for the refusals. */
  body?: string;
}

/** Signon cannot be reached to check who someone is: the app should answer 503, not sign them out. */
export class SsoUnavailableError extends Error {
  constructor(reason: string) {
    super(`signon is unavailable: ${reason}`);
    this.name = 'SsoUnavailableError';
  }
}

/** Anything that carries request headers: node:http's IncomingMessage and Fastify's request both do. */
export interface HasCookies {
  headers: { cookie?: string | string[] | undefined };
}

export interface Sso {
  /** Cookies this client sets, which a proxy keeps from the apps behind it. */
  readonly cookieNames: readonly string[];
  /** Starts a sign-in that comes back to `returnTo` (a path on this app). */
  login(returnTo: string): Promise<SsoAnswer>;
  /** Finishes it: `url` is the callback request's URL, path and query. */
  callback(url: string, req: HasCookies): Promise<SsoAnswer>;
  logout(req: HasCookies): Promise<SsoAnswer>;
  /** The signed-in user, checked with signon at most RECHECK_MS ago; null when signed out, suspended or revoked. Throws SsoUnavailableError. */
  currentUser(req: HasCookies): Promise<SsoUser | null>;
  /** Who holds a signon bearer token (an API user, or an app acting for its user), cached RECHECK_MS. Throws SsoUnavailableError. */
  bearerUser(token: string): Promise<SsoUser | null>;
  /** The signed-in user's signon access token, for calls this app makes on their behalf; undefined when signed out. */
  accessToken(req: HasCookies): Promise<string | undefined>;
}

interface Session {
  user: SsoUser;
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  checkedAt: number;
  expiresAt: number;
}

interface PendingLogin {
  nonce: string;
  verifier: string;
  returnTo: string;
}

const LOGIN_TTL_MS = 10 * 60_000;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const MAX_BEARER_CACHE = 10_000;

/** Only a path on this app: `//evil.example` or `/\evil.example` would send the browser elsewhere. */
export function safeReturnTo(path: string | null | undefined): string {
  if (!path || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return '/';
  return /[\r\n]/.test(path) ? '/' : path;
}

function refuse(status: number, body: string, setCookie: string[] = []): SsoAnswer {
  return { status, body, setCookie };
}

/**
 * The OpenID Connect client every Portico app signs people in with:
 * authorization code with PKCE, state and nonce; a server-side session keyed
 * by a random id in an HttpOnly, SameSite=Lax cookie; the user re-read from
 * signon's `/user.json` whenever the copy is older than a minute.
 */
export function createSso(opts: SsoOptions): Sso {
  const now = opts.now ?? Date.now;
  const sessions = opts.sessions ?? memorySessionStore({ now });
  const sessionTtlMs = opts.sessionTtlMs ?? 20 * 3_600_000;
  const appUrl = opts.appUrl.replace(/\/$/, '');
  const secure = appUrl.startsWith('https:');
  const sessionCookie = `portico_${opts.clientId.replace(/[^A-Za-z0-9]/g, '_')}_session`;
  const stateCookie = `${sessionCookie}_state`;
  const redirectUri = appUrl + AUTH_PATHS.callback;
  const log = opts.log.child({ component: 'sso', client_id: opts.clientId });

  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = (): Promise<oidc.Configuration> => {
    discovered ??= oidc
      .discovery(new URL(opts.signonUrl), opts.clientId, undefined, oidc.ClientSecretBasic(opts.clientSecret), {
        // A development signon on plain http is the embedded default.
        execute: opts.signonUrl.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
      })
      .catch((err: Error) => {
        discovered = undefined;
        throw new SsoUnavailableError(err.message);
      });
    return discovered;
  };

  const refreshing = new Map<string, Promise<SsoUser | null>>();
  const bearerCache = new Map<string, { user: SsoUser | null; at: number }>();

  async function userInfo(token: string): Promise<UserInfo> {
    const info = await fetchUserInfo(opts.signonUrl, token);
    if (info.kind === 'unavailable') throw new SsoUnavailableError(info.reason);
    return info;
  }

  /** Re-reads the user; on a rejected access token, one refresh. */
  async function recheck(key: string, session: Session): Promise<SsoUser | null> {
    let info = await userInfo(session.accessToken);
    if (info.kind === 'rejected' && session.refreshToken) {
      try {
        const tokens = await oidc.refreshTokenGrant(await configuration(), session.refreshToken);
        session.accessToken = tokens.access_token;
        session.refreshToken = tokens.refresh_token ?? session.refreshToken;
        info = await userInfo(session.accessToken);
      } catch (err) {
        if (err instanceof SsoUnavailableError) throw err;
        log.info({ err: (err as Error).message }, 'refresh refused; signing out');
      }
    }
    if (info.kind !== 'user' || info.user.disabled) {
      await sessions.delete(key);
      return null;
    }
    const updated: Session = { ...session, user: info.user, checkedAt: now() };
    await sessions.set(key, updated, session.expiresAt - now());
    return info.user;
  }

  const sso: Sso = {
    cookieNames: [sessionCookie, stateCookie],

    async login(returnTo) {
      const config = await configuration();
      const state = oidc.randomState();
      const pending: PendingLogin = { nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(), returnTo: safeReturnTo(returnTo) };
      await sessions.set(`login:${state}`, pending, LOGIN_TTL_MS);
      const location = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid',
        state,
        nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
      }).href;
      // The state is also bound to this browser, so nobody can finish their sign-in in someone else's.
      return { status: 302, location, setCookie: [serializeCookie(stateCookie, state, { maxAge: LOGIN_TTL_MS / 1000, secure })] };
    },

    async callback(url, req) {
      const clearState = serializeCookie(stateCookie, '', { maxAge: 0, secure });
      const current = new URL(url, appUrl);
      const state = current.searchParams.get('state') ?? '';
      const error = current.searchParams.get('error');
      if (error) return refuse(403, `Signon did not sign you in (${error.slice(0, 100)}).\n`, [clearState]);
      if (!state || readCookie(req.headers.cookie, stateCookie) !== state) {
        return refuse(400, 'This sign-in did not start in this browser, or took too long. Try again.\n', [clearState]);
      }
      const pending = (await sessions.get(`login:${state}`)) as PendingLogin | undefined;
      await sessions.delete(`login:${state}`);
      if (!pending) return refuse(400, 'This sign-in has expired. Try again.\n', [clearState]);

      const config = await configuration();
      let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
      try {
        tokens = await oidc.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: pending.verifier,
          expectedState: state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'sign-in callback refused');
        return refuse(400, 'Signing in failed. Try again.\n', [clearState]);
      }
      const info = await userInfo(tokens.access_token);
      if (info.kind !== 'user' || info.user.disabled) return refuse(403, 'Your signon account cannot sign in.\n', [clearState]);

      const id = randomBytes(32).toString('base64url');
      const at = now();
      const session: Session = {
        user: info.user,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        idToken: tokens.id_token,
        checkedAt: at,
        expiresAt: at + sessionTtlMs,
      };
      await sessions.set(`session:${id}`, session, sessionTtlMs);
      log.info({ uid: info.user.uid }, 'signed in');
      return { status: 302, location: pending.returnTo, setCookie: [serializeCookie(sessionCookie, id, { secure }), clearState] };
    },

    async logout(req) {
      const id = readCookie(req.headers.cookie, sessionCookie);
      let idToken: string | undefined;
      if (id && SESSION_ID.test(id)) {
        idToken = ((await sessions.get(`session:${id}`)) as Session | undefined)?.idToken;
        await sessions.delete(`session:${id}`);
      }
      const cleared = [serializeCookie(sessionCookie, '', { maxAge: 0, secure })];
      // Signing out of signon too, when it offers that, so the next visit asks for a password again.
      let location = `${appUrl}/`;
      try {
        const config = await configuration();
        if (config.serverMetadata().end_session_endpoint) {
          location = oidc.buildEndSessionUrl(config, idToken ? { id_token_hint: idToken } : {}).href;
        }
      } catch {
        // Signon is down: this app's session is gone all the same.
      }
      return { status: 302, location, setCookie: cleared };
    },

    async accessToken(req) {
      // Through currentUser, so a suspended user's token is never handed on, and a refreshed one is.
      if (!(await sso.currentUser(req))) return undefined;
      const id = readCookie(req.headers.cookie, sessionCookie)!;
      return ((await sessions.get(`session:${id}`)) as Session | undefined)?.accessToken;
    },

    async currentUser(req) {
      const id = readCookie(req.headers.cookie, sessionCookie);
      if (!id || !SESSION_ID.test(id)) return null;
      const key = `session:${id}`;
      const session = (await sessions.get(key)) as Session | undefined;
      if (!session) return null;
      if (now() - session.checkedAt < RECHECK_MS) return session.user;
      // Requests arriving together after the minute share one look at signon.
      let pending = refreshing.get(key);
      if (!pending) {
        pending = recheck(key, session).finally(() => refreshing.delete(key));
        refreshing.set(key, pending);
      }
      return pending;
    },

    async bearerUser(token) {
      const key = createHash('sha256').update(token).digest('base64url');
      const hit = bearerCache.get(key);
      if (hit && now() - hit.at < RECHECK_MS) return hit.user;
      const info = await userInfo(token);
      const user = info.kind === 'user' && !info.user.disabled ? info.user : null;
      bearerCache.delete(key);
      bearerCache.set(key, { user, at: now() });
      while (bearerCache.size > MAX_BEARER_CACHE) bearerCache.delete(bearerCache.keys().next().value!);
      return user;
    },
  };
  return sso;
}
