/** Cookie values as a browser sends them, first one winning as RFC 6265 orders them (most specific path first). */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (!text) return undefined;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Cookie header without the named cookies, or undefined when nothing is left. */
export function withoutCookies(header: string, names: readonly string[]): string | undefined {
  const kept = header.split(';').filter((part) => {
    const eq = part.indexOf('=');
    return !names.includes((eq === -1 ? part : part.slice(0, eq)).trim());
  });
  const joined = kept.map((p) => p.trim()).filter(Boolean).join('; ');
  return joined === '' ? undefined : joined;
}

export interface CookieOptions {
  /** Seconds; absent means a browser-session cookie, 0 deletes it. */
  maxAge?: number;
  /** Sent only over HTTPS: set when the app's public address is https. */
  secure: boolean;
}

/** A Set-Cookie value for a cookie scripts cannot read and other sites' forms cannot send. */
export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  let out = `${name}=${value}; Path=/; HttpOnly; SameSite=Lax`;
  if (opts.maxAge !== undefined) out += `; Max-Age=${Math.max(0, Math.floor(opts.maxAge))}`;
  if (opts.secure) out += '; Secure';
  return out;
}
