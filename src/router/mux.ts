import { RouteTable, type Match } from './route-table.ts';

/**
 * Holds the table in service. A full reload builds a whole new table elsewhere
 * and `swap` puts it in with one assignment, so a request sees either the old
 * table or the new one, never a half-built one. Route changes are applied to
 * `current` in place, a batch at a time in one synchronous call, so a request
 * sees a batch whole or not at all. Requests already matched keep the target
 * they were given either way: a change gives a route a new target object
 * rather than altering the one it had.
 */
export class Mux<B> {
  private table: RouteTable<B> = new RouteTable();
  private loaded = false;

  /** True once a first table has been swapped in. */
  get hasLoaded(): boolean {
    return this.loaded;
  }

  get size(): number {
    return this.table.size;
  }

  get current(): RouteTable<B> {
    return this.table;
  }

  swap(next: RouteTable<B>): RouteTable<B> {
    const previous = this.table;
    this.table = next;
    this.loaded = true;
    return previous;
  }

  /** `key` is the request path's `pathKey`. */
  lookup(key: string): Match<B> | undefined {
    return this.table.lookup(key);
  }
}
