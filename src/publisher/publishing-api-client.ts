import type { FieldErrors } from '../platform/api.ts';
import { REQUEST_ID_HEADER } from '../platform/log.ts';

/** A document as `GET /v2/content/:content_id` shows it: only what the editors' app reads. */
export interface Content {
  content_id: string;
  base_path?: string;
  title?: string;
  description?: string;
  details?: Record<string, unknown>;
  document_type: string;
  schema_name: string;
  phase?: string;
  analytics_identifier?: string;
  /** Edition links: drafted with the edition, unlike the link set. */
  links?: Record<string, string[]>;
  publication_state: 'draft' | 'published' | 'unpublished' | 'superseded';
  lock_version: number;
  user_facing_version: number;
  update_type?: string;
  change_note?: string;
  auth_bypass_ids?: string[];
  last_edited_at?: string;
  last_edited_by?: Person | null;
  public_updated_at?: string;
  state_history?: Record<string, string>;
  unpublishing?: { type: string; explanation?: string; alternative_path?: string };
}

/** Someone the API names: a signed-in user an app acted for. The name is null when the app gave only the uid. */
export interface Person {
  uid: string;
  name: string | null;
}

export interface ContentList {
  total: number;
  pages: number;
  current_page: number;
  results: Content[];
}

export interface HistoryEntry {
  user_facing_version: number;
  publication_state: string;
  title?: string;
  base_path?: string;
  update_type?: string;
  change_note?: string;
  created_at?: string;
  published_at?: string;
  unpublishing?: { type: string; explanation?: string; unpublished_at?: string };
  last_edited_by?: Person | null;
}

/** One command the API recorded against a document, as `GET /v2/content/:content_id/events` shows it. */
export interface DocumentEvent {
  id: number;
  action: string;
  user: Person | null;
  /** The API token that made the call: which app. */
  actor: string | null;
  created_at: string;
  request_id: string | null;
}

export interface EventList {
  total: number;
  pages: number;
  current_page: number;
  results: DocumentEvent[];
}

export interface LinkSet {
  links: Record<string, string[]>;
  version: number;
}

/** The API's error body, with the current lock_version a 409 carries. */
export interface ApiFailure {
  status: number;
  code: string;
  message: string;
  fields: FieldErrors;
  lock_version?: number;
}

export type Answer<T> = { ok: true; body: T } | { ok: false; error: ApiFailure };

export interface ListQuery {
  q?: string;
  document_type?: string[];
  states?: string[];
  page?: number;
  per_page?: number;
  order?: string;
}

export interface UnpublishRequest {
  type: 'gone' | 'redirect' | 'withdrawal';
  explanation?: string;
  alternative_path?: string;
  previous_version?: number;
  /** Unpublish the live edition even though a newer draft sits on it, deleting that draft. */
  discard_drafts?: boolean;
}

/**
 * Who a write is for, besides the request id it carries downstream: the
 * signed-in editor, so the API records them and not only this app's token.
 */
export interface WriteContext {
  requestId: string;
  user: { uid: string; name: string };
}

/** The calls the editors' app makes; reads take the request id to carry downstream, writes the editor too. */
export interface PublishingApi {
  list(query: ListQuery, requestId: string): Promise<Answer<ContentList>>;
  get(contentId: string, requestId: string): Promise<Answer<Content>>;
  history(contentId: string, requestId: string): Promise<Answer<{ editions: HistoryEntry[] }>>;
  events(contentId: string, query: { page?: number; per_page?: number }, requestId: string): Promise<Answer<EventList>>;
  put(contentId: string, payload: Record<string, unknown>, as: WriteContext): Promise<Answer<Content>>;
  publish(contentId: string, body: { update_type: 'major' | 'minor'; previous_version?: number }, as: WriteContext): Promise<Answer<unknown>>;
  unpublish(contentId: string, body: UnpublishRequest, as: WriteContext): Promise<Answer<unknown>>;
  discardDraft(contentId: string, body: { previous_version?: number }, as: WriteContext): Promise<Answer<unknown>>;
  links(contentId: string, requestId: string): Promise<Answer<LinkSet>>;
  patchLinks(contentId: string, body: { links: Record<string, string[]>; previous_version?: number }, as: WriteContext): Promise<Answer<LinkSet>>;
}

const USER_HEADER = 'portico-authenticated-user';
// Percent-encoded so that any name, in any script, fits in a header.
const USER_NAME_HEADER = 'portico-authenticated-user-name';

/** Thrown when the API cannot be reached or answers what it never should (5xx): the page shows a service error. */
export class PublishingApiUnavailable extends Error {
  constructor(reason: string) {
    super(`the Publishing API is unavailable: ${reason}`);
    this.name = 'PublishingApiUnavailable';
  }
}

function failure(status: number, body: unknown): ApiFailure {
  const e = (body as { error?: Record<string, unknown> } | undefined)?.error ?? {};
  return {
    status,
    code: typeof e.code === 'string' ? e.code : 'unknown',
    message: typeof e.message === 'string' ? e.message : `The Publishing API answered ${status}`,
    fields: (e.fields as FieldErrors | undefined) ?? {},
    lock_version: typeof e.lock_version === 'number' ? e.lock_version : undefined,
  };
}

/**
 * The Publishing API over HTTP with the app's bearer token. A 4xx is an
 * answer the page explains to the editor; anything else is thrown.
 */
export function httpPublishingApi(baseUrl: string, token: string, timeoutMs = 10_000): PublishingApi {
  async function call<T>(method: string, path: string, as: { requestId: string; user?: WriteContext['user'] }, body?: unknown): Promise<Answer<T>> {
    const user: Record<string, string> = as.user ? { [USER_HEADER]: as.user.uid, [USER_NAME_HEADER]: encodeURIComponent(as.user.name) } : {};
    let res: Response;
    let parsed: unknown;
    try {
      res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          [REQUEST_ID_HEADER]: as.requestId,
          ...user,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      parsed = JSON.parse(await res.text());
    } catch (err) {
      throw new PublishingApiUnavailable((err as Error).message);
    }
    if (res.ok) return { ok: true, body: parsed as T };
    // 401 and 403 are the app's own token failing, which no editor can fix.
    if (res.status >= 500 || res.status === 401 || res.status === 403) throw new PublishingApiUnavailable(`${method} ${path} answered ${res.status}`);
    return { ok: false, error: failure(res.status, parsed) };
  }
  const id = (contentId: string) => encodeURIComponent(contentId);

  return {
    list(query, requestId) {
      const params = new URLSearchParams();
      if (query.q) params.set('q', query.q);
      if (query.document_type?.length) params.set('document_type', query.document_type.join(','));
      if (query.states?.length) params.set('states', query.states.join(','));
      if (query.page) params.set('page', String(query.page));
      if (query.per_page) params.set('per_page', String(query.per_page));
      params.set('order', query.order ?? '-last_edited_at');
      return call('GET', `/v2/content?${params}`, { requestId });
    },
    get: (contentId, requestId) => call('GET', `/v2/content/${id(contentId)}`, { requestId }),
    history: (contentId, requestId) => call('GET', `/v2/content/${id(contentId)}/editions`, { requestId }),
    events(contentId, query, requestId) {
      const params = new URLSearchParams();
      if (query.page) params.set('page', String(query.page));
      if (query.per_page) params.set('per_page', String(query.per_page));
      return call('GET', `/v2/content/${id(contentId)}/events?${params}`, { requestId });
    },
    put: (contentId, payload, as) => call('PUT', `/v2/content/${id(contentId)}`, as, payload),
    publish: (contentId, body, as) => call('POST', `/v2/content/${id(contentId)}/publish`, as, body),
    unpublish: (contentId, body, as) => call('POST', `/v2/content/${id(contentId)}/unpublish`, as, body),
    discardDraft: (contentId, body, as) => call('POST', `/v2/content/${id(contentId)}/discard-draft`, as, body),
    links: (contentId, requestId) => call('GET', `/v2/links/${id(contentId)}`, { requestId }),
    patchLinks: (contentId, body, as) => call('PATCH', `/v2/links/${id(contentId)}`, as, body),
  };
}
