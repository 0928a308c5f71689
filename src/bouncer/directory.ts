import type { Queryable } from '../platform/db/index.ts';
import { AllowList } from './allow-list.ts';
import { listSites, listWhitelistedHosts, type Site } from './sites.ts';

/**
 * Every transition site by hostname, and the redirect allow-list: what the
 * bouncer answers from memory on each request. Replaced whole on reload.
 */
export class SiteDirectory {
  private readonly byHost = new Map<string, Site>();

  constructor(
    sites: readonly Site[],
    readonly allowList: AllowList,
  ) {
    for (const site of sites) for (const host of site.hosts) this.byHost.set(host, site);
  }

  /** The site of a (canonical, lower-case, port-less) hostname. */
  site(host: string): Site | undefined {
    return this.byHost.get(host);
  }

  get hostCount(): number {
    return this.byHost.size;
  }
}

/** Reads the sites and allow-list; `extraAllowedHosts` (the public host) are allowed besides the table's. */
export async function loadDirectory(db: Queryable, extraAllowedHosts: readonly string[]): Promise<SiteDirectory> {
  const [sites, whitelisted] = await Promise.all([listSites(db), listWhitelistedHosts(db)]);
  return new SiteDirectory(sites, new AllowList([...whitelisted, ...extraAllowedHosts]));
}
