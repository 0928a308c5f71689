import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { checkKey, checkPrefix } from './keys.ts';
import { describeLocation, type S3Location } from './s3-url.ts';
import type { ObjectStore, StoredObject } from './types.ts';

// The SDK warns on every start under Node 20 that releases after January 2027
// will need Node 22; the version is pinned (docs/decisions/020), so the warning
// tells an operator nothing they can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const isMissing = (err: unknown) =>
  err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404);

/**
 * The services-mode object store: one bucket on S3 or an S3-compatible server.
 * Opening it checks the bucket is there and reachable, so a wrong URL or
 * credentials fail at start with the reason, not at the first write.
 */
export async function openS3ObjectStore(location: S3Location): Promise<ObjectStore> {
  const client = new S3Client({
    region: location.region,
    endpoint: location.endpoint,
    forcePathStyle: location.forcePathStyle,
    credentials: location.credentials,
    // Checksums only where S3 demands them: many S3-compatible servers reject the SDK's newer default trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const { bucket, prefix } = location;
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    client.destroy();
    const status = (err as S3ServiceException).$metadata?.httpStatusCode;
    const why = status === 404 ? 'no such bucket' : status === 403 ? 'access denied (check the credentials)' : (err as Error).message || (err as Error).name;
    throw new Error(`object store ${describeLocation(location)} is not usable: ${why}`);
  }

  return {
    kind: 's3',
    async put(key, body, { contentType }) {
      const Body = typeof body === 'string' ? Buffer.from(body) : body;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: prefix + checkKey(key), Body, ContentType: contentType, ContentLength: Body.length }));
    },
    async get(key): Promise<StoredObject | undefined> {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + checkKey(key) }));
        const bytes = res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
        return {
          body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          contentType: res.ContentType ?? 'application/octet-stream',
          lastModified: res.LastModified ?? new Date(0),
        };
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + checkKey(key) }));
    },
    async *list(listPrefix) {
      checkPrefix(listPrefix);
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix + listPrefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) if (object.Key) yield object.Key.slice(prefix.length);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async close() {
      client.destroy();
    },
  };
}
