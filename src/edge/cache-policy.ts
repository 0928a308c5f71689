/** The response header fields the policy reads, lower-cased as Node gives them. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface PolicyDefaults {
  /** Freshness for a cacheable response that states none. */
  defaultTtlMs: number;
  /** How long past freshness a copy may stand in for a failing origin, unless the response says `stale-if-error`. */
  staleIfErrorMs: number;
}

export type Freshness =
  | { store: true; ttlMs: number; staleWhileRevalidateMs: number; staleIfErrorMs: number }
  | { store: false; reason: string };

/** Cacheable with the default TTL when nothing says otherwise (RFC 9110's heuristically cacheable codes this edge sees). */
const DEFAULT_CACHEABLE = new Set([200, 203, 204, 300, 301, 308, 404, 410]);
/** Cacheable only when the response gives itself a lifetime. */
const EXPLICIT_ONLY = new Set([302, 307]);

/**
 * Whether, and for how long, the edge keeps a response from origin, by the
 * CDN rules: `s-maxage` over `max-age` over `Expires`, the default TTL when
 * none; `private`, `no-store`, `no-cache`, a cookie being set or `Vary: *`
 * pass it through uncached, as does a lifetime of zero.
 */
export function freshness(status: number, headers: ResponseHeaders, now: number, defaults: PolicyDefaults): Freshness {
  const explicitOnly = EXPLICIT_ONLY.has(status);
  if (!DEFAULT_CACHEABLE.has(status) && !explicitOnly) return { store: false, reason: `status ${status}` };
  if (headers['set-cookie'] !== undefined) return { store: false, reason: 'set-cookie' };
  const vary = join(headers.vary);
  if (vary !== undefined && vary.split(',').some((v) => v.trim() === '*')) return { store: false, reason: 'vary *' };

  const cc = parseCacheControl(join(headers['cache-control']));
  for (const directive of ['private', 'no-store', 'no-cache']) {
    if (cc.has(directive)) return { store: false, reason: directive };
  }

  let ttlMs = seconds(cc.get('s-maxage')) ?? seconds(cc.get('max-age'));
  if (ttlMs === undefined) {
    const expires = join(headers.expires);
    if (expires !== undefined) {
      const at = Date.parse(expires);
      const date = Date.parse(join(headers.date) ?? '');
      // An Expires that cannot be read means already expired (RFC 9111 5.3).
      ttlMs = Number.isNaN(at) ? 0 : at - (Number.isNaN(date) ? now : date);
    }
  }
  if (ttlMs === undefined) {
    if (explicitOnly) return { store: false, reason: `status ${status} without a lifetime` };
    ttlMs = defaults.defaultTtlMs;
  }
  const age = seconds(join(headers.age));
  if (age !== undefined) ttlMs -= age;
  if (ttlMs <= 0) return { store: false, reason: 'no lifetime left' };

  return {
    store: true,
    ttlMs,
    staleWhileRevalidateMs: seconds(cc.get('stale-while-revalidate')) ?? 0,
    staleIfErrorMs: seconds(cc.get('stale-if-error')) ?? defaults.staleIfErrorMs,
  };
}

/** Directive name (lower case) -> its value (unquoted), `''` for a bare directive. */
export function parseCacheControl(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    let arg = eq === -1 ? '' : part.slice(eq + 1).trim();
    if (arg.length >= 2 && arg.startsWith('"') && arg.endsWith('"')) arg = arg.slice(1, -1);
    // The first occurrence wins, as in most caches.
    if (!out.has(name)) out.set(name, arg);
  }
  return out;
}

/** Delta-seconds as milliseconds; undefined when absent or not a whole number. */
function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Math.min(Number(value), 2_147_483_647) * 1000;
}

function join(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
