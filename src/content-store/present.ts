import type { ContentItemResponse, ContentStorePayload } from './content-item.ts';
import { hasBlankDetails } from './route-registration.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isContentTypeEntry(value: unknown): value is { content_type: string; content: unknown } {
  return isObject(value) && typeof value.content_type === 'string' && 'content' in value;
}

/**
 * Frontends read HTML: an array of `{content_type, content}` alternatives
 * becomes its `text/html` content. Plain strings (markdown, govspeak) are left
 * as they are, and so is an array with no HTML alternative, rather than
 * dropping what the publisher sent.
 */
export function resolveHtml(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isContentTypeEntry)) {
      const html = value.find((v) => v.content_type === 'text/html');
      if (html) return html.content;
    }
    return value.map(resolveHtml);
  }
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveHtml(v)]));
  return value;
}

/** Keys in code-unit order at every depth; arrays keep their order. fromEntries, so a `__proto__` key stays data. */
export function deepSort(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deepSort);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, deepSort(value[k])]),
    );
  }
  return value;
}

/** The item as `GET /content/<path>` answers it. */
export function presentItem(payload: ContentStorePayload, updatedAt: string): ContentItemResponse {
  const response: ContentItemResponse = {
    analytics_identifier: payload.analytics_identifier ?? null,
    base_path: payload.base_path,
    content_id: payload.content_id,
    description: (resolveHtml(payload.description ?? null) as string | null),
    details: resolveHtml(payload.details) as Record<string, unknown>,
    document_type: payload.document_type,
    first_published_at: payload.first_published_at ?? null,
    links: payload.expanded_links,
    locale: payload.locale,
    phase: payload.phase ?? 'live',
    public_updated_at: payload.public_updated_at ?? null,
    publishing_app: payload.publishing_app,
    publishing_request_id: payload.publishing_request_id ?? null,
    rendering_app: payload.rendering_app ?? null,
    schema_name: payload.schema_name,
    title: payload.title ?? null,
    updated_at: updatedAt,
    withdrawn_notice: payload.withdrawn_notice ?? null,
  };
  if (payload.schema_name === 'redirect') response.redirects = payload.redirects;
  // Only drafts carry them: the authenticating proxy checks a preview token against them.
  if (payload.auth_bypass_ids?.length) response.auth_bypass_ids = payload.auth_bypass_ids;
  return deepSort(response) as ContentItemResponse;
}

/** 410 for a gone item with nothing to say; a gone item with an explanation is a page. */
export function isGone(payload: Pick<ContentStorePayload, 'schema_name' | 'details'>): boolean {
  return payload.schema_name === 'gone' && hasBlankDetails(payload.details);
}

/** `details.max_cache_time` in whole seconds, or null when absent or not a number. */
export function maxCacheTime(details: Record<string, unknown>): number | null {
  const raw = details.max_cache_time;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.min(Math.floor(n), 2_147_483_647) : null;
}

/** Live: `max-age=<t>, public`, an item's max_cache_time lowering t within [min(5, ttl), ttl]. Draft: never cached. */
export function cacheControl(stack: 'live' | 'draft', ttlSeconds: number, itemMaxCacheTime: number | null): string {
  if (stack === 'draft') return 'private, no-cache';
  const floor = Math.min(5, ttlSeconds);
  const t = itemMaxCacheTime === null ? ttlSeconds : Math.max(floor, Math.min(itemMaxCacheTime, ttlSeconds));
  return `max-age=${t}, public`;
}
