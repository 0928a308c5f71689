import type { Encoding } from './encoding.ts';
import { REQUEST_ID_HEADER } from '../platform/log.ts';

/** Where a cached copy came from: origin, or the static mirror when origin failed. */
export type Source = 'origin' | 'mirror';

/**
 * The response head of one stored variant as the flat [name, value, ...]
 * array `res.writeHead` takes on Node's fast path, ending in the four
 * per-answer fields the edge fills in before each write (X-Cache,
 * Server-Timing, Age, request id). Node reads the array only during the call,
 * so one array per variant serves every hit.
 */
export class Head {
  readonly fields: string[];
  private readonly at: number;

  constructor(stored: readonly string[]) {
    this.fields = [...stored, 'x-cache', '', 'server-timing', '', 'age', '0', REQUEST_ID_HEADER, ''];
    this.at = stored.length;
  }

  fill(label: string, timing: string, age: string, requestId: string): string[] {
    const f = this.fields;
    const at = this.at;
    f[at + 1] = label;
    f[at + 3] = timing;
    f[at + 5] = age;
    f[at + 7] = requestId;
    return f;
  }
}

/**
 * One cached response (one variant of a key when origin varies on request
 * fields): its status, each encoding's body and head, its lifetimes, and its
 * place in the cache's LRU list.
 */
export class Entry {
  prev: Entry | null = null;
  next: Entry | null = null;
  /** Soft-purged: answered only when origin fails, never while revalidating. */
  purged = false;
  readonly bytes: number;

  constructor(
    /** The storage key: the cache key, plus the request's values of the Vary fields when there are any. */
    readonly id: string,
    /** The path a purge names to reach this entry. */
    readonly path: string,
    readonly status: number,
    /** Indexed by Encoding; identity is always there. */
    readonly heads: readonly [Head, Head | undefined, Head | undefined],
    readonly bodies: readonly [Buffer, Buffer | undefined, Buffer | undefined],
    public storedAt: number,
    public freshUntil: number,
    public revalidateUntil: number,
    public errorUntil: number,
    readonly source: Source,
    /** The validator's opaque tag (no `W/`), for If-None-Match; undefined when origin gave no ETag. */
    readonly etag: string | undefined = undefined,
    /** Per encoding, the head of a 304 for that variant (present when there is an ETag). */
    readonly notModified: readonly [Head | undefined, Head | undefined, Head | undefined] = [undefined, undefined, undefined],
  ) {
    let bytes = id.length * 2 + 256;
    for (let i = 0; i < 3; i++) {
      const body = bodies[i];
      const head = heads[i];
      if (body) bytes += body.length;
      if (head) for (const f of head.fields) bytes += f.length * 2;
      const nm = notModified[i];
      if (nm) for (const f of nm.fields) bytes += f.length * 2;
    }
    this.bytes = bytes;
  }

  /** The best variant for `wanted`: brotli falls back to gzip, and both to identity. */
  variant(wanted: Encoding): Encoding {
    if (wanted === 2 && this.bodies[2] !== undefined) return 2;
    if (wanted !== 0 && this.bodies[1] !== undefined) return 1;
    return 0;
  }

  /** Whether an If-None-Match value names this copy (weak comparison, as RFC 9110 asks for GET). */
  matches(ifNoneMatch: string): boolean {
    const etag = this.etag;
    if (etag === undefined) return false;
    if (ifNoneMatch === etag || ifNoneMatch.trim() === '*') return true;
    for (const tag of ifNoneMatch.split(',')) {
      const t = tag.trim();
      if ((t.startsWith('W/') ? t.slice(2) : t) === etag) return true;
    }
    return false;
  }

  /** Marks the copy stale now, keeping it for origin failures. */
  markPurged(now: number): void {
    this.purged = true;
    if (this.freshUntil > now) this.freshUntil = now;
    this.revalidateUntil = now;
  }
}
