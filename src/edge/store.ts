import type { Entry } from './entry.ts';

/** Keys whose responses vary on request fields are few; past this many the list of them starts again. */
const MAX_VARYING_KEYS = 10_000;
/** Keys remembered as uncacheable (hit-for-pass), likewise bounded. */
const MAX_PASS_KEYS = 10_000;

/**
 * The edge's memory: entries by id, least recently used evicted first once
 * their bytes pass `maxBytes`. The recency list is threaded through the
 * entries themselves, so a hit moves one entry without allocating. Ids are
 * cache keys, or for a response that varies on request fields the key and
 * the request's values of them (`variantId`). A purge names a path and
 * reaches every query-string and Vary variant under it.
 */
export class CacheStore {
  private readonly entries = new Map<string, Entry>();
  /** Key -> the request fields its stored response varies on. */
  private readonly varying = new Map<string, readonly string[]>();
  /** Key -> until when it is passed to origin without waiting on another request (its last response was uncacheable). */
  private readonly passes = new Map<string, number>();
  /** Path -> the ids under it other than the path itself. */
  private readonly byPath = new Map<string, Set<string>>();
  /** Path -> the purge sequence number that last reached it, so a fetch that raced a purge can tell. */
  private readonly purgedAt = new Map<string, number>();
  /** Counts purges; a fetch notes it when it starts. */
  purgeSeq = 0;
  /** Purges up to this sequence number are no longer in purgedAt. */
  private purgesForgottenUpTo = 0;
  private newest: Entry | null = null;
  private oldest: Entry | null = null;
  bytes = 0;

  constructor(
    readonly maxBytes: number,
    /** A response bigger than this is served but not kept, so one large file cannot empty the cache. */
    readonly maxObjectBytes: number = Math.max(1, Math.floor(maxBytes / 8)),
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  /** The request fields responses under `key` vary on, when they do. */
  varyFields(key: string): readonly string[] | undefined {
    return this.varying.get(key);
  }

  /** Moves an entry to the newest end of the recency list. */
  touch(e: Entry): void {
    if (this.newest === e) return;
    this.unlink(e);
    this.linkNewest(e);
  }

  /**
   * Keeps `e` under `key` (with `varyFields` when the response varies),
   * replacing what was there, and evicts the least recently used until the
   * cache fits. False when the entry is too big to keep.
   */
  put(key: string, e: Entry, varyFields: readonly string[] = []): boolean {
    if (e.bytes > this.maxObjectBytes || e.bytes > this.maxBytes) return false;
    this.passes.delete(key);
    if (varyFields.length > 0) {
      if (!this.varying.has(key) && this.varying.size >= MAX_VARYING_KEYS) this.varying.clear();
      this.varying.set(key, varyFields);
    } else {
      this.varying.delete(key);
    }
    this.delete(e.id);
    this.entries.set(e.id, e);
    if (e.id !== e.path) {
      let ids = this.byPath.get(e.path);
      if (!ids) this.byPath.set(e.path, (ids = new Set()));
      ids.add(e.id);
    }
    this.linkNewest(e);
    this.bytes += e.bytes;
    while (this.bytes > this.maxBytes && this.oldest !== null) this.delete(this.oldest.id);
    return true;
  }

  delete(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    this.entries.delete(id);
    this.unlink(e);
    this.bytes -= e.bytes;
    if (id !== e.path) {
      const ids = this.byPath.get(e.path);
      ids?.delete(id);
      if (ids?.size === 0) this.byPath.delete(e.path);
    }
    return true;
  }

  passUntil(key: string): number {
    return this.passes.get(key) ?? 0;
  }

  pass(key: string, until: number): void {
    if (!this.passes.has(key) && this.passes.size >= MAX_PASS_KEYS) this.passes.clear();
    this.passes.set(key, until);
  }

  /**
   * Every copy under `path` (any query string, any variant): soft marks them
   * stale, kept for origin failures; hard deletes them. Resolves to how many.
   */
  purge(path: string, soft: boolean, now: number): number {
    if (!this.purgedAt.has(path) && this.purgedAt.size >= MAX_PASS_KEYS) {
      this.purgedAt.clear();
      this.purgesForgottenUpTo = this.purgeSeq;
    }
    this.purgeSeq++;
    this.purgedAt.set(path, this.purgeSeq);
    const ids = [path, ...(this.byPath.get(path) ?? [])];
    let n = 0;
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e) continue;
      n++;
      if (soft) e.markPurged(now);
      else this.delete(id);
    }
    // Forget what was learnt about the path's keys, so the next response decides afresh.
    for (const id of ids) {
      const key = id.split('\n', 1)[0]!;
      this.passes.delete(key);
      if (!soft) this.varying.delete(key);
    }
    return n;
  }

  /**
   * Whether `path` may have been purged since the sequence number `seq` was
   * read: a response fetched across a purge must not be kept as fresh. When
   * the record of paths was cleared to bound it, any purge since counts.
   */
  purgedSince(path: string, seq: number): boolean {
    if (this.purgeSeq === seq) return false;
    const at = this.purgedAt.get(path);
    return at === undefined ? this.purgesForgottenUpTo > seq : at > seq;
  }

  private linkNewest(e: Entry): void {
    e.prev = null;
    e.next = this.newest;
    if (this.newest) this.newest.prev = e;
    this.newest = e;
    if (this.oldest === null) this.oldest = e;
  }

  private unlink(e: Entry): void {
    if (e.prev) e.prev.next = e.next;
    else if (this.newest === e) this.newest = e.next;
    if (e.next) e.next.prev = e.prev;
    else if (this.oldest === e) this.oldest = e.prev;
    e.prev = null;
    e.next = null;
  }
}

/** The id of the variant of `key` a request with these values of the Vary fields gets. */
export function variantId(key: string, values: readonly string[]): string {
  return `${key}\n${values.join('\n')}`;
}
