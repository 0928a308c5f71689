import type { ResponseHeaders } from './cache-policy.ts';
import { compressVariants, isCompressible, MIN_COMPRESS_BYTES } from './encoding.ts';
import { Entry, Head, type Source } from './entry.ts';
import { REQUEST_ID_HEADER } from '../platform/log.ts';

/**
 * Fields never passed on: hop-by-hop ones, those the edge sets on each
 * answer, and the framing it recomputes for each body.
 */
const MANAGED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'age',
  'x-cache',
  'server-timing',
  REQUEST_ID_HEADER,
]);

/** Origin's response fields as a flat [name, value, ...] list, less those the edge manages and those `drop` names. */
export function passedFields(headers: ResponseHeaders, drop?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || MANAGED.has(name) || drop?.has(name)) continue;
    if (Array.isArray(value)) for (const v of value) out.push(name, v);
    else out.push(name, value);
  }
  return out;
}

const NOT_STORED = new Set(['set-cookie', 'vary']);
const NOT_STORED_COMPRESSING = new Set(['set-cookie', 'vary', 'content-encoding']);

/** The request fields a response varies on, lower-cased, in order, without duplicates. */
export function varyNames(headers: ResponseHeaders): string[] {
  const raw = headers.vary;
  const text = Array.isArray(raw) ? raw.join(',') : raw ?? '';
  const out: string[] = [];
  for (const part of text.split(',')) {
    const name = part.trim().toLowerCase();
    if (name !== '' && !out.includes(name)) out.push(name);
  }
  return out;
}

export interface Lifetime {
  ttlMs: number;
  staleWhileRevalidateMs: number;
  staleIfErrorMs: number;
}

export interface StoredResponse {
  entry: Entry;
  /** The request fields the entry is chosen by (never Accept-Encoding: the edge picks the encoding itself). */
  varyFields: string[];
}

/**
 * A cacheable response made ready to serve: text compressed once with
 * gzip and brotli (`Vary: Accept-Encoding` added), a head built for each
 * body, and its lifetimes counted from `now`.
 */
export async function storedResponse(o: {
  key: string;
  path: string;
  /** The request's values of the Vary fields, for the entry's id. */
  varyValues: (fields: readonly string[]) => string[];
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
  now: number;
  life: Lifetime;
  source: Source;
}): Promise<StoredResponse> {
  const { headers, body } = o;
  const contentType = Array.isArray(headers['content-type']) ? headers['content-type'][0] : headers['content-type'];
  const encoded = headers['content-encoding'] !== undefined && headers['content-encoding'] !== 'identity';
  const compress = !encoded && body.length >= MIN_COMPRESS_BYTES && isCompressible(contentType);
  const originVary = varyNames(headers);
  // Origin is never sent the client's Accept-Encoding, so its body cannot depend on it: copies are not split by it.
  const varyFields = originVary.filter((n) => n !== 'accept-encoding');
  const varyOut = compress ? [...varyFields, 'accept-encoding'] : originVary;

  const base = passedFields(headers, compress ? NOT_STORED_COMPRESSING : NOT_STORED);
  if (varyOut.length > 0) base.push('vary', varyOut.map(displayName).join(', '));

  const variants = compress ? await compressVariants(body) : { gzip: undefined, br: undefined };
  const rawEtag = Array.isArray(headers.etag) ? headers.etag[0] : headers.etag;
  const etag = rawEtag !== undefined && /^(W\/)?"[^"]*"$/.test(rawEtag) ? rawEtag : undefined;
  // A compressed body is not byte for byte the one origin tagged: its ETag is only weakly the same.
  const weakEtag = etag !== undefined && !etag.startsWith('W/') ? `W/${etag}` : etag;
  const fieldsOf = (b: Buffer, encoding?: string): string[] => {
    const fields = [...base, ...(encoding ? ['content-encoding', encoding] : []), 'content-length', String(b.length)];
    if (encoding && weakEtag !== undefined) {
      for (let i = 0; i < fields.length; i += 2) if (fields[i] === 'etag') fields[i + 1] = weakEtag;
    }
    return fields;
  };
  const head = (b: Buffer | undefined, encoding?: string) => (b === undefined ? undefined : new Head(fieldsOf(b, encoding)));
  const notModified = (b: Buffer | undefined, encoding?: string) => (b === undefined || etag === undefined ? undefined : new Head(notModifiedFields(fieldsOf(b, encoding))));
  const id = varyFields.length > 0 ? `${o.key}\n${o.varyValues(varyFields).join('\n')}` : o.key;
  const { ttlMs, staleWhileRevalidateMs, staleIfErrorMs } = o.life;
  const freshUntil = o.now + ttlMs;
  const entry = new Entry(
    id,
    o.path,
    o.status,
    [head(body)!, head(variants.gzip, 'gzip'), head(variants.br, 'br')],
    [body, variants.gzip, variants.br],
    o.now,
    freshUntil,
    freshUntil + staleWhileRevalidateMs,
    freshUntil + staleIfErrorMs,
    o.source,
    etag?.replace(/^W\//, ''),
    [notModified(body), notModified(variants.gzip, 'gzip'), notModified(variants.br, 'br')],
  );
  return { entry, varyFields };
}

/** What a 304 repeats of the 200 it stands for (RFC 9110 15.4.5). */
const NOT_MODIFIED_FIELDS = new Set(['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary', 'last-modified']);

function notModifiedFields(fields: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < fields.length; i += 2) if (NOT_MODIFIED_FIELDS.has(fields[i]!)) out.push(fields[i]!, fields[i + 1]!);
  return out;
}

/** `accept-encoding` -> `Accept-Encoding`, as the field is usually written. */
function displayName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}
