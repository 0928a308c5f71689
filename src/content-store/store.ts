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
  | { kind: 'item'; basePath: string; presented: string; etag: string; gone: boolean; maxCacheTime: number | null }
  /** The item the caller already holds (its etag is in `ifNoneMatch`): the body is not read. */
  | { kind: 'unchanged'; basePath: string; etag: string; gone: boolean; maxCacheTime: number | null }
  /** The path is a route of another item: the caller redirects to that item. */
  | { kind: 'route'; basePath: string; maxCacheTime: number | null };

export interface FindOptions {
  /** For a route of another item, answer that item rather than naming it. */
  followRoute?: boolean;
  /** The etags the caller holds: when one is still the item's, `presented` stays in the database. A gone item's body is always read. */
  ifNoneMatch?: string[];
}

const ROUTE_COLUMNS = 'incoming_path, route_type, handler, backend_id, redirect_to, redirect_type, segments_mode';
const ITEM_COLUMNS = `base_path, content_id, locale, document_type, schema_name, rendering_app, payload_version,
  routes, redirects, gone, max_cache_time, payload, presented, updated_at`;

const schemaOf = (stack: Stack) => ident(contentStoreSchema(stack));
const keyOf = (r: { incoming_path: string; route_type: string }) => `${r.route_type} ${r.incoming_path}`;

function sameRoute(a: RouteRecord, b: RouteRecord): boolean {
  return (
    a.handler === b.handler &&
    (a.backend_id ?? null) === (b.backend_id ?? null) &&
    (a.redirect_to ?? null) === (b.redirect_to ?? null) &&
    (a.redirect_type ?? null) === (b.redirect_type ?? null) &&
    (a.segments_mode ?? null) === (b.segments_mode ?? null)
  );
}

/** Code-unit order, the same in every writer whatever the database's collation. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type OwnedRoute = RouteRecord & { content_base_path: string };

/** What writing one item does to the routes it owns. */
interface RoutePlan {
  basePath: string;
  removed: RouteRecord[];
  added: RouteRecord[];
  changed: RouteRecord[];
}

/**
 * Diffs the routes an item owns against the ones it wants, leaving out any
 * `lost` to a later item of the same batch: only changed rows are written, so
 * a re-send with the same routes runs no statement on `routes` and its
 * trigger does not make every router reload.
 */
function planRoutes(basePath: string, current: RouteRecord[], wanted: RouteRecord[], lost: (r: RouteRecord) => boolean): RoutePlan {
  const owned = new Map(current.map((r) => [keyOf(r), r]));
  const wantedKeys = new Set(wanted.map(keyOf));
  const mine = wanted.filter((r) => !lost(r));
  return {
    basePath,
    removed: current.filter((r) => !wantedKeys.has(keyOf(r))),
    added: mine.filter((r) => !owned.has(keyOf(r))),
    changed: mine.filter((r) => owned.has(keyOf(r)) && !sameRoute(owned.get(keyOf(r))!, r)),
  };
}

/**
 * Writes the routes of every item in `items` (all written in this transaction)
 * as diffs against what each owned, in a few statements for the whole batch.
 * A route wanted by more than one of them goes to the last, as if they had
 * been written one after another. Resolves to each item's changes, in order.
 */
async function replaceOwnedRoutes(tx: Queryable, stack: Stack, items: readonly PreparedItem[]): Promise<RouteChanges[]> {
  const s = schemaOf(stack);
  const basePaths = items.map((i) => i.payload.base_path);
  const current = await tx.query<OwnedRoute>(
    `SELECT content_base_path, ${ROUTE_COLUMNS} FROM ${s}.routes WHERE content_base_path = ANY($1::text[])`,
    [basePaths],
  );
  const ownedBy = new Map<string, RouteRecord[]>();
  for (const { content_base_path: owner, ...route } of current.rows) {
    const list = ownedBy.get(owner) ?? [];
    list.push(route);
    ownedBy.set(owner, list);
  }
  // The last item of the batch to want a route gets it; one before it that
  // wanted it too is whom it took it from, as if written one after another.
  const claimant = new Map<string, string>();
  const earlierClaimant = new Map<string, string>();
  for (const item of items) {
    for (const r of item.routes) {
      const before = claimant.get(keyOf(r));
      if (before !== undefined) earlierClaimant.set(keyOf(r), before);
      claimant.set(keyOf(r), item.payload.base_path);
    }
  }
  const plans = items.map((item) => {
    const basePath = item.payload.base_path;
    return planRoutes(basePath, ownedBy.get(basePath) ?? [], item.routes, (r) => claimant.get(keyOf(r)) !== basePath);
  });

  const removed = plans.flatMap((p) => p.removed.map((r) => ({ ...r, content_base_path: p.basePath })));
  if (removed.length > 0) {
    await tx.query(
      `DELETE FROM ${s}.routes r USING unnest($1::text[], $2::text[], $3::text[]) AS u(p, t, o)
       WHERE r.incoming_path = u.p AND r.route_type = u.t AND r.content_base_path = u.o`,
      [removed.map((r) => r.incoming_path), removed.map((r) => r.route_type), removed.map((r) => r.content_base_path)],
    );
  }
  const previousOwners = new Map<string, string | null>(earlierClaimant);
  const fromStore = plans.flatMap((p) => p.added).filter((r) => !earlierClaimant.has(keyOf(r)));
  if (fromStore.length > 0) {
    const taken = await tx.query<RouteTakeover>(
      `SELECT incoming_path, route_type, content_base_path AS previous_owner FROM ${s}.routes
       WHERE (incoming_path, route_type) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [fromStore.map((r) => r.incoming_path), fromStore.map((r) => r.route_type)],
    );
    for (const t of taken.rows) previousOwners.set(keyOf(t), t.previous_owner);
  }
  // Sorted, so two writers that share routes lock them in the same order.
  const write = plans
    .flatMap((p) => [...p.added, ...p.changed].map((r) => ({ ...r, content_base_path: p.basePath })))
    .sort((a, b) => compare(keyOf(a), keyOf(b)));
  const missing = new Set<string>();
  if (write.length > 0) {
    const column = <K extends keyof OwnedRoute>(k: K) => write.map((r) => r[k] ?? null);
    await tx.query(
      `INSERT INTO ${s}.routes (${ROUTE_COLUMNS}, content_base_path)
       SELECT p, t, h, b, r, rt, sm, o
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS u(p, t, h, b, r, rt, sm, o, n)
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
        column('content_base_path'),
      ],
    );
    const ids = [...new Set(write.map((r) => r.backend_id).filter((id): id is string => !!id))];
    if (ids.length > 0) {
      const unknown = await tx.query<{ id: string }>(
        `SELECT id FROM unnest($1::text[]) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM ${s}.backends WHERE backend_id = u.id)`,
        [ids],
      );
      for (const r of unknown.rows) missing.add(r.id);
    }
  }

  return plans.map((p) => {
    const written = [...p.added, ...p.changed];
    return {
      added: p.added.length,
      changed: p.changed.length,
      removed: p.removed.length,
      takenOver: p.added
        .filter((r) => previousOwners.has(keyOf(r)))
        .map((r) => ({ incoming_path: r.incoming_path, route_type: r.route_type, previous_owner: previousOwners.get(keyOf(r)) ?? null })),
      missingBackends: [...new Set(written.map((r) => r.backend_id).filter((id): id is string => !!id && missing.has(id)))],
    };
  });
}

/**
 * Creates or fully replaces each item at its base_path, with its routes, all
 * in one transaction with `announce` (given the items written, in order). An
 * item whose stored payload_version is the same or newer is left alone
 * ('stale'), and nothing of it is written. Resolves to one result per item, in
 * order. The base_paths must differ.
 */
export async function putContentItems(
  db: Db,
  stack: Stack,
  items: readonly PreparedItem[],
  announce?: (tx: Queryable, written: PreparedItem[]) => Promise<unknown>,
): Promise<PutResult[]> {
  const basePaths = items.map((i) => i.payload.base_path);
  if (new Set(basePaths).size !== basePaths.length) throw new Error('a batch of content items names a base_path twice');
  if (items.length === 0) return [];
  const s = schemaOf(stack);
  return db.transaction(async (tx): Promise<PutResult[]> => {
    // Sorted, so that writers of overlapping batches lock the rows in the same order.
    const rows = [...items]
      .sort((a, b) => compare(a.payload.base_path, b.payload.base_path))
      .map((i, n) => ({
        n,
        base_path: i.payload.base_path,
        content_id: i.payload.content_id,
        locale: i.payload.locale,
        document_type: i.payload.document_type,
        schema_name: i.payload.schema_name,
        rendering_app: i.payload.rendering_app ?? null,
        payload_version: i.payload.payload_version,
        routes: i.payload.routes,
        redirects: i.payload.redirects,
        gone: i.gone,
        max_cache_time: i.maxCacheTime,
        payload: i.payload,
        presented: i.presented,
        updated_at: i.updatedAt,
      }));
    // One statement decides and writes, so two writers of one base_path
    // serialise on its row. xmax is 0 only on a row this statement inserted.
    // The rows go as one JSON document: large payloads parse faster as jsonb
    // than as array elements (unnest), on PostgreSQL and PGlite alike.
    const upserted = await tx.query<{ base_path: string; created: boolean }>(
      `INSERT INTO ${s}.content_items AS ci (${ITEM_COLUMNS})
       SELECT ${ITEM_COLUMNS}
       FROM jsonb_to_recordset($1::jsonb) AS x(n integer, base_path text, content_id text, locale text, document_type text,
         schema_name text, rendering_app text, payload_version bigint, routes jsonb, redirects jsonb, gone boolean,
         max_cache_time integer, payload jsonb, presented text, updated_at timestamptz)
       ORDER BY n
       ON CONFLICT (base_path) DO UPDATE SET
         content_id = EXCLUDED.content_id, locale = EXCLUDED.locale, document_type = EXCLUDED.document_type,
         schema_name = EXCLUDED.schema_name, rendering_app = EXCLUDED.rendering_app,
         payload_version = EXCLUDED.payload_version, routes = EXCLUDED.routes, redirects = EXCLUDED.redirects,
         gone = EXCLUDED.gone, max_cache_time = EXCLUDED.max_cache_time, payload = EXCLUDED.payload,
         presented = EXCLUDED.presented, updated_at = EXCLUDED.updated_at
       WHERE ci.payload_version < EXCLUDED.payload_version
       RETURNING ci.base_path, (ci.xmax = 0) AS created`,
      [JSON.stringify(rows)],
    );
    const created = new Map(upserted.rows.map((r) => [r.base_path, r.created]));
    const written = items.filter((i) => created.has(i.payload.base_path));
    const stale = basePaths.filter((p) => !created.has(p));
    const storedVersions = new Map<string, number>();
    if (stale.length > 0) {
      const stored = await tx.query<{ base_path: string; payload_version: string | number }>(
        `SELECT base_path, payload_version FROM ${s}.content_items WHERE base_path = ANY($1::text[])`,
        [stale],
      );
      for (const r of stored.rows) storedVersions.set(r.base_path, Number(r.payload_version));
    }
    const changes = written.length > 0 ? await replaceOwnedRoutes(tx, stack, written) : [];
    if (written.length > 0) await announce?.(tx, written);
    const routesOf = new Map(written.map((i, n) => [i.payload.base_path, changes[n]!]));
    return basePaths.map((p): PutResult => {
      const routes = routesOf.get(p);
      if (!routes) return { outcome: 'stale', storedVersion: storedVersions.get(p) ?? NaN };
      return { outcome: created.get(p) ? 'created' : 'replaced', routes };
    });
  });
}

/** One item, as putContentItems writes a batch. */
export async function putContentItem(
  db: Db,
  stack: Stack,
  item: PreparedItem,
  announce?: (tx: Queryable, written: PreparedItem[]) => Promise<unknown>,
): Promise<PutResult> {
  const [result] = await putContentItems(db, stack, [item], announce);
  return result!;
}

/**
 * The item at `path` (canonical), or else the item owning the best route for
 * it: an exact route on the path, then the longest prefix route on it or an
 * ancestor.
 */
export async function findContentItem(db: Queryable, stack: Stack, path: string, opts: FindOptions = {}): Promise<Found | undefined> {
  const s = schemaOf(stack);
  // One statement for the item at the path or, failing that, the owner of its
  // most specific route: a guide's part is one round trip to the database.
  // The body is a large TOASTed value, read only when it is answered: not for
  // an unchanged item, nor for a route the caller is only told about.
  const found = await db.query<{ base_path: string; presented: string | null; etag: string; gone: boolean; max_cache_time: number | null; routed: boolean }>(
    `SELECT base_path, etag, gone, max_cache_time, routed,
       CASE WHEN (routed AND NOT $4) OR (etag = ANY($3::text[]) AND NOT gone) THEN NULL ELSE presented END AS presented
     FROM (
       SELECT ci.base_path, ci.presented, ci.etag, ci.gone, ci.max_cache_time, false AS routed, 0 AS rank, 0 AS specificity
       FROM ${s}.content_items ci WHERE ci.base_path = $1
       UNION ALL
       SELECT ci.base_path, ci.presented, ci.etag, ci.gone, ci.max_cache_time, true, CASE r.route_type WHEN 'exact' THEN 1 ELSE 2 END, length(r.incoming_path)
       FROM ${s}.routes r JOIN ${s}.content_items ci ON ci.base_path = r.content_base_path
       WHERE (r.route_type = 'exact' AND r.incoming_path = $1) OR (r.route_type = 'prefix' AND r.incoming_path = ANY($2::text[]))
     ) candidates
     ORDER BY rank, specificity DESC
     LIMIT 1`,
    [path, pathAndAncestors(path), opts.ifNoneMatch ?? [], opts.followRoute ?? false],
  );
  const row = found.rows[0];
  if (!row) return undefined;
  if (row.routed && !opts.followRoute) return { kind: 'route', basePath: row.base_path, maxCacheTime: row.max_cache_time };
  const at = { basePath: row.base_path, etag: row.etag, gone: row.gone, maxCacheTime: row.max_cache_time };
  return row.presented === null ? { kind: 'unchanged', ...at } : { kind: 'item', ...at, presented: row.presented };
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
