import { pathKey } from './path.ts';
import type { RouteTable, RouteType } from './route-table.ts';
import type { RouteRecord } from './routes.ts';
import type { RouteTargets } from './targets.ts';

/** A route as the database keys it (the primary key of `routes`). */
export interface RouteKey {
  route_type: RouteType;
  incoming_path: string;
}

/**
 * The routes a `<schema>_route_changes` notification lists (see content store
 * migration 004), or undefined where it lists none to go by: the empty
 * payload, which asks for a full reload, or one this router cannot read.
 */
export function parseRouteChanges(payload: string): RouteKey[] | undefined {
  if (payload === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const keys: RouteKey[] = [];
  for (const item of value) {
    if (!Array.isArray(item) || item.length !== 2) return undefined;
    const [type, path] = item as unknown[];
    if ((type !== 'exact' && type !== 'prefix') || typeof path !== 'string') return undefined;
    keys.push({ route_type: type, incoming_path: path });
  }
  return keys;
}

/** One string per key, for sets and maps of keys. */
export function keyString(key: RouteKey): string {
  return (key.route_type === 'prefix' ? 'p' : 'e') + key.incoming_path;
}

/**
 * Whether applying these routes' rows can bring the table up to date. Every
 * spelling of a path (`/a`, `/a/`, `/%61`) has one table key, and where several
 * are rows, which one serves follows from the order a full load reads them in;
 * a delta, reading only the rows it lists, cannot tell. So a path not in its
 * canonical form here (with an escape, a trailing slash), or one whose key
 * such a path was ever set at, takes a full reload. Content store paths are
 * nearly all plain ASCII slugs, which are canonical.
 */
export function canApplyChanges<B>(table: RouteTable<B>, keys: readonly RouteKey[]): boolean {
  for (const k of keys) {
    if (pathKey(k.incoming_path) !== k.incoming_path || table.mayBeShared(k.route_type, k.incoming_path)) return false;
  }
  return true;
}

export interface AppliedChanges {
  /** Routes added or replaced. */
  set: number;
  /** Keys with no row any more, taken out of the table (if they were in it). */
  removed: number;
  /** Rows with no target (an unknown backend, say), logged and taken out of the table. */
  skipped: number;
}

/**
 * Makes the table agree with `rows`, the current rows of `keys` (those that
 * still exist): a key with a row gets that row's route, and a key without one,
 * or whose row has no target, has none. `targets` must be the ones the table
 * was loaded with, so a row's backend target is the one its other routes
 * share. Synchronous: a request sees all of the batch or none of it. Call it
 * only with keys that `canApplyChanges` accepts.
 */
export function applyRouteChanges<B>(
  table: RouteTable<B>,
  targets: RouteTargets<B>,
  keys: readonly RouteKey[],
  rows: readonly RouteRecord[],
): AppliedChanges {
  const current = new Map<string, RouteRecord>();
  for (const row of rows) current.set(keyString(row), row);
  const applied: AppliedChanges = { set: 0, removed: 0, skipped: 0 };
  for (const key of keys) {
    const row = current.get(keyString(key));
    const target = row === undefined ? undefined : targets.forRow(row);
    if (target !== undefined) {
      table.set(key.route_type, key.incoming_path, target);
      applied.set++;
    } else {
      table.delete(key.route_type, key.incoming_path);
      if (row === undefined) applied.removed++;
      else applied.skipped++;
    }
  }
  return applied;
}
