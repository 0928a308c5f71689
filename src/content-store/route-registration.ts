import type { RouteRecord } from '../router/routes.ts';
import type { ContentStorePayload, RedirectEntry, RouteEntry } from './content-item.ts';

/** Where a "gone with an explanation" page is rendered when the item names no rendering app. */
export const GONE_FALLBACK_BACKEND = 'frontend';

/** What registration reads from an item. */
export type RegistrableItem = Pick<ContentStorePayload, 'base_path' | 'schema_name' | 'rendering_app' | 'details' | 'routes' | 'redirects'>;

/** A route row plus the payload field it came from, so a bad row can be reported against that field. */
export interface RegisteredRoute {
  record: RouteRecord;
  /** e.g. `routes[0]`, `redirects[2]`, or `base_path` for the implicit route of a gone item. */
  source: string;
}

export interface Registration {
  routes: RegisteredRoute[];
  /** Why some or all of the item cannot be routed; the item is still stored. */
  unroutable: string[];
}

/** Ruby's `blank?`, which the reference applies to every value of a gone item's details. */
function isBlank(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** A gone item with nothing to say is a plain 410; one with an explanation is a page a frontend renders. */
export function hasBlankDetails(details: Record<string, unknown> | null | undefined): boolean {
  return Object.values(details ?? {}).every(isBlank);
}

function backendRoute(entry: RouteEntry, backendId: string, source: string): RegisteredRoute {
  return {
    source,
    record: {
      incoming_path: entry.path,
      route_type: entry.type,
      handler: 'backend',
      backend_id: backendId,
      redirect_to: null,
      redirect_type: null,
      segments_mode: null,
    },
  };
}

function goneRoute(entry: RouteEntry, source: string): RegisteredRoute {
  return {
    source,
    record: {
      incoming_path: entry.path,
      route_type: entry.type,
      handler: 'gone',
      backend_id: null,
      redirect_to: null,
      redirect_type: null,
      segments_mode: null,
    },
  };
}

function redirectRoute(entry: RedirectEntry, source: string): RegisteredRoute {
  return {
    source,
    record: {
      incoming_path: entry.path,
      route_type: entry.type,
      handler: 'redirect',
      backend_id: null,
      redirect_to: entry.destination,
      // Stored explicitly, so the row says what the router will do without knowing the defaults.
      redirect_type: entry.redirect_type ?? 'permanent',
      segments_mode: entry.segments_mode ?? (entry.type === 'prefix' ? 'preserve' : 'ignore'),
    },
  };
}

/** A gone item with no routes of its own still takes its base_path out of service. */
function routesOrBasePath(item: RegistrableItem): [RouteEntry, string][] {
  if (item.routes.length > 0) return item.routes.map((r, i) => [r, `routes[${i}]`]);
  return [[{ path: item.base_path, type: 'exact' }, 'base_path']];
}

/**
 * The route rows an item owns. Unlike the reference router, which routes a
 * normal item's `redirects` to its rendering app, Portico serves them as the
 * redirects they say they are.
 */
export function registerRoutes(item: RegistrableItem): Registration {
  const unroutable: string[] = [];
  const routes: RegisteredRoute[] = [];
  const app = item.rendering_app || undefined;

  if (item.schema_name === 'redirect') {
    item.redirects.forEach((r, i) => routes.push(redirectRoute(r, `redirects[${i}]`)));
    if (routes.length === 0) unroutable.push('a redirect item with no redirects');
    return { routes, unroutable };
  }

  if (item.schema_name === 'gone') {
    const blank = hasBlankDetails(item.details);
    for (const [entry, source] of routesOrBasePath(item)) {
      routes.push(blank ? goneRoute(entry, source) : backendRoute(entry, app ?? GONE_FALLBACK_BACKEND, source));
    }
    return { routes, unroutable };
  }

  if (app) item.routes.forEach((r, i) => routes.push(backendRoute(r, app, `routes[${i}]`)));
  else if (item.routes.length > 0) unroutable.push(`no rendering_app for its ${item.routes.length} route(s)`);
  item.redirects.forEach((r, i) => routes.push(redirectRoute(r, `redirects[${i}]`)));
  if (routes.length === 0 && unroutable.length === 0) unroutable.push('no routes and no redirects');
  return { routes, unroutable };
}
