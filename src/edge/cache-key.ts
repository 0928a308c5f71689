/**
 * The cache key of a request target, which is also the URL the edge asks
 * origin for: the path as sent, then the query string with `utm_*`
 * (campaign tracking, never read by origin) dropped and the rest sorted, so
 * the same page asked in different ways is one cached object. A target with
 * no query string is its own key, with nothing built.
 */
export function cacheKey(target: string): string {
  const q = target.indexOf('?');
  if (q === -1) return target;
  const path = target.slice(0, q);
  const kept: string[] = [];
  for (const pair of target.slice(q + 1).split('&')) {
    if (pair === '' || pair.startsWith('utm_')) continue;
    kept.push(pair);
  }
  if (kept.length === 0) return path;
  kept.sort(byName);
  return `${path}?${kept.join('&')}`;
}

/** The path of a cache key: what a purge names, covering every query-string variant of it. */
export function pathOf(key: string): string {
  const q = key.indexOf('?');
  return q === -1 ? key : key.slice(0, q);
}

/** By parameter name, then by the whole pair, so repeated names keep a stable order. */
function byName(a: string, b: string): number {
  const an = nameOf(a);
  const bn = nameOf(b);
  if (an !== bn) return an < bn ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function nameOf(pair: string): string {
  const eq = pair.indexOf('=');
  return eq === -1 ? pair : pair.slice(0, eq);
}
