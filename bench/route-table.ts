/**
 * The generated route table every setup serves, so nginx and Portico route
 * the same paths. Route i (0-based) is an exact route `/a/sectionI/pageI` when
 * i is even and a prefix route `/c/sectionI` when i is odd, which gives half
 * of each in alternation. A redirect and a gone route come after them.
 * Requests go to the last routes of each kind: nginx's prefix locations are
 * matched in a tree, but "late in the table" keeps any linear scan honest.
 */

export const REDIRECT_PATH = '/r/old';
export const REDIRECT_TO = '/new-place';
export const GONE_PATH = '/g/retired';

export function exactPath(i: number): string {
  return `/a/section${i}/page${i}`;
}

export function prefixPath(i: number): string {
  return `/c/section${i}`;
}

/** The last exact route of a table of `size` routes (size even, >= 2). */
export function lateExact(size: number): string {
  return exactPath(size - 2);
}

/** A path under the last prefix route, deeper than the route itself. */
export function latePrefix(size: number): string {
  return `${prefixPath(size - 1)}/foo/bar`;
}
