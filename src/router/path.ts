/**
 * How a request path becomes trie keys. The raw path is split on `/` first and
 * each segment is then percent-decoded, so `%2F` stays inside its segment and
 * never splits it (docs/decisions/002-encoded-slash.md). Empty segments are
 * dropped, so `/foo/`, `//foo` and `/foo` look up the same route.
 *
 * Returns undefined for a path that must be refused with 400: a malformed
 * escape, or a `.`/`..` segment (which a backend might resolve to a path the
 * router did not route).
 */
export function splitPath(rawPath: string): string[] | undefined {
  const segments: string[] = [];
  let start = 0;
  const end = rawPath.length;
  while (start <= end) {
    let slash = rawPath.indexOf('/', start);
    if (slash === -1) slash = end;
    if (slash > start) {
      let segment = rawPath.slice(start, slash);
      if (segment.includes('%')) {
        try {
          segment = decodeURIComponent(segment);
        } catch {
          return undefined;
        }
      }
      if (segment === '.' || segment === '..') return undefined;
      segments.push(segment);
    }
    start = slash + 1;
  }
  return segments;
}

// The reference's rule: `/`, an upper-case letter, then one or more upper-case
// letters, digits or ASCII non-word characters.
const ALL_CAPS = /^\/[A-Z]+[A-Z\W\d]+$/;

/** True for an ALL-CAPS path, which is redirected to its lower case before lookup. */
export function isAllCaps(decodedPath: string): boolean {
  const c = decodedPath.charCodeAt(1);
  // Almost every path fails this cheap test, so the regex runs rarely.
  if (c < 65 || c > 90) return false;
  return ALL_CAPS.test(decodedPath);
}

/** The path part of a request target, and its query with the `?` (or ''). */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q === -1 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q) };
}
