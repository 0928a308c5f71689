import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../platform/db/index.ts';
import { readCookie } from '../platform/sso/cookies.ts';
import { SsoUnavailableError, type Sso } from '../platform/sso/client.ts';
import type { DraftContent } from './content-access.ts';
import type { Identity } from './identity.ts';
import type { PreviewClaims, PreviewTokens } from './preview-tokens.ts';
import { revokedBefore } from './revocations.ts';

/** The permission a signon user needs for `draft-origin` to see the whole draft stack. */
export const SIGNIN = 'signin';
/** The cookie a preview link's token is kept in after its first visit. */
export const PREVIEW_COOKIE = 'portico_preview_token';
/** Paths the draft frontend serves its CSS, scripts and images from, which a preview page needs. */
const ASSETS_PREFIX = '/assets/';

export type Decision =
  | { kind: 'pass'; identity: Identity }
  /** A valid token in the query: keep it in a cookie and send the browser back without it, so it stays out of logs and Referer. */
  | { kind: 'keep-token'; token: string; maxAgeSeconds: number; location: string }
  /** Signed in, but without `signin` for this app. */
  | { kind: 'forbidden' }
  | { kind: 'unauthenticated'; returnTo: string }
  | { kind: 'unavailable'; reason: string };

export interface AccessDeps {
  sso: Sso;
  tokens: PreviewTokens;
  content: DraftContent;
  db: Queryable;
  now: () => number;
}

/** The target's path and query with every `token` parameter taken out, the rest left byte for byte. */
export function withoutToken(path: string, query: string): string {
  const kept = query.split('&').filter((p) => p !== '' && p !== 'token' && !p.startsWith('token='));
  return kept.length ? `${path}?${kept.join('&')}` : path;
}

function queryToken(query: string): string | undefined {
  for (const p of query.split('&')) {
    if (p.startsWith('token=')) {
      try {
        return decodeURIComponent(p.slice(6));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Who may see what on the draft stack:
 * - a signon user with `signin` for this app sees everything;
 * - a preview token (signed by this proxy, unexpired, not revoked) opens the
 *   one document whose auth_bypass_ids name it, for reading, and the
 *   frontend's assets that page needs;
 * - anyone else is sent to sign in.
 */
export async function decide(deps: AccessDeps, req: IncomingMessage, path: string, query: string, requestId: string): Promise<Decision> {
  let user: Awaited<ReturnType<Sso['currentUser']>> = null;
  let signonDown: string | undefined;
  try {
    user = await deps.sso.currentUser(req);
  } catch (err) {
    if (!(err instanceof SsoUnavailableError)) throw err;
    signonDown = err.message;
  }

  const fromQuery = queryToken(query);
  if (fromQuery !== undefined) {
    const claims = await valid(deps, fromQuery);
    if (claims) {
      return { kind: 'keep-token', token: fromQuery, maxAgeSeconds: (claims.expiresAt - deps.now()) / 1000, location: withoutToken(path, query) };
    }
  }
  const cookieToken = readCookie(req.headers.cookie, PREVIEW_COOKIE);
  const claims = cookieToken ? await valid(deps, cookieToken) : undefined;

  if (user?.permissions.includes(SIGNIN)) {
    return { kind: 'pass', identity: { userId: user.uid, organisation: user.organisation_slug, authBypassId: claims?.sub } };
  }
  if (claims && (req.method === 'GET' || req.method === 'HEAD')) {
    const item = await deps.content.itemFor(path, requestId);
    if (item.kind === 'unavailable') return { kind: 'unavailable', reason: item.reason };
    // An asset path no document owns is the frontend's; one a document owns is that document's, like any other.
    const opens = item.kind === 'item' ? item.auth_bypass_ids.includes(claims.sub) : path.startsWith(ASSETS_PREFIX);
    if (opens) return { kind: 'pass', identity: { authBypassId: claims.sub } };
  }
  if (user) return { kind: 'forbidden' };
  if (signonDown) return { kind: 'unavailable', reason: signonDown };
  return { kind: 'unauthenticated', returnTo: withoutToken(path, query) };
}

/** A token's claims when it is ours, unexpired and issued after any revocation of its document (the same millisecond counts as before). */
async function valid(deps: AccessDeps, token: string): Promise<PreviewClaims | undefined> {
  const claims = await deps.tokens.verify(token);
  if (!claims) return undefined;
  const before = await revokedBefore(deps.db, claims.sub);
  return before !== undefined && claims.issuedAt <= before ? undefined : claims;
}
