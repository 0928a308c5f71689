import { Trie } from './trie.ts';
import type { RouteRecord } from './routes.ts';

/** What the router does with a request once it has matched a route. */
export type Target<B> =
  | { kind: 'backend'; backend: B }
  | { kind: 'redirect'; status: 301 | 302; to: string; preserve: boolean }
  | { kind: 'gone' };

export interface Entry<B> {
  route: RouteRecord;
  target: Target<B>;
}

export interface Match<B> {
  entry: Entry<B>;
  /** How many leading path segments the route's incoming_path covers. */
  depth: number;
}

/**
 * One immutable routing table: exact routes and prefix routes in separate
 * tries. Built off to the side by the loader and swapped into the mux whole.
 */
export class RouteTable<B> {
  private readonly exact = new Trie<Entry<B>>();
  private readonly prefix = new Trie<Entry<B>>();
  private readonly records: RouteRecord[] = [];

  get size(): number {
    return this.exact.size + this.prefix.size;
  }

  /** A later route at the same path and type replaces an earlier one. */
  add(segments: readonly string[], entry: Entry<B>): void {
    (entry.route.route_type === 'prefix' ? this.prefix : this.exact).set(segments, entry);
    this.records.push(entry.route);
  }

  /** Every route added, in load order (for the admin port's `/routes`). */
  routes(): readonly RouteRecord[] {
    return this.records;
  }

  /** Exact beats prefix at the same path; otherwise the longest prefix wins. */
  lookup(segments: readonly string[]): Match<B> | undefined {
    const exact = this.exact.get(segments);
    if (exact) return { entry: exact.value, depth: segments.length };
    const prefix = this.prefix.getLongestPrefix(segments);
    return prefix ? { entry: prefix.value, depth: prefix.depth } : undefined;
  }
}
