import type { Queryable } from '../platform/db/index.ts';
import type { MappingType } from './import-rows.ts';

export interface Mapping {
  type: MappingType;
  newUrl: string | undefined;
  suggestedUrl: string | undefined;
  archiveUrl: string | undefined;
}

/** The site's mapping for a canonical path (`canonicalise(...).key`), by the (site_id, path) unique index. */
export async function findMapping(db: Queryable, siteId: number, path: string): Promise<Mapping | undefined> {
  const { rows } = await db.query<{ type: MappingType; new_url: string | null; suggested_url: string | null; archive_url: string | null }>(
    'SELECT type, new_url, suggested_url, archive_url FROM transition.mappings WHERE site_id = $1 AND path = $2',
    [siteId, path],
  );
  const r = rows[0];
  return r && { type: r.type, newUrl: r.new_url ?? undefined, suggestedUrl: r.suggested_url ?? undefined, archiveUrl: r.archive_url ?? undefined };
}

/** A sitemap holds at most this many URLs (sitemaps.org). */
export const SITEMAP_LIMIT = 50_000;

/** The paths of the site's redirects, for its sitemap, so crawlers find where each old page went. */
export async function redirectPaths(db: Queryable, siteId: number, limit = SITEMAP_LIMIT): Promise<string[]> {
  const { rows } = await db.query<{ path: string }>(
    "SELECT path FROM transition.mappings WHERE site_id = $1 AND type = 'redirect' ORDER BY path LIMIT $2",
    [siteId, limit],
  );
  return rows.map((r) => r.path);
}

/** How many mappings of each type each site has, by site id. */
export async function mappingCounts(db: Queryable): Promise<Map<number, Record<MappingType, number>>> {
  const { rows } = await db.query<{ site_id: string; type: MappingType; n: string }>(
    'SELECT site_id, type, count(*) AS n FROM transition.mappings GROUP BY site_id, type',
  );
  const counts = new Map<number, Record<MappingType, number>>();
  for (const r of rows) {
    const c = counts.get(Number(r.site_id)) ?? { redirect: 0, archive: 0, unresolved: 0 };
    c[r.type] = Number(r.n);
    counts.set(Number(r.site_id), c);
  }
  return counts;
}
