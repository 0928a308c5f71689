import { parse } from 'csv-parse/sync';
import type { AllowList } from './allow-list.ts';
import { canonicalise, CanonicalisationError } from './canonical.ts';
import type { Site } from './sites.ts';

export type MappingType = 'redirect' | 'archive' | 'unresolved';

/** One mapping an import file asks for. */
export interface ImportRow {
  /** The line of the file it came from (where its record starts). */
  line: number;
  /** The canonical path (with any significant query). */
  path: string;
  type: MappingType;
  newUrl?: string;
  /** A capture at The National Archives to link to instead of the site's own. */
  archiveUrl?: string;
}

export interface RejectedRow {
  line: number;
  old: string;
  reason: string;
}

export interface ImportPlan {
  /** One row per canonical path, the one the precedence rules chose, in file order. */
  rows: ImportRow[];
  rejected: RejectedRow[];
  /** Rows that are not mappings: a header, anything whose first cell is not a path or URL, the homepage. */
  ignored: number;
  /** Rows another row for the same canonical path took precedence over. */
  superseded: number;
}

/** The file is not CSV at all (an unclosed quote, say): no row of it can be trusted. */
export class ImportFileError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export const NATIONAL_ARCHIVES_HOST = 'webarchive.nationalarchives.gov.uk';
export const MAX_PATH_LENGTH = 2048;
/** Transition's limit for a mapping's URLs: 64 KB less one byte. */
export const MAX_URL_BYTES = 64 * 1024 - 1;

/**
 * A new URL as people write them in spreadsheets: `www.gov.uk/x` means
 * https://www.gov.uk/x. Anything with a scheme is left for validation.
 */
function withScheme(url: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) || !/^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([/?#]|$)/i.test(url) ? url : `https://${url}`;
}

function hostOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.hostname : undefined;
  } catch {
    return undefined;
  }
}

/** Higher wins: redirect > archive with its own URL > archive > unresolved. */
function precedence(row: ImportRow): number {
  return row.type === 'redirect' ? 3 : row.type === 'archive' ? (row.archiveUrl ? 2 : 1) : 0;
}

type Classified = { row: ImportRow } | { rejected: string } | { ignored: true };

function classify(site: Pick<Site, 'hosts' | 'queryParams'>, allowList: AllowList, line: number, old: string, newValue: string | undefined): Classified {
  if (!old.startsWith('/') && !/^https?:\/\//i.test(old)) return { ignored: true };
  if (!old.startsWith('/')) {
    const host = hostOf(old);
    if (host === undefined) return { rejected: 'old URL is not a valid URL' };
    if (!site.hosts.includes(host)) return { rejected: `old URL's host ${host} is not one of the site's hosts (${site.hosts.join(', ')})` };
  }
  let path: string;
  try {
    path = canonicalise(old, site.queryParams).key;
  } catch (err) {
    if (err instanceof CanonicalisationError) return { rejected: `old URL: ${err.message}` };
    throw err;
  }
  if (canonicalise(old, []).path === '') return { ignored: true };
  if (path.length > MAX_PATH_LENGTH) return { rejected: `old path is longer than ${MAX_PATH_LENGTH} characters once canonical` };
  if (newValue === undefined) return { row: { line, path, type: 'unresolved' } };
  if (newValue.toUpperCase() === 'TNA') return { row: { line, path, type: 'archive' } };

  // The URL parser would quietly drop a tab or newline; a redirect must go where the file says.
  if (/[\s\x00-\x1f\x7f]/.test(newValue)) return { rejected: 'new URL contains spaces or control characters' };
  const url = withScheme(newValue);
  if (Buffer.byteLength(url) > MAX_URL_BYTES) return { rejected: `new URL is longer than ${MAX_URL_BYTES} bytes` };
  const host = hostOf(url);
  if (host === undefined) return { rejected: `new URL ${JSON.stringify(newValue.slice(0, 200))} is not an http(s) URL, nor TNA` };
  if (host === NATIONAL_ARCHIVES_HOST) return { row: { line, path, type: 'archive', archiveUrl: url } };
  if (!allowList.allowsHost(host)) {
    return { rejected: `new URL's host ${host} is not allowed: redirects go to .gov.uk, .mod.uk or .nhs.uk hosts, or to ones added with 'portico transition whitelist add'` };
  }
  return { row: { line, path, type: 'redirect', newUrl: url } };
}

/**
 * Reads an import file of `old,new` rows (GOV.UK Transition's rules): a row
 * whose first cell is not a path or an http(s) URL (a header) or that is the
 * site's homepage is ignored; `new` of `TNA` or a National Archives URL makes
 * an archive mapping, any other URL a redirect, nothing an unresolved one.
 * Every row is checked (old URLs on the site's hosts, new URLs valid, at most
 * 64 KB and allowed); of several rows for one canonical path the precedence
 * rules keep one (redirect, then archive with a URL, archive, unresolved; the
 * later line among equals). Touches no database.
 */
export function planImport(text: string, site: Pick<Site, 'hosts' | 'queryParams'>, allowList: AllowList): ImportPlan {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // Empty lines come through as records ([""]), not skipped: csv-parse's line count is off after a skipped one.
    records = parse(text, { bom: true, info: true, relax_column_count: true, relax_quotes: true, record_delimiter: ['\r\n', '\n', '\r'] }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new ImportFileError(e.lines ?? 0, e.message);
  }
  const byPath = new Map<string, ImportRow>();
  const rejected: RejectedRow[] = [];
  let ignored = 0;
  let superseded = 0;
  for (const { record, info } of records) {
    if (record.every((cell) => cell.trim() === '')) continue;
    const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    const old = (record[0] ?? '').trim();
    const newValue = record[1]?.trim() || undefined;
    const result = classify(site, allowList, line, old, newValue);
    if ('ignored' in result) {
      ignored++;
    } else if ('rejected' in result) {
      rejected.push({ line, old, reason: result.rejected });
    } else {
      const current = byPath.get(result.row.path);
      if (current) superseded++;
      if (!current || precedence(result.row) >= precedence(current)) byPath.set(result.row.path, result.row);
    }
  }
  return { rows: [...byPath.values()].sort((a, b) => a.line - b.line), rejected, ignored, superseded };
}
