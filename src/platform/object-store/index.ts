import { filesRoot, openFilesObjectStore } from './files.ts';
import { parseObjectStoreUrl } from './s3-url.ts';
import type { ObjectStore } from './types.ts';

export type { ObjectStore, StoredObject } from './types.ts';
export { InvalidObjectKeyError } from './keys.ts';
export { ObjectStoreUrlError, parseObjectStoreUrl } from './s3-url.ts';

/**
 * S3 (or an S3-compatible server) with OBJECT_STORE_URL, else files under
 * `<dataDir>/objects`. The S3 client is loaded only when used, so embedded
 * mode never pays for it.
 */
export async function openObjectStore(config: { objectStoreUrl?: string | undefined; dataDir: string }): Promise<ObjectStore> {
  if (config.objectStoreUrl) {
    const location = parseObjectStoreUrl(config.objectStoreUrl);
    const { openS3ObjectStore } = await import('./s3.ts');
    return openS3ObjectStore(location);
  }
  return openFilesObjectStore({ root: filesRoot(config.dataDir) });
}
