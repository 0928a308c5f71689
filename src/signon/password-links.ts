import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../platform/db/index.ts';

/** How long an invitation's set-password link works. */
export const PASSWORD_LINK_TTL_MS = 7 * 24 * 3_600_000;

// 256 random bits: one SHA-256 round is enough to keep a stolen table useless.
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new one-time token letting the user set their password; only its hash is stored. */
export async function createPasswordLink(db: Queryable, userId: string, now: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query('INSERT INTO signon.password_links (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [hashOf(token), userId, new Date(now.getTime() + PASSWORD_LINK_TTL_MS)]);
  return token;
}

/** The user a live, unused link belongs to. */
export async function passwordLinkUser(db: Queryable, token: string, now: Date): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>(
    'SELECT user_id FROM signon.password_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2',
    [hashOf(token), now],
  );
  return rows[0]?.user_id;
}

/** Spends the link; false when it was spent meanwhile, so two submissions cannot both set a password. */
export async function usePasswordLink(db: Queryable, token: string, now: Date): Promise<boolean> {
  const { rows } = await db.query('UPDATE signon.password_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id', [hashOf(token), now]);
  return rows.length > 0;
}
