import type { ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '../platform/log.ts';
import type { RedirectTarget } from './route-table.ts';

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

/** `Expires` for a response sent at `now`: formatted once per second, as it has no finer resolution. */
let expiresSecond = -1;
let expiresValue = '';
function expiresAt(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== expiresSecond) {
    expiresSecond = second;
    expiresValue = new Date(second * 1000 + CACHE_SECONDS * 1000).toUTCString();
  }
  return expiresValue;
}

const CACHE_CONTROL = `public, max-age=${CACHE_SECONDS}`;

/** A redirect's response head, as the flat array `writeHead` takes fastest; reused, since Node reads it only during the call. */
const head = [
  'location',
  '',
  'cache-control',
  CACHE_CONTROL,
  'expires',
  '',
  'content-type',
  'text/html; charset=utf-8',
  'content-length',
  '',
  REQUEST_ID_HEADER,
  '',
];

function send(res: ServerResponse, status: number, location: string, body: string, length: string, now: number, requestId: string): void {
  head[1] = location;
  head[5] = expiresAt(now);
  head[9] = length;
  head[11] = requestId;
  res.writeHead(status, head);
  res.end(body);
}

function bodyFor(status: 301 | 302, location: string): string {
  return `<a href="${escapeHtml(location)}">${status === 301 ? 'Moved Permanently' : 'Found'}</a>.\n`;
}

export function sendRedirect(res: ServerResponse, method: string | undefined, status: 301 | 302, rawLocation: string, now: number, requestId: string): void {
  const location = asciiLocation(rawLocation);
  const body = method === 'GET' ? bodyFor(status, location) : '';
  send(res, status, location, method === 'HEAD' ? '' : body, String(Buffer.byteLength(body)), now, requestId);
}

interface Prepared {
  location: string;
  body: string;
  length: string;
}

/**
 * A redirect whose Location does not depend on the request (it ignores the
 * path's remaining segments, and the query has no `_ga`): the Location, body
 * and length are worked out on its first use and kept on the route's target.
 */
export function sendFixedRedirect(res: ServerResponse, method: string | undefined, target: RedirectTarget, now: number, requestId: string): void {
  let prepared = target.fixed as Prepared | undefined;
  if (prepared === undefined) {
    const location = asciiLocation(target.to);
    const body = bodyFor(target.status, location);
    prepared = { location, body, length: String(Buffer.byteLength(body)) };
    target.fixed = prepared;
  }
  if (method === 'GET') send(res, target.status, prepared.location, prepared.body, prepared.length, now, requestId);
  else send(res, target.status, prepared.location, '', '0', now, requestId);
}
