/** One stored object as a reader gets it. */
export interface StoredObject {
  body: Buffer;
  contentType: string;
  lastModified: Date;
}

/**
 * Keys are `/`-separated relative paths (`mirror/www/guidance.html`), never
 * starting with `/` and never holding `..`; the files adapter maps them under
 * its root folder, the S3 adapter uses them as object keys in its bucket.
 */
export interface ObjectStore {
  readonly kind: 'files' | 's3';
  /** Replaces the whole object at once: a reader sees the old body or the new one, never a mix. */
  put(key: string, body: Buffer | string, options: { contentType: string }): Promise<void>;
  /** Undefined when there is no such object. */
  get(key: string): Promise<StoredObject | undefined>;
  /** Deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every key under a prefix, in no promised order. */
  list(prefix: string): AsyncIterable<string>;
  close(): Promise<void>;
}
