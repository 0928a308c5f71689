import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../platform/log.ts';
import { applyRouteChanges, canApplyChanges, parseRouteChanges, type RouteKey } from './changes.ts';
import { buildTable } from './loader.ts';
import type { BackendRecord, RouteRecord } from './routes.ts';

const BACKENDS: BackendRecord[] = [
  { backend_id: 'one', backend_url: 'u1' },
  { backend_id: 'two', backend_url: 'u2' },
];

const toBackend = (incoming_path: string, backend_id: string, route_type: RouteRecord['route_type'] = 'exact'): RouteRecord => ({
  incoming_path,
  route_type,
  handler: 'backend',
  backend_id,
});

const keyOf = (r: Pick<RouteRecord, 'incoming_path' | 'route_type'>): RouteKey => ({ incoming_path: r.incoming_path, route_type: r.route_type });

/** A table loaded from `routes`, then the rows of `keys` as they are now applied to it. */
function loadThenApply(routes: RouteRecord[], keys: RouteKey[], rows: RouteRecord[], log = silentLogger()) {
  const { table, targets } = buildTable(BACKENDS, routes, (b) => b.backend_url, log);
  assert.ok(canApplyChanges(table, keys));
  const applied = applyRouteChanges(table, targets, keys, rows);
  return { table, applied };
}

/** The backend a path is routed to, or the kind of answer it gets. */
function answer(table: ReturnType<typeof loadThenApply>['table'], path: string): string | undefined {
  const target = table.lookup(path)?.target;
  return target?.kind === 'backend' ? target.backendId : target?.kind;
}

test('a new route is set, sharing the backend target of the routes loaded with the table', () => {
  const added = toBackend('/new', 'two');
  const { table, applied } = loadThenApply([toBackend('/a', 'one'), toBackend('/b', 'two')], [keyOf(added)], [added]);
  assert.deepEqual(applied, { set: 1, removed: 0, skipped: 0 });
  assert.equal(table.size, 3);
  assert.equal(table.lookup('/new')?.target, table.lookup('/b')?.target);
});

test('a changed route replaces the one at its path and type, and leaves the other type alone', () => {
  const moved: RouteRecord = { incoming_path: '/a', route_type: 'exact', handler: 'redirect', redirect_to: '/b', redirect_type: 'temporary' };
  const { table } = loadThenApply([toBackend('/a', 'one'), toBackend('/a', 'two', 'prefix')], [keyOf(moved)], [moved]);
  assert.equal(table.size, 2);
  assert.deepEqual(table.lookup('/a')?.target, { kind: 'redirect', status: 302, to: '/b', preserve: false, redirectType: 'temporary', segmentsMode: null });
  assert.equal(answer(table, '/a/x'), 'two');
});

test('a route with no row any more is removed', () => {
  const { table, applied } = loadThenApply([toBackend('/a', 'one'), toBackend('/b', 'one')], [keyOf(toBackend('/a', 'one'))], []);
  assert.deepEqual(applied, { set: 0, removed: 1, skipped: 0 });
  assert.deepEqual(table.routes().map((r) => r.incoming_path), ['/b']);
  assert.equal(table.lookup('/a'), undefined);
});

test('removing a prefix route hands its paths to the next shorter prefix, and removing the deepest keeps lookups right', () => {
  const routes = [toBackend('/', 'one', 'prefix'), toBackend('/a', 'two', 'prefix'), toBackend('/a/b/c/d', 'one', 'prefix'), toBackend('/a/b/c', 'two')];
  const deepest = keyOf(routes[2]!);
  const { table } = loadThenApply(routes, [deepest, keyOf(routes[1]!)], []);
  assert.equal(table.size, 2);
  assert.equal(answer(table, '/a/b/c/d/e'), 'one');
  assert.equal(table.lookup('/a/b/c/d/e')?.depth, 0);
  assert.equal(answer(table, '/a/b/c'), 'two');
  assert.equal(answer(table, '/a/x'), 'one');
  // Put back, they are found again at their depths.
  const { targets } = buildTable(BACKENDS, [], (b) => b.backend_url, silentLogger());
  applyRouteChanges(table, targets, [deepest], [routes[2]!]);
  assert.equal(table.lookup('/a/b/c/d/e')?.depth, 4);
});

test('a route to a backend the table was not loaded with is skipped with a warning, and removed if it was there', () => {
  const warnings: unknown[] = [];
  const log = Object.assign(silentLogger(), { warn: (obj: unknown, msg: string) => warnings.push([obj, msg]) });
  const lost = toBackend('/a', 'three');
  const { table, applied } = loadThenApply([toBackend('/a', 'one'), toBackend('/b', 'one')], [keyOf(lost)], [lost], log);
  assert.deepEqual(applied, { set: 0, removed: 0, skipped: 1 });
  assert.equal(table.lookup('/a'), undefined);
  assert.deepEqual(warnings, [[{ incoming_path: '/a', route_type: 'exact', reason: 'unknown backend "three"' }, 'skipping route']]);
});

test('a path not in canonical form, or at a key such a path was loaded at, cannot be applied', () => {
  const { table } = buildTable(BACKENDS, [toBackend('/caf%C3%A9', 'one'), toBackend('/b', 'one')], (b) => b.backend_url, silentLogger());
  assert.equal(canApplyChanges(table, [{ incoming_path: '/b', route_type: 'exact' }]), true);
  assert.equal(canApplyChanges(table, [{ incoming_path: '/b/', route_type: 'exact' }]), false);
  assert.equal(canApplyChanges(table, [{ incoming_path: '/a/../b', route_type: 'exact' }]), false);
  assert.equal(canApplyChanges(table, [{ incoming_path: '/café', route_type: 'exact' }]), false);
  assert.equal(canApplyChanges(table, [{ incoming_path: '/café', route_type: 'prefix' }]), true);
});

test('a notification lists its routes, or none for the empty payload and anything unreadable', () => {
  assert.deepEqual(parseRouteChanges('[["exact","/a"],["prefix","/b \\"c\\""]]'), [
    { route_type: 'exact', incoming_path: '/a' },
    { route_type: 'prefix', incoming_path: '/b "c"' },
  ]);
  for (const payload of ['', 'x', '{}', '[["exact"]]', '[["other","/a"]]', '[["exact",1]]', '[null]']) {
    assert.equal(parseRouteChanges(payload), undefined, payload);
  }
});
