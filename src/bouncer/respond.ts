import { canonicalHost, canonicalise, CanonicalisationError } from './canonical.ts';
import type { SiteDirectory } from './directory.ts';
import type { Mapping } from './mappings.ts';
import type { Pages } from './pages.ts';
import { formatTnaTimestamp, type Site } from './sites.ts';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RespondDeps {
  directory: SiteDirectory;
  pages: Pages;
  findMapping(siteId: number, path: string): Promise<Mapping | undefined>;
  redirectPaths(siteId: number): Promise<string[]>;
}

/** What the edge may keep every answer but a 5xx for (GOV.UK's bouncer and its CDN: an hour). */
export const CACHE_CONTROL = 'public, max-age=3600';

const HTML = 'text/html; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';

function answer(status: number, type: string | undefined, body: string, extra: Record<string, string> = {}): Answer {
  const headers: Record<string, string> = { ...extra };
  if (type) headers['content-type'] = type;
  headers['cache-control'] = status >= 500 ? 'no-store' : CACHE_CONTROL;
  return { status, headers, body };
}

/** The request target's path and query as sent (absolute-form reduced to them). */
function rawFullPath(url: string): string {
  return url.startsWith('/') ? url : url.replace(/^[a-z]+:\/\/[^/?#]*/i, '') || '/';
}

const XML_ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => XML_ESCAPES[c]!);
}

function sitemap(host: string, paths: readonly string[]): string {
  const urls = paths.map((p) => `  <url><loc>${escapeXml(`http://${host}${p}`)}</loc></url>\n`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls}</urlset>\n`;
}

/** A 301 to `url`, or a 501 when its host is not on the allow-list (the bouncer is no open redirect). */
function guardedRedirect(directory: SiteDirectory, url: string): Answer {
  if (!directory.allowList.allowsUrl(url)) {
    return answer(501, TEXT, `Refusing to redirect to ${url}: its host is not on the allow-list (.gov.uk, .mod.uk, .nhs.uk or whitelisted)\n`);
  }
  return answer(301, undefined, '', { location: new URL(url).href });
}

/** Ruby's File.join, as GOV.UK's bouncer appends the old path to a global redirect. */
function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function archiveUrl(site: Site, host: string, fullPath: string): string {
  return `https://webarchive.nationalarchives.gov.uk/${formatTnaTimestamp(site.tnaTimestamp)}/http://${host}${fullPath}`;
}

/**
 * GOV.UK bouncer's answer for a request to a retired site's host: the host
 * (aka names reversed) picks the site; `/sitemap.xml` and `/robots.txt`;
 * a site-wide redirect or archive; the homepage (a canonical path of "")
 * to the site's new homepage; then the canonical path's mapping: a redirect
 * is a 301, an archived or unresolved page a 410 page linking to its copy at
 * The National Archives; no mapping a 404 page.
 */
export async function respond(deps: RespondDeps, hostHeader: string, url: string): Promise<Answer> {
  const host = canonicalHost(hostHeader.replace(/:\d*$/, ''));
  const site = deps.directory.site(host);
  if (!site) return answer(404, TEXT, `This host (${host}) is not configured as a transition site.\n`);
  let canonical;
  try {
    canonical = canonicalise(url, site.queryParams);
  } catch (err) {
    if (err instanceof CanonicalisationError) return answer(400, TEXT, `Bad request: ${err.message}\n`);
    throw err;
  }
  const fullPath = rawFullPath(url);

  if (canonical.path === '/sitemap.xml') return answer(200, 'application/xml; charset=utf-8', sitemap(host, await deps.redirectPaths(site.id)));
  if (canonical.path === '/robots.txt') return answer(200, TEXT, `User-agent: *\nDisallow:\nSitemap: http://${host}/sitemap.xml\n`);

  const page = { site, host, archiveUrl: archiveUrl(site, host, fullPath) };
  if (site.globalType === 'redirect') {
    return guardedRedirect(deps.directory, site.globalRedirectAppendPath ? joinUrl(site.globalNewUrl!, fullPath) : site.globalNewUrl!);
  }
  if (site.globalType === 'archive') return answer(410, HTML, deps.pages.gone(page));
  if (canonical.path === '') return answer(301, undefined, '', { location: new URL(site.homepage).href });

  const mapping = await deps.findMapping(site.id, canonical.key);
  if (mapping?.type === 'redirect') return guardedRedirect(deps.directory, mapping.newUrl!);
  if (mapping) {
    return answer(410, HTML, deps.pages.gone({ ...page, archiveUrl: mapping.archiveUrl ?? page.archiveUrl, suggestedUrl: mapping.suggestedUrl }));
  }
  // GOV.UK's bouncer keeps /410 as a way to see the page.
  if (canonical.path === '/410') return answer(410, HTML, deps.pages.gone(page));
  return answer(404, HTML, deps.pages.notFound(page));
}
