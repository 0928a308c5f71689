import type { IncomingMessage } from 'node:http';
import { withoutCookies } from '../platform/sso/cookies.ts';

/** What the draft apps are told about who is looking; set by the proxy alone. */
export const IDENTITY_HEADERS = {
  userId: 'Portico-User-Id',
  organisation: 'Portico-Authenticated-User-Organisation',
  authBypassId: 'Portico-Auth-Bypass-Id',
} as const;

/**
 * Any header in these families that arrives from outside is dropped, not only
 * the exact names above, so a variant a draft app might one day read cannot
 * be forged either.
 */
const RESERVED_PREFIXES = ['portico-user-', 'portico-authenticated-', 'portico-auth-'];

export interface Identity {
  userId?: string;
  organisation?: string | null;
  authBypassId?: string;
}

/** Values come from signon; the upstream head is written as text, so only printable ASCII goes into it. */
const SAFE_VALUE = /^[\x20-\x7e]{1,200}$/;

function reserved(lower: string): boolean {
  return RESERVED_PREFIXES.some((p) => lower.startsWith(p));
}

/**
 * Rewrites the request's raw header list for the upstream: identity headers
 * from outside removed, the proxy's own added, its session and preview cookies
 * kept from the draft apps, and the original Host passed on as
 * X-Forwarded-Host. The upstream client reads `rawHeaders`, nothing else.
 */
export function rewriteForUpstream(req: IncomingMessage, identity: Identity, ownCookies: readonly string[]): void {
  const raw = req.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (reserved(lower) || lower === 'x-forwarded-host') continue;
    if (lower === 'host') {
      out.push('X-Forwarded-Host', raw[i + 1]!);
      continue;
    }
    if (lower === 'cookie') {
      const kept = withoutCookies(raw[i + 1]!, ownCookies);
      if (kept !== undefined) out.push(name, kept);
      continue;
    }
    out.push(name, raw[i + 1]!);
  }
  const add = (name: string, value: string | null | undefined) => {
    if (value && SAFE_VALUE.test(value)) out.push(name, value);
  };
  add(IDENTITY_HEADERS.userId, identity.userId);
  add(IDENTITY_HEADERS.organisation, identity.organisation);
  add(IDENTITY_HEADERS.authBypassId, identity.authBypassId);
  req.rawHeaders = out;
}
