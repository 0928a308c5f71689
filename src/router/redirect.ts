import type { ServerResponse } from 'node:http';

const CACHE_SECONDS = 1800;

/**
 * The Location for a redirect route, by the reference's rules:
 * preserve keeps the rest of the path after the route's own segments and the
 * whole query; ignore drops both, except a `_ga` value, which analytics needs
 * to survive a hop to another site.
 */
export function redirectLocation(to: string, preserve: boolean, rawPath: string, query: string, depth: number): string {
  if (preserve) {
    return cleanPath(to + restOfPath(rawPath, depth)) + query;
  }
  const ga = firstParam(query, '_ga');
  return ga ? withParam(to, '_ga', ga) : to;
}

/** The raw path after its first `depth` non-empty segments ('' if none). */
function restOfPath(rawPath: string, depth: number): string {
  let i = 0;
  for (let seen = 0; seen < depth; seen++) {
    while (rawPath.charCodeAt(i) === 47) i++;
    const next = rawPath.indexOf('/', i);
    i = next === -1 ? rawPath.length : next;
  }
  return rawPath.slice(i);
}

/**
 * Collapses repeated slashes in a path target's path part (not in an absolute
 * URL's scheme), and escapes backslashes, which browsers read as slashes: a
 * Location of `/` then a backslash then a host would otherwise send them to that host.
 */
function cleanPath(location: string): string {
  if (!location.startsWith('/')) return location;
  const cut = location.search(/[?#]/);
  const path = cut === -1 ? location : location.slice(0, cut);
  return path.replace(/\\/g, '%5C').replace(/\/{2,}/g, '/') + (cut === -1 ? '' : location.slice(cut));
}

function firstParam(query: string, name: string): string | undefined {
  if (!query.includes(name)) return undefined;
  const value = new URLSearchParams(query).get(name);
  return value || undefined;
}

/** Sets one query parameter on a target and re-encodes its query with keys sorted, as the reference does. */
function withParam(target: string, name: string, value: string): string {
  const hashAt = target.indexOf('#');
  const hash = hashAt === -1 ? '' : target.slice(hashAt);
  const beforeHash = hashAt === -1 ? target : target.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt === -1 ? beforeHash : beforeHash.slice(0, queryAt);
  const params = new URLSearchParams(queryAt === -1 ? '' : beforeHash.slice(queryAt + 1));
  params.set(name, value);
  params.sort();
  return `${base}?${params.toString()}${hash}`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A header value must be visible ASCII: percent-encode anything else (UTF-8), dropping lone surrogates. */
function asciiLocation(location: string): string {
  return location.replace(/[^\x21-\x7e]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '';
    }
  });
}

export function sendRedirect(res: ServerResponse, method: string | undefined, status: 301 | 302, rawLocation: string, now: number): void {
  const location = asciiLocation(rawLocation);
  const body = method === 'GET' ? `<a href="${escapeHtml(location)}">${status === 301 ? 'Moved Permanently' : 'Found'}</a>.\n` : '';
  res.writeHead(status, {
    location,
    'cache-control': `public, max-age=${CACHE_SECONDS}`,
    expires: new Date(now + CACHE_SECONDS * 1000).toUTCString(),
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(method === 'HEAD' ? undefined : body);
}
