import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/** Which stored body a client gets: the index into an entry's variants. */
export const IDENTITY = 0;
export const GZIP = 1;
export const BROTLI = 2;
export type Encoding = typeof IDENTITY | typeof GZIP | typeof BROTLI;

/** Below this a compressed body saves less than its framing costs. */
export const MIN_COMPRESS_BYTES = 256;

const TEXT_TYPE = /^(text\/|application\/(json|javascript|ecmascript|xml|xhtml\+xml|rss\+xml|atom\+xml|manifest\+json|ld\+json|[a-z.+-]*\+(json|xml))|image\/svg\+xml)/i;

/** Text the edge compresses once when it stores it; images, archives and fonts are compressed already. */
export function isCompressible(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_TYPE.test(contentType);
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * The body gzipped and brotli-compressed, on libuv's thread pool so the
 * event loop keeps serving hits meanwhile. Brotli at quality 5 compresses
 * about as well as gzip -9 in a fraction of the time of quality 11; a
 * variant no smaller than the original is left out (undefined).
 */
export async function compressVariants(body: Buffer): Promise<{ gzip: Buffer | undefined; br: Buffer | undefined }> {
  const [gz, br] = await Promise.all([
    gzipAsync(body),
    brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  ]);
  return { gzip: gz.length < body.length ? gz : undefined, br: br.length < body.length ? br : undefined };
}

const chosen = new Map<string, Encoding>();
/** Clients send few distinct Accept-Encoding values; beyond this many the memo starts again. */
const MEMO_LIMIT = 512;

/**
 * The best encoding an Accept-Encoding value takes, by q-value, brotli
 * before gzip before identity on a tie. Memoised by the exact value, so a
 * hit does not parse it again.
 */
export function chooseEncoding(accept: string | undefined): Encoding {
  if (accept === undefined || accept === '') return IDENTITY;
  const known = chosen.get(accept);
  if (known !== undefined) return known;
  const result = parseAcceptEncoding(accept);
  if (chosen.size >= MEMO_LIMIT) chosen.clear();
  chosen.set(accept, result);
  return result;
}

function parseAcceptEncoding(accept: string): Encoding {
  let br = -1;
  let gz = -1;
  let star = -1;
  for (const part of accept.split(',')) {
    const [coding = '', ...params] = part.split(';');
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!(q >= 0 && q <= 1)) q = 0;
    switch (coding.trim().toLowerCase()) {
      case 'br':
        br = q;
        break;
      case 'gzip':
      case 'x-gzip':
        gz = q;
        break;
      case '*':
        star = q;
        break;
    }
  }
  if (br < 0) br = star;
  if (gz < 0) gz = star;
  if (br > 0 && br >= gz) return BROTLI;
  if (gz > 0) return GZIP;
  return IDENTITY;
}
