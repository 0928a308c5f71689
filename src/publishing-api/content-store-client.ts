import { request, type Dispatcher } from 'undici';
import type { ContentStorePayload } from '../content-store/content-item.ts';
import { EVENT_TYPE_HEADER } from '../content-store/events.ts';
import { canonicalPath } from '../content-store/path.ts';
import { REQUEST_ID_HEADER } from '../platform/log.ts';
import type { EventType } from './types.ts';

/** Who asked (for the logs), and what kind of change a live write announces. */
export interface WriteContext {
  requestId?: string;
  eventType?: EventType;
}

/** How the Publishing API writes a content store: over HTTP in every mode, as any other client would. */
export interface ContentStoreClient {
  /** 'stale' when the store already holds a newer payload_version (not an error: a later write got there first). */
  put(basePath: string, payload: ContentStorePayload, context?: WriteContext): Promise<'written' | 'stale'>;
  /**
   * Writes every payload, each at its own base_path, in one request and one
   * transaction: all or none. At most 500, no base_path twice. One answer per
   * payload, in order, 'stale' meaning as for put.
   */
  putMany(payloads: readonly ContentStorePayload[], context?: WriteContext): Promise<('written' | 'stale')[]>;
  /** 'absent' when the store did not have the path. */
  delete(basePath: string, context?: WriteContext): Promise<'deleted' | 'absent'>;
}

export class ContentStoreError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ContentStoreError';
  }
}

type BulkResult = { base_path: string; outcome: 'created' | 'replaced' | 'stale' };

function resultsOf(text: string): BulkResult[] | undefined {
  try {
    const results = (JSON.parse(text) as { results?: unknown }).results;
    return Array.isArray(results) ? (results as BulkResult[]) : undefined;
  } catch {
    return undefined;
  }
}

export function httpContentStoreClient(baseUrl: string, token: string, dispatcher?: Dispatcher): ContentStoreClient {
  const base = baseUrl.replace(/\/$/, '');
  async function send(method: 'PUT' | 'DELETE', path: string, body: unknown, { requestId, eventType }: WriteContext = {}) {
    const res = await request(`${base}${path}`, {
      method,
      dispatcher,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}),
        ...(eventType ? { [EVENT_TYPE_HEADER]: eventType } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await res.body.text();
    return { status: res.statusCode, text };
  }
  const fail = (method: string, path: string, r: { status: number; text: string }) =>
    new ContentStoreError(r.status, `content store ${method} ${path} answered ${r.status}: ${r.text.slice(0, 300)}`);
  return {
    async put(basePath, payload, context) {
      const r = await send('PUT', `/content${basePath}`, payload, context);
      if (r.status === 200 || r.status === 201) return 'written';
      if (r.status === 409) return 'stale';
      throw fail('PUT', basePath, r);
    },
    async putMany(payloads, context) {
      if (payloads.length === 0) return [];
      // The store takes a bulk item's base_path only in canonical form, as a
      // single PUT's URL path becomes: send that form, not the edition's spelling.
      const items = payloads.map((p) => ({ ...p, base_path: canonicalPath(p.base_path) ?? p.base_path }));
      const r = await send('PUT', '/bulk/content', { items }, context);
      if (r.status !== 200) throw fail('PUT', `/bulk/content (${payloads.length} items)`, r);
      const results = resultsOf(r.text);
      if (results?.length !== payloads.length) {
        throw new ContentStoreError(r.status, `content store PUT /bulk/content answered ${results?.length ?? 'no'} results for ${payloads.length} items`);
      }
      return results.map((x) => (x.outcome === 'stale' ? 'stale' : 'written'));
    },
    async delete(basePath, context) {
      const r = await send('DELETE', `/content${basePath}`, undefined, context);
      if (r.status === 200 || r.status === 204) return 'deleted';
      if (r.status === 404) return 'absent';
      throw fail('DELETE', basePath, r);
    },
  };
}
