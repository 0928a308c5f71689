/**
 * How a request path becomes path segments (and `pathKey` below, the key a
 * route table stores and looks it up by). The raw path is split on `/` first and
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

/**
 * The key a path is stored and looked up under: the path itself when it is
 * already in its one canonical form (starts with `/`, no empty segments, no
 * percent-escapes, no dot segments), which nearly every route and request
 * path is, so it costs one scan and no allocation. Otherwise `/` followed by
 * its decoded segments, each with `%` and `/` escaped again, joined by `/`:
 * `/foo%2Fbar` (one segment) and `/foo/bar` (two) keep different keys, while
 * `/%61` and `/a` share one. Undefined where splitPath refuses the path.
 */
export function pathKey(rawPath: string): string | undefined {
  if (isCanonical(rawPath)) return rawPath;
  const segments = splitPath(rawPath);
  return segments === undefined ? undefined : segmentsKey(segments);
}

/** The key of a path already split into decoded segments. */
export function segmentsKey(segments: readonly string[]): string {
  let key = '';
  for (const s of segments) key += '/' + (s.includes('%') || s.includes('/') ? s.replace(/%/g, '%25').replace(/\//g, '%2F') : s);
  return key === '' ? '/' : key;
}

/** How many segments a key has (`/` has none). */
export function keyDepth(key: string): number {
  if (key.length === 1) return 0;
  let n = 0;
  for (let i = key.indexOf('/'); i !== -1; i = key.indexOf('/', i + 1)) n++;
  return n;
}

function isCanonical(p: string): boolean {
  const n = p.length;
  if (n === 0 || p.charCodeAt(0) !== 47) return false;
  if (n === 1) return true;
  if (p.charCodeAt(n - 1) === 47) return false;
  let start = 1;
  for (let i = 1; i < n; i++) {
    const c = p.charCodeAt(i);
    if (c === 37) return false;
    if (c === 47) {
      if (i === start || isDotSegment(p, start, i)) return false;
      start = i + 1;
    }
  }
  return !isDotSegment(p, start, n);
}

function isDotSegment(p: string, start: number, end: number): boolean {
  const len = end - start;
  return (len === 1 || len === 2) && p.charCodeAt(start) === 46 && (len === 1 || p.charCodeAt(start + 1) === 46);
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
