import { createHash } from 'node:crypto';

/** A page as rendered from one version of its content item. */
export interface CachedPage {
  /** The content store's etag for the item it was rendered from. */
  contentEtag: string;
  status: number;
  html: string;
  /** The page's own validator, for browsers and the edge: a digest of the HTML, so a new build's markup changes it too. */
  etag: string;
}

export interface PageCache {
  get(path: string): CachedPage | undefined;
  set(path: string, contentEtag: string, status: number, html: string): CachedPage;
  readonly size: number;
  readonly bytes: number;
}

/**
 * The last render of each recently asked path, least recently used dropped
 * first, within `maxBytes` of HTML. Keyed by path alone: a path has one item
 * at a time, and the entry's contentEtag says which version it was, so the
 * content store's 304 is what makes it reusable; a publish changes the etag,
 * and the next render replaces the entry.
 */
export function createPageCache(maxBytes: number): PageCache {
  const entries = new Map<string, CachedPage>();
  let bytes = 0;
  // UTF-16 length: close enough to what an entry holds for a bound, and free.
  const weigh = (path: string, page: CachedPage) => path.length + page.html.length;
  const drop = (path: string) => {
    const page = entries.get(path);
    if (!page) return;
    entries.delete(path);
    bytes -= weigh(path, page);
  };
  return {
    get(path) {
      const page = entries.get(path);
      if (page) {
        // Map keeps insertion order: re-inserting makes this the most recently used.
        entries.delete(path);
        entries.set(path, page);
      }
      return page;
    },
    set(path, contentEtag, status, html) {
      const page = { contentEtag, status, html, etag: `"${createHash('sha1').update(html).digest('base64url')}"` };
      drop(path);
      const weight = weigh(path, page);
      if (weight > maxBytes) return page;
      entries.set(path, page);
      bytes += weight;
      for (const oldest of entries.keys()) {
        if (bytes <= maxBytes) break;
        drop(oldest);
      }
      return page;
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}

/** Whether a request's If-None-Match names `etag` (weak comparison, as for a GET), or is `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}
