import { request } from 'undici';

/** A signon user as an application sees them: permissions are that application's only. */
export interface SsoUser {
  uid: string;
  name: string;
  email: string;
  organisation_slug: string | null;
  permissions: string[];
  disabled: boolean;
}

/** What `/user.json` said about a bearer token. */
export type UserInfo =
  | { kind: 'user'; user: SsoUser }
  /** Signon does not accept the token (expired, revoked, unknown). */
  | { kind: 'rejected' }
  /** Signon could not be asked, or answered something unreadable. */
  | { kind: 'unavailable'; reason: string };

function parseUser(body: unknown): SsoUser | undefined {
  const u = (body as { user?: Record<string, unknown> } | undefined)?.user;
  if (typeof u !== 'object' || u === null) return undefined;
  if (typeof u.uid !== 'string' || u.uid === '') return undefined;
  if (!Array.isArray(u.permissions) || !u.permissions.every((p) => typeof p === 'string')) return undefined;
  return {
    uid: u.uid,
    name: typeof u.name === 'string' ? u.name : '',
    email: typeof u.email === 'string' ? u.email : '',
    organisation_slug: typeof u.organisation_slug === 'string' ? u.organisation_slug : null,
    permissions: u.permissions as string[],
    // Anything but an explicit false is treated as disabled: a missing flag must not let a suspended user in.
    disabled: u.disabled !== false,
  };
}

/** Asks signon who holds `accessToken`, within `timeoutMs`. Never throws. */
export async function fetchUserInfo(signonUrl: string, accessToken: string, timeoutMs = 5000): Promise<UserInfo> {
  try {
    const res = await request(new URL('/user.json', signonUrl), {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode === 401 || res.statusCode === 403) return { kind: 'rejected' };
    if (res.statusCode !== 200) return { kind: 'unavailable', reason: `signon answered ${res.statusCode}` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { kind: 'unavailable', reason: 'signon answered malformed JSON' };
    }
    const user = parseUser(body);
    return user ? { kind: 'user', user } : { kind: 'unavailable', reason: 'signon answered a user of an unknown shape' };
  } catch (err) {
    return { kind: 'unavailable', reason: (err as Error).message };
  }
}
