import type { Queryable } from '../platform/db/index.ts';

/** The sitemaps protocol's limit of URLs in one file. */
export const SITEMAP_LIMIT = 50_000;

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

export interface SitemapEntry {
  base_path: string;
  public_timestamp: Date | string | null;
}

/** Withdrawn documents stay searchable but are not offered to crawlers as current pages. */
const LISTED = 'FROM search.documents WHERE NOT is_withdrawn';

export async function countListed(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${LISTED}`);
  return rows[0]!.n;
}

/** Page `page` (from 1) of the listed documents, by path. */
export async function listedPage(db: Queryable, page: number, pageSize: number): Promise<SitemapEntry[]> {
  const { rows } = await db.query<SitemapEntry>(`SELECT base_path, public_timestamp ${LISTED} ORDER BY base_path LIMIT $1 OFFSET $2`, [
    pageSize,
    (page - 1) * pageSize,
  ]);
  return rows;
}

export function urlSet(origin: string, entries: SitemapEntry[]): string {
  const urls = entries.map((e) => {
    const lastmod = e.public_timestamp ? `<lastmod>${new Date(e.public_timestamp).toISOString()}</lastmod>` : '';
    return `<url><loc>${escapeXml(origin + e.base_path)}</loc>${lastmod}</url>`;
  });
  return `${XML_HEAD}<urlset xmlns="${NS}">\n${urls.join('\n')}\n</urlset>\n`;
}

/** The index of `pages` sitemaps, each at /sitemaps/sitemap_<n>.xml. */
export function sitemapIndex(origin: string, pages: number): string {
  const items = Array.from({ length: pages }, (_, i) => `<sitemap><loc>${escapeXml(`${origin}/sitemaps/sitemap_${i + 1}.xml`)}</loc></sitemap>`);
  return `${XML_HEAD}<sitemapindex xmlns="${NS}">\n${items.join('\n')}\n</sitemapindex>\n`;
}
