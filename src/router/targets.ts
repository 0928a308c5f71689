import type { Logger } from '../platform/log.ts';
import { GONE, type BackendTarget, type RedirectTarget, type Target } from './route-table.ts';
import { preservesSegments, type BackendRecord, type RouteRecord } from './routes.ts';

/** Turns a backend row into whatever the server forwards to (an upstream with its connection pool). */
export type BackendResolver<B> = (backend: BackendRecord) => B;

/** What a route's target depends on: everything but its path (and its redirect_to, passed on its own). */
export type RouteKind = Pick<RouteRecord, 'route_type' | 'handler' | 'backend_id' | 'redirect_type' | 'segments_mode'>;

/**
 * The targets of one full load's routes, made from the backends it read: one
 * target per backend, shared by every route to it. A delta applied to the
 * table later makes its routes' targets here too, so they share the same
 * backend targets, and a route to a backend the load did not know is skipped
 * with the same warning either way.
 */
export class RouteTargets<B> {
  /** null for a backend that failed to resolve. */
  private readonly backends = new Map<string, BackendTarget<B> | null>();

  constructor(
    backends: BackendRecord[],
    resolve: BackendResolver<B>,
    private readonly log: Logger,
  ) {
    for (const b of backends) {
      try {
        this.backends.set(b.backend_id, { kind: 'backend', backend: resolve(b), backendId: b.backend_id });
      } catch (err) {
        // Its routes are then skipped as routes to an unknown backend; the rest of the table still loads.
        log.warn({ backend_id: b.backend_id, backend_url: b.backend_url, err: (err as Error).message }, 'skipping backend');
        this.backends.set(b.backend_id, null);
      }
    }
  }

  /**
   * The ids of every backend that resolved, whether or not a route uses it
   * yet: a delta may give it one, so its upstream must stay open.
   */
  backendIds(): Set<string> {
    const ids = new Set<string>();
    for (const [id, target] of this.backends) if (target !== null) ids.add(id);
    return ids;
  }

  /** A row's target; undefined, with the row logged as skipped, if it has none. */
  forRow(route: RouteRecord): Target<B> | undefined {
    const redirectTo = route.redirect_to ?? null;
    const target = this.target(route, redirectTo, undefined);
    if (target === undefined) this.skip(route.incoming_path, route.route_type, this.reason(route, redirectTo));
    return target;
  }

  /**
   * The target for a route of this kind, or undefined if it has none. Redirects
   * found in `redirects` by destination share that target.
   */
  target(route: RouteKind, redirectTo: string | null, redirects: Map<string, RedirectTarget> | undefined): Target<B> | undefined {
    switch (route.handler) {
      case 'backend':
        return (route.backend_id ? this.backends.get(route.backend_id) : undefined) ?? undefined;
      case 'gone':
        return GONE;
      case 'redirect': {
        if (!redirectTo) return undefined;
        let target = redirects?.get(redirectTo);
        if (target === undefined) {
          target = {
            kind: 'redirect',
            status: route.redirect_type === 'temporary' ? 302 : 301,
            to: redirectTo,
            preserve: preservesSegments(route),
            redirectType: route.redirect_type ?? null,
            segmentsMode: route.segments_mode ?? null,
          };
          redirects?.set(redirectTo, target);
        }
        return target;
      }
      default:
        return undefined;
    }
  }

  /** Why a route of this kind has no target. */
  reason(route: RouteKind, redirectTo: string | null): string {
    if (route.handler === 'backend') return `unknown backend ${JSON.stringify(route.backend_id)}`;
    if (route.handler === 'redirect' && !redirectTo) return 'redirect without redirect_to';
    return `unknown handler ${JSON.stringify(route.handler)}`;
  }

  skip(incomingPath: string, routeType: string, reason: string): void {
    this.log.warn({ incoming_path: incomingPath, route_type: routeType, reason }, 'skipping route');
  }
}
