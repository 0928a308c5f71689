import { Agent, request } from 'undici';
import { REQUEST_ID_HEADER } from '../platform/log.ts';

/** The draft item a path belongs to, as far as preview access goes. */
export type DraftItem =
  | { kind: 'item'; base_path: string; content_id: string; auth_bypass_ids: string[] }
  | { kind: 'none' }
  | { kind: 'unavailable'; reason: string };

export interface DraftContent {
  /** The item that owns `path` (a raw request path, as the draft frontend looks it up). */
  itemFor(path: string, requestId?: string): Promise<DraftItem>;
  close(): Promise<void>;
}

function readItem(body: unknown): DraftItem {
  const b = body as Record<string, unknown> | undefined;
  if (!b || typeof b.base_path !== 'string' || typeof b.content_id !== 'string') return { kind: 'unavailable', reason: 'the draft content store answered an item of an unknown shape' };
  const ids = Array.isArray(b.auth_bypass_ids) ? b.auth_bypass_ids.filter((i): i is string => typeof i === 'string') : [];
  return { kind: 'item', base_path: b.base_path, content_id: b.content_id, auth_bypass_ids: ids };
}

/**
 * Reads the draft content store the way the draft frontend does, so the item
 * a token is checked against is the item the page would show: the same raw
 * path, and the store's 303 for another route of an item (a guide's part)
 * followed to that item.
 */
export function draftContent(baseUrl: string, timeoutMs = 5000): DraftContent {
  const base = baseUrl.replace(/\/+$/, '');
  const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 10_000 });
  const get = async (url: string, requestId?: string) => {
    const res = await request(url, { dispatcher: agent, headers: { accept: 'application/json', ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}) } });
    const text = await res.body.text();
    return { status: res.statusCode, location: res.headers.location, text };
  };
  return {
    async itemFor(path, requestId) {
      try {
        let res = await get(`${base}/content${path}`, requestId);
        if (res.status === 303 && typeof res.location === 'string') res = await get(new URL(res.location, `${base}/`).href, requestId);
        // A gone item with an explanation (410 with a body) is still a document someone may preview.
        if (res.status === 200 || (res.status === 410 && res.text)) return readItem(JSON.parse(res.text));
        if (res.status === 404 || res.status === 400 || res.status === 410) return { kind: 'none' };
        return { kind: 'unavailable', reason: `the draft content store answered ${res.status}` };
      } catch (err) {
        return { kind: 'unavailable', reason: (err as Error).message };
      }
    },
    close: () => agent.close(),
  };
}
