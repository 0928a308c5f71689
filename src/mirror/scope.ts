/** Where a crawl may go, and how a found URL becomes something to fetch. */
export interface Scope {
  /** Origins whose URLs are this site: the one crawled, and its public one (sitemaps name pages on it). */
  siteOrigins: ReadonlySet<string>;
  /** Path prefixes never fetched: `/search` refuses `/search`, `/search/x` and `/search.json`, not `/searching`. */
  deny: readonly string[];
}

/** The one query parameter kept: pagination leads to pages a crawl would not otherwise find. */
const KEPT_PARAMETER = 'page';

/**
 * The crawl target of a found URL (`/path` or `/path?page=N`): same site
 * only, fragment dropped, every query parameter but `page` dropped, `//`
 * collapsed. Undefined when the URL is off the site or denied.
 */
export function crawlTarget(url: URL, scope: Scope): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!scope.siteOrigins.has(url.origin)) return undefined;
  const path = url.pathname.replace(/\/{2,}/g, '/');
  if (isDenied(path, scope.deny)) return undefined;
  const page = url.searchParams.get(KEPT_PARAMETER);
  return page !== null && page !== '' ? `${path}?${KEPT_PARAMETER}=${encodeURIComponent(page)}` : path;
}

export function isDenied(path: string, deny: readonly string[]): boolean {
  return deny.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}.`));
}
