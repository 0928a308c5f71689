import type { RedirectEntry, RouteEntry } from '../content-store/content-item.ts';

export type EditionState = 'draft' | 'published' | 'unpublished' | 'superseded';
export type UpdateType = 'major' | 'minor' | 'republish';
export type UnpublishingType = 'gone' | 'redirect' | 'withdrawal' | 'vanish' | 'substitute';
export const UPDATE_TYPES: readonly UpdateType[] = ['major', 'minor', 'republish'];
export const UNPUBLISHING_TYPES: readonly UnpublishingType[] = ['gone', 'redirect', 'withdrawal', 'vanish'];

export interface Unpublishing {
  type: UnpublishingType;
  explanation: string | null;
  alternative_path: string | null;
  redirects: RedirectEntry[];
  unpublished_at: Date;
}

/** One edition as stored, with its document's identity and lock. */
export interface Edition {
  id: number;
  document_id: number;
  content_id: string;
  locale: string;
  lock_version: number;
  user_facing_version: number;
  state: EditionState;
  content_store: 'draft' | 'live' | null;
  base_path: string | null;
  title: string | null;
  description: string | null;
  details: Record<string, unknown>;
  document_type: string;
  schema_name: string;
  publishing_app: string;
  rendering_app: string | null;
  phase: string;
  analytics_identifier: string | null;
  routes: RouteEntry[];
  redirects: RedirectEntry[];
  edition_links: Record<string, string[]>;
  update_type: UpdateType | null;
  change_note: string | null;
  auth_bypass_ids: string[];
  first_published_at: Date | null;
  public_updated_at: Date | null;
  major_published_at: Date | null;
  published_at: Date | null;
  last_edited_at: Date | null;
  /** Who the last PUT was made for, when its caller said (see acting-user.ts). */
  last_edited_by_uid: string | null;
  last_edited_by_name: string | null;
  publishing_request_id: string | null;
  created_at: Date;
  updated_at: Date;
  unpublishing: Unpublishing | null;
}

/** The body of `PUT /v2/content/:content_id`, once it has passed its schema. */
export interface PutContentPayload {
  base_path?: string;
  title?: string;
  description?: string | null;
  details?: Record<string, unknown>;
  document_type: string;
  schema_name: string;
  publishing_app: string;
  rendering_app?: string;
  phase?: string;
  analytics_identifier?: string | null;
  routes?: RouteEntry[];
  redirects?: RedirectEntry[];
  links?: Record<string, string[]>;
  locale?: string;
  update_type?: UpdateType;
  change_note?: string | null;
  auth_bypass_ids?: string[];
  first_published_at?: string;
  public_updated_at?: string;
  last_edited_at?: string;
  previous_version?: number;
  bulk_publishing?: boolean;
  access_limited?: Record<string, unknown>;
}

/** What a live content store write tells the rest of the platform: the routing key's second word. */
export type EventType = UpdateType | 'links' | 'unpublish';

/** Which content store to bring up to date for one document: the data of one downstream job. */
export interface DownstreamRequest {
  kind?: 'document';
  stack: 'draft' | 'live';
  content_id: string;
  locale: string;
  /** A path the store should forget if no edition holds it any more (a discarded or moved draft). */
  stale_base_path?: string | null;
  /** Live writes: the publishing event it raises (default major). */
  event_type?: EventType;
  /** Re-send the documents whose expanded links show this one, on the low-priority queue. */
  update_dependencies?: boolean;
  /** The request that caused it, for the logs of every service it passes through. */
  request_id?: string | null;
}

/** Find the documents whose expanded links show this one, and queue their re-sends to one store (a low-priority job). */
export interface DependentsRequest {
  kind: 'dependents';
  stack: 'draft' | 'live';
  content_id: string;
  locale: string;
  request_id?: string | null;
}

/** Re-send these documents to one store, announced as links events: one job of a fan-out. */
export interface BatchRequest {
  kind: 'batch';
  stack: 'draft' | 'live';
  documents: { content_id: string; locale: string }[];
  request_id?: string | null;
}

/** The data of any job on the downstream queues. */
export type DownstreamJob = DownstreamRequest | DependentsRequest | BatchRequest;
