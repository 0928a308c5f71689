import type { RouteRecord } from '../router/routes.ts';

/** The backend_id the routers know the search API by. */
export const SEARCH_BACKEND_ID = 'search-api';

/** The public paths the search API answers, as the live router should send them to it. */
export const SEARCH_ROUTES: readonly RouteRecord[] = [
  { incoming_path: '/search.json', route_type: 'exact', handler: 'backend', backend_id: SEARCH_BACKEND_ID },
  { incoming_path: '/api/search.json', route_type: 'exact', handler: 'backend', backend_id: SEARCH_BACKEND_ID },
  { incoming_path: '/sitemap.xml', route_type: 'exact', handler: 'backend', backend_id: SEARCH_BACKEND_ID },
  { incoming_path: '/sitemaps', route_type: 'prefix', handler: 'backend', backend_id: SEARCH_BACKEND_ID },
];
