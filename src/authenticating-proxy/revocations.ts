import type { Queryable } from '../platform/db/index.ts';

/** Every token for the document issued before `at` stops working; a later revocation only moves the moment on. */
export async function revokeBefore(db: Queryable, authBypassId: string, at: Date): Promise<Date> {
  const { rows } = await db.query<{ revoked_before: Date | string }>(
    `INSERT INTO authenticating_proxy.revocations (auth_bypass_id, revoked_before) VALUES ($1, $2)
     ON CONFLICT (auth_bypass_id) DO UPDATE SET revoked_before = GREATEST(revocations.revoked_before, EXCLUDED.revoked_before)
     RETURNING revoked_before`,
    [authBypassId, at.toISOString()],
  );
  return new Date(rows[0]!.revoked_before);
}

/** Milliseconds since the epoch before which the document's tokens are void, or undefined when none were revoked. */
export async function revokedBefore(db: Queryable, authBypassId: string): Promise<number | undefined> {
  const { rows } = await db.query<{ revoked_before: Date | string }>(
    'SELECT revoked_before FROM authenticating_proxy.revocations WHERE auth_bypass_id = $1',
    [authBypassId],
  );
  return rows[0] ? new Date(rows[0].revoked_before).getTime() : undefined;
}
