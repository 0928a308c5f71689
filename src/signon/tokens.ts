import { createHash, randomBytes } from 'node:crypto';
import type { Authenticate, Principal } from '../platform/auth.ts';
import { PERMISSIONS } from '../platform/auth.ts';
import type { Queryable } from '../platform/db/index.ts';

export const KNOWN_PERMISSIONS: readonly string[] = Object.values(PERMISSIONS);

/** What `portico tokens create` grants when no --permissions are given: full Publishing API access. */
export const DEFAULT_PERMISSIONS: readonly string[] = [PERMISSIONS.publishingApiRead, PERMISSIONS.publishingApiWrite];

export interface TokenRow {
  id: string;
  name: string;
  permissions: string[];
  created_at: string;
  revoked_at: string | null;
}

// Tokens carry 256 random bits, so one round of SHA-256 cannot be brute-forced
// and keeps a cache miss on the request path to a single indexed lookup.
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class UnknownPermissionError extends Error {}

/** Makes a token and stores its hash; the token itself exists only in the return value. */
export async function createToken(db: Queryable, name: string, permissions: readonly string[] = DEFAULT_PERMISSIONS): Promise<{ id: string; token: string }> {
  const unknown = permissions.filter((p) => !KNOWN_PERMISSIONS.includes(p));
  if (unknown.length) throw new UnknownPermissionError(`unknown permission ${unknown.map((p) => JSON.stringify(p)).join(', ')}; known: ${KNOWN_PERMISSIONS.join(', ')}`);
  const token = `portico_${randomBytes(32).toString('base64url')}`;
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO signon.api_tokens (name, token_hash, permissions) VALUES ($1, $2, $3) RETURNING id',
    [name, hashToken(token), [...new Set(permissions)]],
  );
  return { id: rows[0]!.id, token };
}

export async function listTokens(db: Queryable): Promise<TokenRow[]> {
  const { rows } = await db.query<TokenRow>(
    `SELECT id, name, permissions, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
            to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS revoked_at
     FROM signon.api_tokens ORDER BY created_at, name`,
  );
  return rows;
}

/** Resolves to false when no live token has that id. */
export async function revokeToken(db: Queryable, id: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const { rows } = await db.query('UPDATE signon.api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [id]);
  return rows.length > 0;
}

/**
 * Checks bearer tokens against the signon schema. Answers are cached for
 * `cacheMs`, so an API under load does not query once per request; a revoked
 * token therefore stops working within that time.
 */
export function tokenAuthenticator(db: Queryable, { cacheMs = 10_000, now = Date.now }: { cacheMs?: number; now?: () => number } = {}): Authenticate {
  const cache = new Map<string, { principal: Principal | null; expires: number }>();
  return async (token) => {
    const hash = hashToken(token);
    const hit = cache.get(hash);
    if (hit && hit.expires > now()) return hit.principal;
    const { rows } = await db.query<{ id: string; name: string; permissions: string[] }>(
      'SELECT id, name, permissions FROM signon.api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
      [hash],
    );
    const row = rows[0];
    const principal = row ? { tokenId: row.id, name: row.name, permissions: row.permissions } : null;
    // Bounded: unknown tokens sent at random must not grow the cache without limit.
    if (cache.size >= 10_000) cache.clear();
    cache.set(hash, { principal, expires: now() + cacheMs });
    return principal;
  };
}
