import type { RouteRecord } from '../router/routes.ts';

/** The backend_id the routers know the frontends by (each stack's routers point it at that stack's frontend). */
export const FRONTEND_BACKEND_ID = 'frontend';

/**
 * The paths a frontend answers that no content item owns: the design system's
 * assets, which every page links to on the page's own origin.
 */
export const FRONTEND_ROUTES: readonly RouteRecord[] = [
  { incoming_path: '/assets', route_type: 'prefix', handler: 'backend', backend_id: FRONTEND_BACKEND_ID },
];
