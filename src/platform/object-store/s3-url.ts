/** Where the S3 adapter keeps objects, read from OBJECT_STORE_URL. */
export interface S3Location {
  bucket: string;
  /** Put before every key ('' or ending in `/`), so sites can share a bucket. */
  prefix: string;
  /** An S3-compatible server's origin; undefined means AWS itself. */
  endpoint: string | undefined;
  region: string;
  /** `host/bucket/key` addressing, which S3-compatible servers need; AWS takes `bucket.host/key`. */
  forcePathStyle: boolean;
  /** From the URL; undefined leaves them to the AWS SDK's usual sources (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ...). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export class ObjectStoreUrlError extends Error {
  constructor(reason: string) {
    super(`OBJECT_STORE_URL: ${reason}`);
    this.name = 'ObjectStoreUrlError';
  }
}

type Env = Record<string, string | undefined>;

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PARAMS = new Set(['endpoint', 'region', 'path_style']);

function decodePart(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ObjectStoreUrlError(`the ${what} is not valid percent-encoding`);
  }
}

/**
 * Two spellings (README "Object store"):
 *   s3://[KEY:SECRET@]BUCKET[/PREFIX][?endpoint=URL&region=R&path_style=true|false]
 *   http(s)://[KEY:SECRET@]HOST[:PORT]/BUCKET[/PREFIX][?region=R]   (an S3-compatible server, path-style)
 * The region falls back to AWS_REGION, AWS_DEFAULT_REGION, then us-east-1.
 */
export function parseObjectStoreUrl(raw: string, env: Env = process.env): S3Location {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ObjectStoreUrlError('not a valid URL');
  }
  for (const name of url.searchParams.keys()) {
    if (!PARAMS.has(name)) throw new ObjectStoreUrlError(`unknown parameter ${JSON.stringify(name)}; known: ${[...PARAMS].join(', ')}`);
  }
  const segments = url.pathname.split('/').filter(Boolean).map((s) => decodePart(s, 'path'));
  let bucket: string;
  let prefixSegments: string[];
  let endpoint: string | undefined;
  let forcePathStyle: boolean;
  if (url.protocol === 's3:') {
    bucket = url.hostname;
    prefixSegments = segments;
    const given = url.searchParams.get('endpoint');
    if (given !== null) {
      let parsed: URL;
      try {
        parsed = new URL(given);
      } catch {
        throw new ObjectStoreUrlError('endpoint is not a valid URL');
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ObjectStoreUrlError('endpoint must be an http or https URL');
      endpoint = parsed.origin;
    }
    const style = url.searchParams.get('path_style');
    if (style !== null && style !== 'true' && style !== 'false') throw new ObjectStoreUrlError('path_style must be true or false');
    forcePathStyle = style === null ? endpoint !== undefined : style === 'true';
  } else if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (segments.length === 0) throw new ObjectStoreUrlError('an http(s) URL names the bucket as its first path segment');
    if (url.searchParams.has('endpoint') || url.searchParams.has('path_style')) {
      throw new ObjectStoreUrlError('endpoint and path_style belong to s3:// URLs; an http(s) URL is itself the endpoint');
    }
    bucket = segments[0]!;
    prefixSegments = segments.slice(1);
    endpoint = url.origin;
    forcePathStyle = true;
  } else {
    throw new ObjectStoreUrlError(`scheme must be s3, http or https, got ${url.protocol}`);
  }
  if (!BUCKET.test(bucket)) throw new ObjectStoreUrlError(`bucket ${JSON.stringify(bucket)} is not a valid bucket name (3 to 63 of a-z 0-9 . -)`);
  let credentials: S3Location['credentials'];
  if (url.username || url.password) {
    if (!url.username || !url.password) throw new ObjectStoreUrlError('credentials in the URL need both an access key id and a secret');
    credentials = { accessKeyId: decodePart(url.username, 'access key id'), secretAccessKey: decodePart(url.password, 'secret') };
  }
  return {
    bucket,
    prefix: prefixSegments.length ? `${prefixSegments.join('/')}/` : '',
    endpoint,
    region: url.searchParams.get('region') || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    forcePathStyle,
    credentials,
  };
}

/** The URL with any secret replaced, for logs and start-up output. */
export function describeLocation(l: S3Location): string {
  return `s3://${l.bucket}/${l.prefix}${l.endpoint ? ` at ${l.endpoint}` : ''} (${l.region})`;
}
