import { Secret, TOTP } from 'otpauth';
import type { Queryable } from '../platform/db/index.ts';

const ISSUER = 'Portico';

function totp(secret: string, label = ''): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
}

/** A new 160-bit secret, base32 as authenticator apps take it. */
export function newOtpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app imports (as a QR code or pasted). */
export function otpUri(secret: string, email: string): string {
  return totp(secret, email).toString();
}

/** The current code, as an authenticator app would show it. */
export function currentOtp(secret: string, now: number): string {
  return totp(secret).generate({ timestamp: now });
}

const PERIOD_MS = 30_000;

/**
 * The 30-second step a code belongs to, if it is the code of the current
 * step or either neighbour (for clock drift between phone and server).
 */
export function otpStep(secret: string, code: string, now: number): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totp(secret).validate({ token, timestamp: now, window: 1 });
  return delta === null ? undefined : Math.floor(now / PERIOD_MS) + delta;
}

/**
 * Accepts a code for the user once: a code seen over someone's shoulder, or
 * replayed from a captured request, is refused within its own 90 seconds.
 * One statement, so two requests racing with the same code cannot both win.
 */
export async function acceptOtp(db: Queryable, userId: string, secret: string, code: string, now: number): Promise<boolean> {
  const step = otpStep(secret, code, now);
  if (step === undefined) return false;
  const { rows } = await db.query(
    'UPDATE signon.users SET otp_last_step = $2 WHERE id = $1 AND (otp_last_step IS NULL OR otp_last_step < $2) RETURNING id',
    [userId, step],
  );
  return rows.length > 0;
}

export async function otpSecretOf(db: Queryable, userId: string): Promise<string | null> {
  const { rows } = await db.query<{ otp_secret: string | null }>('SELECT otp_secret FROM signon.users WHERE id = $1', [userId]);
  return rows[0]?.otp_secret ?? null;
}

export async function setOtpSecret(db: Queryable, userId: string, secret: string | null): Promise<void> {
  await db.query('UPDATE signon.users SET otp_secret = $2 WHERE id = $1', [userId, secret]);
}
