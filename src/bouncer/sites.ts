import type { Queryable } from '../platform/db/index.ts';
import { akaHost, significantParams } from './canonical.ts';

export type GlobalType = 'redirect' | 'archive';

/** A retired website as the bouncer and the importer need it. */
export interface Site {
  id: number;
  abbr: string;
  /** The organisation's name, for the pages; undefined when the site has none. */
  title: string | undefined;
  tnaTimestamp: Date;
  homepage: string;
  globalType: GlobalType | undefined;
  globalNewUrl: string | undefined;
  globalRedirectAppendPath: boolean;
  /** The query parameters kept in canonical paths, lower-cased. */
  queryParams: string[];
  /** Its hostnames, aka hosts included. */
  hosts: string[];
}

/** Bad input for a site or host: `field` names the option at fault. */
export class TransitionInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** A site or host that already exists. */
export class TransitionConflictError extends Error {}

interface SiteRow {
  id: string;
  abbr: string;
  title: string | null;
  tna_timestamp: Date;
  homepage: string;
  global_type: GlobalType | null;
  global_new_url: string | null;
  global_redirect_append_path: boolean;
  query_params: string;
  hosts: string[] | null;
}

const SITE_SELECT = `
  SELECT s.id, s.abbr, o.title, s.tna_timestamp, s.homepage, s.global_type, s.global_new_url,
         s.global_redirect_append_path, s.query_params,
         (SELECT array_agg(h.hostname ORDER BY h.canonical_host_id NULLS FIRST, h.id) FROM transition.hosts h WHERE h.site_id = s.id) AS hosts
  FROM transition.sites s LEFT JOIN transition.organisations o ON o.id = s.organisation_id`;

function toSite(r: SiteRow): Site {
  return {
    id: Number(r.id),
    abbr: r.abbr,
    title: r.title ?? undefined,
    tnaTimestamp: new Date(r.tna_timestamp),
    homepage: r.homepage,
    globalType: r.global_type ?? undefined,
    globalNewUrl: r.global_new_url ?? undefined,
    globalRedirectAppendPath: r.global_redirect_append_path,
    queryParams: significantParams(r.query_params),
    hosts: r.hosts ?? [],
  };
}

export async function listSites(db: Queryable): Promise<Site[]> {
  const { rows } = await db.query<SiteRow>(`${SITE_SELECT} ORDER BY s.abbr`);
  return rows.map(toSite);
}

export async function findSite(db: Queryable, abbr: string): Promise<Site | undefined> {
  const { rows } = await db.query<SiteRow>(`${SITE_SELECT} WHERE s.abbr = $1`, [abbr]);
  return rows[0] && toSite(rows[0]);
}

export async function listWhitelistedHosts(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ hostname: string }>('SELECT hostname FROM transition.whitelisted_hosts ORDER BY hostname');
  return rows.map((r) => r.hostname);
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** A hostname lower-cased, or TransitionInputError naming `field`. */
export function validHostname(field: string, host: string): string {
  const h = host.trim().toLowerCase();
  if (!HOSTNAME.test(h)) throw new TransitionInputError(field, `${JSON.stringify(host)} is not a hostname (no scheme, port or path)`);
  return h;
}

/** An absolute http(s) URL (normalised: `https://www.gov.uk/`), or TransitionInputError naming `field`. */
export function validHttpUrl(field: string, url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) {
    throw new TransitionInputError(field, `${JSON.stringify(url)} is not an absolute http(s) URL`);
  }
  return parsed.href;
}

/** `20120816224015` (The National Archives' form, UTC) or an ISO 8601 date or time. */
export function parseTnaTimestamp(text: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  const date = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : undefined;
  if (!date || Number.isNaN(date.getTime()) || (m && date.getUTCMonth() !== +m[2]! - 1)) {
    throw new TransitionInputError('--tna-timestamp', `${JSON.stringify(text)} is neither YYYYMMDDHHMMSS nor an ISO 8601 date`);
  }
  return date;
}

/** The timestamp as The National Archives writes it in its URLs. */
export function formatTnaTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export interface NewSite {
  abbr: string;
  hosts: string[];
  homepage: string;
  tnaTimestamp: Date;
  organisation?: string;
  globalType?: GlobalType;
  globalNewUrl?: string;
  globalRedirectAppendPath?: boolean;
  queryParams?: string;
}

function slugOf(title: string): string {
  return title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * Adds a site with its hosts and each host's aka host, in the transaction
 * `tx`. Validates every field first; a taken abbreviation or hostname is a
 * TransitionConflictError naming the site that has it.
 */
export async function addSite(tx: Queryable, input: NewSite): Promise<Site> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(input.abbr)) throw new TransitionInputError('ABBR', 'letters, digits, _ and - only (at most 64)');
  if (input.hosts.length === 0) throw new TransitionInputError('--host', 'a site needs at least one');
  const hosts = [...new Set(input.hosts.map((h) => validHostname('--host', h)))];
  for (const h of hosts) {
    if (/^aka[-.]/.test(h)) throw new TransitionInputError('--host', `${h}: aka hosts are added for each host by themselves`);
  }
  const homepage = validHttpUrl('--homepage', input.homepage);
  const globalNewUrl = input.globalType === 'redirect' ? validHttpUrl('--global-redirect', input.globalNewUrl ?? '') : null;
  if (globalNewUrl !== null) {
    if (input.globalRedirectAppendPath && globalNewUrl.includes('?')) {
      throw new TransitionInputError('--global-redirect', 'cannot contain a query when the path is appended');
    }
  }
  const queryParams = significantParams(input.queryParams ?? '');
  for (const p of queryParams) {
    if (!/^[a-z0-9_.\-[\]]+$/.test(p)) throw new TransitionInputError('--query-params', `${JSON.stringify(p)} is not a parameter name`);
  }
  const allHosts = hosts.flatMap((h) => [h, akaHost(h)]);
  const taken = await tx.query<{ hostname: string; abbr: string }>(
    'SELECT h.hostname, s.abbr FROM transition.hosts h JOIN transition.sites s ON s.id = h.site_id WHERE h.hostname = ANY($1)',
    [allHosts],
  );
  if (taken.rows.length > 0) {
    throw new TransitionConflictError(taken.rows.map((r) => `host ${r.hostname} belongs to site ${r.abbr}`).join('; '));
  }
  let organisationId: string | null = null;
  if (input.organisation) {
    const slug = slugOf(input.organisation);
    if (!slug) throw new TransitionInputError('--organisation', 'needs a letter or digit');
    const org = await tx.query<{ id: string }>(
      `INSERT INTO transition.organisations (slug, title) VALUES ($1, $2)
       ON CONFLICT (slug) DO UPDATE SET title = EXCLUDED.title RETURNING id`,
      [slug, input.organisation],
    );
    organisationId = org.rows[0]!.id;
  }
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO transition.sites (abbr, organisation_id, tna_timestamp, homepage, global_type, global_new_url, global_redirect_append_path, query_params)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (abbr) DO NOTHING RETURNING id`,
    [
      input.abbr,
      organisationId,
      input.tnaTimestamp,
      homepage,
      input.globalType ?? null,
      globalNewUrl,
      globalNewUrl !== null && (input.globalRedirectAppendPath ?? false),
      queryParams.join(':'),
    ],
  );
  if (inserted.rows.length === 0) throw new TransitionConflictError(`site ${input.abbr} already exists`);
  const siteId = inserted.rows[0]!.id;
  for (const h of hosts) {
    const row = await tx.query<{ id: string }>('INSERT INTO transition.hosts (hostname, site_id) VALUES ($1, $2) RETURNING id', [h, siteId]);
    await tx.query('INSERT INTO transition.hosts (hostname, site_id, canonical_host_id) VALUES ($1, $2, $3)', [akaHost(h), siteId, row.rows[0]!.id]);
  }
  return (await findSite(tx, input.abbr))!;
}

/** Adds a host redirects may point at; false if it was there already. */
export async function addWhitelistedHost(db: Queryable, host: string): Promise<boolean> {
  const h = validHostname('HOST', host);
  const { rows } = await db.query('INSERT INTO transition.whitelisted_hosts (hostname) VALUES ($1) ON CONFLICT DO NOTHING RETURNING hostname', [h]);
  return rows.length > 0;
}
