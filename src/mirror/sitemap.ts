import { Parser } from 'htmlparser2';

export interface Sitemap {
  /** `<sitemapindex>`: the sitemaps it lists. */
  sitemaps: string[];
  /** `<urlset>`: each page, with its lastmod when given. */
  urls: { loc: string; lastmod: number | undefined }[];
}

/** Reads a sitemap or a sitemap index (sitemaps.org 0.9); anything it cannot read is left out. */
export function parseSitemap(xml: string): Sitemap {
  const result: Sitemap = { sitemaps: [], urls: [] };
  const open: string[] = [];
  let text = '';
  let entry: { loc?: string; lastmod?: string } | undefined;
  const parser = new Parser(
    {
      onopentag(name) {
        const local = name.replace(/^.*:/, '').toLowerCase();
        open.push(local);
        text = '';
        if (local === 'url' || local === 'sitemap') entry = {};
      },
      ontext(chunk) {
        text += chunk;
      },
      onclosetag() {
        const local = open.pop();
        const parent = open.at(-1);
        if (entry && (local === 'loc' || local === 'lastmod') && (parent === 'url' || parent === 'sitemap')) entry[local] = text.trim();
        if (entry && (local === 'url' || local === 'sitemap')) {
          if (entry.loc) {
            if (local === 'sitemap') result.sitemaps.push(entry.loc);
            else {
              const time = entry.lastmod ? Date.parse(entry.lastmod) : NaN;
              result.urls.push({ loc: entry.loc, lastmod: Number.isNaN(time) ? undefined : time });
            }
          }
          entry = undefined;
        }
        text = '';
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  return result;
}

/** govuk-mirror's order: pages without a lastmod count as changed on 2000-01-01. */
const NO_LASTMOD = Date.UTC(2000, 0, 1);

/** Newest lastmod first; equal times keep the sitemap's order. */
export function newestFirst(urls: Sitemap['urls']): string[] {
  return urls
    .map((u, i) => ({ ...u, i }))
    .sort((a, b) => (b.lastmod ?? NO_LASTMOD) - (a.lastmod ?? NO_LASTMOD) || a.i - b.i)
    .map((u) => u.loc);
}
