/**
 * One spelling per path. A base_path or route path is stored, and a request
 * path looked up, in the same canonical form: split on `/` first, each segment
 * percent-decoded and re-encoded one way. This mirrors how the router keys its
 * trie (split, then decode per segment; docs/decisions/002-encoded-slash.md),
 * so `%2F` stays inside its segment, and `/caf%c3%a9`, `/caf%C3%A9` and
 * `/café` are one path here just as they are one route there.
 */

// Characters RFC 3986 allows in a segment that encodeURIComponent escapes anyway.
const PCHAR_ESCAPES = /%(24|26|2B|2C|3B|3D|3A|40)/g;

function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(PCHAR_ESCAPES, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The canonical form of a raw path, or undefined for one to refuse with 400: a
 * malformed escape, or a `.`/`..` segment (raw or encoded) that a backend might
 * resolve to a path nobody routed. Empty segments are dropped, as the router
 * drops them; '' and '/' are the root.
 */
export function canonicalPath(raw: string): string | undefined {
  const out: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (segment === '.' || segment === '..') return undefined;
    out.push(encodeSegment(segment));
  }
  return `/${out.join('/')}`;
}

/** The path itself and every ancestor, root first: the prefix routes that could cover it. */
export function pathAndAncestors(canonical: string): string[] {
  const paths = ['/'];
  if (canonical === '/') return paths;
  let at = 0;
  for (;;) {
    at = canonical.indexOf('/', at + 1);
    if (at === -1) break;
    paths.push(canonical.slice(0, at));
  }
  paths.push(canonical);
  return paths;
}
