import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db, Queryable, QueryResult } from '../platform/db/index.ts';
import { ident } from '../platform/db/index.ts';
import type { Logger } from '../platform/log.ts';
import type { RouteKey } from './changes.ts';
import { pathKey } from './path.ts';
import { RouteTable, type RedirectTarget, type RouteType, type Target } from './route-table.ts';
import type { BackendRecord, RouteRecord } from './routes.ts';
import { RouteTargets, type BackendResolver } from './targets.ts';

export interface LoadResult<B> {
  table: RouteTable<B>;
  /** Routes left out, each logged with its reason. */
  skipped: number;
  /** The load's backend targets, which changes applied to the table later share. */
  targets: RouteTargets<B>;
}

export interface LoadOptions {
  /** Routes read and added per page; the event loop gets a turn between pages. */
  pageSize?: number;
}

/**
 * Big enough that a million routes take 100 queries, small enough that one
 * page (the query, which on PGlite runs on this thread, and adding its routes)
 * holds the event loop for tens of milliseconds at most.
 */
export const PAGE_SIZE = 10_000;

const COLUMNS = 'incoming_path, route_type, handler, backend_id, redirect_to, redirect_type, segments_mode';
const KEY = 'incoming_path, route_type';

/** One page's routes grouped by everything but their paths (and redirect targets), which come as one string each. */
interface Group {
  route_type: RouteType;
  handler: RouteRecord['handler'];
  backend_id: string | null;
  redirect_type: RouteRecord['redirect_type'];
  segments_mode: RouteRecord['segments_mode'];
  n: number;
  paths: string | null;
  targets: string | null;
}

/** A row of a page query: a group, or (with no handler) the page's last key, its path in `paths`. */
type PageRow = Omit<Group, 'handler'> & { handler: Group['handler'] | null };

/**
 * Reads one schema's backends and routes and builds a complete new table. A
 * bad row is skipped with a warning, as the reference does; a failed query
 * rejects, and the caller keeps the table it has.
 *
 * The routes are read in pages in key order, all in one read-only snapshot,
 * and added to the new table as each page arrives, with a turn of the event
 * loop between pages: a large table loads while requests are still answered
 * from the table in service. Each page comes back as a few rows, one per
 * kind of route (type, handler, backend, redirect options), carrying that
 * kind's paths as one newline-separated string: turning a row per route into
 * objects is what made a large load slow and big, on PGlite most of all.
 */
export async function loadRoutes<B>(db: Db, schema: string, resolve: BackendResolver<B>, log: Logger, opts: LoadOptions = {}): Promise<LoadResult<B>> {
  const s = ident(schema);
  const pageSize = opts.pageSize ?? PAGE_SIZE;
  const from = (first: boolean) => `${s}.routes${first ? '' : ` WHERE (${KEY}) > ($1, $2)`} ORDER BY ${KEY}`;
  const sql = (first: boolean) => {
    const limit = first ? '$1' : '$3';
    return {
      // The page's routes grouped by kind; both string_aggs of a group see
      // its rows in the same order, so paths and targets line up. Then one
      // row with no handler carrying the page's last key, which the next
      // page starts after: the greatest of the groups' last keys, compared
      // by the database, in its collation.
      page: `WITH groups AS (
               SELECT route_type, handler, backend_id, redirect_type, segments_mode, count(*)::int AS n,
                 string_agg(incoming_path, E'\\n') AS paths, string_agg(redirect_to, E'\\n') AS targets, max(incoming_path) AS last
               FROM (SELECT ${COLUMNS} FROM ${from(first)} LIMIT ${limit}) page
               GROUP BY route_type, handler, backend_id, redirect_type, segments_mode)
             SELECT route_type, handler, backend_id, redirect_type, segments_mode, n, paths, targets FROM groups
             UNION ALL
             (SELECT route_type, NULL, NULL, NULL, NULL, 0, last, NULL FROM groups ORDER BY last DESC, route_type DESC LIMIT 1)`,
      rows: `SELECT ${COLUMNS} FROM ${from(first)} LIMIT ${limit}`,
    };
  };
  const first = sql(true);
  const rest = sql(false);
  // On PostgreSQL the next page is asked for before this one is added, so the
  // server reads it meanwhile. PGlite runs queries on this thread, where that
  // would only put a query and a build back to back in one longer block.
  const overlap = db.kind !== 'pglite';

  return db.transaction(async (tx: Queryable) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    // The share locks every read takes, but both at once and in one order,
    // before the snapshot: held one at a time they could deadlock with a
    // writer that truncates both tables (TRUNCATE routes, backends).
    await tx.query(`LOCK TABLE ${s}.routes, ${s}.backends IN ACCESS SHARE MODE`);
    // Plans for this transaction only. Each page must be read along the
    // primary key's index from where the last one ended: with statistics that
    // are stale or missing (PGlite never analyses a table by itself) the
    // planner may think the table small and scan and sort all of it for every
    // page, so take the alternatives away. Grouping a page by hashing is
    // cheaper than sorting it; and compiling a plan costs more than running it.
    await tx.query(
      `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
              set_config('enable_sort', 'off', true), set_config('jit', 'off', true)`,
    );
    const backends = await tx.query<BackendRecord>(`SELECT backend_id, backend_url FROM ${s}.backends`);
    const builder = new TableBuilder<B>(backends.rows, resolve, log);
    let params: unknown[] = [pageSize];
    let pending: Promise<QueryResult<PageRow>> | undefined = tx.query<PageRow>(first.page, params);
    while (pending !== undefined) {
      const rows = (await pending).rows;
      pending = undefined;
      await nextTurn();
      const q = params.length === 1 ? first : rest;
      const last = rows.find((r) => r.handler === null);
      let count = 0;
      for (const r of rows) count += r.n;
      // A page short of its size is the last one.
      const nextParams = last === undefined || count < pageSize ? undefined : [last.paths, last.route_type, pageSize];
      const fetchNext = () => {
        if (nextParams === undefined) return;
        pending = tx.query<PageRow>(rest.page, nextParams);
        // Awaited on the next turn; until then a failure must not count as unhandled.
        pending.catch(() => undefined);
      };
      if (overlap) fetchNext();
      if (!builder.addGroups((last === undefined ? rows : rows.filter((r) => r !== last)) as Group[])) {
        // A path or target with a newline in it: read this page row by row instead.
        for (const route of (await tx.query<RouteRecord>(q.rows, params)).rows) builder.addRoute(route);
      }
      if (nextParams === undefined) break;
      params = nextParams;
      await nextTurn();
      if (!overlap) fetchNext();
    }
    return builder.result();
  });
}

/**
 * The current rows of these routes, those that still exist, in one statement:
 * what a change notification's routes are now.
 */
export async function loadRouteRows(db: Queryable, schema: string, keys: readonly RouteKey[]): Promise<RouteRecord[]> {
  const result = await db.query<RouteRecord>(
    `SELECT ${COLUMNS} FROM ${ident(schema)}.routes WHERE (${KEY}) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [keys.map((k) => k.incoming_path), keys.map((k) => k.route_type)],
  );
  return result.rows;
}

/** Builds a table from rows already in memory (a routes file, a test). */
export function buildTable<B>(backends: BackendRecord[], routes: RouteRecord[], resolve: BackendResolver<B>, log: Logger): LoadResult<B> {
  const builder = new TableBuilder<B>(backends, resolve, log);
  for (const route of routes) builder.addRoute(route);
  return builder.result();
}

class TableBuilder<B> {
  private readonly table = new RouteTable<B>();
  private readonly targets: RouteTargets<B>;
  private skipped = 0;

  constructor(backends: BackendRecord[], resolve: BackendResolver<B>, log: Logger) {
    this.targets = new RouteTargets(backends, resolve, log);
  }

  result(): LoadResult<B> {
    return { table: this.table, skipped: this.skipped, targets: this.targets };
  }

  addRoute(route: RouteRecord): void {
    const target = this.targets.forRow(route);
    if (target === undefined) this.skipped++;
    else this.add(route.route_type, route.incoming_path, target);
  }

  /** Adds a page of groups; false, having added nothing, if a group's strings do not split into one value per route. */
  addGroups(groups: Group[]): boolean {
    const split: { paths: string[]; targets: string[] | undefined }[] = [];
    for (const g of groups) {
      const paths = g.paths === null ? [] : g.paths.split('\n');
      if (paths.length !== g.n) return false;
      let targets: string[] | undefined;
      if (g.handler === 'redirect') {
        targets = g.targets === null ? [] : g.targets.split('\n');
        // (string_agg leaves out a null target, and then the lines would not match up.)
        if (targets.length !== g.n) return false;
      }
      split.push({ paths, targets });
    }
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      const { paths, targets } = split[i]!;
      if (targets === undefined) {
        const target = this.targets.target(g, null, undefined);
        for (const path of paths) {
          if (target === undefined) this.skip(path, g.route_type, this.targets.reason(g, null));
          else this.add(g.route_type, path, target);
        }
      } else {
        // Redirects of a group to the same place share one target.
        const redirects = new Map<string, RedirectTarget>();
        for (let j = 0; j < paths.length; j++) {
          const target = this.targets.target(g, targets[j]!, redirects);
          if (target === undefined) this.skip(paths[j]!, g.route_type, this.targets.reason(g, targets[j]!));
          else this.add(g.route_type, paths[j]!, target);
        }
      }
    }
    return true;
  }

  private add(type: RouteType, incomingPath: string, target: Target<B>): void {
    const key = pathKey(incomingPath);
    if (key === undefined) {
      this.skip(incomingPath, type, 'invalid incoming_path');
      return;
    }
    this.table.set(type, key, target, key === incomingPath ? undefined : incomingPath);
  }

  private skip(incomingPath: string, routeType: string, reason: string): void {
    this.skipped++;
    this.targets.skip(incomingPath, routeType, reason);
  }
}
