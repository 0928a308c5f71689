import type { Db } from '../platform/db/index.ts';
import { ident } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import { splitPath } from './path.ts';
import { RouteTable, type Target } from './route-table.ts';
import { preservesSegments, type BackendRecord, type RouteRecord } from './routes.ts';

export interface LoadResult<B> {
  table: RouteTable<B>;
  /** Routes left out, each logged with its reason. */
  skipped: number;
}

/** Turns a backend row into whatever the server forwards to (an upstream with its connection pool). */
export type BackendResolver<B> = (backend: BackendRecord) => B;

/**
 * Reads one schema's backends and routes and builds a complete new table. A
 * bad row is skipped with a warning, as the reference does; a failed query
 * rejects, and the caller keeps the table it has.
 */
export async function loadRoutes<B>(db: Db, schema: string, resolve: BackendResolver<B>, log: Logger): Promise<LoadResult<B>> {
  const s = ident(schema);
  const backendRows = await db.query<BackendRecord>(`SELECT backend_id, backend_url FROM ${s}.backends`);
  const routeRows = await db.query<RouteRecord>(
    `SELECT incoming_path, route_type, handler, backend_id, redirect_to, redirect_type, segments_mode FROM ${s}.routes`,
  );
  return buildTable(backendRows.rows, routeRows.rows, resolve, log);
}

export function buildTable<B>(backends: BackendRecord[], routes: RouteRecord[], resolve: BackendResolver<B>, log: Logger): LoadResult<B> {
  const byId = new Map<string, B>();
  const table = new RouteTable<B>();
  let skipped = 0;
  for (const b of backends) {
    try {
      byId.set(b.backend_id, resolve(b));
    } catch (err) {
      // Its routes are then skipped as routes to an unknown backend; the rest of the table still loads.
      log.warn({ backend_id: b.backend_id, backend_url: b.backend_url, err: (err as Error).message }, 'skipping backend');
    }
  }
  const skip = (route: RouteRecord, reason: string) => {
    skipped++;
    log.warn({ incoming_path: route.incoming_path, route_type: route.route_type, reason }, 'skipping route');
  };
  for (const route of routes) {
    const segments = splitPath(route.incoming_path);
    if (!segments) {
      skip(route, 'invalid incoming_path');
      continue;
    }
    let target: Target<B>;
    if (route.handler === 'backend') {
      const backend = route.backend_id ? byId.get(route.backend_id) : undefined;
      if (!backend) {
        skip(route, `unknown backend ${JSON.stringify(route.backend_id)}`);
        continue;
      }
      target = { kind: 'backend', backend };
    } else if (route.handler === 'redirect') {
      if (!route.redirect_to) {
        skip(route, 'redirect without redirect_to');
        continue;
      }
      target = {
        kind: 'redirect',
        status: route.redirect_type === 'temporary' ? 302 : 301,
        to: route.redirect_to,
        preserve: preservesSegments(route),
      };
    } else {
      target = { kind: 'gone' };
    }
    table.add(segments, { route, target });
  }
  return { table, skipped };
}
