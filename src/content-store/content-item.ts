/**
 * The wire types between the Publishing API and a content store. The Publishing
 * API sends a `ContentStorePayload` to `PUT /content/<base_path>`; the content
 * store answers `GET /content/<path>` with a `ContentItemResponse`.
 */

export type RouteType = 'exact' | 'prefix';

/** A path the item answers for, served by its rendering app. */
export interface RouteEntry {
  path: string;
  type: RouteType;
}

/** A path the item redirects; `segments_mode` defaults to preserve for prefix, ignore for exact. */
export interface RedirectEntry {
  path: string;
  type: RouteType;
  destination: string;
  segments_mode?: 'preserve' | 'ignore';
  /** Portico extension: campaigns and short URLs want 302s; the default is permanent. */
  redirect_type?: 'permanent' | 'temporary';
}

export interface WithdrawnNotice {
  explanation: string;
  withdrawn_at: string;
}

/** What the Publishing API PUTs to a content store: one edition, presented for the store. */
export interface ContentStorePayload {
  base_path: string;
  content_id: string;
  locale: string;
  document_type: string;
  schema_name: string;
  publishing_app: string;
  /** The backend_id the routers send this item's routes to; absent for redirect and empty gone items. */
  rendering_app?: string | null;
  title?: string | null;
  description?: string | null;
  phase?: string | null;
  analytics_identifier?: string | null;
  details: Record<string, unknown>;
  routes: RouteEntry[];
  redirects: RedirectEntry[];
  /** Links, expanded (the next issue fills these; `{}` until then). */
  expanded_links: Record<string, unknown>;
  first_published_at?: string | null;
  public_updated_at?: string | null;
  withdrawn_notice?: WithdrawnNotice | null;
  publishing_request_id?: string | null;
  /** Draft stack only: tokens that let a preview link through the authenticating proxy. */
  auth_bypass_ids?: string[];
  /** Monotonic per Publishing API: a store ignores a payload older than (or equal to) what it holds. */
  payload_version: number;
}

/** What `GET /content/<path>` answers: the stored item as a frontend reads it. */
export interface ContentItemResponse {
  analytics_identifier: string | null;
  base_path: string;
  content_id: string;
  description: string | null;
  details: Record<string, unknown>;
  document_type: string;
  first_published_at: string | null;
  links: Record<string, unknown>;
  locale: string;
  phase: string;
  public_updated_at: string | null;
  publishing_app: string;
  publishing_request_id: string | null;
  rendering_app: string | null;
  schema_name: string;
  title: string | null;
  updated_at: string;
  withdrawn_notice: WithdrawnNotice | null;
  /** Only on items whose schema_name is `redirect`. */
  redirects?: RedirectEntry[];
  /** Only on draft items that have them: which preview tokens open the item. */
  auth_bypass_ids?: string[];
}
