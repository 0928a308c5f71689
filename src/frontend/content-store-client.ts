import { parseContentItem, type ContentItem } from './content-item.ts';
import type { Upstream } from './upstream.ts';

/** What the content store holds for a path, in the terms a page needs. */
export type Lookup =
  /** etag: the store's validator for the item, when it gave one. */
  | { kind: 'item'; item: ContentItem; maxAge: number | undefined; etag?: string }
  /** The item is still the one whose etag the caller sent. */
  | { kind: 'unchanged'; maxAge: number | undefined }
  /** The store answered 410: a gone item with nothing to explain (its body, when it has one, is the item). */
  | { kind: 'gone'; item: ContentItem | undefined; maxAge: number | undefined }
  | { kind: 'not_found'; maxAge: number | undefined }
  | { kind: 'bad_path' }
  | { kind: 'unavailable'; reason: string };

export interface LookupOptions {
  requestId?: string;
  /** The etag of the item the caller rendered last for this path: an unchanged item answers `unchanged`. */
  ifNoneMatch?: string;
}

export interface ContentStoreClient {
  lookup(path: string, opts?: LookupOptions): Promise<Lookup>;
}

function maxAgeOf(headers: Record<string, string | string[] | undefined>): number | undefined {
  const m = /max-age=(\d+)/.exec(String(headers['cache-control'] ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** The opaque part of a strong or weak ETag. */
function etagOf(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' ? /^(?:W\/)?"([^"]*)"$/.exec(header)?.[1] : undefined;
}

/**
 * Reads one content store. A path that is another route of an item (a guide's
 * part, say) gives the owning item to render for the requested path: asked
 * for with `Prefer: follow-routes`, the store answers it directly; a store
 * that answers 303 with the owner's address instead is followed.
 */
export function contentStoreClient(baseUrl: string, upstream: Upstream): ContentStoreClient {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async lookup(path, { requestId, ifNoneMatch } = {}) {
      const headers: Record<string, string> = { prefer: 'follow-routes', ...(ifNoneMatch ? { 'if-none-match': `"${ifNoneMatch}"` } : {}) };
      let res = await upstream.get(`${base}/content${path}`, requestId, headers);
      if (res.status === 303 && typeof res.headers.location === 'string') {
        // The store's Location is on its own origin; one hop is all it ever needs.
        res = await upstream.get(new URL(res.headers.location, `${base}/`).href, requestId, headers);
      }
      const maxAge = maxAgeOf(res.headers);
      switch (res.status) {
        case 200: {
          const item = parseContentItem(res.body);
          if (!item) return { kind: 'unavailable', reason: 'the content store answered an item of an unknown shape' };
          const etag = etagOf(res.headers.etag);
          return etag === undefined ? { kind: 'item', item, maxAge } : { kind: 'item', item, maxAge, etag };
        }
        case 304:
          return { kind: 'unchanged', maxAge };
        case 410:
          return { kind: 'gone', item: parseContentItem(res.body), maxAge };
        case 404:
          return { kind: 'not_found', maxAge };
        case 400:
          return { kind: 'bad_path' };
        case 0:
          return { kind: 'unavailable', reason: res.error ?? 'no answer' };
        default:
          return { kind: 'unavailable', reason: `the content store answered ${res.status}` };
      }
    },
  };
}
