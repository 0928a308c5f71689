/**
 * The canonical form of an old site's URL, by which a request finds its
 * mapping, following GOV.UK's optic14n (BLURI.canonicalize!): the importer and
 * the bouncer both key mappings by it, so `/About/`, `https://host/about/`
 * and `/about/?utm_source=x` are one mapping.
 */

export class CanonicalisationError extends Error {}

export interface CanonicalUrl {
  /** Lower-cased, "" for the homepage (a path of only slashes), ASCII only. */
  path: string;
  /** The significant parameters, sorted by name, form-encoded; "" when none. */
  query: string;
  /** What a mapping is stored under: `path`, or `path?query`. */
  key: string;
}

// Characters awkward in CSV, shells and regexes (optic14n), and the ones no
// valid URL carries raw: all percent-encoded, so a canonical path is ASCII.
const PATH_ESCAPE = /[^\x21-\x7e]|["'[\],|<>\\^`{}]/gu;

function percentEncode(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** Ruby's CGI.escape, as optic14n writes the values it keeps. */
function formEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Undefined for text that is not valid percent-encoded UTF-8. */
function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Splits off scheme and authority: what is left starts with `/`, `?` or is empty. */
function pathAndQuery(url: string): string {
  if (url.startsWith('/')) return url;
  const m = /^https?:\/\/[^/?#]*(.*)$/s.exec(url);
  if (!m) throw new CanonicalisationError(`${JSON.stringify(url.slice(0, 100))} is neither a path nor an http(s) URL`);
  return m[1]!;
}

function canonicalQuery(query: string, significant: ReadonlySet<string>): string {
  const kept: [string, string][] = [];
  for (const part of query.split(/[&;]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = formDecode(eq === -1 ? part : part.slice(0, eq));
    // Only the values kept are decoded: junk in the others cannot fail a request.
    if (key === undefined || !significant.has(key)) continue;
    const value = eq === -1 ? '' : formDecode(part.slice(eq + 1));
    if (value === undefined) throw new CanonicalisationError(`query parameter ${key} is not valid percent-encoded UTF-8`);
    kept.push([key, value]);
  }
  // Array.prototype.sort is stable: a parameter given twice keeps its values' order.
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return kept.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join('&');
}

/**
 * The canonical path (and query) of a path (`/a/b?x=1`) or an http(s) URL:
 * everything lower-cased; scheme and host dropped; the fragment dropped; a
 * path of only slashes becomes ""; `[ ] , " ' |`, spaces and non-ASCII
 * characters percent-encoded (lower-case hex), `%7e` and `%21` decoded to `~`
 * and `!`; of the query, only `significant` parameters kept, sorted by name.
 * Throws CanonicalisationError for anything else, or a kept parameter that is
 * not valid percent-encoded UTF-8.
 */
export function canonicalise(pathOrUrl: string, significant: readonly string[] = []): CanonicalUrl {
  const lowered = pathOrUrl.trim().toLowerCase();
  const hash = lowered.indexOf('#');
  const rest = pathAndQuery(hash === -1 ? lowered : lowered.slice(0, hash));
  const q = rest.indexOf('?');
  let path = q === -1 ? rest : rest.slice(0, q);
  if (/^\/*$/.test(path)) path = '';
  path = path.replace(PATH_ESCAPE, percentEncode).replace(/%7e/g, '~').replace(/%21/g, '!');
  const query = q === -1 ? '' : canonicalQuery(rest.slice(q + 1), new Set(significant.map((p) => p.toLowerCase())));
  return { path, query, key: query === '' ? path : `${path}?${query}` };
}

/** A site's `query_params` setting (`a:b`) as a list. */
export function significantParams(queryParams: string): string[] {
  return queryParams.split(':').map((p) => p.trim().toLowerCase()).filter(Boolean);
}

/**
 * The host an aka hostname stands for, and any other host unchanged:
 * `aka-foo.org.uk` for `foo.org.uk`, `aka.bar.gov.uk` for `www.bar.gov.uk`.
 * Aka hosts let a department point its own DNS at the bouncer before the
 * real names move.
 */
export function canonicalHost(host: string): string {
  return host.toLowerCase().replace(/^aka-/, '').replace(/^aka\./, 'www.');
}

/** The aka hostname of a host: the reverse of `canonicalHost`. */
export function akaHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('www.') ? `aka.${lower.slice(4)}` : `aka-${lower}`;
}
