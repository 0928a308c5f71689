import { parseContentItem, type ContentItem } from './content-item.ts';
import type { Upstream } from './upstream.ts';

/** What the content store holds for a path, in the terms a page needs. */
export type Lookup =
  | { kind: 'item'; item: ContentItem; maxAge: number | undefined }
  /** The store answered 410: a gone item with nothing to explain (its body, when it has one, is the item). */
  | { kind: 'gone'; item: ContentItem | undefined; maxAge: number | undefined }
  | { kind: 'not_found'; maxAge: number | undefined }
  | { kind: 'bad_path' }
  | { kind: 'unavailable'; reason: string };

export interface ContentStoreClient {
  lookup(path: string, requestId?: string): Promise<Lookup>;
}

function maxAgeOf(headers: Record<string, string | string[] | undefined>): number | undefined {
  const m = /max-age=(\d+)/.exec(String(headers['cache-control'] ?? ''));
  return m ? Number(m[1]) : undefined;
}

/**
 * Reads one content store. A path that is another route of an item (a guide's
 * part, say) is answered 303 with the owning item's address; following it
 * gives the item to render for the requested path.
 */
export function contentStoreClient(baseUrl: string, upstream: Upstream): ContentStoreClient {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async lookup(path, requestId) {
      let res = await upstream.get(`${base}/content${path}`, requestId);
      if (res.status === 303 && typeof res.headers.location === 'string') {
        // The store's Location is on its own origin; one hop is all it ever needs.
        res = await upstream.get(new URL(res.headers.location, `${base}/`).href, requestId);
      }
      const maxAge = maxAgeOf(res.headers);
      switch (res.status) {
        case 200: {
          const item = parseContentItem(res.body);
          return item ? { kind: 'item', item, maxAge } : { kind: 'unavailable', reason: 'the content store answered an item of an unknown shape' };
        }
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
