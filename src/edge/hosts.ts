import type { Bouncer } from '../bouncer/types.ts';

export const WWW = 0;
export const APEX = 1;
export const RETIRED = 2;
export const UNKNOWN = 3;
export type HostKind = typeof WWW | typeof APEX | typeof RETIRED | typeof UNKNOWN;

/** `WWW.Example.org:8080` -> `www.example.org`, `[::1]:8080` -> `[::1]`, a trailing dot dropped. */
export function bareHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    h = end === -1 ? h : h.slice(0, end + 1);
  } else {
    const colon = h.indexOf(':');
    if (colon !== -1) h = h.slice(0, colon);
  }
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** Distinct Host values remembered as www or apex; past this many the memo starts again. */
const MEMO_LIMIT = 1024;

/**
 * Which site a Host field names: www (the site), the apex (redirected to
 * www), a retired site's (the bouncer's), or none. The www and apex answers
 * are memoised by the field as sent, so a hit costs one map lookup; retired
 * hosts are asked of the bouncer each time, as its sites change while the
 * edge runs. A request without a Host (HTTP/1.0) is taken as www.
 */
export function hostClassifier(o: { www: readonly string[]; apex: readonly string[]; bouncer: Pick<Bouncer, 'servesHost'> }): (host: string | undefined) => HostKind {
  const www = new Set(o.www.map(bareHost));
  const apex = new Set(o.apex.map(bareHost));
  const memo = new Map<string, HostKind>();
  return (host) => {
    if (host === undefined || host === '') return WWW;
    const known = memo.get(host);
    if (known !== undefined) return known;
    const bare = bareHost(host);
    const kind = www.has(bare) ? WWW : apex.has(bare) ? APEX : undefined;
    if (kind !== undefined) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(host, kind);
      return kind;
    }
    return o.bouncer.servesHost(bare) ? RETIRED : UNKNOWN;
  };
}
