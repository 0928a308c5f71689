import { keyDepth } from './path.ts';
import type { RouteRecord } from './routes.ts';

/**
 * What the router does with a request once it has matched a route. Targets
 * are shared: every route to one backend in a table has the same target
 * object, and every gone route has GONE, so a table costs little more than
 * its keys.
 */
export type Target<B> = BackendTarget<B> | RedirectTarget | GoneTarget;

export interface BackendTarget<B> {
  readonly kind: 'backend';
  readonly backend: B;
  readonly backendId: string;
}

export interface RedirectTarget {
  readonly kind: 'redirect';
  readonly status: 301 | 302;
  readonly to: string;
  readonly preserve: boolean;
  /** The row's own values, for listing the table. */
  readonly redirectType: RouteRecord['redirect_type'];
  readonly segmentsMode: RouteRecord['segments_mode'];
  /** Prepared response for a redirect that ignores the request path: its Location is always the same (see redirect.ts). */
  fixed?: unknown;
}

export interface GoneTarget {
  readonly kind: 'gone';
}

export const GONE: GoneTarget = Object.freeze({ kind: 'gone' });

export interface Match<B> {
  target: Target<B>;
  /** How many leading path segments the route's incoming_path covers. */
  depth: number;
}

export type RouteType = RouteRecord['route_type'];

/**
 * One routing table: exact routes and prefix routes in two maps keyed by
 * `pathKey` (path.ts). A full load builds one off to the side and the mux
 * swaps it in whole; after that, route changes are applied to the table in
 * service in place (changes.ts), each batch within one synchronous call, so a
 * request sees a batch either not at all or entirely. It keeps no route rows:
 * `routes()` rebuilds them from the keys and targets when the admin port asks.
 */
export class RouteTable<B> {
  private readonly exact = new Map<string, Target<B>>();
  private readonly prefix = new Map<string, Target<B>>();
  /** Segments in the deepest prefix route: a prefix lookup starts no deeper. */
  private prefixDepth = 0;
  /** How many prefix routes have keys of each depth, so that a delete can lower `prefixDepth`. */
  private readonly prefixesAtDepth: number[] = [];
  /** An incoming_path written differently from its key (`/%61` for `/a`), by route type and key. */
  private readonly written = new Map<string, string>();
  /**
   * Every key (tagged as in `written`) that a route written differently from
   * it was ever set at, even if replaced since: several rows may share it.
   */
  private readonly aliased = new Set<string>();

  get size(): number {
    return this.exact.size + this.prefix.size;
  }

  /**
   * Adds a route under its key (`pathKey` of its incoming_path); `incomingPath`
   * only where that differs from the key. A later route at the same key and
   * type replaces an earlier one.
   */
  set(type: RouteType, key: string, target: Target<B>, incomingPath?: string): void {
    if (type === 'prefix') {
      const before = this.prefix.size;
      this.prefix.set(key, target);
      if (this.prefix.size !== before) {
        const depth = keyDepth(key);
        this.prefixesAtDepth[depth] = (this.prefixesAtDepth[depth] ?? 0) + 1;
        if (depth > this.prefixDepth) this.prefixDepth = depth;
      }
    } else {
      this.exact.set(key, target);
    }
    const tag = type === 'prefix' ? 'p' : 'e';
    if (incomingPath !== undefined && incomingPath !== key) {
      this.written.set(tag + key, incomingPath);
      this.aliased.add(tag + key);
    } else if (this.written.size > 0) this.written.delete(tag + key);
  }

  /** Removes the route at this key and type, if there is one. */
  delete(type: RouteType, key: string): void {
    if (this.written.size > 0) this.written.delete((type === 'prefix' ? 'p' : 'e') + key);
    if (type === 'exact') {
      this.exact.delete(key);
      return;
    }
    if (!this.prefix.delete(key)) return;
    this.prefixesAtDepth[keyDepth(key)]!--;
    while (this.prefixDepth > 0 && !this.prefixesAtDepth[this.prefixDepth]) this.prefixDepth--;
  }

  /**
   * True if a route whose incoming_path is written differently from `key` has
   * been set at it: then other spellings of the path may be rows too, and
   * which of them serves is for a full load, reading them all in order, to say.
   */
  mayBeShared(type: RouteType, key: string): boolean {
    return this.aliased.size > 0 && this.aliased.has((type === 'prefix' ? 'p' : 'e') + key);
  }

  /** Exact beats prefix at the same path; otherwise the longest prefix wins. `key` is a `pathKey`. */
  lookup(key: string): Match<B> | undefined {
    const exact = this.exact.get(key);
    if (exact !== undefined) return { target: exact, depth: keyDepth(key) };
    if (this.prefix.size === 0) return undefined;
    // The end of the first `depth` segments, going no deeper than the deepest prefix route.
    const len = key.length;
    let depth = 0;
    let end = 0;
    if (len > 1) {
      while (depth < this.prefixDepth) {
        depth++;
        const next = key.indexOf('/', end + 1);
        if (next === -1) {
          end = len;
          break;
        }
        end = next;
      }
    }
    for (;;) {
      const target = this.prefix.get(end === 0 ? '/' : end === len ? key : key.slice(0, end));
      if (target !== undefined) return { target, depth };
      if (depth === 0) return undefined;
      depth--;
      end = depth === 0 ? 0 : key.lastIndexOf('/', end - 1);
    }
  }

  /** Every route in the table as a row, ordered by incoming_path and route_type (for the admin port's `/routes`). */
  routes(): RouteRecord[] {
    const rows: RouteRecord[] = [];
    for (const [type, map] of [
      ['exact', this.exact],
      ['prefix', this.prefix],
    ] as const) {
      const tag = type === 'prefix' ? 'p' : 'e';
      for (const [key, target] of map) {
        const incoming_path = this.written.size > 0 ? (this.written.get(tag + key) ?? key) : key;
        rows.push(toRecord(incoming_path, type, target));
      }
    }
    return rows.sort((a, b) =>
      a.incoming_path < b.incoming_path ? -1
      : a.incoming_path > b.incoming_path ? 1
      : a.route_type < b.route_type ? -1
      : a.route_type > b.route_type ? 1
      : 0,
    );
  }
}

function toRecord<B>(incoming_path: string, route_type: RouteType, target: Target<B>): RouteRecord {
  const row: RouteRecord = {
    incoming_path,
    route_type,
    handler: target.kind,
    backend_id: null,
    redirect_to: null,
    redirect_type: null,
    segments_mode: null,
  };
  if (target.kind === 'backend') row.backend_id = target.backendId;
  else if (target.kind === 'redirect') {
    row.redirect_to = target.to;
    row.redirect_type = target.redirectType ?? null;
    row.segments_mode = target.segmentsMode ?? null;
  }
  return row;
}
