/**
 * The checks on routes and redirects that a JSON Schema cannot express: how
 * each path relates to the base_path and to the others, and where a redirect
 * may send people. Run after the schema has passed, so shapes are trusted and
 * only meaning is checked. Pure: no database, no clock.
 */
import definitions from '../../../schemas/shared/definitions.json' with { type: 'json' };
import type { RedirectEntry, RouteEntry } from '../../content-store/content-item.ts';
import { isAllCaps, splitPath } from '../../router/path.ts';
import { addFieldError, fieldName, type FieldErrors } from './field-errors.ts';

// The schema's own regex and wording, so the two can never disagree.
const ABSOLUTE_PATH = new RegExp(definitions.definitions.absolute_path.pattern, 'u');
const NOT_ABSOLUTE_PATH = definitions.definitions.absolute_path['x-message'];
const MAX_PATH_BYTES = 512;

/**
 * Why `path` cannot be a base_path, route or redirect path, or null if it can.
 * Beyond the schema's regex: the byte limit the reference's model enforces, and
 * Portico's rule that a path must be one the router can serve as written. The
 * router refuses malformed escapes and `.`/`..` segments with 400, treats
 * `/a/`, `/a//` and `/a` as one path, and redirects ALL-CAPS paths to lower
 * case, so such a path would be unreachable or would collide with another.
 */
export function validBasePath(path: string): string | null {
  if (typeof path !== 'string') return 'must be a string'; // for callers that skipped the schema
  if (!path.startsWith('/')) return 'must start with /';
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) return `must be at most ${MAX_PATH_BYTES} bytes`;
  if (!ABSOLUTE_PATH.test(path)) return NOT_ABSOLUTE_PATH;
  const segments = splitPath(path);
  if (!segments) return 'must not contain a malformed %-escape or a . or .. segment';
  if (path !== '/' && (path.endsWith('/') || path.includes('//'))) return 'must not end with / or contain //';
  if (isAllCaps('/' + segments.join('/'))) return 'must not be all capitals (the router sends those to lower case)';
  return null;
}

export interface RoutesAndRedirects {
  base_path?: string | null;
  schema_name: string;
  routes?: readonly RouteEntry[] | null;
  redirects?: readonly RedirectEntry[] | null;
}

/**
 * A path as the router keys it: decoded segments, so `/caf%C3%A9` and
 * `/caf%c3%a9` are one path (as they are to the router and the content store).
 * Only called on paths validBasePath accepted, which splitPath never refuses.
 */
function routerKey(path: string): string[] {
  return splitPath(path) ?? [];
}

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

/** True when `path` is `base` or below it, segment by segment (so /vat-rates is not below /vat). */
function isUnder(path: string[], base: string[]): boolean {
  return base.length <= path.length && base.every((segment, i) => segment === path[i]);
}

/**
 * Checks an edition's routes and redirects (the reference's
 * RoutesAndRedirectsValidator), returning null when they are sound.
 * A malformed base_path is reported and the checks against it skipped.
 */
export function validateRoutesAndRedirects(input: RoutesAndRedirects): FieldErrors | null {
  const errors: FieldErrors = {};
  const routes = input.routes ?? [];
  const redirects = input.redirects ?? [];
  const basePath = input.base_path ?? null;
  let base: string[] | null = null;
  if (basePath !== null) {
    const reason = validBasePath(basePath);
    if (reason) addFieldError(errors, 'base_path', reason);
    else base = routerKey(basePath);
  }

  const seen: { key: string[]; field: string }[] = [];
  const checkPath = (path: string, field: string): string[] | null => {
    const reason = validBasePath(path);
    if (reason) {
      addFieldError(errors, field, reason);
      return null;
    }
    const key = routerKey(path);
    if (base !== null && !isUnder(key, base)) addFieldError(errors, field, `must be ${basePath} or below it`);
    // One path, one answer: the router could keep only one of them.
    const earlier = seen.find((s) => samePath(s.key, key));
    if (earlier) addFieldError(errors, field, `repeats ${earlier.field}`);
    else seen.push({ key, field });
    return key;
  };
  const routeKeys = routes.map((route, i) => checkPath(route.path, fieldName(['routes', i, 'path'])));
  const redirectKeys = redirects.map((redirect, i) => {
    const key = checkPath(redirect.path, fieldName(['redirects', i, 'path']));
    const reason = destinationProblem(redirect, key);
    if (reason) addFieldError(errors, fieldName(['redirects', i, 'destination']), reason);
    return key;
  });

  // The base_path itself must be answered, or the item's own URL would 404.
  if (base !== null) {
    const [field, keys] = input.schema_name === 'redirect' ? ['redirects', redirectKeys] : ['routes', routeKeys];
    if (!keys.some((key) => key !== null && samePath(key, base))) {
      addFieldError(errors, field, `must include the base path ${basePath}`);
    }
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/** Why a redirect's destination is unacceptable, or null. */
function destinationProblem(redirect: RedirectEntry, pathKey: string[] | null): string | null {
  const destination = redirect.destination;
  if (typeof destination !== 'string') return 'must be a string';
  if (destination.startsWith('/')) {
    const pathPart = destination.split(/[?#]/, 1)[0]!;
    // This also refuses `//host`, which a browser reads as another site.
    if (!ABSOLUTE_PATH.test(pathPart)) return 'must be a path such as /new-page or an https URL';
    if (pathPart !== '/' && pathPart.endsWith('/')) return 'must not end with /';
    const target = splitPath(pathPart);
    if (pathKey && target && samePath(target, pathKey)) return "must not be the redirect's own path";
  } else {
    let url: URL;
    try {
      url = new URL(destination);
    } catch {
      return 'must be a path starting with / or an https URL';
    }
    if (url.protocol !== 'https:') return 'must use https';
    // https://www.example.gov@evil.example/ reads as one site and goes to another.
    if (url.username || url.password) return 'must not contain a user name or password';
  }
  // The router appends the rest of the request path to a preserving
  // destination, which would land inside its query or fragment.
  const explicit = redirect.segments_mode;
  const preserve = explicit ? explicit === 'preserve' : redirect.type === 'prefix';
  if (preserve && /[?#]/.test(destination)) {
    return explicit
      ? 'must not have a query string or fragment when segments_mode is preserve'
      : 'must not have a query string or fragment when segments_mode is preserve (the default for a prefix redirect; set segments_mode to ignore)';
  }
  return null;
}
