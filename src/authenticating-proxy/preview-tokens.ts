import { errors, jwtVerify, SignJWT } from 'jose';

/** Who signs the tokens; a token from anyone else is not ours, whatever its key. */
const ISSUER = 'portico-authenticating-proxy';
/** The claim that names the document, as a publishing app's auth_bypass_ids do. */
const BYPASS_ID = /^[A-Za-z0-9._:-]{1,200}$/;

export interface PreviewClaims {
  /** The document's auth bypass id. */
  sub: string;
  /** When the token was issued, in milliseconds: revocation compares with it. */
  issuedAt: number;
  expiresAt: number;
}

export interface PreviewTokens {
  issue(authBypassId: string, contentId?: string): Promise<{ token: string; expiresAt: Date }>;
  /** The claims of a token this proxy signed that has not expired; undefined for anything else. */
  verify(token: string): Promise<PreviewClaims | undefined>;
}

export function isAuthBypassId(value: unknown): value is string {
  return typeof value === 'string' && BYPASS_ID.test(value);
}

/**
 * Preview tokens: JWTs signed HS256 with the proxy's secret, `sub` the
 * document's auth bypass id. `iat` keeps milliseconds (a JWT NumericDate may
 * be fractional) so a link made straight after a revocation is not caught by it.
 */
export function previewTokens({ secret, ttlSeconds, now = Date.now }: { secret: string; ttlSeconds: number; now?: () => number }): PreviewTokens {
  const key = new TextEncoder().encode(secret);
  return {
    async issue(authBypassId, contentId) {
      const at = now();
      const exp = Math.floor(at / 1000) + ttlSeconds;
      const token = await new SignJWT({ iat: at / 1000, ...(contentId ? { content_id: contentId } : {}) })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setSubject(authBypassId)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER, currentDate: new Date(now()), requiredClaims: ['sub', 'iat', 'exp'] });
        if (!isAuthBypassId(payload.sub)) return undefined;
        return { sub: payload.sub, issuedAt: Math.round(payload.iat! * 1000), expiresAt: payload.exp! * 1000 };
      } catch (err) {
        if (err instanceof errors.JOSEError) return undefined;
        throw err;
      }
    },
  };
}
