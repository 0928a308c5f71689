import type { Queryable } from '../platform/db/index.ts';

export interface LockoutPolicy {
  /** Failed attempts in a row that lock the account. */
  maxAttempts: number;
  /** How long a lock lasts, in milliseconds. */
  lockMs: number;
}

/** When the user's lock ends, if they are locked at `now`. */
export async function lockedUntil(db: Queryable, userId: string, now: Date): Promise<Date | undefined> {
  const { rows } = await db.query<{ locked_until: Date | null }>('SELECT locked_until FROM signon.users WHERE id = $1', [userId]);
  const until = rows[0]?.locked_until ? new Date(rows[0].locked_until) : undefined;
  return until && until > now ? until : undefined;
}

/**
 * Counts a wrong password or code; the attempt that reaches the limit locks
 * the account and starts the count again. One statement, so concurrent
 * guesses cannot slip past the limit between a read and a write.
 */
export async function recordFailure(db: Queryable, userId: string, policy: LockoutPolicy, now: Date): Promise<Date | undefined> {
  const { rows } = await db.query<{ locked_until: Date | null }>(
    `UPDATE signon.users SET
       failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
       locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3::timestamptz ELSE locked_until END
     WHERE id = $1 RETURNING locked_until`,
    [userId, policy.maxAttempts, new Date(now.getTime() + policy.lockMs)],
  );
  const until = rows[0]?.locked_until ? new Date(rows[0].locked_until) : undefined;
  return until && until > now ? until : undefined;
}

export async function recordSuccess(db: Queryable, userId: string): Promise<void> {
  await db.query('UPDATE signon.users SET failed_attempts = 0, locked_until = NULL WHERE id = $1 AND (failed_attempts > 0 OR locked_until IS NOT NULL)', [userId]);
}
