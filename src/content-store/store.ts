import type { Db, Queryable } from '../platform/db/index.ts';
import { ident } from '../platform/db/index.ts';
import type { RouteRecord } from '../router/routes.ts';
import type { ContentStorePayload } from './content-item.ts';
import { pathAndAncestors } from './path.ts';
import { isGone, maxCacheTime, presentItem } from './present.ts';
import { contentStoreSchema, type Stack } from './schema.ts';

/** An item ready to write: the payload (canonical paths), its response body and its route rows. */
export interface PreparedItem {
  payload: ContentStorePayload;
  presented: string;
  gone: boolean;
  maxCacheTime: number | null;
  updatedAt: string;
  routes: RouteRecord[];
}

export function prepareItem(payload: ContentStorePayload, routes: RouteRecord[], updatedAt: Date): PreparedItem {
  const at = updatedAt.toISOString();
  return {
    payload,
    presented: JSON.stringify(presentItem(payload, at)),
    gone: isGone(payload),
    maxCacheTime: maxCacheTime(payload.details),
    updatedAt: at,
    routes,
  };
}

export interface RouteTakeover {
  incoming_path: string;
  route_type: string;
  /** The item that owned it, or null for an imported route. */
  previous_owner: string | null;
}

export interface RouteChanges {
  added: number;
  changed: number;
  removed: number;
  takenOver: RouteTakeover[];
  /** backend_ids this item routes to that have no row in `backends` (the router skips those routes). */
  missingBackends: string[];
}

export type PutResult =
  | { outcome: 'created' | 'replaced'; routes: RouteChanges }
  | { outcome: 'stale'; storedVersion: number };

export type Found =
  | { kind: 'item'; presented: string; gone: boolean; maxCacheTime: number | null }
  /** The path is a route of another item: the caller redirects to that item. */
  | { kind: 'route'; basePath: string; maxCacheTime: number | null };

const ROUTE_COLUMNS = 'incoming_path, route_type, handler, backend_id, redirect_to, redirect_type, segments_mode';

const schemaOf = (stack: Stack) => ident(contentStoreSchema(stack));
const keyOf = (r: Pick<RouteRecord, 'incoming_path' | 'route_type'>) => `${r.route_type} ${r.incoming_path}`;

function sameRoute(a: RouteRecord, b: RouteRecord): boolean {
  return (
    a.handler === b.handler &&
    (a.backend_id ?? null) === (b.backend_id ?? null) &&
    (a.redirect_to ?? null) === (b.redirect_to ?? null) &&
    (a.redirect_type ?? null) === (b.redirect_type ?? null) &&
    (a.segments_mode ?? null) === (b.segments_mode ?? null)
  );
}

function pairs(routes: Pick<RouteRecord, 'incoming_path' | 'route_type'>[]): [string[], string[]] {
  return [routes.map((r) => r.incoming_path), routes.map((r) => r.route_type)];
}

/**
 * Writes the item's own routes as a diff against what it owned: only changed
 * rows are written, so a re-send with the same routes runs no statement on
 * `routes` and its trigger does not make every router reload.
 */
async function replaceOwnedRoutes(tx: Queryable, stack: Stack, basePath: string, routes: RouteRecord[]): Promise<RouteChanges> {
  const s = schemaOf(stack);
  const current = await tx.query<RouteRecord>(`SELECT ${ROUTE_COLUMNS} FROM ${s}.routes WHERE content_base_path = $1`, [basePath]);
  const owned = new Map(current.rows.map((r) => [keyOf(r), r]));
  const wanted = new Set(routes.map(keyOf));
  const removed = current.rows.filter((r) => !wanted.has(keyOf(r)));
  const added = routes.filter((r) => !owned.has(keyOf(r)));
  const changed = routes.filter((r) => owned.has(keyOf(r)) && !sameRoute(owned.get(keyOf(r))!, r));
  const changes: RouteChanges = { added: added.length, changed: changed.length, removed: removed.length, takenOver: [], missingBackends: [] };

  if (removed.length > 0) {
    await tx.query(
      `DELETE FROM ${s}.routes WHERE content_base_path = $1
       AND (incoming_path, route_type) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
      [basePath, ...pairs(removed)],
    );
  }
  if (added.length > 0) {
    const taken = await tx.query<RouteTakeover>(
      `SELECT incoming_path, route_type, content_base_path AS previous_owner FROM ${s}.routes
       WHERE (incoming_path, route_type) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      pairs(added),
    );
    changes.takenOver = taken.rows;
  }
  // Sorted, so two writers that share routes lock them in the same order.
  const write = [...added, ...changed].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  if (write.length > 0) {
    const column = <K extends keyof RouteRecord>(k: K) => write.map((r) => r[k] ?? null);
    await tx.query(
      `INSERT INTO ${s}.routes (${ROUTE_COLUMNS}, content_base_path)
       SELECT p, t, h, b, r, rt, sm, $8
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS u(p, t, h, b, r, rt, sm, n)
       ORDER BY n
       ON CONFLICT (incoming_path, route_type) DO UPDATE SET
         handler = EXCLUDED.handler, backend_id = EXCLUDED.backend_id, redirect_to = EXCLUDED.redirect_to,
         redirect_type = EXCLUDED.redirect_type, segments_mode = EXCLUDED.segments_mode,
         content_base_path = EXCLUDED.content_base_path, updated_at = now()`,
      [
        column('incoming_path'),
        column('route_type'),
        column('handler'),
        column('backend_id'),
        column('redirect_to'),
        column('redirect_type'),
        column('segments_mode'),
        basePath,
      ],
    );
    const ids = [...new Set(write.map((r) => r.backend_id).filter((id): id is string => !!id))];
    if (ids.length > 0) {
      const missing = await tx.query<{ id: string }>(
        `SELECT id FROM unnest($1::text[]) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM ${s}.backends WHERE backend_id = u.id)`,
        [ids],
      );
      changes.missingBackends = missing.rows.map((r) => r.id);
    }
  }
  return changes;
}

/**
 * Creates or fully replaces the item at its base_path, with its routes, in one
 * transaction. An item whose stored payload_version is the same or newer is
 * left alone ('stale'), and nothing is written.
 */
export async function putContentItem(db: Db, stack: Stack, item: PreparedItem, announce?: (tx: Queryable) => Promise<unknown>): Promise<PutResult> {
  const s = schemaOf(stack);
  const p = item.payload;
  return db.transaction(async (tx): Promise<PutResult> => {
    // One statement decides and writes, so two writers of one base_path
    // serialise on its row. xmax is 0 only on a row this statement inserted.
    const written = await tx.query<{ created: boolean }>(
      `INSERT INTO ${s}.content_items AS ci (base_path, content_id, locale, document_type, schema_name, rendering_app,
         payload_version, routes, redirects, gone, max_cache_time, payload, presented, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12::jsonb, $13, $14::timestamptz)
       ON CONFLICT (base_path) DO UPDATE SET
         content_id = EXCLUDED.content_id, locale = EXCLUDED.locale, document_type = EXCLUDED.document_type,
         schema_name = EXCLUDED.schema_name, rendering_app = EXCLUDED.rendering_app,
         payload_version = EXCLUDED.payload_version, routes = EXCLUDED.routes, redirects = EXCLUDED.redirects,
         gone = EXCLUDED.gone, max_cache_time = EXCLUDED.max_cache_time, payload = EXCLUDED.payload,
         presented = EXCLUDED.presented, updated_at = EXCLUDED.updated_at
       WHERE ci.payload_version < EXCLUDED.payload_version
       RETURNING (xmax = 0) AS created`,
      [
        p.base_path,
        p.content_id,
        p.locale,
        p.document_type,
        p.schema_name,
        p.rendering_app ?? null,
        p.payload_version,
        JSON.stringify(p.routes),
        JSON.stringify(p.redirects),
        item.gone,
        item.maxCacheTime,
        JSON.stringify(p),
        item.presented,
        item.updatedAt,
      ],
    );
    const row = written.rows[0];
    if (!row) {
      const stored = await tx.query<{ payload_version: string | number }>(
        `SELECT payload_version FROM ${s}.content_items WHERE base_path = $1`,
        [p.base_path],
      );
      return { outcome: 'stale', storedVersion: Number(stored.rows[0]?.payload_version) };
    }
    const routes = await replaceOwnedRoutes(tx, stack, p.base_path, item.routes);
    await announce?.(tx);
    return { outcome: row.created ? 'created' : 'replaced', routes };
  });
}

/**
 * The item at `path` (canonical), or else the item owning the best route for
 * it: an exact route on the path, then the longest prefix route on it or an
 * ancestor.
 */
export async function findContentItem(db: Queryable, stack: Stack, path: string): Promise<Found | undefined> {
  const s = schemaOf(stack);
  const exact = await db.query<{ presented: string; gone: boolean; max_cache_time: number | null }>(
    `SELECT presented, gone, max_cache_time FROM ${s}.content_items WHERE base_path = $1`,
    [path],
  );
  const item = exact.rows[0];
  if (item) return { kind: 'item', presented: item.presented, gone: item.gone, maxCacheTime: item.max_cache_time };
  const byRoute = await db.query<{ base_path: string; max_cache_time: number | null }>(
    `SELECT ci.base_path, ci.max_cache_time
     FROM ${s}.routes r JOIN ${s}.content_items ci ON ci.base_path = r.content_base_path
     WHERE (r.route_type = 'exact' AND r.incoming_path = $1) OR (r.route_type = 'prefix' AND r.incoming_path = ANY($2::text[]))
     ORDER BY r.route_type = 'exact' DESC, length(r.incoming_path) DESC
     LIMIT 1`,
    [path, pathAndAncestors(path)],
  );
  const owner = byRoute.rows[0];
  return owner ? { kind: 'route', basePath: owner.base_path, maxCacheTime: owner.max_cache_time } : undefined;
}

export interface DeletedItem {
  base_path: string;
  content_id: string;
  locale: string;
}

/** Deletes the item and, by cascade, every route it owned, in one transaction with `announce`. False when there was none. */
export async function deleteContentItem(
  db: Db,
  stack: Stack,
  basePath: string,
  announce?: (tx: Queryable, deleted: DeletedItem) => Promise<unknown>,
): Promise<boolean> {
  const s = schemaOf(stack);
  return db.transaction(async (tx) => {
    const deleted = await tx.query<DeletedItem>(
      `DELETE FROM ${s}.content_items WHERE base_path = $1 RETURNING base_path, content_id, locale`,
      [basePath],
    );
    const row = deleted.rows[0];
    if (!row) return false;
    await announce?.(tx, row);
    return true;
  });
}

/** The route rows an item owns, ordered by path and type. */
export async function ownedRoutes(db: Queryable, stack: Stack, basePath: string): Promise<RouteRecord[]> {
  const s = schemaOf(stack);
  const rows = await db.query<RouteRecord>(
    `SELECT ${ROUTE_COLUMNS} FROM ${s}.routes WHERE content_base_path = $1 ORDER BY incoming_path, route_type`,
    [basePath],
  );
  return rows.rows;
}
