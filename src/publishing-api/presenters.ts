import type { ContentStorePayload } from '../content-store/content-item.ts';
import type { EventRow } from './repository.ts';
import type { Edition } from './types.ts';

/** ISO 8601 to the second, as the reference API formats times. */
export function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}

function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

/** A person as responses show them: `null` (kept, unlike other nulls) says no one was named. */
type PresentedUser = { uid: string; name: string | null } | null;

function presentUser(uid: string | null, name: string | null): PresentedUser {
  return uid === null ? null : { uid, name };
}

/** An edition as `GET /v2/content/:content_id` shows it. */
export function presentEdition(e: Edition, history?: Edition[]) {
  const shown = compact({
    content_id: e.content_id,
    locale: e.locale,
    base_path: e.base_path,
    title: e.title,
    description: e.description,
    details: e.details,
    document_type: e.document_type,
    schema_name: e.schema_name,
    publishing_app: e.publishing_app,
    rendering_app: e.rendering_app,
    phase: e.phase,
    analytics_identifier: e.analytics_identifier,
    routes: e.routes,
    redirects: e.redirects,
    links: e.edition_links,
    update_type: e.update_type,
    change_note: e.change_note,
    auth_bypass_ids: e.auth_bypass_ids,
    first_published_at: iso(e.first_published_at),
    public_updated_at: iso(e.public_updated_at),
    major_published_at: iso(e.major_published_at),
    published_at: iso(e.published_at),
    last_edited_at: iso(e.last_edited_at),
    publishing_request_id: e.publishing_request_id,
    updated_at: iso(e.updated_at),
    user_facing_version: e.user_facing_version,
    publication_state: e.state,
    lock_version: e.lock_version,
    state_history: history ? Object.fromEntries(history.map((h) => [String(h.user_facing_version), h.state])) : null,
    unpublishing: e.unpublishing
      ? compact({ ...e.unpublishing, unpublished_at: iso(e.unpublishing.unpublished_at) })
      : null,
    warnings: {},
  });
  return { ...shown, last_edited_by: presentUser(e.last_edited_by_uid, e.last_edited_by_name) };
}

/** One line of `GET /v2/content/:content_id/editions`. */
export function presentHistoryEntry(e: Edition) {
  const shown = compact({
    user_facing_version: e.user_facing_version,
    publication_state: e.state,
    title: e.title,
    base_path: e.base_path,
    update_type: e.update_type,
    change_note: e.change_note,
    created_at: iso(e.created_at),
    published_at: iso(e.published_at),
    public_updated_at: iso(e.public_updated_at),
    unpublishing: e.unpublishing ? compact({ type: e.unpublishing.type, explanation: e.unpublishing.explanation, unpublished_at: iso(e.unpublishing.unpublished_at) }) : null,
  });
  return { ...shown, last_edited_by: presentUser(e.last_edited_by_uid, e.last_edited_by_name) };
}

/** One line of `GET /v2/content/:content_id/events`. */
export function presentEvent(e: EventRow) {
  return {
    id: e.id,
    action: e.action,
    user: presentUser(e.user_uid, e.user_name),
    actor: e.actor,
    created_at: iso(e.created_at),
    request_id: e.request_id,
  };
}

/**
 * What a content store receives for an edition. An unpublished edition is sent
 * as what replaced it (a redirect or gone item, or the edition with a withdrawn
 * notice); `null` means the store should forget the path (vanish).
 */
export function forContentStore(e: Edition, stack: 'draft' | 'live', payloadVersion: number, expandedLinks: Record<string, unknown> = {}): ContentStorePayload | null {
  const identity = {
    base_path: e.base_path!,
    content_id: e.content_id,
    locale: e.locale,
    publishing_app: e.publishing_app,
    first_published_at: iso(e.first_published_at),
    payload_version: payloadVersion,
    expanded_links: expandedLinks,
    publishing_request_id: e.publishing_request_id,
  };
  const u = e.unpublishing;
  if (u?.type === 'vanish' || u?.type === 'substitute') return null;
  if (u?.type === 'redirect') {
    return {
      ...identity,
      document_type: 'redirect',
      schema_name: 'redirect',
      public_updated_at: iso(u.unpublished_at),
      details: {},
      routes: [],
      redirects: u.redirects,
    };
  }
  if (u?.type === 'gone') {
    const details = compact({ explanation: u.explanation, alternative_path: u.alternative_path });
    return {
      ...identity,
      document_type: 'gone',
      schema_name: 'gone',
      // With an explanation a frontend renders the page; without, the router answers 410 itself.
      rendering_app: Object.keys(details).length ? e.rendering_app : null,
      public_updated_at: iso(u.unpublished_at),
      details,
      routes: e.routes.length ? e.routes : [{ path: e.base_path!, type: 'exact' }],
      redirects: [],
    };
  }
  return {
    ...identity,
    document_type: e.document_type,
    schema_name: e.schema_name,
    rendering_app: e.rendering_app,
    title: e.title,
    description: e.description,
    phase: e.phase,
    analytics_identifier: e.analytics_identifier,
    details: e.details,
    routes: e.routes,
    redirects: e.redirects,
    public_updated_at: iso(e.public_updated_at),
    withdrawn_notice: u?.type === 'withdrawal' ? { explanation: u.explanation ?? '', withdrawn_at: iso(u.unpublished_at)! } : null,
    ...(stack === 'draft' ? { auth_bypass_ids: e.auth_bypass_ids } : {}),
  };
}
