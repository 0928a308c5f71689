/**
 * The purge wire contract shared by Portico's edge and any CDN it feeds (a
 * Varnish running the generated VCL): `PURGE <path>` with the host of www,
 * the token in PURGE_TOKEN_HEADER, and SOFT_PURGE_HEADER: 1 to mark the
 * copies stale (still served when origin fails) instead of deleting them.
 * A purge covers every query-string and Vary variant of the path.
 */
export const PURGE_TOKEN_HEADER = 'portico-purge-token';
export const SOFT_PURGE_HEADER = 'portico-soft-purge';

/** Something that can drop or stale cached copies of public paths: the edge's own cache, or a CDN over HTTP. */
export interface Purger {
  readonly name: string;
  purge(paths: readonly string[], options: { soft: boolean }): Promise<void>;
}
