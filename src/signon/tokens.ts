import { createHash, randomBytes } from 'node:crypto';
import type { Authenticate, Principal } from '../platform/auth.ts';
import { PERMISSIONS } from '../platform/auth.ts';
import type { Queryable } from '../platform/db/index.ts';

export const KNOWN_PERMISSIONS: readonly string[] = Object.values(PERMISSIONS);

/** What `portico tokens create` grants when no --permissions are given: full Publishing API access. */
export const DEFAULT_PERMISSIONS: readonly string[] = [PERMISSIONS.publishingApiRead, PERMISSIONS.publishingApiWrite];

/** How long a token works unless told otherwise (SIGNON_API_TOKEN_TTL for the CLI). */
export const DEFAULT_TOKEN_TTL_MS = 365 * 24 * 3_600_000;

export interface TokenRow {
  id: string;
  name: string;
  /** The API user the token belongs to. */
  api_user: string;
  /** The application whose permissions /user.json reports for the token, if any. */
  application: string | null;
  permissions: string[];
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

// Tokens carry 256 random bits, so one round of SHA-256 cannot be brute-forced
// and keeps a cache miss on the request path to a single indexed lookup.
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class UnknownPermissionError extends Error {}

/** Every API token starts so, which tells it from an OAuth access token at a glance. */
export const API_TOKEN_PREFIX = 'portico_';

export interface CreateTokenOptions {
  /**
   * The API user to hold the token, made if new. Default: the token's name
   * without an `@host:pid` instance suffix, so the tokens a process makes for
   * itself on each start (`publishing-worker@web-1:4242`) share one API user.
   */
  apiUser?: string;
  /** The application the token acts in, for /user.json. */
  application?: string;
  ttlMs?: number;
  now?: Date;
}

/** The API user named `name`, made on first use; their email is a placeholder no mail reaches. */
async function apiUserId(db: Queryable, name: string): Promise<string> {
  await db.query(
    `INSERT INTO signon.users (name, email, api_user) VALUES ($1, 'api-' || md5($1) || '@api-users.invalid', true)
     ON CONFLICT (name) WHERE api_user DO NOTHING`,
    [name],
  );
  const { rows } = await db.query<{ id: string }>('SELECT id FROM signon.users WHERE api_user AND name = $1', [name]);
  return rows[0]!.id;
}

/** Makes a token and stores its hash; the token itself exists only in the return value. */
export async function createToken(
  db: Queryable,
  name: string,
  permissions: readonly string[] = DEFAULT_PERMISSIONS,
  opts: CreateTokenOptions = {},
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const unknown = permissions.filter((p) => !KNOWN_PERMISSIONS.includes(p));
  if (unknown.length) throw new UnknownPermissionError(`unknown permission ${unknown.map((p) => JSON.stringify(p)).join(', ')}; known: ${KNOWN_PERMISSIONS.join(', ')}`);
  if (opts.application) {
    const app = await db.query('SELECT 1 FROM signon.applications WHERE slug = $1', [opts.application]);
    if (app.rows.length === 0) throw new UnknownPermissionError(`unknown application ${JSON.stringify(opts.application)}`);
  }
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date((opts.now ?? new Date()).getTime() + (opts.ttlMs ?? DEFAULT_TOKEN_TTL_MS));
  const userId = await apiUserId(db, opts.apiUser ?? name.replace(/@[^@\s]+:\d+$/, ''));
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO signon.api_tokens (name, token_hash, permissions, user_id, application, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
    [name, hashToken(token), [...new Set(permissions)], userId, opts.application ?? null, expiresAt],
  );
  return { id: rows[0]!.id, token, expiresAt };
}

const UTC = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

export async function listTokens(db: Queryable): Promise<TokenRow[]> {
  const { rows } = await db.query<TokenRow>(
    `SELECT t.id, t.name, u.name AS api_user, t.application, t.permissions,
            ${UTC('t.created_at')} AS created_at, ${UTC('t.expires_at')} AS expires_at, ${UTC('t.revoked_at')} AS revoked_at
     FROM signon.api_tokens t JOIN signon.users u ON u.id = t.user_id ORDER BY t.created_at, t.name`,
  );
  return rows;
}

/** Resolves to false when no live token has that id. */
export async function revokeToken(db: Queryable, id: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const { rows } = await db.query('UPDATE signon.api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [id]);
  return rows.length > 0;
}

/** A live token's holder: not revoked, not expired at `now`, and its API user not suspended. */
export async function findLiveToken(db: Queryable, token: string, now: Date): Promise<{ id: string; name: string; permissions: string[]; userId: string; application: string | null } | undefined> {
  const { rows } = await db.query<{ id: string; name: string; permissions: string[]; user_id: string; application: string | null }>(
    `SELECT t.id, t.name, t.permissions, t.user_id, t.application FROM signon.api_tokens t JOIN signon.users u ON u.id = t.user_id
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.suspended_at IS NULL`,
    [hashToken(token), now],
  );
  const r = rows[0];
  return r && { id: r.id, name: r.name, permissions: r.permissions, userId: r.user_id, application: r.application };
}

/**
 * Checks bearer tokens against the signon schema. Answers are cached for
 * `cacheMs`, so an API under load does not query once per request; a revoked
 * or expired token, or one whose API user is suspended, therefore stops
 * working within that time.
 */
export function tokenAuthenticator(db: Queryable, { cacheMs = 10_000, now = Date.now }: { cacheMs?: number; now?: () => number } = {}): Authenticate {
  const cache = new Map<string, { principal: Principal | null; expires: number }>();
  return async (token) => {
    const hash = hashToken(token);
    const hit = cache.get(hash);
    if (hit && hit.expires > now()) return hit.principal;
    const row = await findLiveToken(db, token, new Date(now()));
    const principal = row ? { tokenId: row.id, name: row.name, permissions: row.permissions } : null;
    // Bounded: unknown tokens sent at random must not grow the cache without limit.
    if (cache.size >= 10_000) cache.clear();
    cache.set(hash, { principal, expires: now() + cacheMs });
    return principal;
  };
}
