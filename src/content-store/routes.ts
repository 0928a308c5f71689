import type { Queryable } from '../platform/db/index.ts';
import { ident } from '../platform/db/index.ts';
import type { BackendRecord, RouteRecord } from '../router/routes.ts';
import { contentStoreSchema, type Stack } from './schema.ts';

const UPSERT_BATCH = 1000;

/**
 * Upserts backends and routes into a stack's routing tables. Run it inside a
 * transaction: the tables' triggers then notify the routers once, at commit.
 */
export async function upsertRoutes(tx: Queryable, stack: Stack, backends: BackendRecord[], routes: RouteRecord[]): Promise<void> {
  const s = ident(contentStoreSchema(stack));
  for (let i = 0; i < backends.length; i += UPSERT_BATCH) {
    const batch = backends.slice(i, i + UPSERT_BATCH);
    await tx.query(
      `INSERT INTO ${s}.backends (backend_id, backend_url)
       SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (backend_id) DO UPDATE SET backend_url = EXCLUDED.backend_url, updated_at = now()`,
      [batch.map((b) => b.backend_id), batch.map((b) => b.backend_url)],
    );
  }
  for (let i = 0; i < routes.length; i += UPSERT_BATCH) {
    const batch = routes.slice(i, i + UPSERT_BATCH);
    const column = <K extends keyof RouteRecord>(k: K) => batch.map((r) => r[k] ?? null);
    await tx.query(
      `INSERT INTO ${s}.routes (incoming_path, route_type, handler, backend_id, redirect_to, redirect_type, segments_mode)
       SELECT p, t, h, b, r, rt, sm
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(p, t, h, b, r, rt, sm)
       ON CONFLICT (incoming_path, route_type) DO UPDATE SET
         handler = EXCLUDED.handler, backend_id = EXCLUDED.backend_id, redirect_to = EXCLUDED.redirect_to,
         redirect_type = EXCLUDED.redirect_type, segments_mode = EXCLUDED.segments_mode, updated_at = now()`,
      [
        column('incoming_path'),
        column('route_type'),
        column('handler'),
        column('backend_id'),
        column('redirect_to'),
        column('redirect_type'),
        column('segments_mode'),
      ],
    );
  }
}

export async function listRoutes(db: Queryable, stack: Stack): Promise<{ backends: BackendRecord[]; routes: RouteRecord[] }> {
  const s = ident(contentStoreSchema(stack));
  const backends = await db.query<BackendRecord>(`SELECT backend_id, backend_url FROM ${s}.backends ORDER BY backend_id`);
  const routes = await db.query<RouteRecord>(
    `SELECT incoming_path, route_type, handler, backend_id, redirect_to, redirect_type, segments_mode
     FROM ${s}.routes ORDER BY incoming_path, route_type`,
  );
  return { backends: backends.rows, routes: routes.rows };
}
